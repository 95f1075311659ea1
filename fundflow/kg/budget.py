"""A document path and its budgets → its prepared triples, read in a child process stopped at its time or memory limit.

``DocumentBudget(seconds, memory)``; ``prepare_document(path, loader, base, budget)`` →
``Prepared`` (the parsed document, its quads as N-Quads, its findings graph), read
in a forked child process that is killed when it runs past ``budget.seconds`` or holds
more than ``budget.memory`` bytes; the child's memory goes back to the system with it.
Over budget: ``DocumentError`` naming the file and the limit, so the batch goes on.
The store is never touched by the child: only the parent writes.
"""
from __future__ import annotations

import functools
import multiprocessing as mp
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from fundflow.core.errors import DocumentError, FundflowError
from fundflow.core.model import ParsedDocument
from fundflow.core.process import die_with_parent
from fundflow.kg import vocab

POLL = 0.1


@dataclass(frozen=True)
class DocumentBudget:
    """What one document may cost at ingest: wall-clock seconds, resident memory in bytes, table rows.

    The store write of a read document (in this process) may take ``seconds`` again
    (``write_seconds`` when given); a write that takes longer is undone (``kg.store``).

    Rows are counted right after the tables are read, before they are mapped and
    stored: the store write (in this process, not the child) grows with them.
    """

    seconds: float = 300.0
    memory: int = 4 * 2**30
    rows: int = 50_000
    write_seconds: float | None = None  # the store write of one document; None: ``seconds`` again

    @property
    def write_limit(self) -> float:
        return self.seconds if self.write_seconds is None else self.write_seconds


@dataclass(frozen=True)
class Prepared:
    """A read document: what was parsed, its quads as N-Quads (``kg.store.document_nquads``), its triple count.

    The quads travel as N-Quads bytes: from a reading child to the writer they cost a
    copy, where pickled terms cost more than the writing itself.
    """

    parsed: ParsedDocument
    nquads: bytes
    triples: int
    findings_graph: ox.NamedNode


def _prepare(path: Path, loader: str | None, base: str, max_rows: int | None = None, ocr: bool = False) -> Prepared:
    """Parse one file (a scan by OCR when ``ocr``) and map it to triples (document and findings graph), in this process."""
    from fundflow.records.pipeline import parse_document

    parsed = parse_document(path, loader, ocr=ocr)
    rows = sum(len(t.rows) for t in parsed.tables)
    if max_rows is not None and rows > max_rows:
        raise DocumentError(f"its tables have {rows} rows, more than {max_rows}, and it was skipped", file=str(path),
                            hint="raise --doc-rows if it is a real disclosure")
    return prepared_of(parsed, base)


def prepared_of(parsed: ParsedDocument, base: str = vocab.DEFAULT_BASE) -> Prepared:
    """A parsed document → its triples (document and findings graph) as ``Prepared``."""
    from fundflow.kg.duplicates import fingerprint_triples
    from fundflow.kg.findings import findings_graph_triples
    from fundflow.kg.funding_map import funding_triples
    from fundflow.kg.iris import graph_iri
    from fundflow.kg.mapper import records_to_triples
    from fundflow.kg.store import document_nquads

    triples = list(dict.fromkeys(records_to_triples(parsed, base) + funding_triples(parsed, base)
                                 + fingerprint_triples(parsed, base)))
    findings_graph, findings = findings_graph_triples(parsed, base)
    nquads = document_nquads(graph_iri(parsed.source.name, base), triples, findings_graph, findings, base)
    return Prepared(parsed, nquads, len(triples), findings_graph)


# What a reader and the writer import: the readers themselves, what the writer and the watching threads
# use (copies, findings, the fork and its pipe, /proc/PID/statm read as ASCII).
_WARM_MODULES = ("fundflow.records.pipeline", "fundflow.loaders.pdf.ocr", "fundflow.kg.mapper", "fundflow.kg.funding_map",
                 "fundflow.kg.findings", "fundflow.kg.duplicates", "fundflow.kg.iris", "fundflow.kg.store",
                 "multiprocessing.connection", "multiprocessing.popen_fork", "multiprocessing.util", "encodings.ascii")
_READERS_LOADED = threading.Event()
_LOADING = threading.Lock()


def load_readers() -> None:
    """Import what reading a document (and writing it) needs and fill its argument-less caches, once,
    in this process, before any reader is forked.

    A forked reader inherits them: else each child would import the readers and build the
    same vocabularies, region names and code lists again (more than half of what a small
    document costs).  It also keeps the readers alive: a fork copies only the forking
    thread, so a child forked while another thread of this process is in the middle of
    importing a module inherits that module's import lock held by no one, and waits on it
    for ever the first time it imports the module (seen: a reader stopped at its time
    budget while the writer imported ``kg.duplicates``).  Call it before the reading
    threads start (``kg.parallel``); every later import of these modules is a lookup.
    """
    with _LOADING:
        if _READERS_LOADED.is_set():
            return
        import importlib
        import inspect
        import sys

        for name in _WARM_MODULES:
            importlib.import_module(name)
        for name, module in list(sys.modules.items()):
            if not name.startswith("fundflow.") or name.startswith(("fundflow.outputs", "fundflow.publish",
                                                                    "fundflow.cli")):
                continue
            for value in list(vars(module).values()):
                if isinstance(value, functools._lru_cache_wrapper) and value.__module__ == name:
                    params = inspect.signature(value).parameters.values()
                    if all(p.default is not p.empty or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) for p in params):
                        value()
        _READERS_LOADED.set()


def _child(conn, parent_end, path: Path, loader: str | None, base: str, max_rows: int, ocr: bool = False,
           parent: int | None = None) -> None:
    """The forked reader: dies with the ingest (a killed ingest leaves no reader behind), answers once.

    It leads a process group of its own, so that what it starts (OCR) is stopped with it.
    """
    die_with_parent()
    if parent is not None and os.getppid() != parent:  # the ingest died before the death signal was set
        os._exit(0)
    os.setpgid(0, 0)
    parent_end.close()  # the parent's end: with it open here, a send to a dead parent would block forever
    try:
        conn.send(("ok", _prepare(path, loader, base, max_rows, ocr)))
    except FundflowError as err:
        conn.send(("error", err))
    except Exception as err:  # noqa: BLE001 — reported by the parent as one line
        detail = str(err).splitlines()[0] if str(err) else ""
        conn.send(("error", DocumentError(f"cannot read ({type(err).__name__}: {detail})", file=str(path))))


def _stop_group(pid: int | None) -> None:
    """Kill what is left of the process group the reader ``pid`` leads (none left: nothing to do)."""
    import signal

    try:
        if pid:
            os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _resident(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm", encoding="ascii") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, IndexError, ValueError):
        return 0


def prepare_document(path: Path, loader: str | None = None, base: str = vocab.DEFAULT_BASE,
                     budget: DocumentBudget | None = None, ocr: bool = False) -> Prepared:
    """Parse and map ``path`` within ``budget`` (None: in this process, no limits) → ``Prepared``.

    ``ocr``: a scanned PDF is read by OCR, within the same budget (the OCR processes are
    stopped with the reader).  Raises ``FundflowError`` subclasses naming the file:
    unreadable, or over its budget.
    """
    if budget is None or "fork" not in mp.get_all_start_methods():
        return _prepare(path, loader, base, ocr=ocr)
    load_readers()  # once, before the first fork (see there)
    ctx = mp.get_context("fork")  # the child needs nothing of the store; only this process writes it
    ours, theirs = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_child, args=(theirs, ours, path, loader, base, budget.rows, ocr, os.getpid()),
                        daemon=True)
    child.start()
    theirs.close()
    deadline = time.monotonic() + budget.seconds
    try:
        while not ours.poll(POLL):
            if not child.is_alive() and not ours.poll(0):  # its answer may have come after the poll timed out
                raise DocumentError(f"reading stopped (exit {child.exitcode})", file=str(path),
                                    hint="the document may be damaged; try it alone with fundflow parse")
            if time.monotonic() > deadline:
                raise DocumentError(f"took longer than {budget.seconds:g} s and was skipped", file=str(path),
                                    hint="raise --doc-timeout if it is a real disclosure")
            if child.pid is not None and _resident(child.pid) > budget.memory:
                raise DocumentError(f"needed more than {budget.memory // 2**20} MiB and was skipped", file=str(path),
                                    hint="raise --doc-memory if it is a real disclosure")
        state, payload = ours.recv()
    except EOFError:
        raise DocumentError(f"reading stopped (exit {child.exitcode})", file=str(path)) from None
    finally:
        if child.is_alive():
            child.kill()
        _stop_group(child.pid)  # whatever the reader started (OCR) and left running
        child.join(5)
        if ocr and child.pid:
            from fundflow.loaders.pdf.ocr import remove_leftovers

            remove_leftovers(child.pid)
        ours.close()
    if state == "ok":
        return payload
    raise payload
