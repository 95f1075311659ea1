"""A flow graph of one period → what a map draws: nodes and edges as JSON-ready dicts (no markup).

``flow_view(fg)`` reads the typed ``FlowGraph`` (``analysis.flows``) of one period:
a column per government level, then 主管部门, 实施单位, 项目, 支出科目; colour by
column; size by amount (sqrt scale); labels carry the amount in 万元.  Projects are
folded into their unit (the unit's label counts them; the page opens them on click,
or from the start for the units in ``open_units``).  Edges are coloured by the level
the money comes from.  ``node_column``, ``wan`` and the colours are shared with the
Sankey diagram.
"""
from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import Any

from fundflow.analysis.flows import LEVELS, FlowGraph, FlowNode, Link
from fundflow.core.errors import FundflowError
from fundflow.core.model import SourceRef
from fundflow.core.resources import read_csv

FONT_STACK = '"Noto Sans CJK SC", "Noto Sans SC", "WenQuanYi Micro Hei", "Microsoft YaHei", "PingFang SC", sans-serif'
WAN = Decimal(10000)
ZERO = Decimal(0)

# Columns from left to right: (key, legend label, colour).
COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("Central", "中央财政", "#c0392b"),
    ("Provincial", "省级财政", "#e67e22"),
    ("Municipal", "市级财政", "#d4ac0d"),
    ("County", "县级财政", "#7fb33a"),
    ("department", "主管部门", "#27ae60"),
    ("unit", "实施单位", "#16a085"),
    ("project", "项目", "#2980b9"),
    ("code", "支出科目", "#8e44ad"),
)
LEVEL_NAMES = {"Central": "中央", "Provincial": "省级", "Municipal": "市级", "County": "县级"}
MIXED_COLOUR = "#7f8c8d"


@dataclass(frozen=True)
class FlowView:
    """What a map draws for one period: nodes and edges as JSON-ready dicts, and the columns in use."""

    nodes: list[dict[str, Any]] = field(default_factory=list)
    edges: list[dict[str, Any]] = field(default_factory=list)
    columns: list[tuple[str, str, str]] = field(default_factory=list)


@lru_cache(maxsize=1)
def code_names() -> dict[str, str]:
    """Function-classification code → its current name (``data/code_names.csv``), for subject labels."""
    names: dict[str, str] = {}
    for row in read_csv("code_names.csv"):
        if row["scheme"] == "function" and (not row.get("valid_until") or row["code"] not in names):
            names[row["code"]] = row["name"]
    return names


def node_column(node: FlowNode) -> str:
    """A node → its column key: treasuries by their government level, other nodes by their role."""
    if node.role == "treasury":
        return node.level if node.level in LEVELS else "Municipal"
    return node.role


def level_colour(level: str | None) -> str:
    """The colour of money of a government level (grey when levels mix)."""
    return next((c for k, _l, c in COLUMNS if k == level), MIXED_COLOUR)


def wan(amount: Decimal | None) -> str:
    """Yuan → ``"12,452.40 万元"`` (exact Decimal arithmetic); None → ``"金额不详"``."""
    if amount is None:
        return "金额不详"
    return f"{(Decimal(amount) / WAN).quantize(Decimal('0.01'), ROUND_HALF_UP):,} 万元"


def ref_text(ref: SourceRef) -> str:
    """``"来源：doc.txt 表9 第100–101行"``."""
    lines = f" 第{ref.first_line}行" if ref.last_line == ref.first_line else f" 第{ref.first_line}–{ref.last_line}行"
    return f"来源：{ref.document}{' ' + ref.table if ref.table else ''}{lines}"


def _share(part: Decimal | None, whole: Decimal | None) -> str | None:
    if part is None or not whole:
        return None
    return f"{(part * 100 / whole).quantize(Decimal('0.1'), ROUND_HALF_UP)}%"


def _scale(amount: Decimal | None, top: Decimal, low: float, high: float) -> float:
    """sqrt scale: area (not radius) grows with the amount."""
    if not amount or not top:
        return low
    return round(low + (high - low) * math.sqrt(float(amount / top)), 2)


def short(label: str, limit: int = 16) -> str:
    """Long names are cut on the canvas; the tooltip keeps the whole name."""
    return label if len(label) <= limit else label[: limit - 1] + "…"


def node_amounts(fg: FlowGraph, links: list[Link]) -> dict[str, Decimal]:
    """The money through each node: a project's amount, else the larger of its inflow and outflow."""
    into: dict[str, Decimal] = defaultdict(Decimal)
    out: dict[str, Decimal] = defaultdict(Decimal)
    for x in links:
        out[x.source] += x.amount
        into[x.target] += x.amount
    amounts = {n: max(into.get(n, ZERO), out.get(n, ZERO)) for n in fg.used_nodes()}
    for n in amounts:
        node = fg.nodes.get(n)
        if node is not None and node.role == "project" and node.amount is not None:
            amounts[n] = node.amount
    return amounts


def level_lines(fg: FlowGraph, target: str, source: str | None = None) -> list[str]:
    """The money into ``target`` (from ``source``, or from all) per level of government, 直达资金 apart."""
    sums: dict[tuple[str, bool], Decimal] = defaultdict(Decimal)
    for e in fg.edges:
        if e.target == target and e.level and (source is None or e.source == source):
            sums[e.level, e.direct] += e.amount
    order = sorted(sums, key=lambda k: (LEVELS.index(k[0]) if k[0] in LEVELS else 9, not k[1]))
    return [f"{LEVEL_NAMES.get(lv, lv)}{'（直达资金）' if d else ''} {wan(sums[lv, d])}" for lv, d in order]


def _node_tip(fg: FlowGraph, n: str, kind: str, amounts: dict[str, Decimal], links: list[Link]) -> list[str]:
    node = fg.nodes[n]
    lines = [fg.label(n), f"{kind} · {wan(amounts.get(n))}"]
    for x in links:
        if x.target == n:
            share = _share(x.amount, amounts.get(x.source))
            lines.append(f"占 {fg.label(x.source)} 的 {share}" if share else f"来自 {fg.label(x.source)}")
    if node.role in ("department", "unit"):
        lines += [f"资金来源：{t}" for t in level_lines(fg, n)]
    if node.direct:
        lines.append("直达资金")
    if node.advance:
        lines.append("提前下达")
    refs = {r for x in links if x.target == n for r in x.refs}
    return lines + [ref_text(r) for r in sorted(refs, key=lambda r: (r.document, r.first_line))][:6]


def _edge_tip(fg: FlowGraph, x: Link, amounts: dict[str, Decimal]) -> list[str]:
    lines = [f"{fg.label(x.source)} → {fg.label(x.target)}", wan(x.amount)]
    share = _share(x.amount, amounts.get(x.source))
    if share:
        lines.append(f"占 {fg.label(x.source)} 的 {share}")
    lines += level_lines(fg, x.target, x.source) if x.level is None else []
    if x.direct:
        lines.append("直达资金")
    if x.inferred:
        lines.append("科目由金额推断")
    return lines + [ref_text(r) for r in x.refs[:6]]


def _label(fg: FlowGraph, n: str, amount: Decimal | None, projects: int) -> str:
    name = fg.label(n)
    code = fg.nodes[n].code
    if fg.nodes[n].role == "code" and code and name == code and code in code_names():
        name = f"{code} {code_names()[code]}"
    text = f"{short(name, 20 if code else 16)}\n{wan(amount)}"
    return text + (f"\n{projects} 个项目 ▸" if projects else "")


def flow_view(fg: FlowGraph, open_units: frozenset[str] = frozenset()) -> FlowView:
    """One period's flow graph → ``FlowView`` in a stable order.

    Raises ``FundflowError`` when the graph holds more than one period (years are never drawn summed).
    """
    if len(fg.periods()) > 1:
        raise FundflowError("a map shows one period at a time", hint="choose one with --year")
    links = fg.combined()
    used = fg.used_nodes()
    keys = {n: node_column(fg.nodes[n]) for n in used}
    cols = [c for c in COLUMNS if c[0] in set(keys.values())]
    index, style = {c[0]: i for i, c in enumerate(cols)}, {c[0]: c for c in COLUMNS}
    amounts = node_amounts(fg, links)
    ids = {n: i for i, n in enumerate(sorted(used, key=lambda n: (index[keys[n]], -amounts.get(n, ZERO), fg.label(n), n)))}
    owner = {x.target: x.source for x in links if keys[x.target] == "project" and keys[x.source] in ("unit", "department")}
    count: dict[str, int] = defaultdict(int)
    for u in owner.values():
        count[u] += 1
    code_of: dict[str, list[int]] = defaultdict(list)
    for x in links:
        if keys[x.target] == "code":
            code_of[x.target].append(ids[x.source])
    top_node = max((a for n, a in amounts.items() if keys[n] != "project"), default=ZERO)
    top_edge = max((x.amount for x in links), default=ZERO)
    nodes = []
    for n in sorted(used, key=lambda n: ids[n]):
        col = keys[n]
        d = {"id": ids[n], "label": _label(fg, n, amounts.get(n), count.get(n, 0)), "level": index[col],
             "color": style[col][2], "size": _scale(amounts.get(n), top_node, 10, 36), "role": col,
             "tip": _node_tip(fg, n, style[col][1], amounts, links)}
        if col == "project":
            d["unit"] = ids[owner[n]] if n in owner else None
        if col == "code":
            d["projects"] = sorted(code_of[n])
        if count.get(n):
            d["open"] = n in open_units
        nodes.append(d)
    edges = [{"id": i, "from": ids[x.source], "to": ids[x.target], "width": _scale(x.amount, top_edge, 1, 14),
              "dashes": x.inferred, "direct": x.direct, "color": level_colour(x.level),
              "tip": _edge_tip(fg, x, amounts)}
             for i, x in enumerate(sorted(links, key=lambda x: (ids[x.source], ids[x.target])))]
    return FlowView(nodes, edges, cols)
