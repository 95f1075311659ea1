"""Many new documents → the store in bulk, each one whole or absent after a crash.

A document's quads come as N-Quads (``store.document_nquads``: its own graph, its facts
about shared entities in the shared graph, its findings graph); ``BatchWriter(store, base, warn, stored, lost)`` writes prepared documents in file order.

How a document stays whole or absent:

- A document whose graphs are not in the store yet (the common case: a new document) is
  queued (its N-Quads in a temporary file); the queue is written by one ``Store.bulk_load``
  of that file when it holds ``batch_quads`` quads (or at the end of the batch).  Oxigraph's bulk loader reads its
  whole input before it writes anything as long as the input is under its own batch of
  1,000,000 quads, then writes one set of sorted files for every index and hands them
  to RocksDB in a single ``IngestExternalFiles`` call over all the column families,
  which RocksDB applies as one atomic change of the database's manifest.  A crash
  before that call leaves none of the queued documents; after it, all of them.  The
  queue is therefore kept well under that limit (``MAX_BATCH_QUADS``), and a document
  too big to be queued is written in its own transaction.
- A document whose graph (or findings graph) is already stored — a changed file — is
  written in one transaction that drops the old graphs and inserts the new ones
  (``store.replace_document_quads``), after the queue before it has been loaded, so the
  store goes through the states the documents were given in.
- The writer loads the queue first whenever the next document might depend on it: the
  same file name twice in a batch, or the same bytes or fingerprint as a queued document
  (``kg.duplicates`` looks for copies in the store).
"""
from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import pyoxigraph as ox

from fundflow.core.errors import DocumentError, FundflowError, StoreError
from fundflow.kg import vocab
from fundflow.kg.budget import Prepared
from fundflow.kg.iris import graph_iri, system_graph_iri
from fundflow.kg.store import WriteTooLong, nquads_of, replace_document_quads

MAX_BATCH_QUADS = 500_000  # under the bulk loader's 1,000,000: one load is one atomic ingestion
BATCH_QUADS = 100_000  # some 50 documents; a load costs ~0.15 s of its own, and its memory grows with it
BATCH_SECONDS = 60.0  # a queue older than this is loaded, so a long batch keeps its progress


def batch_quads() -> int:
    """Quads per bulk load: ``$FUNDFLOW_BATCH_QUADS`` (at most ``MAX_BATCH_QUADS``), else ``BATCH_QUADS``."""
    try:
        wanted = int(os.environ.get("FUNDFLOW_BATCH_QUADS", BATCH_QUADS))
    except ValueError:
        wanted = BATCH_QUADS
    return max(1, min(wanted, MAX_BATCH_QUADS))


@dataclass(frozen=True)
class DocumentQuads:
    """A document's quads read from an N-Quads file: its graph, findings graph, sha256 and counts."""

    path: Path
    nquads: bytes
    graph: ox.NamedNode
    findings_graph: ox.NamedNode
    sha256: str | None
    quads: int
    triples: int  # in its own and the shared graph (as ``IngestSummary`` counts a parsed document's)


def read_document_nquads(path: Path, base: str = vocab.DEFAULT_BASE) -> DocumentQuads:
    """One document's N-Quads file (``fundflow parse --nquads``) → ``DocumentQuads``.

    Raises ``DocumentError`` naming the file when it is not N-Quads, holds no document
    (or several), or has quads outside its document's graphs and the shared graph.
    """
    from fundflow.kg.findings import findings_graph_of
    from fundflow.loaders.document import read_bytes

    data = read_bytes(path)
    hint = "write it with fundflow parse --nquads DIR"
    try:
        quads = list(ox.parse(data, format=ox.RdfFormat.N_QUADS))
    except SyntaxError as err:
        raise DocumentError(f"is not N-Quads ({str(err).splitlines()[0]})", file=str(path), hint=hint) from None
    documents = {(q.subject, q.graph_name) for q in quads if q.predicate == vocab.A and q.object == vocab.FF("Document")}
    if len(documents) != 1:
        raise DocumentError(f"holds {len(documents)} documents, not one", file=str(path), hint=hint)
    ((node, graph),) = documents
    findings, shared = findings_graph_of(graph), system_graph_iri("shared", base)
    if not isinstance(graph, ox.NamedNode) or any(q.graph_name not in (graph, findings, shared) for q in quads):
        raise DocumentError("has quads outside its document's graphs", file=str(path), hint=hint)
    sha = next((q.object.value for q in quads if q.subject == node and q.predicate == vocab.FF("sha256")), None)
    return DocumentQuads(path, data, graph, findings, sha, len(quads),
                         sum(1 for q in quads if q.graph_name != findings))


def is_stored(store: ox.Store, loaded: DocumentQuads) -> bool:
    """True when ``loaded``'s graph already holds its document (the same sha256): nothing to load."""
    if loaded.sha256 is None:
        return False
    found = store.quads_for_pattern(None, vocab.FF("sha256"), vocab.text(loaded.sha256), loaded.graph)
    return next(found, None) is not None


def nquads_file(folder: Path, name: str) -> Path:
    """Where ``fundflow parse --nquads`` writes the document named ``name``: ``folder/name.nq``."""
    return folder / f"{name}.nq"


@dataclass
class _Queued:
    key: object
    file: str
    triples: int


@dataclass
class BatchWriter:
    """Writes prepared documents to ``store`` in the order given; see the module's notes.

    ``stored(key, triples)`` is called once a document given with ``key`` is in the store,
    in the order given; ``lost(key, error)`` when writing it failed (a ``FundflowError`` naming
    the file).  ``warn`` gets the line naming a copy of a stored document.  With ``seconds``
    a write that replaces a stored document is undone when it takes longer (``store.WriteTooLong``);
    a bulk load cannot be undone, but its size is bounded by ``limit``.  Call ``close()`` at
    the end of the batch.
    """

    store: ox.Store
    base: str = vocab.DEFAULT_BASE
    warn: Callable[[str], None] = print
    stored: Callable[[Any, int], None] = lambda _key, _n: None
    lost: Callable[[Any, FundflowError], None] = lambda _key, _err: None
    seconds: float | None = None
    limit: int = field(default_factory=batch_quads)
    queue: list[_Queued] = field(default_factory=list)
    _quads: int = 0
    _since: float = 0.0
    _graphs: set[ox.NamedNode] = field(default_factory=set)
    _marks: set[str] = field(default_factory=set)
    _spool: IO[bytes] | None = None  # the queue's N-Quads, on disk: the writer's memory does not grow with them

    def write(self, prepared: Prepared, key: object = None) -> int:
        """Queue (or write) one document → the number of its triples (as ``IngestSummary`` counts them)."""
        from fundflow.kg.duplicates import fingerprint, keep_once

        parsed = prepared.parsed
        graph = graph_iri(parsed.source.name, self.base)
        mark = fingerprint(parsed)
        if graph in self._graphs or parsed.source.sha256 in self._marks or (mark and mark in self._marks):
            self.flush()
        extra, copy_of = keep_once(self.store, parsed, [], self.base)
        if copy_of:
            self.warn(copy_of)
            nquads, count = nquads_of(extra, graph), len(extra)
        else:  # its fingerprint is among its quads already
            nquads, count = prepared.nquads, prepared.triples
        self._put(parsed.source.path, graph, prepared.findings_graph, nquads, nquads.count(b"\n"), key, count,
                  (parsed.source.sha256, mark))
        return count

    def write_loaded(self, loaded: DocumentQuads, key: object = None) -> int:
        """Queue (or write) a document read from its N-Quads (``read_document_nquads``) → its triples.

        It is stored as it is: copies of stored documents are not looked for.
        """
        if loaded.graph in self._graphs:
            self.flush()
        self._put(str(loaded.path), loaded.graph, loaded.findings_graph, loaded.nquads, loaded.quads, key,
                  loaded.triples, ())
        return loaded.triples

    def _put(self, file: str, graph: ox.NamedNode, findings_graph: ox.NamedNode, nquads: bytes, quads: int,
             key: object, count: int, marks: Iterable[str | None]) -> None:
        graphs = (graph, findings_graph)
        if quads > MAX_BATCH_QUADS or any(self.store.contains_named_graph(g) for g in graphs):
            self.flush()
            self._replace(file, graph, findings_graph, nquads, key, count)
            return
        if not self.queue:
            self._since = time.monotonic()
        if self._spool is None:
            self._spool = tempfile.TemporaryFile(prefix="fundflow-load-")  # noqa: SIM115 — closed by close()
        self._spool.write(nquads)
        self.queue.append(_Queued(key, file, count))
        self._quads += quads
        self._graphs.update(graphs)
        self._marks.update(m for m in marks if m)
        if self._quads >= self.limit or time.monotonic() - self._since > BATCH_SECONDS:
            self.flush()

    def _replace(self, file: str, graph: ox.NamedNode, findings_graph: ox.NamedNode, nquads: bytes, key: object,
                 count: int) -> None:
        deadline = None if self.seconds is None else time.monotonic() + self.seconds
        quads = list(ox.parse(nquads, format=ox.RdfFormat.N_QUADS)) if nquads else []
        try:
            replace_document_quads(self.store, graph, quads, self.base, [findings_graph], deadline)
        except WriteTooLong:
            self.lost(key, DocumentError(f"took longer than {self.seconds:g} s to be written and was skipped (the "
                                         "store keeps what it held)", file=file,
                                         hint="raise --doc-timeout if it is a real disclosure"))
        except StoreError as err:
            self.lost(key, DocumentError(err.detail, file=file))
        else:
            self.stored(key, count)

    def flush(self) -> None:
        """Load the queued documents in one bulk load (all of them, or none when it fails)."""
        queue, self.queue, self._quads = self.queue, [], 0
        self._graphs.clear()
        self._marks.clear()
        if not queue:
            return
        spool = self._spool
        try:
            if spool is not None and spool.tell():
                spool.seek(0)
                self.store.bulk_load(input=spool, format=ox.RdfFormat.N_QUADS, lenient=True)
        except (OSError, SyntaxError, ValueError) as err:
            detail = str(err).splitlines()[0] if str(err) else type(err).__name__
            for q in queue:
                self.lost(q.key, DocumentError(f"cannot write {len(queue)} documents: {detail}", file=q.file))
        else:
            for q in queue:
                self.stored(q.key, q.triples)
        finally:
            if spool is not None:
                spool.seek(0)
                spool.truncate()

    def close(self) -> None:
        self.flush()
        if self._spool is not None:
            self._spool.close()
            self._spool = None
