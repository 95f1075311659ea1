"""Documents → store: parse each file, map it to triples, replace its named graph.

``ingest_paths(store, paths)`` → ``IngestSummary``; a document that fails is
reported (one line naming the file) and the batch goes on.
"""
from __future__ import annotations

import hashlib
import re
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from fundflow.core.errors import DocumentError, FundflowError
from fundflow.core.model import ParsedDocument, TableIssue
from fundflow.kg import vocab
from fundflow.kg.budget import DocumentBudget, Prepared, prepare_document
from fundflow.kg.iris import graph_iri
from fundflow.kg.store import WriteTooLong, load_reference_graphs, relink_units, replace_document

SUFFIXES = (".txt", ".md", ".htm", ".html", ".pdf", ".xlsx")


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
            out.append("tables skipped: " + ", ".join(f"{n} {k}" for k, n in sorted(self.issues.items())))
        return out


# A folder's own notes, never a disclosure: skipped when a folder is walked (a file named directly is read).
FOLDER_NOTES = re.compile(r"^(readme|license|licence|changelog|contributing|notice|authors)([._-].*)?$", re.IGNORECASE)


def collect_paths(paths: Iterable[str | Path], skipped: list[Path] | None = None) -> list[Path]:
    """Files as given, folders searched recursively for *.txt / *.md / *.htm(l) / *.pdf / *.xlsx; sorted, unique.

    In folders, hidden files and a folder's notes (README.md, LICENSE …) are left out and
    added to ``skipped``.  A path that does not exist is kept so that ingesting it reports the error.
    """
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            # anything but a folder: a broken link or a pipe is kept so that reading it reports it
            for f in sorted(f for f in p.rglob("*") if f.suffix.lower() in SUFFIXES and not f.is_dir()):
                notes = FOLDER_NOTES.match(f.name) or any(part.startswith(".") for part in f.relative_to(p).parts)
                if notes and skipped is not None:
                    skipped.append(f)
                if not notes:
                    out.append(f)
        else:
            out.append(p)
    return list(dict.fromkeys(out))


def table_issues(parsed: ParsedDocument) -> Counter:
    """Kinds of tables that yielded no records: TableIssue kinds, else illegible / unrecognised tables."""
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
    """Replace a read document's named graph in one transaction → triples written.

    With ``seconds`` a write that takes longer is undone whole and ``DocumentError`` names the file.
    """
    deadline = None if seconds is None else time.monotonic() + seconds
    parsed, triples, findings = prepared.parsed, prepared.triples, prepared.findings
    from fundflow.kg.duplicates import keep_once  # the same document under another name is stored once

    triples, copy_of = keep_once(store, parsed, triples, base)
    if copy_of:
        findings = []
        warn(copy_of)
    try:
        replace_document(store, graph_iri(parsed.source.name, base), triples, base,
                         {prepared.findings_graph: findings}, deadline=deadline)
    except WriteTooLong:
        raise DocumentError(f"took longer than {seconds:g} s to be written and was skipped (the store keeps what "
                            "it held)", file=parsed.source.path, hint="raise --doc-timeout if it is a real disclosure"
                            ) from None
    return len(triples)


def ingest_paths(store: ox.Store, paths: Iterable[Path], loader: str | None = None,
                 base: str = vocab.DEFAULT_BASE, report: Callable[[str], None] = print,
                 each: Callable[[Path], None] | None = None, budget: DocumentBudget | None = None,
                 jobs: int = 1, ocr: bool = False) -> IngestSummary:
    """Ingest every path (each within ``budget``); failures are passed to ``report`` and counted, never raised.

    With a ``budget`` each document is read within it, and its write is undone and
    reported when it takes longer than ``budget.write_limit``.

    A file whose bytes are already stored under its name is counted unchanged and not parsed.
    ``jobs`` documents are read at once (``kg.parallel``); this process writes them one
    transaction each in the order of ``paths``, so the store is the same whatever ``jobs`` is.
    ``ocr``: a scanned PDF is read by OCR (within its budget); ``report`` gets one line saying so.
    """
    from fundflow.kg.parallel import prepared_in_order

    summary = IngestSummary()
    load_reference_graphs(store, base)
    todo = []
    for path in paths:
        if is_unchanged(store, path, base):
            summary.unchanged.append(str(path))
            if each:
                each(path)
        else:
            todo.append(path)
    for path, got in prepared_in_order(todo, loader, base, jobs, budget, ocr):
        try:
            if isinstance(got, Exception):
                raise got
            parsed, n = got.parsed, store_prepared(store, got, base, report,
                                                      budget.write_limit if budget else None)
        except FundflowError as err:
            summary.failed.append(str(path))
            report(f"error: {err}")
        except Exception as err:  # noqa: BLE001 — one bad document must not stop the batch
            summary.failed.append(str(path))
            detail = str(err).splitlines()[0] if str(err) else ""
            report(f"error: {path}: cannot read ({type(err).__name__}: {detail})")
        else:
            summary.ok.append(str(path))
            summary.records += len(parsed.records)
            summary.triples += n
            summary.issues.update(table_issues(parsed))
            if parsed.source.ocr:
                from fundflow.records.pipeline import OCR_WARNING

                report(f"warning: {parsed.source.name}: {OCR_WARNING}")
        if each:
            each(path)
    relink_units(store, base)
    store.flush()
    return summary
