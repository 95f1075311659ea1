"""A small typed flow graph (``analysis.flows``) and page helpers for the browser tests."""
from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal
from itertools import pairwise
from pathlib import Path

from fundflow.analysis.flows import FlowEdge, FlowGraph, FlowNode, OrgTotal, Period
from fundflow.core.model import SourceRef

W = Decimal(10000)
REF = SourceRef("city-2024.txt", "0" * 64, 100, 101, "表9")


def flow_graph(unit: str = "某市医疗保障事务服务中心", project: str = "提前下达中央财政城乡居民医保补助中央直达资金",
               year: int = 2024, phase: str = "budget", extra_projects: int = 0, suffix: str = "") -> FlowGraph:
    """One unit's budget of one year: treasuries → department → unit → three projects → one subject code.

    Central 124,524 and provincial 30,037 (both 直达资金) and the city's own 54,990 (万元), as in the
    worked example of 2101202; ``extra_projects`` adds small own-funded projects to the unit;
    ``suffix`` tells the projects of one year from another's (``j1`` → ``j1-2023``).
    """
    p = Period(year, phase)
    nodes = [FlowNode("c", "中央财政", "treasury", "Central"), FlowNode("p", "某省财政", "treasury", "Provincial"),
             FlowNode("m", "某市财政", "treasury", "Municipal"), FlowNode("d", "某市医疗保障局", "department", "Municipal"),
             FlowNode("u", unit, "unit", "Municipal", unit_code="578002", parent="d"),
             FlowNode("j1", project, "project", period=p, amount=124524 * W, funding_level="Central", direct=True,
                      advance=True),
             FlowNode("j2", "提前下达省财政城乡居民医保补助直达资金", "project", period=p, amount=30037 * W,
                      funding_level="Provincial", direct=True, advance=True),
             FlowNode("j3", "政府专项-城乡居民医保补助", "project", period=p, amount=54990 * W, funding_level="Municipal"),
             FlowNode("k", "2101202", "code", code="2101202")]
    chains = [("j1", "Central", 124524, True, ["c", "p", "m", "d", "u", "j1"]),
              ("j2", "Provincial", 30037, True, ["p", "m", "d", "u", "j2"]),
              ("j3", "Municipal", 54990, False, ["m", "d", "u", "j3"])]
    for k in range(extra_projects):
        nodes.append(FlowNode(f"x{k}", f"业务经费{k + 1}", "project", period=p, amount=(k + 1) * W,
                              funding_level="Municipal"))
        chains.append((f"x{k}", "Municipal", k + 1, False, ["m", "d", "u", f"x{k}"]))
    edges = []
    for proj, level, amount, direct, hops in chains:
        for a, b in pairwise(hops):
            edges.append(FlowEdge(a, b, amount * W, p, level, direct, direct, False, "city-2024.txt", "u", proj, REF))
        if not proj.startswith("x"):
            edges.append(FlowEdge(proj, "k", amount * W, p, None, direct, direct, True, "city-2024.txt", "u", proj, REF))
    total = (209551 + sum(range(1, extra_projects + 1))) * W
    rename = {n.id: n.id + suffix for n in nodes if n.role == "project"}
    nodes = [replace(n, id=rename.get(n.id, n.id)) for n in nodes]
    edges = [replace(e, source=rename.get(e.source, e.source), target=rename.get(e.target, e.target),
                     project=rename.get(e.project, e.project)) for e in edges]
    return FlowGraph({n.id: n for n in nodes}, tuple(edges), (OrgTotal("u", p, total, "city-2024.txt", REF),))


def two_years() -> FlowGraph:
    """The graph above for a 2023 and a 2024 budget, in one graph (as a store of two documents gives it)."""
    a, b = flow_graph(year=2023, suffix="-2023"), flow_graph(year=2024)
    return FlowGraph({**a.nodes, **b.nodes}, a.edges + b.edges, a.totals + b.totals)


def page_requests(driver) -> list[str]:
    """URLs the page asked for since the last call (from the performance log)."""
    urls = []
    for entry in driver.get_log("performance"):
        msg = json.loads(entry["message"])["message"]
        if msg["method"] == "Network.requestWillBeSent":
            urls.append(msg["params"]["request"]["url"])
    return urls


def file_url(path: Path) -> str:
    return path.resolve().as_uri()
