"""A path → ``ParsedDocument`` (its tables and records): ``parse_document(path)``, every stage up to the records."""
from __future__ import annotations

from pathlib import Path

from fundflow.core.model import NarrativeChange, NarrativeShare, ParsedDocument, RawTable, SourceDocument, TableIssue
from fundflow.loaders import registry
from fundflow.loaders.document import read_document
from fundflow.loaders.verdict import check_disclosure
from fundflow.records.subject_names import subject_names
from fundflow.records.tables import tables_to_records

OCR_WARNING = "read by OCR: check figures against the page"


def parse_document(path: str | Path, loader: str | None = None, ocr: bool = False) -> ParsedDocument:
    """Read, choose a loader, segment into RawTables and type them into records.

    Raises ``DocumentError`` / ``LayoutError`` (one-line messages) when nothing
    can be read or the document is not a disclosure (``check_disclosure``); a partly legible document yields what is legible plus
    ``TableIssue`` records for the rest.  ``ocr``: a scanned PDF is read by OCR, and its
    records carry a ``TableIssue`` of kind ``ocr`` per table (``ocr_issues``).
    """
    doc = read_document(path, ocr)
    chosen = registry.choose(doc, loader)
    tables = tuple(chosen.parse(doc))
    check_disclosure(doc, tables)
    meta, records = tables_to_records(doc, tables)
    # the prose statements and printed subject names last: every other record keeps its position (positions name
    # the records' nodes)
    read = tuple(r for r in records if not isinstance(r, (NarrativeChange, NarrativeShare)))
    stated = tuple(r for r in records if isinstance(r, (NarrativeChange, NarrativeShare)))
    return ParsedDocument(doc, chosen.name, meta, tables,
                          read + damage_issues(doc, tables) + ocr_issues(doc, tables) + stated + tuple(subject_names(doc)))


def ocr_issues(doc: SourceDocument, tables: tuple[RawTable, ...]) -> tuple[TableIssue, ...]:
    """A document read by OCR: one ``TableIssue`` (kind ``ocr``) per table, and one for the text outside them.

    Its figures were recognised in page images, not printed as text: each says so and
    where, so that no figure of it is presented as printed without the mark.
    """
    if not doc.ocr:
        return ()
    whole = TableIssue("", "ocr", OCR_WARNING, doc.ref(1, max(1, len(doc.lines))))
    return (whole, *(TableIssue(t.label, "ocr", f"{t.label} {OCR_WARNING}", doc.ref(t.first_line, t.last_line, t.label))
                     for t in tables))


def damage_issues(doc: SourceDocument, tables: tuple[RawTable, ...]) -> tuple[TableIssue, ...]:
    """A ``TableIssue`` (kind ``damaged``) per undecodable byte run: where it is, and the table it falls in."""
    out = []
    for offset, line in doc.damage:
        table = next((t for t in tables if t.first_line <= line <= t.last_line), None)
        where = f"in {table.label} " if table else "outside the tables "
        out.append(TableIssue(table.label if table else "", "damaged",
                              f"undecodable bytes at byte {offset} (line {line}) {where}read as U+FFFD",
                              doc.ref(line, line, table.label if table else None)))
    return tuple(out)
