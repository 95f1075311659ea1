"""Store → the typed flow graph (``analysis.flows.FlowGraph``), built once and read by every view.

``build_flow_graph(store)`` reads, with SPARQL per named graph (so that a triple two
graphs share is never joined twice):

- each document's year and phase (budget / final accounts); documents recorded as
  ``prov:alternateOf`` another (the same document under another name) are skipped;
- its ``ff:Flow``s (amount, funding level, 直达 / 提前下达, the organisation whose money
  it is, source lines) and its organisations' printed expenditure totals;
- the nodes (treasuries, departments, units, projects) and project → subject-code links.

Units printed under two names or codes (``owl:sameAs`` in the links graph) become one
node.  Each organisation × period is counted from one document only (``kg.counted.choose``, the
rule the store's ``ff:supersededBy`` marks follow too): when a unit's figures of a period appear
in its own document and in its department's (or twice), the unit's own document is used and a
note says which was left out.

``load_graph(store, …)`` applies the command-line filters; ``per_beneficiary`` derives
amounts per beneficiary.
"""
from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

import pyoxigraph as ox

from fundflow.analysis.flows import FlowEdge, FlowGraph, FlowNode, Link, OrgTotal, Period
from fundflow.analysis.funding import own_level
from fundflow.core.model import DocumentMeta, SourceRef
from fundflow.kg.counted import Canon, choose, documents
from fundflow.kg.counted import local as _local
from fundflow.kg.counted import rows as _rows
from fundflow.kg.iris import system_graph_iri
from fundflow.kg.vocab import DEFAULT_BASE

ZERO = Decimal(0)
_ROLES = {"FundingSource": "treasury", "Department": "department", "Unit": "unit", "Project": "project"}

# The engine evaluates an OPTIONAL on its own: the source lines' OPTIONALs below start from the flows (the total
# rows), not from every source line in the store.  Same rows, a third of the time.

_FLOWS = """SELECT ?g ?f ?from ?to ?amount ?level ?direct ?advance ?project ?recipient ?fund ?first ?last ?table WHERE {
  GRAPH ?g { ?f a ff:Flow ; ff:from ?from ; ff:to ?to ; ff:amount ?amount .
  OPTIONAL { ?f ff:fundingLevel ?level } OPTIONAL { ?f ff:isDirectFund ?direct } OPTIONAL { ?f ff:fundType ?fund }
  OPTIONAL { ?f ff:isAdvanceAllocation ?advance } OPTIONAL { ?f ff:project ?project }
  OPTIONAL { ?f ff:recipient ?recipient }
  OPTIONAL { { SELECT DISTINCT ?f WHERE { ?f a ff:Flow } }
             ?f prov:wasDerivedFrom ?s . ?s ff:firstLine ?first ; ff:lastLine ?last . OPTIONAL { ?s ff:table ?table } } } }"""
# The 合计 rows of expenditure tables: ff:isTotalRow and ff:tableKind read in their own subqueries and joined by hash,
# cheaper than looking them up for each of the 13,000 total rows of 1,000 documents; their source lines likewise.
_TOTALS = """SELECT ?g ?u ?type ?a ?table ?first ?last WHERE { GRAPH ?g {
  { SELECT ?b WHERE { ?b ff:isTotalRow true } } { SELECT ?b WHERE { ?b ff:tableKind "expenditure" } }
  ?b a ff:BudgetLine ; ff:amountType ?type ; ff:amount ?a ; ff:unit ?u ; ff:table ?table .
  FILTER NOT EXISTS { ?b ff:fundType ?ft }
  FILTER(?type IN (ff:Total, ff:Basic, ff:ProjectExpenditure))
  OPTIONAL { { SELECT DISTINCT ?b WHERE { { SELECT ?b WHERE { ?b ff:isTotalRow true } }
                                         { SELECT ?b WHERE { ?b ff:tableKind "expenditure" } } } }
             ?b prov:wasDerivedFrom ?s . ?s ff:firstLine ?first ; ff:lastLine ?last } } }"""
_NODES = """SELECT ?n ?type ?label ?code ?region ?rlevel ?level ?parent WHERE {
  VALUES ?type { ff:FundingSource ff:Department ff:Unit } ?n a ?type .
  OPTIONAL { ?n rdfs:label ?label } OPTIONAL { ?n ff:unitCode ?code } OPTIONAL { ?n ff:level ?level }
  OPTIONAL { ?n ff:region ?r . ?r ff:adminCode ?region . OPTIONAL { ?r ff:level ?rlevel } }
  OPTIONAL { ?n org:subOrganizationOf ?parent } }"""
_PROJECTS = """SELECT ?n ?label ?amount ?executed ?level ?direct ?advance ?purpose WHERE { ?n a ff:Project .
  OPTIONAL { ?n rdfs:label ?label } OPTIONAL { ?n ff:amount ?amount } OPTIONAL { ?n ff:executedAmount ?executed }
  OPTIONAL { ?n ff:fundingLevel ?level }
  OPTIONAL { ?n ff:isDirectFund ?direct } OPTIONAL { ?n ff:isAdvanceAllocation ?advance }
  OPTIONAL { ?n ff:purpose ?purpose } }"""
_CODES = """SELECT ?p ?notation ?inferred WHERE { ?p a ff:Project ; ff:subjectCode ?c . ?c skos:notation ?notation .
  OPTIONAL { ?p ff:subjectCodeInferred ?inferred } }"""
_SAME = "SELECT ?a ?b WHERE { GRAPH <%s> { ?a owl:sameAs ?b } }"
_BENEFICIARIES = """SELECT ?p ?u ?year ?label ?indicator ?value ?unit ?amount ?notation WHERE {
  ?i a ff:Indicator ; ff:indicatorOf ?p ; rdfs:label ?indicator ; ff:targetValue ?value ; ff:measureUnit ?unit .
  ?p a ff:Project ; rdfs:label ?label ; ff:amount ?amount . OPTIONAL { ?p ff:subjectCode/skos:notation ?notation }
  OPTIONAL { ?p ff:implementingUnit ?u } OPTIONAL { ?p ff:fiscalYear ?year }
  FILTER(CONTAINS(STR(?indicator), "人数") && (?unit = "人" || ?unit = "万人")) }"""
_CODE_AMOUNTS = """SELECT DISTINCT ?p ?u ?year ?amount ?notation WHERE { ?p a ff:Project ; ff:amount ?amount ;
  ff:subjectCode/skos:notation ?notation . OPTIONAL { ?p ff:implementingUnit ?u } OPTIONAL { ?p ff:fiscalYear ?year } }"""


def _flag(value: str | None) -> bool:
    return value == "true"


def _ref(doc: dict[str, Any], first: str | None, last: str | None, table: str | None) -> SourceRef | None:
    if not first:
        return None
    return SourceRef(doc["file"], doc["sha"], int(first), int(last or first), table)


def _org_nodes(store: ox.Store, canon: Canon) -> dict[str, FlowNode]:
    found: dict[str, dict[str, Any]] = {}
    for r in sorted(_rows(store, _NODES, union=True), key=lambda r: tuple(str(v) for v in r.values())):
        n = canon(r["n"])
        d = found.setdefault(n, {"role": _ROLES[_local(r["type"]) or ""]})
        for k in ("label", "code", "region", "rlevel", "level", "parent"):
            if r[k] and not d.get(k):
                d[k] = r[k]
    out = {}
    for n, d in found.items():
        level = _local(d.get("level")) if d["role"] == "treasury" else _local(d.get("rlevel"))
        if d["role"] != "treasury" and not level:
            level = own_level(DocumentMeta("", None, "budget", "unit", d.get("label") or "", (), None))
        parent = canon(d.get("parent"))
        out[n] = FlowNode(n, d.get("label") or n, d["role"], level, d.get("region"),
                          d.get("code"), parent if parent != n else None)
    return out


def _project_nodes(store: ox.Store, periods: dict[str, Period]) -> dict[str, FlowNode]:
    out = {}
    for r in sorted(_rows(store, _PROJECTS, union=True), key=lambda r: tuple(str(v) for v in r.values())):
        if r["n"] in out or r["n"] not in periods:
            continue
        period = periods[r["n"]]
        # in final accounts what was executed, as the project's flows carry (kg.funding_map.flow_amount)
        amount = r["executed"] if period.phase == "final" and r["executed"] else r["amount"]
        out[r["n"]] = FlowNode(r["n"], r["label"] or r["n"], "project", period=period,
                               amount=Decimal(amount) if amount else None,
                               funding_level=_local(r["level"]), direct=_flag(r["direct"]),
                               advance=_flag(r["advance"]), purpose=r["purpose"])
    return out


def _raw_edges(store: ox.Store, docs: dict[str, dict[str, Any]], canon: Canon) -> list[tuple[str, FlowEdge]]:
    out = []
    for r in _rows(store, _FLOWS):
        doc = docs.get(r["g"])
        if doc is None:
            continue
        a, b = canon(r["from"]), canon(r["to"])
        out.append((r["g"], FlowEdge(a, b, Decimal(r["amount"]), doc["period"], _local(r["level"]) or None,
                                     _flag(r["direct"]), _flag(r["advance"]), False, doc["file"],
                                     canon(r["recipient"]) or b, r["project"],
                                     _ref(doc, r["first"], r["last"], r["table"]), _local(r["fund"]))))
    return out


def _raw_totals(store: ox.Store, docs: dict[str, dict[str, Any]], canon: Canon) -> list[tuple[str, OrgTotal]]:
    """Per document and organisation: the 合计 row of the expenditure table that names the most organisations."""
    lines: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in _rows(store, _TOTALS):
        if r["g"] in docs:
            lines[r["g"]].append({**r, "u": canon(r["u"])})
    out = []
    for g, rows in lines.items():
        tables: dict[str, set[str]] = defaultdict(set)
        for r in rows:
            tables[r["table"]].add(r["u"])
        first = {t: min(int(r["first"] or 0) for r in rows if r["table"] == t) for t in tables}
        order = sorted(tables, key=lambda t: (-len(tables[t]), first[t]))
        doc, seen = docs[g], set[str]()
        for table in order:
            for u in sorted(tables[table] - seen):
                mine = {_local(r["type"]): r for r in rows if r["table"] == table and r["u"] == u}
                if "Total" not in mine:
                    continue
                seen.add(u)
                t = mine["Total"]
                basic, projects = (Decimal(mine[k]["a"]) if k in mine else None for k in ("Basic", "ProjectExpenditure"))
                out.append((g, OrgTotal(u, doc["period"], Decimal(t["a"]), doc["file"],
                                        _ref(doc, t["first"], t["last"], table), basic, projects, doc["money"])))
    return out


def _choose_documents(edges: list[tuple[str, FlowEdge]], totals: list[tuple[str, OrgTotal]],
                      docs: dict[str, dict[str, Any]], nodes: dict[str, FlowNode]
                      ) -> tuple[dict[tuple[str, Period], str], list[str]]:
    """Organisation × period → the one document its figures are taken from (``kg.counted.choose``), and notes on
    those left out."""
    candidates: dict[tuple[str, Period], set[str]] = defaultdict(set)
    for g, e in edges:
        candidates[e.recipient or e.target, e.period].add(g)
    for g, t in totals:
        candidates[t.org, t.period].add(g)
    chosen, notes = {}, []
    order_of = choose(candidates, docs, lambda org: org in nodes and nodes[org].role == "unit")
    for (org, period), order in sorted(order_of.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        chosen[org, period] = order[0]
        if len(order) > 1:
            label = nodes[org].label if org in nodes else org
            notes.append(f"{label} {period.label}: figures from {docs[order[0]]['file']}; "
                         + ", ".join(docs[g]["file"] for g in order[1:]) + " not counted again")
    return chosen, notes


def _code_edges(store: ox.Store, kept: list[FlowEdge], projects: dict[str, FlowNode]
                ) -> tuple[list[FlowEdge], dict[str, FlowNode]]:
    """Project → subject code of each project the kept flows reach (dashed when the code is inferred)."""
    reach = {e.target: e for e in kept if e.target in projects}
    out, codes = [], {}
    for r in sorted(_rows(store, _CODES, union=True), key=lambda r: (r["p"], r["notation"])):
        e = reach.get(r["p"])
        p = projects.get(r["p"])
        if e is None or p is None:
            continue
        code = f"code:{r['notation']}"
        codes[code] = FlowNode(code, r["notation"], "code", code=r["notation"])
        out.append(FlowEdge(r["p"], code, e.amount, e.period, None, e.direct, e.advance, _flag(r["inferred"]),
                            e.document, e.recipient, r["p"], e.ref))
    return list({(x.source, x.target): x for x in out}.values()), codes


def build_flow_graph(store: ox.Store, base: str = DEFAULT_BASE) -> FlowGraph:
    """Store → ``FlowGraph``: every flow of every document, each organisation × period from one document."""
    canon = Canon([(r["a"], r["b"]) for r in _rows(store, _SAME % system_graph_iri("links", base).value)])
    docs = documents(store)
    nodes = _org_nodes(store, canon)
    edges, totals = _raw_edges(store, docs, canon), _raw_totals(store, docs, canon)
    chosen, notes = _choose_documents(edges, totals, docs, nodes)
    kept = [e for g, e in edges if chosen.get((e.recipient or e.target, e.period)) == g]
    kept_totals = tuple(t for g, t in totals if chosen.get((t.org, t.period)) == g)
    project_periods = {e.target: e.period for e in kept if e.project == e.target}
    projects = _project_nodes(store, project_periods)
    code_edges, codes = _code_edges(store, kept, projects)
    all_nodes = {**nodes, **projects, **codes}
    for n in {e.source for e in kept} | {e.target for e in kept}:
        all_nodes.setdefault(n, FlowNode(n, n.rsplit("/", 1)[-1], "unit"))
    return FlowGraph(all_nodes, tuple(kept + code_edges), kept_totals, tuple(notes))


def _in_region(node: FlowNode, region: str) -> bool:
    return str(node.region or "").startswith(region.rstrip("0") or region) or region in node.label


def _is_unit(node: FlowNode, unit: str) -> bool:
    return unit == (node.unit_code or "") or unit in node.label or unit == node.id


def load_graph(store: ox.Store, year: int | None = None, region: str | None = None, level: str | None = None,
               direct_only: bool = False, purpose: str | None = None, unit: str | None = None,
               phase: str | None = None) -> FlowGraph:
    """The store's flow graph cut by the command-line filters (``region``: admin-code prefix or name)."""
    fg = build_flow_graph(store).select(year=year, phase=phase, level=level, direct_only=direct_only, purpose=purpose)
    if region:
        fg = fg.around(lambda n: _in_region(n, region))
    if unit:
        fg = fg.around(lambda n: _is_unit(n, unit))
    return fg


def trace_from(fg: FlowGraph, source: str) -> FlowGraph:
    """The flows downstream of the node whose IRI or label is (or contains) ``source``."""
    starts = {n for n, node in fg.nodes.items() if n == source or source in node.label}
    reach, frontier = set(starts), set(starts)
    while frontier:
        frontier = {e.target for e in fg.edges if e.source in frontier} - reach
        reach |= frontier
    return fg._with(e for e in fg.edges if e.source in reach)


def largest_flows(fg: FlowGraph, n: int = 10) -> list[tuple[Period, str, str, Decimal]]:
    """The ``n`` largest summed flows (code links excepted) as (period, from label, to label, amount)."""
    links: list[Link] = sorted((x for x in fg.combined() if fg.role(x.target) != "code"), key=lambda x: -x.amount)
    return [(x.period, fg.label(x.source), fg.label(x.target), x.amount) for x in links[:n]]


def per_beneficiary(store: ox.Store) -> list[dict[str, Any]]:
    """Yuan per beneficiary where a project's indicator counts people (人 / 万人) — derived, not printed.

    Given for the project and, when its subject code is known, for all projects of that code
    in the same unit and year.  Every row names its year.
    """
    by_code: dict[tuple, Decimal] = defaultdict(Decimal)
    for r in _rows(store, _CODE_AMOUNTS, union=True):
        by_code[r["u"], r["year"], r["notation"]] += Decimal(r["amount"])
    out, seen = [], set()
    for r in _rows(store, _BENEFICIARIES, union=True):
        people = Decimal(r["value"]) * (10000 if r["unit"] == "万人" else 1)
        if people <= 0 or (r["p"], r["indicator"], r["value"]) in seen:
            continue
        seen.add((r["p"], r["indicator"], r["value"]))
        row = {"year": int(r["year"][:4]) if r["year"] else None, "project": r["label"], "indicator": r["indicator"],
               "beneficiaries": people, "perBeneficiary": (Decimal(r["amount"]) / people).quantize(Decimal("0.01")),
               "derived": True}
        if r["notation"]:
            row["code"] = r["notation"]
            of_code = by_code[r["u"], r["year"], r["notation"]]
            row["perBeneficiaryOfCode"] = (of_code / people).quantize(Decimal("0.01"))
        out.append(row)
    return out
