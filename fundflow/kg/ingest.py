"""Documents → store: parse each file, map it to triples, replace its named graph; file names → documents removed.

``ingest_paths(store, paths)`` → ``IngestSummary``; a document that fails is
reported (one line naming the file) and the batch goes on.  After each batch the
links and counted graphs are recomputed (``kg.counted``).
``remove_documents(store, names)`` drops documents with their findings and copies.
"""
from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path

import pyoxigraph as ox

from fundflow.core.errors import FundflowError, StoreError
from fundflow.core.model import ParsedDocument, TableIssue
from fundflow.kg import vocab
from fundflow.kg.budget import DocumentBudget, Prepared, prepare_document, prepared_of
from fundflow.kg.bulk import BatchWriter, is_stored, read_document_nquads
from fundflow.kg.counted import counted_update, drop_counted, recount
from fundflow.kg.iris import graph_iri, system_graph_iri
from fundflow.kg.store import drop_document_update, load_reference_graphs, select

SUFFIXES = (".txt", ".md", ".htm", ".html", ".pdf", ".xlsx")
NQUADS = ".nq"  # a document already read, as ``fundflow parse --nquads`` writes it


@dataclass
class IngestSummary:
    """What a batch did: documents ok / failed (with messages), records, triples, table issues."""

    ok: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    records: int = 0
    triples: int = 0
    issues: Counter = field(default_factory=Counter)

    @property
    def exit_code(self) -> int:
        """0 all documents read (or unchanged), 1 some failed, 2 none could be read."""
        return 0 if not self.failed else (2 if not (self.ok or self.unchanged) else 1)

    def lines(self) -> list[str]:
        """The closing summary as printable lines."""
        same = f", {len(self.unchanged)} unchanged" if self.unchanged else ""
        out = [(f"documents: {len(self.ok)} ok, {len(self.failed)} failed{same}; "
                f"records: {self.records}; triples: {self.triples}")]
        if self.failed:
            out.append("failed:")
            out.extend(f"  {f}" for f in self.failed)  # one file per line: a batch can fail hundreds
        if self.issues:
            # kinds of tables not read and of rows left out alike (ambiguous, uncoded are rows): "issues", not "tables"
            out.append("issues (query tables-not-read lists them): "
                       + ", ".join(f"{n} {k}" for k, n in sorted(self.issues.items())))
        return out


# A folder's own notes, never a disclosure: skipped when a folder is walked (a file named directly is read).
FOLDER_NOTES = re.compile(r"^(readme|license|licence|changelog|contributing|notice|authors)([._-].*)?$", re.IGNORECASE)


def collect_paths(paths: Iterable[str | Path], skipped: list[Path] | None = None,
                  suffixes: tuple[str, ...] = SUFFIXES) -> list[Path]:
    """Files as given, folders searched recursively for *.txt / *.md / *.htm(l) / *.pdf / *.xlsx; sorted, unique.

    ``suffixes``: the kinds of file looked for in folders (ingest adds ``NQUADS``).

    In folders, hidden files and a folder's notes (README.md, LICENSE …) are left out and
    added to ``skipped``.  A path that does not exist is kept so that ingesting it reports the error.
    """
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            # anything but a folder: a broken link or a pipe is kept so that reading it reports it
            for f in sorted(f for f in p.rglob("*") if f.suffix.lower() in suffixes and not f.is_dir()):
                notes = FOLDER_NOTES.match(f.name) or any(part.startswith(".") for part in f.relative_to(p).parts)
                if notes and skipped is not None:
                    skipped.append(f)
                if not notes:
                    out.append(f)
        else:
            out.append(p)
    return list(dict.fromkeys(out))


def table_issues(parsed: ParsedDocument) -> Counter:
    """What was not read, by ``TableIssue`` kind (tables, rows or columns; an OCR mark is none), else the
    illegible / unrecognised tables."""
    found = Counter(r.kind for r in parsed.of(TableIssue) if r.kind != "ocr")  # an OCR mark skips no table
    if not found:
        found.update("illegible" if t.illegible else "unrecognised" for t in parsed.tables
                     if t.illegible or t.kind is None)
    return found


def is_unchanged(store: ox.Store, path: Path, base: str = vocab.DEFAULT_BASE) -> bool:
    """True when the graph of ``path``'s file name already holds a document of the same bytes (sha256).

    Such a document is not parsed again.  A file that cannot be read is not unchanged
    (ingesting it reports why).
    """
    from fundflow.loaders.document import read_bytes  # a pipe, a device or a huge file is refused unread

    try:
        sha = hashlib.sha256(read_bytes(path)).hexdigest()
    except FundflowError:
        return False
    found = store.quads_for_pattern(None, vocab.FF("sha256"), vocab.text(sha), graph_iri(path.name, base))
    return next(found, None) is not None


def ingest_document(store: ox.Store, path: Path, loader: str | None = None,
                    base: str = vocab.DEFAULT_BASE, warn: Callable[[str], None] = print,
                    budget: DocumentBudget | None = None) -> tuple[ParsedDocument, int]:
    """Parse one file and replace its named graph → (parsed document, triples written).

    A copy of a stored document (``kg.duplicates``) is kept once: ``warn`` gets one line naming both.
    With a ``budget`` the file is read in a child process stopped at its limits (``kg.budget``).

    Raises ``FundflowError`` subclasses (one-line, naming the file) when it cannot be read.
    """
    prepared = prepare_document(path, loader, base, budget)
    return prepared.parsed, store_prepared(store, prepared, base, warn)


def store_prepared(store: ox.Store, prepared: Prepared, base: str = vocab.DEFAULT_BASE,
                   warn: Callable[[str], None] = print, seconds: float | None = None) -> int:
    """Write one read document (its graph and findings, replaced together) → triples written.

    With ``seconds`` a replacing write that takes longer is undone whole (``kg.bulk``).
    Raises ``FundflowError`` naming the file when the write fails.
    """
    failed: list[FundflowError] = []
    writer = BatchWriter(store, base, warn, lost=lambda _key, err: failed.append(err), seconds=seconds)
    n = writer.write(prepared)
    writer.close()
    if failed:
        raise failed[0]
    return n


def ingest_paths(store: ox.Store, paths: Iterable[Path], loader: str | None = None,
                 base: str = vocab.DEFAULT_BASE, report: Callable[[str], None] = print,
                 each: Callable[[Path], None] | None = None, budget: DocumentBudget | None = None,
                 jobs: int = 1, ocr: bool = False, read: Mapping[Path, ParsedDocument] | None = None) -> IngestSummary:
    """Ingest every path (each within ``budget``); failures are passed to ``report`` and counted, never raised.

    With a ``budget`` each document is read within it, and a write that replaces a stored
    document is undone and reported when it takes longer than ``budget.write_limit``.

    A file whose bytes are already stored under its name is counted unchanged and not parsed.
    A ``.nq`` file is a document already read (``fundflow parse --nquads``): loaded as it is,
    before the others, unchanged when its graph holds its sha256 (``kg.bulk.read_document_nquads``).
    ``jobs`` documents are read at once (``kg.parallel``); this process writes them in the
    order of ``paths`` (``kg.bulk.BatchWriter``: new documents many to a bulk load, changed
    ones one transaction each), so the store is the same whatever ``jobs`` is.
    ``ocr``: a scanned PDF is read by OCR (within its budget); ``report`` gets one line saying so.
    ``read``: documents of ``paths`` the caller has parsed already, mapped from them, not read again.
    When a document was stored (or the store has no counted graph), the links and counted graphs are
    then recomputed in one transaction (``kg.counted.recount``); the counted graph is dropped before the
    first write, so a batch killed half-way leaves none (and the next ingest recounts), never stale marks.
    """
    from fundflow.kg.parallel import prepared_in_order

    summary = IngestSummary()
    load_reference_graphs(store, base)
    todo, loaded_nq = [], []
    for path in paths:
        if path.suffix.lower() == NQUADS:
            loaded_nq.append(path)
        elif is_unchanged(store, path, base):
            summary.unchanged.append(str(path))
            if each:
                each(path)
        else:
            todo.append(path)

    def stored(done: tuple[Path, int, Counter], triples: int) -> None:
        path, records, issues = done
        summary.ok.append(str(path))
        summary.records += records
        summary.triples += triples
        summary.issues.update(issues)

    def fail(path: Path, message: object) -> None:
        summary.failed.append(str(path))
        report(f"error: {message}")

    def lost(done: tuple[Path, int, Counter], err: FundflowError) -> None:
        fail(done[0], err)

    if todo or loaded_nq:  # a batch killed before its recount leaves no counted graph, not a stale one: the next recounts
        drop_counted(store, base)
    writer = BatchWriter(store, base, report, stored, lost, seconds=budget.write_limit if budget else None)
    for path in loaded_nq:
        try:
            loaded = read_document_nquads(path, base)
        except FundflowError as err:
            fail(path, err)
        else:
            if is_stored(store, loaded):
                summary.unchanged.append(str(path))
            else:
                writer.write_loaded(loaded, key=(path, 0, Counter()))
        if each:
            each(path)
    given = read or {}
    already = ((p, prepared_of(given[p], base)) for p in todo if p in given)
    rest = [p for p in todo if p not in given]
    for path, got in chain(already, prepared_in_order(rest, loader, base, jobs, budget, ocr)):
        try:
            if isinstance(got, Exception):
                raise got
            parsed = got.parsed
            writer.write(got, key=(path, len(parsed.records), table_issues(parsed)))
        except FundflowError as err:
            fail(path, err)
        except Exception as err:  # noqa: BLE001 — one bad document must not stop the batch
            detail = str(err).splitlines()[0] if str(err) else ""
            fail(path, f"{path}: cannot read ({type(err).__name__}: {detail})")
        else:
            if parsed.source.ocr:
                from fundflow.records.pipeline import OCR_WARNING

                report(f"warning: {parsed.source.name}: {OCR_WARNING}")
        if each:
            each(path)
    writer.close()
    if summary.ok or not store.contains_named_graph(system_graph_iri("counted", base)):
        recount(store, base)  # the links and the counted graph, in one transaction
    store.flush()
    return summary


_COPIES = """SELECT DISTINCT ?h ?file WHERE { GRAPH %s { ?d a ff:Document }
  GRAPH ?h { ?c prov:alternateOf ?d . OPTIONAL { ?c ff:fileName ?file } } }"""


def remove_documents(store: ox.Store, names: Iterable[str], base: str = vocab.DEFAULT_BASE) -> list[str]:
    """Drop the documents stored under file ``names``, their findings and their copies (``prov:alternateOf`` them),
    and recompute the links and counted graphs, all in one transaction → the files removed, copies after.

    Raises ``StoreError`` naming the file when no document is stored under a name (nothing is removed then),
    or when the write fails.
    """
    from fundflow.kg.findings import findings_graph_of

    graphs: dict[ox.NamedNode, str] = {}
    for name in names:
        graph = graph_iri(Path(name).name, base)
        if not store.contains_named_graph(graph):
            raise StoreError("no document of this file name in the store", file=Path(name).name,
                             hint="fundflow query documents lists the stored files")
        graphs[graph] = Path(name).name
    copies: dict[ox.NamedNode, str] = {}
    for graph in graphs:
        for row in select(store, _COPIES % graph, prefixes=vocab.PREFIXES):
            h = row["h"]
            if isinstance(h, ox.NamedNode) and h not in graphs:
                copies[h] = row["file"].value if row["file"] is not None else h.value
    dropped = {**graphs, **copies}
    update = " ;\n".join(drop_document_update(g, [findings_graph_of(g)], base) for g in dropped)
    update += " ;\n" + counted_update(store, base, without={g.value for g in dropped})
    try:
        store.update(update)
    except (OSError, SyntaxError, ValueError) as err:
        raise StoreError(f"cannot remove {', '.join(graphs.values())}: {str(err).splitlines()[0]}") from None
    store.flush()
    return list(dropped.values())
