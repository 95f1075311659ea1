"""A “三公”经费 table whose columns are known (PDF geometry, HTML, XLSX) → ThreeCosts by column.

Each column's header path names its item (``公务用车购置及运行费/公务用车购置费`` →
vehicle_purchase; a ``小计`` takes its meaning from the group above it) and, where a group
says so, its year and basis (``2025年预算数/…``).  Each row is then read cell by cell: a blank
cell under a known column is an empty item (0).  A table printed by unit (a 单位名称 column)
gives the 合计 row as the document's figures and one set per unit, each named.
Returns None when fewer than three columns name 三公 items: the text reader goes on.
"""
from __future__ import annotations

import re
from decimal import Decimal

from fundflow.core.model import RawTable, SourceDocument, ThreeCosts
from fundflow.core.normalize import compact, is_amount, is_total_label, parse_amount, to_yuan
from fundflow.records.concepts import column_roles
from fundflow.records.context import TableContext
from fundflow.records.three_costs import group_of, item_in

_SUBTOTAL = "小计"
_THREE_COSTS = re.compile(r"三公.?经费(?:预算数?|决算数?)?$")  # the row naming the 三公经费 themselves is their total


def column_items(columns: tuple[str, ...], ctx: TableContext) -> list[tuple[int | None, str, str] | None]:
    """Per column: (year, basis, item) or None (a label column, or one no 三公 wording names)."""
    out: list[tuple[int | None, str, str] | None] = []
    three_costs_subtotal = False
    for path in columns:
        segments = [s for s in path.split("/") if compact(s)]
        items = [item_in(s) or ("total" if _THREE_COSTS.search(compact(s)) else None) for s in segments]
        item = items[-1] if items else None
        if segments and compact(segments[-1]) == _SUBTOTAL:
            parent = next((i for i in reversed(items[:-1]) if i), None)
            three_costs_subtotal = three_costs_subtotal or parent == "total"
            item = "vehicle" if parent in ("vehicle", "vehicle_parent") else "total" if parent == "total" else None
        if item == "vehicle_parent":
            item = "vehicle"
        if item is None:
            out.append(None)
            continue
        year, basis = group_of(path, ctx)
        out.append((year, basis, item))
    if three_costs_subtotal:  # 合计 | “三公”经费/小计 …: the 合计 also counts 会议费 and 培训费
        first = next(j for j, c in enumerate(out) if c and c[2] == "total")
        out = [(c[0], c[1], "grand_total") if c and c[2] == "total" and j == first and
               compact(columns[j].split("/")[-1]) != _SUBTOTAL else c for j, c in enumerate(out)]
    return out


def table_to_threecosts_aligned(doc: SourceDocument, table: RawTable, ctx: TableContext
                                ) -> list[ThreeCosts] | None:
    if not table.columns or not table.rows or not all(r.aligned for r in table.rows):
        return None
    items = column_items(table.columns, ctx)
    if sum(1 for i in items if i) < 3 or len(set(filter(None, items))) < sum(1 for i in items if i):
        return _by_rows(doc, table, ctx)  # too few 三公 columns, or two claim one item
    money = table.money_unit or ctx.money_unit
    labels = [j for j, i in enumerate(items) if i is None]
    out: list[ThreeCosts] = []
    for row in table.rows:
        cells = list(row.cells) + [""] * (len(items) - len(row.cells))
        if not any(is_amount(cells[j]) for j, i in enumerate(items) if i):
            continue
        label = next((cells[j] for j in labels if compact(cells[j]) and not is_amount(cells[j])), "")
        unit = None if not label or is_total_label(label) else compact(label)
        ref = doc.ref(row.first_line, row.last_line, table=table.label)
        for j, key in enumerate(items):
            if key is None:
                continue
            year, basis, item = key
            out.append(ThreeCosts(table.label, year, basis, item, _yuan(cells[j], money), ref, unit_name=unit))
    return out


def _by_rows(doc: SourceDocument, table: RawTable, ctx: TableContext) -> list[ThreeCosts] | None:
    """Items printed as rows (``（一）因公出国（境）支出 | 13.20 | …``): each item's figure is the
    table's total column (合计, else its only amount column)."""
    roles = column_roles(table.columns)
    amounts = [j for j, c in enumerate(roles) if c.role == "amount"]
    totals = [j for j in amounts if roles[j].token == "Total"]
    col = totals[0] if totals else amounts[0] if len(amounts) == 1 else None
    labels = [j for j, c in enumerate(roles) if c.role != "amount"]
    if col is None or not labels:
        return None
    rows = []
    for row in table.rows:
        label = next((row.cells[j] for j in labels if j < len(row.cells) and compact(row.cells[j])), "")
        item = (item_in(label) or ("total" if _THREE_COSTS.search(compact(label)) else None)) if label else None
        if item and col < len(row.cells):
            rows.append((row, "vehicle" if item == "vehicle_parent" else item))
    if len({i for _, i in rows}) < 3:
        return None
    year, basis = group_of(table.columns[col], ctx)
    money = table.money_unit or ctx.money_unit
    return [ThreeCosts(table.label, year, basis, item, _yuan(row.cells[col], money),
                       doc.ref(row.first_line, row.last_line, table=table.label)) for row, item in rows]


def _yuan(cell: str, money: str | None) -> Decimal:
    """A cell under a known item column → yuan; a blank cell is an empty item (0)."""
    return to_yuan(parse_amount(cell), money) if is_amount(cell) else Decimal(0)
