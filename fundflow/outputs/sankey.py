"""Flow graph → a Sankey diagram per period (plotly.js inline: one offline HTML file).

``flows_to_sankey(fg)`` takes the flows of one period: treasuries (a column per
government level) → 主管部门 → 实施单位 → subject 类 → 款.  Projects are folded
into the unit → 类 links (the map shows them one by one); a project without a
subject code flows into 「未标明科目」.  Every node sits in its column (its x is
fixed), links are coloured by the level of government the money comes from, and
amounts stay exact Decimal yuan until plotly gets them in 万元.

``sankey_html(fg)`` writes one figure per period with a selector (newest first),
the period in the title, and each unit's money by level under the chart.

Document text reaches plotly HTML-escaped: plotly renders a few tags of its own
in labels and hover text, so ``<`` etc. must arrive as entities to show as text.
"""
from __future__ import annotations

import html
import re
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from itertools import pairwise
from pathlib import Path

from fundflow.analysis.flows import LEVELS, FlowGraph, Period
from fundflow.core.errors import FundflowError
from fundflow.core.resources import read_text
from fundflow.outputs.map import default_period, inline, period_pages, script_json, unit_rows
from fundflow.outputs.map_view import (
    COLUMNS,
    FONT_STACK,
    LEVEL_NAMES,
    MIXED_COLOUR,
    WAN,
    code_names,
    level_colour,
    node_column,
    wan,
)

UNCODED = "未标明科目"
ZERO = Decimal(0)
# Sankey columns left to right: treasuries per level, departments, units, then 类 and 款 of the subject codes.
SANKEY_COLUMNS = [k for k, _l, _c in COLUMNS if k not in ("project", "code")] + ["lei", "kuan"]
SUBJECT_COLOUR = next(c for k, _l, c in COLUMNS if k == "code")


@dataclass(frozen=True)
class Sankey:
    """Sankey nodes (label, colour, hover, column, x, y) and links (source, target, yuan, level) of one period."""

    period: Period | None
    labels: list[str]
    colors: list[str]
    hovers: list[str]
    columns: list[str]
    x: list[float]
    y: list[float]
    links: list[tuple[int, int, Decimal, str | None]]


def _subject_path(code: str | None) -> list[tuple[str, str, str]]:
    """``"2101202"`` → [(key, label, column) of 类 210, of 款 21012]; None → the 未标明科目 node."""
    if not code or not re.fullmatch(r"\d{3,7}", code):
        return [("uncoded", UNCODED, "lei")]
    names = code_names()
    return [(f"code:{c}", f"{c} {names.get(c, '')}".strip(), col)
            for c, col in ((code[:3], "lei"), (code[:5], "kuan")) if len(code) >= len(c)]


class _Builder:
    def __init__(self) -> None:
        self.keys: dict[str, int] = {}
        self.labels: list[str] = []
        self.colors: list[str] = []
        self.columns: list[str] = []
        self.sums: dict[tuple[int, int, str | None], Decimal] = defaultdict(Decimal)

    def node(self, key: str, label: str, column: str) -> int:
        if key not in self.keys:
            self.keys[key] = len(self.labels)
            colour = SUBJECT_COLOUR if column in ("lei", "kuan") else next(c for k, _l, c in COLUMNS if k == column)
            self.labels.append(label)
            self.colors.append(colour)
            self.columns.append(column)
        return self.keys[key]

    def link(self, a: int, b: int, amount: Decimal, level: str | None) -> None:
        self.sums[a, b, level] += amount


def flows_to_sankey(fg: FlowGraph) -> Sankey:
    """One period's flow graph → ``Sankey`` (projects folded into unit → 类 → 款 links, equal links summed).

    Raises ``FundflowError`` when the graph holds more than one period.
    """
    periods = fg.periods()
    if len(periods) > 1:
        raise FundflowError("a Sankey diagram shows one period at a time", hint="choose one with --year")
    b = _Builder()
    def org(n):
        return b.node(f"n:{n}", fg.label(n), node_column(fg.nodes[n]))
    codes: dict[str, list[tuple[str | None, Decimal]]] = defaultdict(list)
    for e in fg.edges:
        if e.level is None:
            codes[e.source].append((fg.nodes[e.target].code or "", e.amount))
    for e in fg.edges:
        if e.level is None:
            continue
        if fg.role(e.target) != "project":
            b.link(org(e.source), org(e.target), e.amount, e.level)
            continue
        for code, amount in codes.get(e.target) or [(None, e.amount)]:
            ids = [org(e.source)] + [b.node(k, label, col) for k, label, col in _subject_path(code)]
            for x, y in pairwise(ids):
                b.link(x, y, amount, e.level)
    links = [(a, c, amt, lvl) for (a, c, lvl), amt in sorted(b.sums.items(), key=lambda kv: (kv[0][0], kv[0][1],
                                                                                           str(kv[0][2]))) if amt > 0]
    x, y = _positions(b.columns, links)
    hovers = [_hover(b.labels[i], i, links) for i in range(len(b.labels))]
    labels = [_label(label, _through(i, links)) for i, label in enumerate(b.labels)]
    return Sankey(periods[0] if periods else None, labels, b.colors, hovers, b.columns, x, y, links)


def _label(name: str, amount: Decimal, width: int = 14) -> str:
    """A node label: the name in lines of ``width`` characters, then the amount (plotly draws ``<br>`` as a break)."""
    lines = [html.escape(name[k:k + width]) for k in range(0, len(name), width)] or [""]
    return "<br>".join(lines + [wan(amount)])


def _through(i: int, links: list[tuple[int, int, Decimal, str | None]]) -> Decimal:
    into = sum((amt for _a, c, amt, _l in links if c == i), ZERO)
    out = sum((amt for a, _c, amt, _l in links if a == i), ZERO)
    return max(into, out)


def _hover(label: str, i: int, links: list[tuple[int, int, Decimal, str | None]]) -> str:
    sums: dict[str, Decimal] = defaultdict(Decimal)
    for _a, c, amt, lvl in links:
        if c == i and lvl:
            sums[lvl] += amt
    parts = [f"{LEVEL_NAMES.get(k, k)} {wan(v)}" for k, v in sorted(sums.items(), key=lambda kv: LEVELS.index(kv[0]))]
    return "<br>".join([html.escape(label), wan(_through(i, links))] + (["来自 " + "、".join(parts)] if parts else []))


def _positions(columns: list[str], links: list[tuple[int, int, Decimal, str | None]]) -> tuple[list[float], list[float]]:
    """x: the node's column, evenly spaced; y: stacked in its column, largest first, each with room for its label."""
    used = [c for c in SANKEY_COLUMNS if c in set(columns)]
    step = 1 / max(1, len(used) - 1)
    xs = [min(0.999, max(0.001, used.index(c) * step)) for c in columns]
    ys = [0.5] * len(columns)
    for col in used:
        members = sorted((i for i, c in enumerate(columns) if c == col), key=lambda i: -_through(i, links))
        total = sum((_through(i, links) for i in members), ZERO) or Decimal(1)
        # a floor per node keeps small nodes (and their labels) apart
        weights = [_through(i, links) / total * Decimal("0.6") + Decimal("0.4") / len(members) for i in members]
        acc = ZERO
        for i, w in zip(members, weights, strict=True):
            ys[i] = float(min(Decimal("0.99"), max(Decimal("0.01"), Decimal("0.02") + (acc + w / 2) * Decimal("0.96"))))
            acc += w
    return xs, ys


COLUMN_NAMES = {**{k: label for k, label, _c in COLUMNS}, "lei": "支出科目（类）", "kuan": "支出科目（款）"}


def column_headings(columns: list[str]) -> list[dict]:
    """A heading above each column the figure uses (plotly annotations at the columns' x), so a reader can see
    that every node stands in its level's column: 中央财政 · 省级财政 · 市级财政 · 主管部门 · 实施单位 · 类 · 款."""
    used = [c for c in SANKEY_COLUMNS if c in set(columns)]
    step = 1 / max(1, len(used) - 1)
    return [{"text": COLUMN_NAMES[c], "x": k * step, "y": 1.0, "xref": "paper", "yref": "paper",
             "xanchor": "left" if k == 0 else "right" if k == len(used) - 1 else "center", "yanchor": "bottom",
             "showarrow": False, "font": {"size": 13, "color": "#555"}} for k, c in enumerate(used)]


def _height(columns: list[str]) -> int:
    """Figure height in px: room for three label lines per node of the fullest column."""
    fullest = max((columns.count(c) for c in set(columns)), default=1)
    return max(560, 64 * fullest + 140)


def _rgba(hex_colour: str, alpha: float) -> str:
    r, g, b = (int(hex_colour[k:k + 2], 16) for k in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def sankey_figure(s: Sankey, title: str) -> dict:
    """A ``Sankey`` → plotly data and layout (plain JSON-ready dicts)."""
    heading = f"{title} · {s.period.label}（万元）" if s.period else title
    trace = {"type": "sankey", "arrangement": "snap", "valueformat": ",.2f", "valuesuffix": " 万元",
             "node": {"label": s.labels, "color": s.colors, "customdata": s.hovers, "x": s.x, "y": s.y,
                      "pad": 42, "thickness": 18, "hovertemplate": "%{customdata}<extra></extra>"},
             "link": {"source": [a for a, *_r in s.links], "target": [c for _a, c, *_r in s.links],
                      "value": [float(v / WAN) for _a, _c, v, _l in s.links],
                      "color": [_rgba(level_colour(lv) if lv else MIXED_COLOUR, 0.45) for *_r, lv in s.links],
                      "customdata": [LEVEL_NAMES.get(lv or "", "") for *_r, lv in s.links],
                      "hovertemplate": "%{source.label} → %{target.label}<br>%{customdata} %{value}<extra></extra>"}}
    layout = {"title": {"text": html.escape(heading), "font": {"size": 18}}, "height": _height(s.columns),
              "font": {"family": FONT_STACK, "size": 13}, "margin": {"l": 20, "r": 20, "t": 84, "b": 50},
              "annotations": column_headings(s.columns)}
    return {"data": [trace], "layout": layout}


def sankey_html(fg: FlowGraph, title: str = "资金流向（桑基图）") -> str:
    """Flow graph → a complete HTML page: plotly.js inline, one figure per period, opening on
    ``map.default_period`` (the period with the most money; the selector lists the newest first).

    Raises ``FundflowError`` when there are no flows.
    """
    import plotly.offline

    if not fg.edges:
        raise FundflowError("no funding flows to draw", hint="ingest documents first, or loosen the filters")
    pages = period_pages(fg)
    first, why = default_period(pages)
    periods = [{"key": p.key, "label": p.label, **sankey_figure(flows_to_sankey(part), title), "units": unit_rows(part)}
               for p, part in pages]
    legend = [{"label": f"{LEVEL_NAMES[k]}资金", "color": c} for k, _l, c in COLUMNS if k in LEVEL_NAMES]
    parts = {"FF_TITLE": html.escape(title), "FF_FONT": html.escape(FONT_STACK, quote=False),
             "FF_JS": inline(plotly.offline.get_plotlyjs()),
             "FF_DATA": script_json({"periods": periods, "legend": legend, "title": title, "default": first.key,
                                     "defaultNote": why})}
    return re.sub(r"/\*(FF_[A-Z]+)\*/", lambda m: parts[m.group(1)], read_text("sankey_template.html"))


def write_sankey(fg: FlowGraph, path: str | Path, title: str = "资金流向（桑基图）") -> Path:
    """Write ``sankey_html(fg)`` to ``path`` → the path written."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(sankey_html(fg, title), encoding="utf-8")
    return target
