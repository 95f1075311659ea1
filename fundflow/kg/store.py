"""Triples of documents → the on-disk Oxigraph store, one named graph per source document, and back.

``open_store(path)`` → ``pyoxigraph.Store`` (``StoreError`` when it is locked or
unreadable).  ``replace_graph`` swaps a document's graph in one SPARQL update
(``DROP GRAPH …; INSERT DATA …`` is a single transaction in Oxigraph, so a
reader never sees half a document).  The ontology, the code lists and the
rules' catalogue live in their own named graphs, refreshed on every ingest; facts about entities that
several documents describe (units, regions, codes) are kept once in a shared
graph, since the union of graphs would repeat a triple once per graph.
"""
from __future__ import annotations

import fcntl
import functools
import os
import shutil
import time
from collections.abc import Iterable
from importlib import resources
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from fundflow.checks.rules import catalogue
from fundflow.core.errors import StoreError
from fundflow.kg import vocab
from fundflow.kg.iris import is_shared, system_graph_iri

DEFAULT_STORE = ".fundflow/store"


def default_store_path() -> str:
    """``$FUNDFLOW_STORE`` or ``.fundflow/store``."""
    return os.environ.get("FUNDFLOW_STORE") or DEFAULT_STORE


LOCK_WAIT = 30.0  # seconds a writer waits for readers of the live store to finish


def open_store(path: str | Path | None = None, *, create: bool = True, wait: float = LOCK_WAIT) -> ox.Store:
    """Open (and by default create) the store at ``path`` for writing.

    Readers of the live store hold it for a moment, so a busy store is retried for
    ``wait`` seconds.  Raises ``StoreError`` when another process still holds the
    store's lock, when the directory is not a store, or when ``create`` is false and
    nothing is there.
    """
    where = Path(path or default_store_path())
    if not create and not where.exists():
        raise StoreError(f"no store at {where}", hint="run `fundflow ingest FILE… --store DIR` first")
    end = time.monotonic() + wait
    while True:
        try:
            where.mkdir(parents=True, exist_ok=True)
            return ox.Store(str(where))
        except OSError as err:
            locked = "lock" in str(err).lower()
            if locked and time.monotonic() < end:
                time.sleep(0.2)
                continue
            if locked:
                raise StoreError(f"store {where} is in use by another fundflow process",
                                 hint="wait for it to finish or use another --store") from None
            raise StoreError(f"cannot open store {where}: {str(err).splitlines()[0]}",
                             hint="is it a fundflow store directory? use another --store") from None


def _nt(triples: Iterable[ox.Triple]) -> str:
    return "\n".join(f"{t.subject} {t.predicate} {t.object} ." for t in triples)


def replace_graph(store: ox.Store, graph: ox.NamedNode, triples: Iterable[ox.Triple]) -> None:
    """Replace the content of ``graph`` by ``triples`` in one transaction.

    Raises ``StoreError`` when the write fails (the old graph is then kept).
    """
    update = f"DROP SILENT GRAPH {graph} ;\nINSERT DATA {{ GRAPH {graph} {{\n{_nt(triples)}\n}} }}"
    try:
        store.update(update)
    except (OSError, SyntaxError, ValueError) as err:
        raise StoreError(f"cannot write graph {graph.value}: {str(err).splitlines()[0]}") from None


class WriteTooLong(StoreError):
    """A write ran past its deadline and was undone: the store holds what it held before."""


_IN_TIME = ox.NamedNode("urn:fundflow:write-in-time")
# The last operations of a write with a deadline: the marker graph is made only while the clock is
# inside the deadline (the function is asked at that moment, after everything else is written in the
# transaction), and dropping it without SILENT fails the whole update — nothing of it is written —
# when it was not made.  The marker itself never outlives the update.
_DEADLINE_GUARD = (f" ;\nINSERT {{ GRAPH {_IN_TIME} {{ {_IN_TIME} {_IN_TIME} true }} }} WHERE {{ FILTER({_IN_TIME}()) }}"
                   f" ;\nDROP GRAPH {_IN_TIME}")


def _update_by(store: ox.Store, update: str, deadline: float | None, what: str) -> None:
    """Run ``update`` in one transaction, undone as a whole when it is not done by ``deadline`` (monotonic s)."""
    late: list[float] = []

    def in_time() -> ox.Literal | None:
        if deadline is not None and time.monotonic() < deadline:
            return ox.Literal(True)
        late.append(time.monotonic())
        return None

    try:
        if deadline is None:
            store.update(update)
        else:
            store.update(update + _DEADLINE_GUARD, custom_functions={_IN_TIME: in_time})
    except RuntimeError as err:
        if late:
            raise WriteTooLong(f"writing {what} ran past its deadline and was undone") from None
        raise StoreError(f"cannot write {what}: {str(err).splitlines()[0]}") from None
    except (OSError, SyntaxError, ValueError) as err:
        raise StoreError(f"cannot write {what}: {str(err).splitlines()[0]}") from None


def replace_document(store: ox.Store, graph: ox.NamedNode, triples: Iterable[ox.Triple],
                     base: str = vocab.DEFAULT_BASE,
                     companions: dict[ox.NamedNode, list[ox.Triple]] | None = None,
                     deadline: float | None = None) -> None:
    """Replace a document's graph in one transaction; facts about shared entities go to the shared graph.

    ``companions``: further graphs that belong to the document (its findings)
    and are replaced in the same transaction, so a killed ingest never leaves
    a document and its findings out of step.  Shared facts already stated by
    the code lists are not repeated (each triple once in the union of graphs).
    With a ``deadline`` (``time.monotonic()`` seconds) a write not done by then is undone
    as a whole, in the same transaction, and ``WriteTooLong`` is raised.
    Raises ``StoreError`` when the write fails.
    """
    quads = document_quads(graph, triples, companions, base)
    replace_document_quads(store, graph, quads, base, list(companions or ()), deadline)


def replace_document_quads(store: ox.Store, graph: ox.NamedNode, quads: Iterable[ox.Quad],
                           base: str = vocab.DEFAULT_BASE, companions: Iterable[ox.NamedNode] = (),
                           deadline: float | None = None) -> None:
    """Replace a document's graph, and its ``companions``, by ``quads`` in one transaction.

    ``quads`` are in ``graph``, in the shared graph (added to it) or in a companion graph;
    shared facts about entities that only ``graph`` was a source of go first (so a
    changed value goes).  Undone whole past ``deadline`` (``WriteTooLong``, as ``replace_document``).
    Raises ``StoreError`` when the write fails (the old graphs are then kept).
    """
    sg = system_graph_iri("shared", base)
    by_graph: dict[ox.NamedNode, list[ox.Quad]] = {graph: [], sg: [], **{g: [] for g in companions}}
    for q in quads:
        if not isinstance(q.graph_name, ox.NamedNode):
            raise StoreError(f"graph {graph.value}: a quad outside any named graph")
        by_graph.setdefault(q.graph_name, []).append(q)
    update = f"{_forget_sole_claims(graph, sg)}"
    for g in by_graph:
        if g != sg:
            update += f" ;\nDROP SILENT GRAPH {g}"
    body = "\n".join(f"GRAPH {g} {{\n{_nt(q.triple for q in qs)}\n}}" for g, qs in by_graph.items() if qs)
    update += f" ;\nINSERT DATA {{\n{body}\n}}" if body else ""
    _update_by(store, update, deadline, f"graph {graph.value}")


def split_shared(triples: Iterable[ox.Triple], base: str = vocab.DEFAULT_BASE) -> tuple[list[ox.Triple], list[ox.Triple]]:
    """A document's triples → (its own, facts about shared entities not already stated by the code lists)."""
    own: list[ox.Triple] = []
    shared: list[ox.Triple] = []
    for t in triples:
        (shared if is_shared(t, base) else own).append(t)
    codes = code_list_triples()
    return own, [t for t in shared if t not in codes]


@functools.cache
def code_list_triples() -> frozenset[ox.Triple]:
    """The triples of the bundled code lists (the store's codes graph), read once per process."""
    return frozenset(q.triple for blob in _bundled_turtle()["codes"] for q in ox.parse(blob, format=ox.RdfFormat.TURTLE))


def _in(graph: ox.NamedNode, triples: Iterable[ox.Triple]) -> list[ox.Quad]:
    return [ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples]


def document_quads(graph: ox.NamedNode, triples: Iterable[ox.Triple],
                   companions: dict[ox.NamedNode, list[ox.Triple]] | None = None,
                   base: str = vocab.DEFAULT_BASE) -> list[ox.Quad]:
    """A document's quads: its own triples in ``graph``, its facts about shared entities (not stated by
    the code lists) in the shared graph, and each companion graph's triples (its findings) in that graph."""
    own, shared = split_shared(triples, base)
    quads = _in(graph, own) + _in(system_graph_iri("shared", base), shared)
    for g, extra in (companions or {}).items():
        quads += _in(g, extra)
    return quads


def as_nquads(quads: list[ox.Quad]) -> bytes:
    """Quads → N-Quads bytes (``b""`` for none)."""
    return (ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b"") if quads else b""


def document_nquads(graph: ox.NamedNode, triples: Iterable[ox.Triple], findings_graph: ox.NamedNode,
                    findings: Iterable[ox.Triple], base: str = vocab.DEFAULT_BASE) -> bytes:
    """``document_quads`` with the findings graph as companion, as N-Quads (what a reading child sends)."""
    return as_nquads(document_quads(graph, triples, {findings_graph: list(findings)}, base))


def nquads_of(triples: Iterable[ox.Triple], graph: ox.NamedNode) -> bytes:
    """``triples`` in ``graph``, as N-Quads."""
    return as_nquads(_in(graph, triples))


def _forget_sole_claims(graph: ox.NamedNode, shared: ox.NamedNode) -> str:
    """SPARQL: drop shared facts about entities that only ``graph`` is a source of (so a changed value goes)."""
    prov = vocab.PROV("wasDerivedFrom")
    return (f"DELETE {{ GRAPH {shared} {{ ?s ?p ?o }} }} WHERE {{ GRAPH {graph} {{ ?s {prov} ?src }}\n"
            f"  FILTER NOT EXISTS {{ GRAPH ?other {{ ?s {prov} ?src2 }} FILTER(?other != {graph}) }}\n"
            f"  GRAPH {shared} {{ ?s ?p ?o }} }}")


def drop_document_update(graph: ox.NamedNode, companions: Iterable[ox.NamedNode] = (),
                         base: str = vocab.DEFAULT_BASE) -> str:
    """SPARQL update: drop a document's graph and its ``companions`` (its findings), and the shared facts about
    entities only it was a source of."""
    update = f"{_forget_sole_claims(graph, system_graph_iri('shared', base))} ;\nDROP SILENT GRAPH {graph}"
    return update + "".join(f" ;\nDROP SILENT GRAPH {g}" for g in companions)


def relink_update(base: str = vocab.DEFAULT_BASE) -> str:
    """SPARQL update: recompute the links graph, where units printed with the same name are ``owl:sameAs``.

    A unit is printed with its code in one document (``578002 沈阳市医疗保障事务服务中心``)
    and by name alone in another; names carry their region, so equal names are
    one unit.  The graph is derived: it is rebuilt as a whole after each batch.
    """
    links, label, same = system_graph_iri("links", base), vocab.RDFS("label"), vocab.OWL("sameAs")
    unit = vocab.FF("Unit")
    return (f"DROP SILENT GRAPH {links} ;\nINSERT {{ GRAPH {links} {{ ?a {same} ?b }} }} WHERE {{\n"
            f"  GRAPH ?g {{ ?a a {unit} ; {label} ?l }} GRAPH ?h {{ ?b a {unit} ; {label} ?l }}\n"
            f"  FILTER(?a != ?b) }}")


def relink_units(store: ox.Store, base: str = vocab.DEFAULT_BASE) -> None:
    """Recompute the links graph in one update (``relink_update``)."""
    store.update(relink_update(base))


def select(store: ox.Store, text: str, **options: Any) -> ox.QuerySolutions:
    """A SELECT query's text → its solutions (``options`` as ``Store.query`` takes them).

    Raises ``TypeError`` for an ASK, CONSTRUCT or DESCRIBE query: the caller expected rows.
    """
    result = store.query(text, **options)
    if not isinstance(result, ox.QuerySolutions):
        raise TypeError(f"not a SELECT query: {text[:60]}")
    return result


def graph_size(store: ox.Store, graph: ox.NamedNode) -> int:
    """Number of triples in ``graph``."""
    rows = select(store, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} }}")
    return int(next(rows)["n"].value)


def _bundled_turtle() -> dict[str, list[bytes]]:
    """Ontology (fundflow.ttl) and code lists (codes/*.ttl) as shipped in the package."""
    root = resources.files("fundflow.ontology")
    out: dict[str, list[bytes]] = {"ontology": [root.joinpath("fundflow.ttl").read_bytes()], "codes": []}
    codes = root.joinpath("codes")
    if codes.is_dir():
        out["codes"] = [f.read_bytes() for f in sorted(codes.iterdir(), key=lambda f: f.name)
                        if f.name.endswith(".ttl")]
    return out


def rule_triples(base: str = vocab.DEFAULT_BASE) -> list[ox.Triple]:
    """The reconciliation rules' catalogue: ``{base}rule/R04`` with its ``rdfs:label`` and ``rdfs:comment``.

    Stated once, in the rules graph: every finding points at its rule, and a copy of these in each
    document's findings graph would be repeated once per document by the union of graphs.
    """
    label, comment = vocab.RDFS("label"), vocab.RDFS("comment")
    out: list[ox.Triple] = []
    for rule in catalogue().values():
        r = ox.NamedNode(f"{base}rule/{rule.id}")
        out += [ox.Triple(r, label, ox.Literal(rule.label)), ox.Triple(r, comment, ox.Literal(rule.description))]
    return out


REFERENCE_GRAPHS = ("ontology", "codes", "rules")


def load_reference_graphs(store: ox.Store, base: str = vocab.DEFAULT_BASE) -> int:
    """(Re)load the ontology, the code lists and the rules' catalogue into their named graphs → triples loaded."""
    total = 0
    for name, blobs in _bundled_turtle().items():
        triples: list[ox.Triple] = []
        for blob in blobs:
            triples.extend(q.triple for q in ox.parse(blob, format=ox.RdfFormat.TURTLE))
        replace_graph(store, system_graph_iri(name, base), triples)
        total += len(triples)
    rules = rule_triples(base)
    replace_graph(store, system_graph_iri("rules", base), rules)
    return total + len(rules)


def document_graphs(store: ox.Store, base: str = vocab.DEFAULT_BASE) -> list[ox.NamedNode]:
    """The named graphs holding source documents (not the reference, shared, links or counted graphs)."""
    reserved = {system_graph_iri(n, base) for n in (*REFERENCE_GRAPHS, "shared", "links", "counted")}
    return sorted((g for g in store.named_graphs() if isinstance(g, ox.NamedNode) and g not in reserved),
                  key=lambda g: g.value)



# ------------------------------------------------------------------ readers and snapshots
#
# The live store has one writer at a time (RocksDB's lock).  A writer publishes a
# snapshot (a RocksDB checkpoint: hard links, a fraction of a second) when it opens
# the store and when it is done, in ``snapshots/`` inside the store; each snapshot is
# read-only from then on.  A reader opens the live store when no writer holds it
# (holding a shared lock on it meanwhile, so that none starts), and else the newest
# snapshot, which is the store as it was before the running ingest: a consistent
# state, never a half-written one.  A long-lived reader (``serve``) always reads
# snapshots and moves to a newer one between queries.  Readers hold a shared
# ``flock`` on the snapshot they read; a writer removes old snapshots nobody holds.

SNAPSHOTS = "snapshots"


def _snapshots(where: Path) -> list[Path]:
    folder = where / SNAPSHOTS
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.name.isdigit() and (p / "CURRENT").exists())


def publish_snapshot(store: ox.Store, path: str | Path | None) -> Path:
    """Checkpoint the open (writable) ``store`` at ``path`` as its newest snapshot; drop unused old ones."""
    where = Path(path or default_store_path())
    folder = where / SNAPSHOTS
    folder.mkdir(exist_ok=True)
    for leftover in folder.glob(".new-*"):  # from a writer that was killed while publishing
        shutil.rmtree(leftover, ignore_errors=True)
    name = f"{time.time_ns():020d}"
    staging = folder / f".new-{name}"
    try:
        store.backup(str(staging))
        os.rename(staging, folder / name)
    except OSError as err:
        shutil.rmtree(staging, ignore_errors=True)
        raise StoreError(f"cannot write a snapshot of {where}: {str(err).splitlines()[0]}") from None
    for old in _snapshots(where)[:-1]:
        _remove_unused(old)
    return folder / name


def _remove_unused(snapshot: Path) -> None:
    try:
        fd = os.open(snapshot, os.O_RDONLY)
    except OSError:
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return  # a reader still reads it
    try:
        shutil.rmtree(snapshot, ignore_errors=True)
    finally:
        os.close(fd)


def _no_store(where: Path) -> StoreError:
    return StoreError(f"no store at {where}", hint="run `fundflow ingest FILE… --store DIR` first")


class Reader:
    """A read-only, consistent view of the store at ``path``: ``store()`` → the ``pyoxigraph.Store`` to read.

    ``follow``: read snapshots only and move to a newer one when ``store()`` is called
    again (for a server); else the live store when no writer holds it.  Raises
    ``StoreError`` when there is no store, or when a writer holds it and has not yet
    published a snapshot.
    """

    def __init__(self, path: str | Path | None, follow: bool = False):
        self.where, self.follow = Path(path or default_store_path()), follow
        self._fd: int | None = None
        self._current: Path | None = None
        self._store: ox.Store | None = None
        if not self.where.is_dir():
            raise _no_store(self.where)
        if not follow and self._hold_live():
            self._store = self._open(self.where)
            self._current = self.where
        else:
            self._store = self._newest()

    def _hold_live(self) -> bool:
        """Take a shared lock on the live store's lock file: True when no writer holds it."""
        if not (self.where / "CURRENT").exists():
            return False
        try:
            fd = os.open(self.where / "LOCK", os.O_RDONLY)
        except FileNotFoundError:
            return True  # a copy that never had a writer
        except OSError:
            return False
        try:
            fcntl.lockf(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            return False
        self._fd = fd
        return True

    def _newest(self) -> ox.Store:
        for _attempt in range(5):  # a snapshot may be removed between listing and locking it
            found = _snapshots(self.where)
            if not found:
                if self._current == self.where:
                    return self._held()
                if self._hold_live():  # no snapshot, no writer (e.g. a read-only copy): the live store
                    self._current, self._store = self.where, self._open(self.where)
                    return self._store
                if (self.where / "CURRENT").exists():
                    raise StoreError(f"store {self.where} is being written by another fundflow process and has "
                                     "no snapshot to read yet", hint="wait for the ingest to finish")
                raise _no_store(self.where)
            newest = found[-1]
            if newest == self._current:
                return self._held()
            fd = os.open(newest, os.O_RDONLY)
            fcntl.flock(fd, fcntl.LOCK_SH)
            if not (newest / "CURRENT").exists():
                os.close(fd)
                continue
            store = self._open(newest)
            self._release()
            self._fd, self._current, self._store = fd, newest, store
            return store
        raise StoreError(f"store {self.where} changed too often to be read", hint="try again")

    def _open(self, where: Path) -> ox.Store:
        try:
            return ox.Store.read_only(str(where))
        except OSError as err:
            raise StoreError(f"cannot open store {self.where} read-only: {str(err).splitlines()[0]}",
                             hint="is it a fundflow store directory?") from None

    def store(self) -> ox.Store:
        """The store to read now (for ``follow``: the newest snapshot)."""
        if self.follow:
            return self._newest()
        return self._held()

    def _held(self) -> ox.Store:
        if self._store is None:
            raise StoreError(f"the reader of {self.where} is closed")
        return self._store

    def _release(self) -> None:
        self._store = None
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def close(self) -> None:
        self._release()


def open_reader(path: str | Path | None = None, follow: bool = False) -> Reader:
    """A read-only view of the store at ``path`` (default store); see ``Reader``."""
    return Reader(path, follow)


def refresh_snapshot(path: str | Path | None) -> None:
    """Publish a snapshot of the live store when no writer holds it (a server starting); else keep the newest."""
    where = Path(path or default_store_path())
    if not (where / "CURRENT").exists():
        if not _snapshots(where):
            raise _no_store(where)
        return
    try:
        store = ox.Store(str(where))
    except OSError:
        return  # being written (its writer published the state before it), or not writable by us
    try:
        publish_snapshot(store, where)
    finally:
        del store
