"""Funding-flow analytics over the store (networkx), behind ``fundflow trace``, map and sankey.

Everything is read from the store with SPARQL, never from the documents:

- ``graph_to_flows(store, …)`` → ``nx.DiGraph``: treasuries → 主管部门 → 实施单位 →
  projects → subject codes; edges carry ``amount`` (Decimal yuan), ``year``,
  ``direct``, ``level``, ``inferred`` (project → inferred code);
- ``trace_from(g, source)`` → the part of the graph reachable from a source;
- ``unit_splits(store, …)`` → each unit's whole expenditure (合计 of the 支出总表)
  split by funding level: central = Σ central projects, provincial = Σ
  provincial projects, the rest is the unit's own government;
- ``flow_rows`` (aggregated flows), ``largest_flows``, ``per_beneficiary``
  (amount per person where an indicator counts beneficiaries; derived).
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import networkx as nx
import pyoxigraph as ox

from fundflow.analysis.funding import own_level
from fundflow.core.model import DocumentMeta
from fundflow.kg.vocab import FF_NS, PREFIXES

ZERO = Decimal(0)
LEVEL_KEYS = {"Central": "central", "Provincial": "provincial", "Municipal": "municipal", "County": "county"}
_KINDS = {"FundingSource": "treasury", "Department": "department", "Unit": "unit", "Project": "project"}

_FLOWS = """SELECT ?from ?to ?amount ?year ?direct ?level ?project ?purpose WHERE {
  ?f a ff:Flow ; ff:from ?from ; ff:to ?to ; ff:amount ?amount .
  OPTIONAL { ?f ff:fiscalYear ?year } OPTIONAL { ?f ff:isDirectFund ?direct }
  OPTIONAL { ?f ff:fundingLevel ?level } OPTIONAL { ?f ff:project ?project . OPTIONAL { ?project ff:purpose ?purpose } } }"""
_NODES = """SELECT ?n ?type (SAMPLE(?l) AS ?label) (SAMPLE(?c) AS ?code) (SAMPLE(?r) AS ?region) (SAMPLE(?lv) AS ?level)
  WHERE { ?f a ff:Flow . { ?f ff:from ?n } UNION { ?f ff:to ?n }
  OPTIONAL { ?n a ?type } OPTIONAL { ?n rdfs:label ?l } OPTIONAL { ?n ff:unitCode ?c }
  OPTIONAL { ?n ff:region/ff:adminCode ?r } OPTIONAL { ?n ff:level ?lv } } GROUP BY ?n ?type"""
_CODES = """SELECT ?p ?u ?year ?amount ?notation ?inferred WHERE { ?p a ff:Project ; ff:amount ?amount ;
  ff:subjectCode ?c . ?c skos:notation ?notation . OPTIONAL { ?p ff:subjectCodeInferred ?inferred }
  OPTIONAL { ?p ff:implementingUnit ?u } OPTIONAL { ?p ff:fiscalYear ?year } }"""
_TOTALS = """SELECT ?u (SAMPLE(?c) AS ?code) (SAMPLE(?l) AS ?label) ?year (MAX(?a) AS ?total) WHERE {
  ?b a ff:BudgetLine ; ff:amountType ff:Total ; ff:isTotalRow true ; ff:tableKind "expenditure" ;
     ff:amount ?a ; ff:unit ?u ; ff:fiscalYear ?year . FILTER NOT EXISTS { ?b ff:fundType ?ft }
  OPTIONAL { ?u ff:unitCode ?c } OPTIONAL { ?u rdfs:label ?l } } GROUP BY ?u ?year"""
_PROJECTS = """SELECT ?p ?u ?parent ?year ?amount ?level ?direct WHERE { ?p a ff:Project ; ff:amount ?amount ;
  ff:implementingUnit ?u ; ff:fiscalYear ?year ; ff:fundingLevel ?level .
  OPTIONAL { ?p ff:isDirectFund ?direct } OPTIONAL { ?u org:subOrganizationOf ?parent } }"""
_BENEFICIARIES = """SELECT ?p ?u ?year ?label ?indicator ?value ?unit ?amount ?notation WHERE {
  ?i a ff:Indicator ; ff:indicatorOf ?p ; rdfs:label ?indicator ; ff:targetValue ?value ; ff:measureUnit ?unit .
  ?p a ff:Project ; rdfs:label ?label ; ff:amount ?amount . OPTIONAL { ?p ff:subjectCode/skos:notation ?notation }
  OPTIONAL { ?p ff:implementingUnit ?u } OPTIONAL { ?p ff:fiscalYear ?year }
  FILTER(CONTAINS(STR(?indicator), "人数") && (?unit = "人" || ?unit = "万人")) }"""


def _rows(store: ox.Store, text: str) -> list[dict[str, Any]]:
    """SPARQL SELECT over the union of graphs → dicts of plain values (IRIs as str, literals as str)."""
    result = store.query(text, use_default_graph_as_union=True, prefixes=PREFIXES)
    names = [var.value for var in result.variables]
    return [{n: (sol[n].value if sol[n] is not None else None) for n in names} for sol in result]


def _local(iri: str | None) -> str | None:
    return iri[len(FF_NS):] if iri and iri.startswith(FF_NS) else iri


@dataclass(frozen=True)
class FlowFilter:
    """Which flows to keep: fiscal year, region code prefix, level, 直达资金 only, purpose substring."""

    year: int | None = None
    region: str | None = None
    level: str | None = None
    direct_only: bool = False
    purpose: str | None = None

    def keep(self, r: dict[str, Any]) -> bool:
        return ((not self.year or (r["year"] or "")[:4] == str(self.year))
                and (not self.direct_only or r["direct"] == "true")
                and (not self.level or (_local(r["level"]) or "").lower() == self.level.lower())
                and (not self.purpose or self.purpose in (r["purpose"] or "")))


def flow_records(store: ox.Store, flt: FlowFilter = FlowFilter()) -> list[dict[str, Any]]:
    """The store's ``ff:Flow`` nodes that pass ``flt`` (region is applied on the graph)."""
    return [r for r in _rows(store, _FLOWS) if flt.keep(r)]


def _add_nodes(store: ox.Store, g: nx.DiGraph) -> None:
    for r in _rows(store, _NODES):
        kind = _KINDS.get(_local(r["type"]) or "")
        if r["n"] in g and kind:
            g.nodes[r["n"]].update(kind=kind, label=r["label"] or r["n"], code=r["code"], unit_code=r["code"],
                                   region=r["region"], level=_local(r["level"]))


def _add_codes(store: ox.Store, g: nx.DiGraph) -> None:
    """Project → its subject code (dashed when inferred)."""
    for r in _rows(store, _CODES):
        if r["p"] in g:
            code = f"code:{r['notation']}"
            g.add_node(code, kind="code", label=r["notation"], code=r["notation"])
            g.add_edge(r["p"], code, amount=Decimal(r["amount"]), inferred=r["inferred"] == "true",
                       year=g.nodes[r["p"]].get("year"))


def graph_to_flows(store: ox.Store, year: int | None = None, region: str | None = None, level: str | None = None,
                   direct_only: bool = False, purpose: str | None = None) -> nx.DiGraph:
    """Store → DiGraph of the flows passing the filters; parallel flows are summed per edge.

    Edge attributes: ``amount`` (Decimal yuan), ``year`` (None when years mix),
    ``direct`` (all of it 直达资金), ``level`` (None when levels mix), ``flows``.
    """
    g = nx.DiGraph()
    for r in flow_records(store, FlowFilter(year, None, level, direct_only, purpose)):
        a, b = r["from"], r["to"]
        yr, lvl, direct = (r["year"] or "")[:4] or None, _local(r["level"]), r["direct"] == "true"
        if g.has_edge(a, b):
            d = g.edges[a, b]
            d["amount"] += Decimal(r["amount"])
            d["flows"] += 1
            d["year"] = d["year"] if d["year"] == yr else None
            d["level"] = d["level"] if d["level"] == lvl else None
            d["direct"] = d["direct"] and direct
        else:
            g.add_edge(a, b, amount=Decimal(r["amount"]), year=yr, level=lvl, direct=direct, flows=1)
        if r["project"]:
            g.add_node(r["project"], amount=Decimal(r["amount"]), direct=direct, year=yr)
    _add_nodes(store, g)
    _add_codes(store, g)
    return cut_region(g, region) if region else g


def cut_region(g: nx.DiGraph, region: str) -> nx.DiGraph:
    """The part of ``g`` through units of a region (admin code prefix, e.g. ``2101``, or a name)."""
    hits = [n for n, a in g.nodes(data=True) if a.get("kind") in ("unit", "department")
            and (str(a.get("region") or "").startswith(region.rstrip("0") or region) or region in str(a.get("label")))]
    keep = set(hits).union(*(nx.ancestors(g, n) | nx.descendants(g, n) for n in hits))
    return g.subgraph(keep).copy()


def trace_from(g: nx.DiGraph, source: str) -> nx.DiGraph:
    """The flows reachable from the node whose IRI or label is (or contains) ``source``, down to the leaves."""
    starts = [n for n, a in g.nodes(data=True) if n == source or source in str(a.get("label") or "")]
    keep = set(starts).union(*(nx.descendants(g, n) for n in starts))
    return g.subgraph(keep).copy()


def largest_flows(g: nx.DiGraph, n: int = 10) -> list[tuple[str, str, Decimal]]:
    """The ``n`` largest edges as (from label, to label, amount)."""
    label = lambda x: str(g.nodes[x].get("label") or x)
    edges = sorted(g.edges(data=True), key=lambda e: -e[2]["amount"])[:n]
    return [(label(a), label(b), d["amount"]) for a, b, d in edges]


@dataclass
class UnitSplit:
    """A unit's whole expenditure of one year by funding level (yuan); the rest is its own government's."""

    unit: str
    unit_code: str | None
    label: str
    year: int | None
    total: Decimal
    own_level: str = "Municipal"
    by_level: dict[str, Decimal] = field(default_factory=dict)
    direct: dict[str, Decimal] = field(default_factory=dict)

    def shares(self) -> dict[str, Decimal]:
        """Share of the total per level (0–1, 4 decimals)."""
        return {k: (v / self.total).quantize(Decimal("0.0001")) if self.total else ZERO
                for k, v in self.by_level.items()}


def _own_level(store: ox.Store, unit: str, label: str) -> str:
    """The level of the unit's government: its region's level, else read from its name (辽宁省… → Provincial)."""
    rows = _rows(store, f"SELECT ?lv WHERE {{ <{unit}> ff:region/ff:level ?lv }} LIMIT 1")
    if rows and rows[0]["lv"]:
        return _local(rows[0]["lv"]) or "Municipal"
    return own_level(DocumentMeta("", None, "budget", "unit", label, (), None))


def unit_splits(store: ox.Store, year: int | None = None, region: str | None = None) -> list[UnitSplit]:
    """Each unit × year with a 支出总表 合计 → ``UnitSplit`` (central, provincial, own = total − both).

    A project counts for the unit that carries it out or for the department above it.
    """
    spent: dict[tuple[str, str], dict[tuple[str, bool], Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for r in _rows(store, _PROJECTS):
        for owner in {r["u"], r["parent"]} - {None}:
            spent[owner, (r["year"] or "")[:4]][_local(r["level"]), r["direct"] == "true"] += Decimal(r["amount"])
    out = []
    for t in _rows(store, _TOTALS):
        yr = (t["year"] or "")[:4]
        if (year and yr != str(year)) or (region and not _in_region(store, t["u"], region)):
            continue
        s = UnitSplit(t["u"], t["code"], t["label"] or t["u"], int(yr) if yr else None, Decimal(t["total"]),
                      _own_level(store, t["u"], t["label"] or ""))
        amounts = spent.get((t["u"], yr), {})
        for lvl, key in LEVEL_KEYS.items():
            s.by_level[key] = sum((a for (lv, _d), a in amounts.items() if lv == lvl), ZERO)
            if lvl in ("Central", "Provincial"):
                s.direct[key] = sum((a for (lv, d), a in amounts.items() if lv == lvl and d), ZERO)
        own = LEVEL_KEYS.get(s.own_level, "municipal")
        s.by_level[own] = s.total - sum((v for k, v in s.by_level.items() if k != own), ZERO)
        out.append(s)
    return sorted(out, key=lambda s: (s.year or 0, s.unit_code or "", s.label))


def _in_region(store: ox.Store, unit: str, region: str) -> bool:
    rows = _rows(store, f"SELECT ?c ?l WHERE {{ OPTIONAL {{ <{unit}> ff:region/ff:adminCode ?c }} "
                        f"OPTIONAL {{ <{unit}> rdfs:label ?l }} }}")
    return any(str(r["c"] or "").startswith(region.rstrip("0") or region) or region in str(r["l"] or "")
               for r in rows)


def flow_rows(g: nx.DiGraph) -> list[dict[str, Any]]:
    """The graph's edges (code edges excepted) as rows: from, to (labels), amount, level, direct, year."""
    label = lambda x: str(g.nodes[x].get("label") or x)
    rows = [{"from": label(a), "to": label(b), "amount": d["amount"], "level": d.get("level"),
             "direct": bool(d.get("direct")), "year": d.get("year")}
            for a, b, d in g.edges(data=True) if g.nodes[b].get("kind") != "code"]
    return sorted(rows, key=lambda r: (str(r["year"]), -r["amount"], r["from"], r["to"]))


def per_beneficiary(store: ox.Store) -> list[dict[str, Any]]:
    """Yuan per beneficiary where a project's indicator counts people (人 / 万人) — derived, not printed.

    Given for the project and, when its subject code is known, for all projects of that code
    in the same unit and year.
    """
    by_code: dict[tuple, Decimal] = defaultdict(Decimal)
    for r in _rows(store, _CODES):
        by_code[r["u"], r["year"], r["notation"]] += Decimal(r["amount"])
    out = []
    for r in _rows(store, _BENEFICIARIES):
        people = Decimal(r["value"]) * (10000 if r["unit"] == "万人" else 1)
        if people <= 0:
            continue
        row = {"project": r["label"], "indicator": r["indicator"], "beneficiaries": people,
               "perBeneficiary": (Decimal(r["amount"]) / people).quantize(Decimal("0.01")), "derived": True}
        if r["notation"]:
            row["code"] = r["notation"]
            of_code = by_code[r["u"], r["year"], r["notation"]]
            row["perBeneficiaryOfCode"] = (of_code / people).quantize(Decimal("0.01"))
        out.append(row)
    return out
