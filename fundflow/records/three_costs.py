"""“三公”经费 tables → ThreeCosts records.

Two shapes occur:

* horizontal (budget 表7, Shanghai's 三公经费和机关运行经费预算表): one row of
  amounts under column groups (``2023预算数`` / ``2024预算数``), each group
  合计 | 因公出国（境）费 | 公务用车购置及运行费 (小计 | 购置费 | 运行费) | 公务接待费.
  Dropped empty cells are placed with the identities 合计 = 出国 + 公车小计 + 接待
  and 小计 = 购置 + 运行; an amount whose column the identities do not decide is
  reported as a TableIssue, never guessed.
* vertical (决算 公开09表): one row per item, columns 预算数 | 决算数.

Item wording is data: ``data/three_costs_items.csv``.
"""
from __future__ import annotations

import re
from decimal import Decimal
from functools import lru_cache
from itertools import permutations

from fundflow.core.model import RawRow, RawTable, SourceDocument, TableIssue, ThreeCosts
from fundflow.core.normalize import compact, is_amount, parse_amount, step_of, to_yuan
from fundflow.core.resources import read_csv
from fundflow.loaders.layout.text import header_leaves, line_to_pieces
from fundflow.records.columns import ColumnSpec, place_row
from fundflow.records.context import TableContext

ITEMS = ("total", "abroad", "vehicle", "vehicle_purchase", "vehicle_operation", "reception")
# 三公 with 会议费 and 培训费 (Jiangsu 公开09表): 合计 | 三公 小计 | the six 三公 columns | 会议费 | 培训费
WIDE = ("grand_total", "total", "abroad", "vehicle", "vehicle_purchase", "vehicle_operation", "reception",
        "meeting", "training")
_GROUP = re.compile(r"(\d{4})年?度?(预算数|决算数|执行数|预算|决算)|(?<![费行])(预算数|决算数|执行数)")
_CANONICAL = ("total", "abroad", "vehicle_parent", "reception")
# orders tried when the header wording does not give the column order (multi-line headers)
_ORDERS = tuple(("total",) + p for p in permutations(("abroad", "vehicle_parent", "reception")))
_NUMBERING = re.compile(r"^(?:其中[:：]?)?(?:[（(]?\d+[）).、]|[一二三四五六]、)?")
_EMITTED = set(WIDE) | {"operating_costs"}  # 机关运行经费 printed beside the 三公 columns (Shanghai)
_POSITIONED = re.compile(r"\S {2,}\S")


@lru_cache(maxsize=1)
def _wording() -> tuple[tuple[str, str], ...]:
    rows = [(r["printed"], r["item"]) for r in read_csv("three_costs_items.csv")]
    return tuple(sorted(rows, key=lambda r: len(r[0]), reverse=True))


def item_of(label: str) -> str | None:
    """A row label (``3、公务用车购置及运行费``, ``其中:（1）公务用车运行维护费``) → item key or None."""
    t = _NUMBERING.sub("", compact(label))
    for printed, item in _wording():
        if t == compact(printed):
            return "vehicle" if item == "vehicle_parent" else item
    return None


def item_in(segment: str) -> str | None:
    """A header cell → the item whose wording it contains (longest wording first), or None;
    ``vehicle_parent`` for the 公务用车 group."""
    t = _NUMBERING.sub("", compact(segment))
    return next((item for printed, item in _wording() if _stem(printed) in t), None)


def _stem(printed: str) -> str:
    """``公务接待费`` → ``公务接待``: a wording without its 费 also names ``公务接待费支出``."""
    t = compact(printed)
    return t[:-1] if t.endswith("费") and len(t) > 3 else t


def group_of(path: str, ctx: TableContext) -> tuple[int | None, str]:
    """A column's header path → (year, basis) its group names, else the document's own."""
    return _groups(compact(path), ctx)[0]


def _groups(header_text: str, ctx: TableContext) -> list[tuple[int | None, str]]:
    """Header → [(year, basis)] per column group, in printed order."""
    out = []
    for m in _GROUP.finditer(header_text):
        basis = "budget" if (m.group(2) or m.group(3)).startswith("预算") else "actual"
        out.append((int(m.group(1)) if m.group(1) else ctx.fiscal_year, basis))
    default = "actual" if ctx.kind == "final_accounts" else "budget"
    return out or [(ctx.fiscal_year, default)]


def _well_formed(header_text: str) -> bool:
    """True when the first column wording printed is the total (the printed order can be trusted)."""
    tops = [i for i in _tokens(header_text) if i not in ("vehicle", "vehicle_purchase", "vehicle_operation")]
    return bool(tops) and tops[0] == "total"


def _tokens(header_text: str) -> list[str]:
    pattern = re.compile("|".join(re.escape(compact(p)) for p, _ in _wording()))
    lookup = {compact(p): i for p, i in _wording()}
    return [lookup[m.group(0)] for m in pattern.finditer(header_text)]


def _leaf_items(header_text: str, order: tuple[str, ...] | None = None) -> list[list[str]]:
    """Header → item keys per column group (sub-columns of 公务用车 in place of their parent)."""
    tokens = _tokens(header_text)
    subs = [i for i in tokens if i in ("vehicle", "vehicle_purchase", "vehicle_operation")]
    tops = [i for i in tokens if i not in ("vehicle", "vehicle_purchase", "vehicle_operation")]
    if order or (tops and tops[0] != "total"):
        order = order or _CANONICAL
        tops = [i for i in order if i in tops] + [i for i in tops if i not in order]
    runs: list[list[str]] = []
    for item in tops:
        if item == "total" or not runs:
            runs.append([])
        runs[-1].append(item)
    sub_runs = [subs[i:i + 3] for i in range(0, len(subs), 3)]
    out = []
    for gi, run in enumerate(runs):
        sub = sub_runs[gi] if gi < len(sub_runs) else ["vehicle"]
        out.append([x for item in run for x in (sub if item == "vehicle_parent" else [item])])
    return out


def _spec(header_text: str, ctx: TableContext, order: tuple[str, ...] | None = None
          ) -> tuple[ColumnSpec, list[tuple[int | None, str, str]]]:
    """Header → ColumnSpec with the per-group identities, and (year, basis, item) per column."""
    groups, leaves = _groups(header_text, ctx), _leaf_items(header_text, order)
    if not leaves or not any("total" in run for run in leaves):
        leaves = [list(ITEMS)]
    if len(leaves) < len(groups):
        leaves += [leaves[-1]] * (len(groups) - len(leaves))
    return _runs_spec(groups, leaves)


def _runs_spec(groups: list[tuple[int | None, str]], leaves: list[list[str]]
               ) -> tuple[ColumnSpec, list[tuple[int | None, str, str]]]:
    """(year, basis) per group and the item keys of each group's columns → spec and column names."""
    names: list[tuple[int | None, str, str]] = []
    ids = []
    for (year, basis), run in zip(groups or [(None, "budget")], leaves):
        at = {item: len(names) + i for i, item in enumerate(run)}
        names += [(year, basis, item) for item in run]
        if "total" in at:
            ids.append((at["total"], tuple(at[i] for i in ("abroad", "vehicle", "reception") if i in at)))
        if "vehicle" in at:
            ids.append((at["vehicle"], tuple(at[i] for i in ("vehicle_purchase", "vehicle_operation") if i in at)))
    return ColumnSpec(tuple(f"{y}.{b}.{i}" for y, b, i in names), tuple(ids)), names


def _wide_spec(ctx: TableContext) -> tuple[ColumnSpec, list[tuple[int | None, str, str]]]:
    """The 9 columns of a 三公、会议费、培训费 table, with 合计 = 三公 + 会议 + 培训."""
    names = [(ctx.fiscal_year, "budget", item) for item in WIDE]
    ids = ((0, (1, 7, 8)), (1, (2, 3, 6)), (3, (4, 5)))
    return ColumnSpec(tuple(f"{y}.{b}.{i}" for y, b, i in names), ids), names


def _is_wide(header_text: str) -> bool:
    return "会议" in header_text and "培训" in header_text and "合计" in header_text  # 会议费 may wrap


def _amounts(row: RawRow, money: str | None) -> list[Decimal | None]:
    return [to_yuan(parse_amount(c), money) if is_amount(c) else None for c in row.cells]


def _positional_runs(header: tuple[str, ...]) -> list[list[str]] | None:
    """Header lines printed at their x-positions (column-aligned text) → item keys of the leaf
    columns left to right, split into groups at each 合计; None when the lines carry no
    positions or a leaf's wording is unknown.  (The x-order decides what the wording alone
    cannot: Shanghai prints 公务接待费 before 公务用车.)"""
    if not any(_POSITIONED.search(h) for h in header):
        return None
    rows = [line_to_pieces(h) for h in header]
    items = []
    for leaf in header_leaves(rows):
        above = "".join(p.text for r in rows for p in r if p.start < leaf.end and leaf.start < p.end)
        found = (_tokens(compact(leaf.text)) or _tokens(compact(above)))[-1:]
        if not found:
            return None
        items.append("vehicle" if found[0] == "vehicle_parent" else found[0])
    runs: list[list[str]] = []
    for item in items:
        if item == "total" or not runs:
            runs.append([])
        runs[-1].append(item)
    return runs


def _by_position(header: tuple[str, ...], cells: list[Decimal | None], ctx: TableContext, step: Decimal) -> list[dict]:
    """An aligned row read by the header's x-positions: [reading] when its identities hold, else []."""
    runs, groups = _positional_runs(header), _groups(compact("".join(header)), ctx)
    if not runs or len(runs) != len(groups) or sum(map(len, runs)) != len(cells):
        return []
    spec, columns = _runs_spec(groups, runs)
    values = [v or Decimal(0) for v in cells]
    if not _holds(spec, values, step):
        return []
    return [{c: values[j] for j, c in enumerate(columns) if c[2] in _EMITTED}]


def _solutions(header_text: str, cells: list[Decimal | None], aligned: bool, ctx: TableContext,
               step: Decimal) -> list[dict]:
    """Every reading of the row consistent with the identities (within ``step``, the rounding of
    one printed figure in yuan): [{(year, basis, item): amount}]."""
    out = []
    orders: list = [None] if _well_formed(header_text) or _is_wide(header_text) else list(_ORDERS)
    for order in orders:
        spec, columns = _wide_spec(ctx) if _is_wide(header_text) else _spec(header_text, ctx, order)
        if aligned and len(cells) == len(columns):
            placements = [tuple(range(len(columns)))] if _holds(spec, [v or Decimal(0) for v in cells], step) else []
            values = [v or Decimal(0) for v in cells]
        else:
            values = [v for v in cells if v is not None]
            placements = place_row(values, spec, tol=step)
        for p in placements:
            vec = dict(zip(p, values))
            out.append({columns[j]: vec.get(j, Decimal(0)) for j in range(len(columns)) if columns[j][2] in _EMITTED})
    return out


def _holds(spec: ColumnSpec, vec: list[Decimal], step: Decimal) -> bool:
    return all(abs(vec[t] - sum((vec[p] for p in parts), Decimal(0))) <= step for t, parts in spec.identities)


def _horizontal(doc: SourceDocument, table: RawTable, row: RawRow, ctx: TableContext, money: str | None) -> list[ThreeCosts | TableIssue]:
    ref = doc.ref(row.first_line, row.last_line, table=table.label)
    cells = _amounts(row, money)
    step = step_of(money)
    readings = (_by_position(table.header, cells, ctx, step) if row.aligned else []) or \
        _solutions(compact("".join(table.header)), cells, row.aligned, ctx, step)
    if not readings:
        return [TableIssue(table.label, "unreadable", "三公 amounts do not fit the columns of the header", ref)]
    keys = list(readings[0])
    certain = [k for k in keys if all(k in r and r[k] == readings[0][k] for r in readings)]
    out: list[ThreeCosts | TableIssue] = [ThreeCosts(table.label, y, b, item, readings[0][(y, b, item)], ref) for y, b, item in certain]
    unsure = [f"{y}.{b}.{item}" for y, b, item in keys if (y, b, item) not in certain]
    if unsure:
        out.append(TableIssue(table.label, "ambiguous", f"三公 columns not decided by the identities: {', '.join(unsure)}", ref))
    return out


def _vertical(doc: SourceDocument, table: RawTable, ctx: TableContext, money: str | None) -> list[ThreeCosts | TableIssue]:
    bases = [b for _, b in _groups(compact("".join(table.header)), ctx)]
    year = ctx.fiscal_year
    out: list[ThreeCosts | TableIssue] = []
    for row in table.rows:
        label = next((c for c in row.cells if not is_amount(c) and compact(c)), "")
        item = item_of(label)
        if item is None:
            continue
        values = [v for v in _amounts(row, money) if v is not None]
        ref = doc.ref(row.first_line, row.last_line, table=table.label)
        if values and len(values) != len(bases):
            out.append(TableIssue(table.label, "ambiguous", f"{label}: {len(values)} amounts for {len(bases)} columns", ref))
            continue
        out += [ThreeCosts(table.label, year, b, item, values[k] if values else Decimal(0), ref) for k, b in enumerate(bases)]
    return out


def table_to_threecosts(doc: SourceDocument, table: RawTable, ctx: TableContext) -> list[ThreeCosts | TableIssue]:
    """A 三公 RawTable → ThreeCosts (yuan) per item, year and basis, plus TableIssues."""
    if table.illegible:
        ref = doc.ref(table.first_line, table.last_line, table.label)
        return [TableIssue(table.label, "illegible", f"{table.title} could not be read", ref)]
    money = table.money_unit or ctx.money_unit
    labelled = [r for r in table.rows if any(item_of(c) for c in r.cells if not is_amount(c))]
    if len(labelled) >= 2:
        return _vertical(doc, table, ctx, money)
    out: list[ThreeCosts | TableIssue] = []
    for row in table.rows:
        if any(v is not None for v in _amounts(row, money)):
            out += _horizontal(doc, table, row, ctx, money)
    return out
