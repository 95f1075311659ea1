"""Flow graph → a Sankey diagram (plotly, plotly.js inline: one offline HTML file).

``flows_to_sankey(graph) -> Sankey``: treasuries → 主管部门 → 实施单位 → subject
类 → 款.  Projects are folded into the unit → 类 links (the map shows them one
by one); a project without a subject code flows into 「未标明科目」.  Amounts
stay exact Decimal yuan until plotly gets them in 万元.

Document text reaches plotly HTML-escaped: plotly renders a few tags of its own
in labels and hover text, so ``<`` etc. must arrive as entities to show as text.
"""
from __future__ import annotations

import html
import re
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from itertools import pairwise
from pathlib import Path
from typing import Any

import networkx as nx

from fundflow.core.resources import read_csv
from fundflow.outputs.map import COLUMNS, FONT_STACK, WAN, amount_of, node_column, node_label, wan

UNCODED = "未标明科目"


@dataclass(frozen=True)
class Sankey:
    """Sankey nodes (label, colour, hover lines) and links (source index, target index, yuan)."""

    labels: list[str]
    colors: list[str]
    hovers: list[str]
    links: list[tuple[int, int, Decimal]]


@lru_cache(maxsize=1)
def code_names() -> dict[str, str]:
    """Function-classification code → its current name (``data/code_names.csv``), for 类/款 labels."""
    names: dict[str, str] = {}
    for row in read_csv("code_names.csv"):
        if row["scheme"] == "function" and (not row.get("valid_until") or row["code"] not in names):
            names[row["code"]] = row["name"]
    return names


def code_of(attrs: dict[str, Any]) -> str | None:
    """A subject-code node → its digits (``code``/``notation`` attribute, else the label's leading digits)."""
    for key in ("code", "notation"):
        if attrs.get(key):
            return str(attrs[key])
    match = re.match(r"\s*(\d{3,7})", str(attrs.get("label", "")))
    return match.group(1) if match else None


def _subject_path(code: str | None) -> list[tuple[str, str]]:
    """``"2101202"`` → [(key, label) of 类 210, of 款 21012]; None → the 未标明科目 node."""
    if not code:
        return [("uncoded", UNCODED)]
    names = code_names()
    return [(f"code:{c}", f"{c} {names.get(c, '')}".strip()) for c in (code[:3], code[:5]) if len(code) >= len(c)]


def _project_links(g: nx.DiGraph, project: Any) -> list[tuple[list[tuple[str, str]], Decimal]]:
    """A project → (subject path, yuan) per code it pays for, or one uncoded path with its amount."""
    out = [(_subject_path(code_of(g.nodes[k])), amount_of(d.get("amount")) or Decimal(0))
           for _p, k, d in g.out_edges(project, data=True) if node_column(g.nodes[k]) == "code"]
    if out:
        return out
    amount = amount_of(g.nodes[project].get("amount"))
    if amount is None:
        amount = sum((amount_of(d.get("amount")) or Decimal(0) for *_e, d in g.in_edges(project, data=True)), Decimal(0))
    return [(_subject_path(None), amount)]


def flows_to_sankey(g: nx.DiGraph) -> Sankey:
    """Flow graph → ``Sankey`` (projects folded into unit → 类 → 款 links, equal links summed).

    Raises ``FundflowError`` (from ``node_column``) for a node of unknown kind.
    """
    colour = {c[0]: c[2] for c in COLUMNS}
    keys: dict[str, int] = {}
    labels, colors, totals = [], [], []
    sums: dict[tuple[int, int], Decimal] = defaultdict(Decimal)

    def node(key: str, label: str, col: str) -> int:
        if key not in keys:
            keys[key] = len(labels)
            labels.append(label), colors.append(colour[col]), totals.append(Decimal(0))
        return keys[key]

    def link(a: int, b: int, amount: Decimal) -> None:
        sums[a, b] += amount

    for u, v, d in g.edges(data=True):
        cu, cv = node_column(g.nodes[u]), node_column(g.nodes[v])
        if cu == "project" or cv in ("project", "code"):
            continue
        link(node(f"n:{u}", node_label(g, u), cu), node(f"n:{v}", node_label(g, v), cv), amount_of(d.get("amount")) or Decimal(0))
    for p in (n for n in g.nodes if node_column(g.nodes[n]) == "project"):
        for parent in g.predecessors(p):
            source = node(f"n:{parent}", node_label(g, parent), node_column(g.nodes[parent]))
            for path, amount in _project_links(g, p):
                ids = [source] + [node(key, label, "code") for key, label in path]
                for a, b in pairwise(ids):
                    link(a, b, amount)
    links = [(a, b, amt) for (a, b), amt in sorted(sums.items()) if amt > 0]
    for a, b, amt in links:
        totals[b] += amt
    hovers = [f"{html.escape(label)}<br>{wan(total or _outflow(links, i))}" for i, (label, total)
              in enumerate(zip(labels, totals))]
    return Sankey([html.escape(x) for x in labels], colors, hovers, links)


def _outflow(links: list[tuple[int, int, Decimal]], i: int) -> Decimal:
    return sum((amt for a, _b, amt in links if a == i), Decimal(0))


def sankey_html(g: nx.DiGraph, title: str = "资金流向（桑基图）") -> str:
    """Flow graph → a complete HTML page with plotly.js inline (no network needed)."""
    import plotly.graph_objects as go

    s = flows_to_sankey(g)
    fig = go.Figure(go.Sankey(
        arrangement="snap", valueformat=",.2f", valuesuffix=" 万元",
        node={"label": s.labels, "color": s.colors, "customdata": s.hovers, "pad": 14, "thickness": 16,
              "hovertemplate": "%{customdata}<extra></extra>"},
        link={"source": [a for a, _b, _v in s.links], "target": [b for _a, b, _v in s.links],
              "value": [float(v / WAN) for *_ab, v in s.links], "color": "rgba(120,130,140,0.35)"}))
    fig.update_layout(title={"text": html.escape(title)}, font={"family": FONT_STACK, "size": 12},
                      margin={"l": 20, "r": 20, "t": 50, "b": 20})
    return fig.to_html(include_plotlyjs=True, full_html=True, div_id="ff-sankey",
                       config={"displaylogo": False})


def write_sankey(g: nx.DiGraph, path: str | Path) -> Path:
    """Write ``sankey_html(g)`` to ``path`` → the path written."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(sankey_html(g), encoding="utf-8")
    return target
