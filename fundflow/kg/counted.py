"""Stored documents → the one document each organisation × period is counted from, and marks on the others' flows.

A unit's figures of one period can be printed in its own document and in its
department's (or twice): counted from both, every sum over them would hold the
money twice.  ``choose(candidates, documents, is_unit)`` is the rule, the only
copy of it: a unit's own document (scope unit) first, then the file name, so
the choice is stable.  The flow graph (``outputs.flowgraph``) applies it to
its edges and totals; the store keeps its outcome for SPARQL:

- ``counted_update(store, base, without)`` → one SPARQL update that recomputes the
  links graph (units printed under one name are ``owl:sameAs``, ``store.relink_update``)
  and replaces the counted graph (``graph/_counted``) as a whole: every ``ff:Flow`` of a
  document not chosen for its recipient × period is ``ff:supersededBy`` the chosen
  document, and so is every project none of whose flows is counted.  ``without``:
  graphs the same update drops first (``fundflow remove``), left out of the choice.
- ``recount(store, base)`` runs it (after each ingest batch that stored a document, and
  whenever the store has no counted graph); ``drop_counted`` goes before a batch's writes.

Queries that add up flows or projects leave out what is superseded
(``FILTER NOT EXISTS { ?f ff:supersededBy ?d }``).
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping
from typing import Any, overload

import pyoxigraph as ox

from fundflow.analysis.flows import Period
from fundflow.core.errors import StoreError
from fundflow.kg import vocab
from fundflow.kg.iris import system_graph_iri
from fundflow.kg.store import relink_update, select
from fundflow.kg.vocab import FF_NS, PREFIXES

_DOCS = """SELECT ?g ?d ?file ?year ?kind ?scope ?sha ?alt ?money WHERE { GRAPH ?g { ?d a ff:Document .
  OPTIONAL { ?d ff:fileName ?file } OPTIONAL { ?d ff:fiscalYear ?year } OPTIONAL { ?d ff:documentKind ?kind }
  OPTIONAL { ?d ff:scope ?scope } OPTIONAL { ?d ff:sha256 ?sha } OPTIONAL { ?d prov:alternateOf ?alt }
  OPTIONAL { ?d ff:moneyUnit ?money } } }"""
# What the flow graph reads as flows and as printed totals (outputs.flowgraph), reduced to whose they are.
_FLOWS = """SELECT ?g ?f ?to ?recipient ?project WHERE { GRAPH ?g { ?f a ff:Flow ; ff:from ?from ; ff:to ?to ;
  ff:amount ?amount . OPTIONAL { ?f ff:recipient ?recipient } OPTIONAL { ?f ff:project ?project } } }"""
# The 合计 rows found by joining three properties by hash, each read in its own subquery: cheaper than looking two
# of them up for each of the 13,000 total rows of 1,000 documents.
_TOTALS = """SELECT DISTINCT ?g ?u WHERE { GRAPH ?g {
  { SELECT ?b WHERE { ?b ff:isTotalRow true } } { SELECT ?b WHERE { ?b ff:amountType ff:Total } }
  { SELECT ?b WHERE { ?b ff:tableKind "expenditure" } }
  ?b a ff:BudgetLine ; ff:amount ?a ; ff:unit ?u ; ff:table ?table . FILTER NOT EXISTS { ?b ff:fundType ?ft } } }"""
_UNITS = "SELECT DISTINCT ?n WHERE { ?n a ff:Unit }"
_SAME_NAMES = """SELECT ?a ?b WHERE { GRAPH ?g { ?a a ff:Unit ; rdfs:label ?l } GRAPH ?h { ?b a ff:Unit ; rdfs:label ?l }
  FILTER(?a != ?b) }"""


def rows(store: ox.Store, text: str, union: bool = False) -> list[dict[str, Any]]:
    """SPARQL SELECT → dicts of plain values (IRIs and literals as str, unbound as None)."""
    result = select(store, text, use_default_graph_as_union=union, prefixes=PREFIXES)
    names = [var.value for var in result.variables]
    return [{n: (sol[n].value if sol[n] is not None else None) for n in names} for sol in result]


def local(iri: str | None) -> str | None:
    """``ff:`` IRI → its local name (other values as they are)."""
    return iri[len(FF_NS):] if iri and iri.startswith(FF_NS) else iri


class Canon:
    """Union-find over ``owl:sameAs`` pairs: a unit printed under two names or codes is one node."""

    def __init__(self, pairs: Iterable[tuple[str, str]]):
        self.parent: dict[str, str] = {}
        for a, b in pairs:
            ra, rb = self.find(a), self.find(b)
            if ra != rb:
                keep, drop = sorted((ra, rb), key=lambda x: ("/unit/name/" in x, x))
                self.parent[drop] = keep

    def find(self, x: str) -> str:
        while x in self.parent:
            x = self.parent[x]
        return x

    @overload
    def __call__(self, x: str) -> str: ...
    @overload
    def __call__(self, x: None) -> None: ...
    def __call__(self, x: str | None) -> str | None:
        return self.find(x) if x else x


def documents(store: ox.Store, without: Collection[str] = ()) -> dict[str, dict[str, Any]]:
    """Named graph → its document (node, file, period, scope, sha, printed money unit); alternates (copies),
    year-less ones and the graphs ``without`` left out."""
    docs = {}
    for r in rows(store, _DOCS):
        if r["alt"] or not r["year"] or r["g"] in without:
            continue
        phase = "final" if local(r["kind"]) == "FinalAccounts" else "budget"
        docs[r["g"]] = {"node": r["d"], "file": r["file"] or r["g"].rsplit("/", 1)[-1],
                        "period": Period(int(r["year"][:4]), phase), "scope": r["scope"], "sha": r["sha"] or "",
                        "money": r["money"]}
    return docs


def choose(candidates: Mapping[tuple[str, Period], Iterable[str]], docs: Mapping[str, Mapping[str, Any]],
           is_unit: Callable[[str], bool]) -> dict[tuple[str, Period], list[str]]:
    """Organisation × period → the graphs that print its figures, the one they are counted from first.

    A unit's own document (scope unit) comes first, then the file name: the choice is stable.
    """
    return {(org, period): sorted(set(graphs), key=lambda g: (not (is_unit(org) and docs[g]["scope"] == "unit"),
                                                              docs[g]["file"]))
            for (org, period), graphs in candidates.items()}


def superseded_triples(store: ox.Store, base: str = vocab.DEFAULT_BASE, without: Collection[str] = ()
                       ) -> list[ox.Triple]:
    """``flow ff:supersededBy document`` for every flow of a document not chosen for its recipient × period, and
    ``project ff:supersededBy document`` for every project whose flows are all such (``without``: graphs left out)."""
    canon = Canon((r["a"], r["b"]) for r in rows(store, _SAME_NAMES))
    docs = documents(store, without)
    units = {canon(r["n"]) for r in rows(store, _UNITS, union=True)}
    flows = [(r["g"], r["f"], canon(r["recipient"] or r["to"]), r["project"]) for r in rows(store, _FLOWS)
             if r["g"] in docs]
    candidates: dict[tuple[str, Period], set[str]] = defaultdict(set)
    for g, _f, org, _p in flows:
        candidates[org, docs[g]["period"]].add(g)
    for r in rows(store, _TOTALS):
        if r["g"] in docs:
            candidates[canon(r["u"]), docs[r["g"]]["period"]].add(r["g"])
    chosen = {k: order[0] for k, order in choose(candidates, docs, units.__contains__).items()}
    by, counted = vocab.FF("supersededBy"), set()
    out: dict[str, ox.Triple] = {}
    for g, f, org, project in flows:
        first = chosen[org, docs[g]["period"]]
        if first == g:
            counted.add(project)
            continue
        out[f] = ox.Triple(ox.NamedNode(f), by, ox.NamedNode(docs[first]["node"]))
        if project:
            out.setdefault(project, ox.Triple(ox.NamedNode(project), by, ox.NamedNode(docs[first]["node"])))
    return [t for k, t in out.items() if k not in counted]


# Always in the counted graph, so that a store counted with no flow superseded still has it (it is
# dropped before a batch writes: no graph means not counted yet).
_ABOUT = ("Flows (and projects) ff:supersededBy the document they are counted from: printed again in another "
          "document of the same organisation, fiscal year and phase")


def _update(marks: list[ox.Triple], base: str) -> str:
    graph = system_graph_iri("counted", base)
    about = ox.Triple(graph, vocab.RDFS("comment"), ox.Literal(_ABOUT, language="en"))
    body = "\n".join(f"{t.subject} {t.predicate} {t.object} ." for t in [about, *marks])
    return f"{relink_update(base)} ;\nDROP SILENT GRAPH {graph} ;\nINSERT DATA {{ GRAPH {graph} {{\n{body}\n}} }}"


def counted_update(store: ox.Store, base: str = vocab.DEFAULT_BASE, without: Collection[str] = ()) -> str:
    """SPARQL update: recompute the links graph and replace the counted graph (see the module's notes)."""
    return _update(superseded_triples(store, base, without), base)


def drop_counted(store: ox.Store, base: str = vocab.DEFAULT_BASE) -> None:
    """Drop the counted graph (before documents are written: until the recount, no marks rather than stale ones)."""
    store.update(f"DROP SILENT GRAPH {system_graph_iri('counted', base)}")


def recount(store: ox.Store, base: str = vocab.DEFAULT_BASE) -> int:
    """Recompute the links and counted graphs in one transaction → the number of superseded flows and projects.

    Raises ``StoreError`` when the write fails (both graphs are then kept as they were).
    """
    marks = superseded_triples(store, base)
    try:
        store.update(_update(marks, base))
    except (OSError, SyntaxError, ValueError) as err:
        raise StoreError(f"cannot write the counted graph: {str(err).splitlines()[0]}") from None
    return len(marks)
