"""Flow graph → a self-contained interactive HTML map (vis-network, no network needed).

``map_html(fg)`` writes, for each period of the typed flow graph (a fiscal year,
budget or final accounts), the nodes and edges of ``map_view.flow_view`` and a
table of each unit's money by level of government into one HTML page
(``data/map_template.html``); a selector switches the period, the newest is shown
first.  vis-network's JavaScript and CSS are inline (read from the installed pyvis
package), so the file opens from ``file://`` with no network.  ``load_flows(store, …)``
chooses the flows a map or Sankey shows.

Safety: document text never becomes markup.  Data travel as JSON in a
``<script type="application/json">`` block with ``<``, ``>`` and ``&`` escaped,
and the page builds labels, tables and tooltips with ``textContent``.
"""
from __future__ import annotations

import html
import json
import re
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from fundflow.analysis.flows import UNATTRIBUTED, FlowGraph, Period, unit_splits
from fundflow.core.errors import FundflowError
from fundflow.core.resources import read_text
from fundflow.outputs.map_view import COLUMNS, FONT_STACK, LEVEL_NAMES, WAN, FlowView, flow_view, wan

TENTH = Decimal("0.1")

__all__ = ["COLUMNS", "FONT_STACK", "WAN", "FlowView", "default_period", "flow_view", "load_flows", "map_html",
           "period_pages", "script_json", "unit_rows", "vis_assets", "wan", "write_map"]


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


def inline(text: str) -> str:
    """Keep a bundled script or stylesheet from closing its own element early."""
    return text.replace("</script", "<\\/script").replace("</style", "<\\/style")


def unit_rows(fg: FlowGraph) -> list[dict[str, str]]:
    """Each counted unit of one period: total, central, provincial, own government's, 直达资金 (万元, as text)."""
    rows = []
    for s in unit_splits(fg):
        own = {"Central": "central", "Provincial": "provincial", "Municipal": "municipal", "County": "county"}[s.own_level]
        rows.append({"unit": s.label, "total": _wan(s.total), "central": _wan(s.by_level["central"]),
                     "provincial": _wan(s.by_level["provincial"]) if own != "provincial" else "—",
                     "own": f"{LEVEL_NAMES[s.own_level]} {_wan(s.by_level[own])}",
                     "unattributed": _wan(s.by_level[UNATTRIBUTED]) if s.by_level[UNATTRIBUTED] else "",
                     "direct": f"{_wan(s.direct_total)}（{(s.share_of(s.direct_total) * 100).quantize(TENTH)}%）"})
    return rows


def _wan(amount: Decimal) -> str:
    return wan(amount).removesuffix(" 万元")


def period_pages(fg: FlowGraph) -> list[tuple[Period, FlowGraph]]:
    """The graph cut into its periods, newest first (what a page's period selector offers)."""
    return [(p, fg.select(period=p)) for p in sorted(fg.periods(), reverse=True)]


def period_money(part: FlowGraph) -> Decimal:
    """The money of one period's graph: its counted organisations' printed totals (each organisation once),
    or, where none is printed, the money that reaches its projects."""
    totals = sum((s.total for s in unit_splits(part)), Decimal(0))
    return totals or sum((e.amount for e in part.edges if e.level is not None and part.role(e.target) == "project"),
                         Decimal(0))


def default_period(pages: list[tuple[Period, FlowGraph]]) -> tuple[Period, str]:
    """The period a page opens on, and a line saying why: the one that carries the most money, the newest of equals.

    The newest period is often a small one (a single unit's budget of a year just begun), which tells a reader
    little; each period is still a figure of its own (money is compared, never added, across periods).
    """
    money = {p: period_money(part) for p, part in pages}
    best = max(money, key=lambda p: (money[p], p))
    why = f"默认显示{best.label}：各期中资金最多的一期（{wan(money[best])}）"
    if len(pages) > 1:
        why += f"；共 {len(pages)} 期，可在“年度”中选择"
    return best, why


def map_html(fg: FlowGraph, title: str = "资金流向图", open_unit: str | None = None) -> str:
    """Flow graph → a complete offline HTML page (vis-network inline, data as escaped JSON).

    ``open_unit`` (a unit code or name) shows that unit's projects from the start.
    Raises ``FundflowError`` when there are no flows.
    """
    if not fg.edges:
        raise FundflowError("no funding flows to draw", hint="ingest documents first, or loosen the filters")
    opened = frozenset(n for n, node in fg.nodes.items() if open_unit and node.role in ("unit", "department")
                       and (open_unit == node.unit_code or open_unit in node.label))
    periods = []
    pages = period_pages(fg)
    first, why = default_period(pages)
    for p, part in pages:
        view = flow_view(part, opened)
        periods.append({"key": p.key, "label": p.label, "nodes": view.nodes, "edges": view.edges,
                        "legend": [{"label": label, "color": colour} for _k, label, colour in view.columns],
                        "units": unit_rows(part)})
    js, css = vis_assets()
    data = {"periods": periods, "font": FONT_STACK, "title": title, "default": first.key, "defaultNote": why}
    page = read_text("map_template.html")
    parts = {"FF_CSS": inline(css), "FF_JS": inline(js), "FF_TITLE": html.escape(title),
             "FF_FONT": html.escape(FONT_STACK, quote=False), "FF_DATA": script_json(data)}
    # one pass, so text inserted for one placeholder is never searched for another
    return re.sub(r"/\*(FF_[A-Z]+)\*/", lambda m: parts[m.group(1)], page)


def write_map(fg: FlowGraph, path: str | Path, title: str = "资金流向图", open_unit: str | None = None) -> Path:
    """Write ``map_html(fg)`` to ``path`` (UTF-8) → the path written."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(map_html(fg, title, open_unit), encoding="utf-8")
    return target


def load_flows(store: ox.Store, year: int | None = None, region: str | None = None, unit: str | None = None,
               direct_only: bool = False) -> FlowGraph:
    """Store → the typed flow graph, cut to one year / region / unit / 直达资金 when asked.

    Raises ``FundflowError`` when nothing is left to draw.
    """
    from fundflow.outputs.flowgraph import load_graph

    fg = load_graph(store, year=year, region=region, unit=unit, direct_only=direct_only)
    if not fg.edges:
        raise FundflowError("no funding flows to draw", hint="ingest documents first, or loosen --year/--region/"
                            "--unit/--direct-only")
    return fg
