"""The typed flow graph → the flows table of the exports (CSV, XLSX, data package) and of ``kg.flows()``.

``flow_table(store)`` → (columns, rows): one row per movement of money of the flow
graph that trace, map and Sankey read (``outputs.flowgraph.build_flow_graph``), so a
copy of a document adds nothing and a unit printed in its department's document and
in its own is one unit, its figures taken from one document (the graph's notes say
which).  Every row names its fiscal year and phase (``Budget`` / ``FinalAccounts``,
as the other tables say it) and the document, table and lines it comes from; amounts
are exact ``Decimal`` yuan.  Project → subject-code links are not movements of money
and are left out.
"""
from __future__ import annotations

from typing import Any

import pyoxigraph as ox

from fundflow.analysis.flows import FlowEdge, FlowGraph
from fundflow.outputs.flowgraph import build_flow_graph

COLUMNS = ["year", "phase", "from", "to", "project", "level", "direct", "fundType", "amount",
           "document", "table", "line", "lastLine"]
PHASE_TERMS = {"budget": "Budget", "final": "FinalAccounts"}


def _row(fg: FlowGraph, e: FlowEdge) -> dict[str, Any]:
    ref = e.ref
    return {"year": e.period.year, "phase": PHASE_TERMS[e.period.phase], "from": fg.label(e.source),
            "to": fg.label(e.target), "project": fg.label(e.project) if e.project else None, "level": e.level,
            "direct": e.direct, "fundType": e.fund_type, "amount": e.amount, "document": e.document or None,
            "table": ref.table if ref else None, "line": ref.first_line if ref else None,
            "lastLine": ref.last_line if ref else None}


def graph_to_rows(fg: FlowGraph) -> tuple[list[str], list[dict[str, Any]]]:
    """The flow graph's money edges → (columns, rows), by period, then largest first."""
    rows = [_row(fg, e) for e in fg.edges if e.level is not None]
    rows.sort(key=lambda r: (r["year"], r["phase"], -r["amount"], r["from"], r["to"], r["project"] or "",
                             r["line"] or 0))
    return list(COLUMNS), rows


def flow_table(store: ox.Store) -> tuple[list[str], list[dict[str, Any]]]:
    """Store → the flows table (see the module docstring)."""
    return graph_to_rows(build_flow_graph(store))
