"""Flow graph → a self-contained interactive HTML map (vis-network, no network needed).

``map_html(graph) -> str`` writes the nodes and edges of ``map_view.flow_view``
into one HTML page (``data/map_template.html``) that carries vis-network's
JavaScript and CSS inline (read from the installed pyvis package), so the file
opens from ``file://`` with no network.  ``load_flows(store, …)`` and
``cut_flows(graph, …)`` choose the flows a map or Sankey shows.

Safety: document text never becomes markup.  Data travel as JSON in a
``<script type="application/json">`` block with ``<``, ``>`` and ``&`` escaped,
and the page builds tooltips with ``textContent``.
"""
from __future__ import annotations

import html
import json
import re
from importlib import resources
from pathlib import Path
from typing import Any

import networkx as nx

from fundflow.core.errors import FundflowError
from fundflow.core.resources import read_text
from fundflow.outputs.map_view import (
    COLUMNS,
    FONT_STACK,
    WAN,
    FlowView,
    amount_of,
    edge_tooltip,
    flow_view,
    node_amount,
    node_column,
    node_label,
    node_tooltip,
    provenance_lines,
    wan,
)

__all__ = ["COLUMNS", "FONT_STACK", "WAN", "FlowView", "amount_of", "cut_flows", "edge_tooltip", "flow_view",
           "load_flows", "map_html", "node_amount", "node_column", "node_label", "node_tooltip",
           "provenance_lines", "script_json", "vis_assets", "wan", "write_map"]


def script_json(data: Any) -> str:
    """Data → JSON safe inside ``<script>``: ``<``, ``>``, ``&`` and line separators escaped."""
    text = json.dumps(data, ensure_ascii=False, default=str)
    for ch, esc in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"),
                    ("\u2029", "\\u2029")):
        text = text.replace(ch, esc)
    return text


def vis_assets() -> tuple[str, str]:
    """vis-network's (JavaScript, CSS) as shipped in the installed pyvis package (newest bundled version).

    Raises ``FundflowError`` when pyvis or its bundled files are missing.
    """
    try:
        lib = resources.files("pyvis") / "lib"
        versions = sorted((p for p in lib.iterdir() if p.name.startswith("vis-")),
                          key=lambda p: tuple(int(x) for x in p.name[4:].split(".") if x.isdigit()))
        folder = versions[-1]
        return ((folder / "vis-network.min.js").read_text(encoding="utf-8"),
                (folder / "vis-network.css").read_text(encoding="utf-8"))
    except (ModuleNotFoundError, FileNotFoundError, IndexError) as err:
        raise FundflowError("vis-network is not available (pyvis package files missing)",
                            hint="pip install pyvis") from err


def _inline(text: str) -> str:
    """Keep a bundled script or stylesheet from closing its own element early."""
    return text.replace("</script", "<\\/script").replace("</style", "<\\/style")


def map_html(g: nx.DiGraph, title: str = "资金流向图") -> str:
    """Flow graph → a complete offline HTML page (vis-network inline, data as escaped JSON)."""
    view = flow_view(g)
    js, css = vis_assets()
    legend = [{"label": label, "color": colour} for _k, label, colour in view.columns]
    data = {"nodes": view.nodes, "edges": view.edges, "legend": legend, "font": FONT_STACK}
    page = read_text("map_template.html")
    parts = {"FF_CSS": _inline(css), "FF_JS": _inline(js), "FF_TITLE": html.escape(title),
             "FF_FONT": html.escape(FONT_STACK, quote=False), "FF_DATA": script_json(data)}
    # one pass, so text inserted for one placeholder is never searched for another
    return re.sub(r"/\*(FF_[A-Z]+)\*/", lambda m: parts[m.group(1)], page)


def write_map(g: nx.DiGraph, path: str | Path, title: str = "资金流向图") -> Path:
    """Write ``map_html(g)`` to ``path`` (UTF-8) → the path written."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(map_html(g, title), encoding="utf-8")
    return target


def load_flows(store: Any, year: int | None = None, region: str | None = None, unit: str | None = None,
               direct_only: bool = False) -> nx.DiGraph:
    """Store → the flow graph of ``kg.flows``, cut to one year / region / unit / 直达资金 when asked.

    Raises ``FundflowError`` when nothing is left to draw.
    """
    import inspect

    try:
        from fundflow.outputs import flowgraph as flows
    except ImportError as err:
        raise FundflowError("flow tracing is not available in this installation", hint="reinstall fundflow") from err

    wanted = {"year": year, "region": region, "unit": unit, "direct_only": direct_only}
    accepted = inspect.signature(flows.graph_to_flows).parameters
    g = flows.graph_to_flows(store, **{k: v for k, v in wanted.items() if k in accepted and v})
    g = cut_flows(g, **{k: v for k, v in wanted.items() if k not in accepted})
    if not g.number_of_edges():
        raise FundflowError("no funding flows to draw", hint="ingest documents first, or loosen --year/--region/"
                            "--unit/--direct-only")
    return g


def cut_flows(g: nx.DiGraph, year: int | None = None, region: str | None = None, unit: str | None = None,
              direct_only: bool = False) -> nx.DiGraph:
    """Flow graph → the part of it through the matching unit nodes and edges (a copy; ``g`` is unchanged).

    ``unit`` matches a unit's code or name (substring); ``region`` a node's region code;
    ``year`` an edge's ``year``/``fiscal_year``; ``direct_only`` keeps 直达资金 edges.
    """
    def keep_edge(d: dict[str, Any]) -> bool:
        edge_year = d.get("year", d.get("fiscal_year"))
        return ((not year or edge_year is None or str(edge_year) == str(year))
                and (not direct_only or bool(d.get("direct") or d.get("is_direct"))))

    out = g.edge_subgraph([(u, v) for u, v, d in g.edges(data=True) if keep_edge(d)]).copy()
    for text, attrs in ((unit, ("code", "unit_code", "label", "name")), (region, ("region", "region_code"))):
        if text:
            hits = [n for n, a in out.nodes(data=True) if node_column(a) == "unit"
                    and any(str(text) in str(a.get(k) or "") for k in attrs)]
            keep = set(hits).union(*(nx.ancestors(out, n) | nx.descendants(out, n) for n in hits))
            out = out.subgraph(keep).copy()
    return out
