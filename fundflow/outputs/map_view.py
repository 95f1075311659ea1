"""Flow graph → what a map draws: nodes and edges as JSON-ready dicts (no markup).

``flow_view(graph) -> FlowView`` turns the networkx DiGraph of ``kg.flows``
(treasuries → 主管部门 → 实施单位 → projects → subject codes, amounts in yuan)
into plain nodes and edges: a column per level, colour, size by amount (sqrt
scale) and tooltip lines in 万元 with the share of the parent and the source
lines.  The helpers (``node_column``, ``node_label``, ``wan``, ``amount_of``)
are shared with the Sankey diagram.  A node of unknown kind raises
``FundflowError``.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import networkx as nx

from fundflow.core.errors import FundflowError

FONT_STACK = '"Noto Sans CJK SC", "Noto Sans SC", "WenQuanYi Micro Hei", "Microsoft YaHei", "PingFang SC", sans-serif'
WAN = Decimal(10000)

# Columns from left to right: (key, legend label, colour).
COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("Central", "中央财政", "#c0392b"),
    ("Provincial", "省级财政", "#e67e22"),
    ("Municipal", "市级财政", "#f1c40f"),
    ("County", "县级财政", "#a3c95c"),
    ("department", "主管部门", "#27ae60"),
    ("unit", "实施单位", "#16a085"),
    ("project", "项目", "#2980b9"),
    ("code", "支出科目", "#8e44ad"),
)
_KIND_ALIASES = {"source": "treasury", "fundingsource": "treasury", "funding_source": "treasury",
                 "treasury": "treasury", "department": "department", "dept": "department",
                 "unit": "unit", "project": "project", "code": "code", "subject": "code",
                 "subjectcode": "code", "subject_code": "code"}


@dataclass(frozen=True)
class FlowView:
    """What a map draws: nodes and edges as JSON-ready dicts, and the columns in use."""

    nodes: list[dict[str, Any]] = field(default_factory=list)
    edges: list[dict[str, Any]] = field(default_factory=list)
    columns: list[tuple[str, str, str]] = field(default_factory=list)


def node_column(attrs: dict[str, Any]) -> str:
    """A node's attributes → its column key (a ``COLUMNS`` key).

    Treasuries sit in the column of their government level; other nodes in the
    column of their kind.  Raises ``FundflowError`` for a node of unknown kind.
    """
    kind = _KIND_ALIASES.get(str(attrs.get("kind", "")).lower().replace(" ", ""))
    if kind == "treasury":
        level = str(attrs.get("level", "")).rsplit("#", 1)[-1].capitalize()
        return level if level in {c[0] for c in COLUMNS[:4]} else "Municipal"
    if kind is None:
        raise FundflowError(f"flow graph node of unknown kind {attrs.get('kind')!r}",
                            hint="nodes need kind = source/department/unit/project/code")
    return kind


def wan(amount: Decimal | None) -> str:
    """Yuan → ``"12,452.40 万元"`` (exact Decimal arithmetic); None → ``"金额不详"``."""
    if amount is None:
        return "金额不详"
    return f"{(Decimal(amount) / WAN).quantize(Decimal('0.01'), ROUND_HALF_UP):,} 万元"


def amount_of(value: Any) -> Decimal | None:
    """An amount attribute (Decimal, int, str or None) → Decimal yuan or None."""
    return None if value is None else Decimal(str(value))


def node_amount(g: nx.DiGraph, n: Any) -> Decimal | None:
    """The money through node ``n``: its ``amount`` attribute, else the larger of inflow and outflow."""
    own = amount_of(g.nodes[n].get("amount"))
    if own is not None:
        return own
    flows = [[amount_of(d.get("amount")) or Decimal(0) for *_e, d in edges]
             for edges in (g.in_edges(n, data=True), g.out_edges(n, data=True))]
    total = max(sum(f, Decimal(0)) for f in flows)
    return total if any(flows) else None


def provenance_lines(attrs: dict[str, Any]) -> list[str]:
    """Provenance attributes → ``"来源：doc.txt 表9 第100–101行"`` lines.

    Accepts ``provenance``/``sources``/``source_ref`` holding SourceRef-like
    objects, dicts or strings (one or a list).
    """
    raw = next((attrs[k] for k in ("provenance", "sources", "source_ref", "ref") if attrs.get(k)), None)
    items = raw if isinstance(raw, (list, tuple, set, frozenset)) else ([raw] if raw else [])
    return [f"来源：{_ref_text(r)}" for r in sorted(items, key=str)]


def _ref_text(ref: Any) -> str:
    get = ref.get if isinstance(ref, dict) else (lambda k, d=None: getattr(ref, k, d))
    doc = get("document") or get("file")
    if doc is None:
        return str(ref)
    first, last = get("first_line") or get("firstLine"), get("last_line") or get("lastLine")
    lines = "" if first is None else (f" 第{first}行" if last in (None, first) else f" 第{first}–{last}行")
    table = get("table")
    return f"{doc}{' ' + str(table) if table else ''}{lines}"


def _share(part: Decimal | None, whole: Decimal | None) -> str | None:
    if part is None or not whole:
        return None
    return f"{(part * 100 / whole).quantize(Decimal('0.1'), ROUND_HALF_UP)}%"


def _scale(amount: Decimal | None, top: Decimal, low: float, high: float) -> float:
    """sqrt scale: area (not radius) grows with the amount."""
    if not amount or not top:
        return low
    return round(low + (high - low) * math.sqrt(float(amount / top)), 2)


def node_label(g: nx.DiGraph, n: Any) -> str:
    """A node's display name: ``label``, else ``name``, else its key."""
    return str(g.nodes[n].get("label") or g.nodes[n].get("name") or n)


def node_tooltip(g: nx.DiGraph, n: Any, kind_label: str) -> list[str]:
    """Plain-text tooltip lines of a node: name, kind, amount, share of each parent, flags, sources."""
    attrs = g.nodes[n]
    amount = node_amount(g, n)
    lines = [node_label(g, n), f"{kind_label} · {wan(amount)}"]
    for parent, _n, d in g.in_edges(n, data=True):
        share = _share(amount_of(d.get("amount")), node_amount(g, parent))
        lines.append(f"占 {node_label(g, parent)} 的 {share}" if share else f"来自 {node_label(g, parent)}")
    if attrs.get("direct") or attrs.get("is_direct"):
        lines.append("直达资金")
    return lines + provenance_lines(attrs)


def edge_tooltip(g: nx.DiGraph, u: Any, v: Any) -> list[str]:
    """Plain-text tooltip lines of an edge: from → to, amount and share of the sender, flags, sources."""
    d = g.edges[u, v]
    amount = amount_of(d.get("amount"))
    lines = [f"{node_label(g, u)} → {node_label(g, v)}", wan(amount)]
    share = _share(amount, node_amount(g, u))
    if share:
        lines.append(f"占 {node_label(g, u)} 的 {share}")
    if d.get("direct") or d.get("is_direct"):
        lines.append("直达资金")
    if d.get("inferred"):
        lines.append("科目由金额推断")
    return lines + provenance_lines(d)


def flow_view(g: nx.DiGraph) -> FlowView:
    """Flow graph → ``FlowView``: one node/edge dict per graph node/edge, in a stable order.

    Raises ``FundflowError`` when a node has an unknown kind.
    """
    keys = {n: node_column(g.nodes[n]) for n in g.nodes}
    used = [c for c in COLUMNS if c[0] in set(keys.values())]
    index = {c[0]: i for i, c in enumerate(used)}
    style = {c[0]: c for c in COLUMNS}
    ids = {n: i for i, n in enumerate(sorted(g.nodes, key=lambda n: (index[keys[n]], node_label(g, n), str(n))))}
    amounts = {n: node_amount(g, n) for n in g.nodes}
    top_node = max((a for a in amounts.values() if a), default=Decimal(0))
    top_edge = max((amount_of(d.get("amount")) or Decimal(0) for *_e, d in g.edges(data=True)), default=Decimal(0))
    nodes = [{"id": ids[n], "label": _short(node_label(g, n)), "level": index[keys[n]], "color": style[keys[n]][2],
              "size": _scale(amounts[n], top_node, 8, 40), "tip": node_tooltip(g, n, style[keys[n]][1])}
             for n in sorted(g.nodes, key=ids.get)]
    edges = [{"id": i, "from": ids[u], "to": ids[v], "width": _scale(amount_of(d.get("amount")), top_edge, 1, 16),
              "dashes": bool(d.get("inferred")), "direct": bool(d.get("direct") or d.get("is_direct")),
              "tip": edge_tooltip(g, u, v)}
             for i, (u, v, d) in enumerate(sorted(g.edges(data=True), key=lambda e: (ids[e[0]], ids[e[1]])))]
    return FlowView(nodes, edges, used)


def _short(label: str, limit: int = 18) -> str:
    """Long project names are cut on the canvas; the tooltip keeps the whole name."""
    return label if len(label) <= limit else label[: limit - 1] + "…"
