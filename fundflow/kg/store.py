"""The on-disk Oxigraph store: one named graph per source document.

``open_store(path)`` → ``pyoxigraph.Store`` (``StoreError`` when it is locked or
unreadable).  ``replace_graph`` swaps a document's graph in one SPARQL update
(``DROP GRAPH …; INSERT DATA …`` is a single transaction in Oxigraph, so a
reader never sees half a document).  The ontology and the code lists live in
their own named graphs, refreshed on every ingest; facts about entities that
several documents describe (units, regions, codes) are kept once in a shared
graph, since the union of graphs would repeat a triple once per graph.
"""
from __future__ import annotations

import os
from collections.abc import Iterable
from importlib import resources
from pathlib import Path

import pyoxigraph as ox

from fundflow.core.errors import StoreError
from fundflow.kg import vocab
from fundflow.kg.iris import is_shared, system_graph_iri

DEFAULT_STORE = ".fundflow/store"


def default_store_path() -> str:
    """``$FUNDFLOW_STORE`` or ``.fundflow/store``."""
    return os.environ.get("FUNDFLOW_STORE") or DEFAULT_STORE


def open_store(path: str | Path | None = None, *, create: bool = True) -> ox.Store:
    """Open (and by default create) the store at ``path``.

    Raises ``StoreError`` when another process holds the store's lock, when the
    directory is not a store, or when ``create`` is false and nothing is there.
    """
    where = Path(path or default_store_path())
    if not create and not where.exists():
        raise StoreError(f"no store at {where}", hint="run `fundflow ingest FILE… --store DIR` first")
    try:
        where.mkdir(parents=True, exist_ok=True)
        return ox.Store(str(where))
    except OSError as err:
        if "lock" in str(err).lower():
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


def replace_document(store: ox.Store, graph: ox.NamedNode, triples: Iterable[ox.Triple],
                     base: str = vocab.DEFAULT_BASE,
                     companions: dict[ox.NamedNode, list[ox.Triple]] | None = None) -> None:
    """Replace a document's graph in one transaction; facts about shared entities go to the shared graph.

    ``companions``: further graphs that belong to the document (its findings)
    and are replaced in the same transaction, so a killed ingest never leaves
    a document and its findings out of step.  Shared facts already stated by
    the code lists are not repeated (each triple once in the union of graphs).
    Raises ``StoreError`` when the write fails.
    """
    own, shared = [], []
    for t in triples:
        (shared if is_shared(t, base) else own).append(t)
    sg, codes = system_graph_iri("shared", base), system_graph_iri("codes", base)
    # Facts the code lists state already are not repeated (looked up, not joined: the
    # shared graph grows with every document).
    shared = [t for t in shared if next(store.quads_for_pattern(t.subject, t.predicate, t.object, codes), None) is None]
    update = (f"{_forget_sole_claims(graph, sg)} ;\nDROP SILENT GRAPH {graph} ;\n"
              f"INSERT DATA {{ GRAPH {graph} {{\n{_nt(own)}\n}}\nGRAPH {sg} {{\n{_nt(shared)}\n}} }}")
    for g, extra in (companions or {}).items():
        update += f" ;\nDROP SILENT GRAPH {g} ;\nINSERT DATA {{ GRAPH {g} {{\n{_nt(extra)}\n}} }}"
    try:
        store.update(update)
    except (OSError, SyntaxError, ValueError) as err:
        raise StoreError(f"cannot write graph {graph.value}: {str(err).splitlines()[0]}") from None


def _forget_sole_claims(graph: ox.NamedNode, shared: ox.NamedNode) -> str:
    """SPARQL: drop shared facts about entities that only ``graph`` is a source of (so a changed value goes)."""
    prov = vocab.PROV("wasDerivedFrom")
    return (f"DELETE {{ GRAPH {shared} {{ ?s ?p ?o }} }} WHERE {{ GRAPH {graph} {{ ?s {prov} ?src }}\n"
            f"  FILTER NOT EXISTS {{ GRAPH ?other {{ ?s {prov} ?src2 }} FILTER(?other != {graph}) }}\n"
            f"  GRAPH {shared} {{ ?s ?p ?o }} }}")


def relink_units(store: ox.Store, base: str = vocab.DEFAULT_BASE) -> None:
    """Recompute the links graph: units printed with the same name are ``owl:sameAs`` each other.

    A unit is printed with its code in one document (``578002 沈阳市医疗保障事务服务中心``)
    and by name alone in another; names carry their region, so equal names are
    one unit.  The graph is derived: it is rebuilt in one update after each batch.
    """
    links, label, same = system_graph_iri("links", base), vocab.RDFS("label"), vocab.OWL("sameAs")
    unit = vocab.FF("Unit")
    store.update(f"DROP SILENT GRAPH {links} ;\nINSERT {{ GRAPH {links} {{ ?a {same} ?b }} }} WHERE {{\n"
                 f"  GRAPH ?g {{ ?a a {unit} ; {label} ?l }} GRAPH ?h {{ ?b a {unit} ; {label} ?l }}\n"
                 f"  FILTER(?a != ?b) }}")


def drop_graph(store: ox.Store, graph: ox.NamedNode) -> None:
    store.update(f"DROP SILENT GRAPH {graph}")


def graph_size(store: ox.Store, graph: ox.NamedNode) -> int:
    """Number of triples in ``graph``."""
    rows = store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} }}")
    return int(next(iter(rows))["n"].value)


def _bundled_turtle() -> dict[str, list[bytes]]:
    """Ontology (fundflow.ttl) and code lists (codes/*.ttl) as shipped in the package."""
    root = resources.files("fundflow.ontology")
    out: dict[str, list[bytes]] = {"ontology": [root.joinpath("fundflow.ttl").read_bytes()], "codes": []}
    codes = root.joinpath("codes")
    if codes.is_dir():
        out["codes"] = [f.read_bytes() for f in sorted(codes.iterdir(), key=lambda f: f.name)
                        if f.name.endswith(".ttl")]
    return out


def load_reference_graphs(store: ox.Store, base: str = vocab.DEFAULT_BASE) -> int:
    """(Re)load the ontology and code lists into their named graphs → number of triples loaded."""
    total = 0
    for name, blobs in _bundled_turtle().items():
        graph = system_graph_iri(name, base)
        triples: list[ox.Triple] = []
        for blob in blobs:
            triples.extend(q.triple for q in ox.parse(blob, format=ox.RdfFormat.TURTLE))
        replace_graph(store, graph, triples)
        total += len(triples)
    return total


def document_graphs(store: ox.Store, base: str = vocab.DEFAULT_BASE) -> list[ox.NamedNode]:
    """The named graphs holding source documents (not ontology / code lists)."""
    reserved = {system_graph_iri(n, base) for n in ("ontology", "codes", "shared")}
    return sorted((g for g in store.named_graphs() if g not in reserved), key=lambda g: g.value)


class Reader:
    """A read-only view of the store at ``path``: ``store()`` → the ``pyoxigraph.Store`` to read."""

    def __init__(self, path: str | Path | None):
        self.where = Path(path or default_store_path())
        if not self.where.is_dir():
            raise StoreError(f"no store at {self.where}", hint="run `fundflow ingest FILE… --store DIR` first")
        try:
            self._store = ox.Store.read_only(str(self.where))
        except OSError as err:
            raise StoreError(f"cannot open store {self.where} read-only: {str(err).splitlines()[0]}",
                             hint="is it a fundflow store directory?") from None

    def store(self) -> ox.Store:
        return self._store


def open_reader(path: str | Path | None = None) -> Reader:
    """A read-only view of the store at ``path`` (default store); ``StoreError`` when there is none."""
    return Reader(path)
