"""Project tables whose cells are known (grids) → Projects, by what each column means.

``aligned_projects(doc, table, money_unit)``: the project name is in the project (or label)
column, the unit in the unit column when there is one; the first total column is the
project's amount, the other amount columns its funding columns; a free-text column (绩效目标,
项目概况) its description.  Tables that group projects under subtotal rows — a unit's row,
a 类/款 row — are read by their sums: a row is a group when its amount is the sum of the
project rows under it (up to the next group of its kind), a unit's group gives its projects
their unit, and a group row is never a project.  The 合计 row is no project either.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from fundflow.core.model import Project, RawRow, RawTable, SourceDocument, TableIssue
from fundflow.core.normalize import (
    clean_cell,
    compact,
    display_name,
    is_amount,
    is_org_name,
    is_total_label,
    parse_amount,
    to_yuan,
)
from fundflow.records.aligned import split_fused
from fundflow.records.concepts import Column, column_roles

_CENT = Decimal("0.01")


@dataclass
class _Row:
    raw: RawRow
    name: str
    unit: str | None
    total: Decimal | None
    columns: tuple[tuple[str, Decimal], ...]
    text: str
    group: str | None = None  # "unit" | "class" when the row is a subtotal of the rows under it


def _cell(row: RawRow, i: int | None) -> str:
    return clean_cell(row.cells[i]) if i is not None and i < len(row.cells) else ""


def _first(roles: tuple[Column, ...], *wanted: str) -> int | None:
    for role in wanted:
        for i, c in enumerate(roles):
            if c.role == role:
                return i
    return None


def _read(table: RawTable, roles: tuple[Column, ...]) -> list[_Row]:
    name_col = _first(roles, "project", "label", "name")
    unit_col = _first(roles, "unit")
    unit_col = None if unit_col == name_col else unit_col
    amounts = [i for i, c in enumerate(roles) if c.role == "amount"]
    total_col = next((i for i in amounts if roles[i].token == "Total"), amounts[0] if amounts else None)
    texts = [i for i, c in enumerate(roles) if c.role == "text"]
    out = []
    for row in table.rows:
        name = _cell(row, name_col)
        values = {i: parse_amount(_cell(row, i)) for i in amounts if is_amount(_cell(row, i))}
        values = _shifted(values, amounts, total_col)
        out.append(_Row(row, name, _cell(row, unit_col) or None, values.get(total_col) if total_col is not None else None,
                        tuple((roles[i].token.replace("/", "."), v) for i, v in values.items() if i != total_col),
                        "\n".join(_cell(row, i) for i in texts if _cell(row, i))))
    return out


def _shifted(values: dict[int, Decimal], amounts: list[int], total_col: int | None) -> dict[int, Decimal]:
    """A row read off text whose figures all landed one amount column right of where they belong: its total
    column is empty and its first figure equals the sum of the others (total = Σ funds), so each goes
    one column left (``交通工程质量安全管理 85.00 85.00`` printed under a long unit name)."""
    if total_col is None or total_col in values or len(values) < 2:
        return values
    cols = sorted(values)
    first = values[cols[0]]
    if amounts.index(cols[0]) != amounts.index(total_col) + 1 or first != sum(values[c] for c in cols[1:]):
        return values
    return {amounts[amounts.index(c) - 1]: v for c, v in values.items()}


def _kind_of(r: _Row) -> str | None:
    """What a row could be a subtotal of: a unit (its name) or a class (a code or class wording)."""
    if is_org_name(r.name):
        return "unit"
    code, _ = split_fused(r.name)
    return "class" if code else None


def _mark_groups(rows: list[_Row]) -> None:
    """Rows whose amount is the sum of the project rows under them (to the next group) are groups.

    Read from the bottom up, so that a row is closed only by a later row known to be a group
    (a project named after a unit, ``…经费-珠海边检总站``, is a project, not a group).
    """
    kinds = [_kind_of(r) for r in rows]
    for i in range(len(rows) - 1, -1, -1):
        r = rows[i]
        if kinds[i] is None or r.total is None:
            continue
        acc, n = Decimal(0), 0
        for s in rows[i + 1:]:
            if s.group == kinds[i] or (kinds[i] == "class" and s.group == "unit") or s.total is None:
                break
            if s.group is None:
                acc, n = acc + s.total, n + 1
                if abs(acc - r.total) <= _CENT * n:
                    r.group = kinds[i]
                    break


def aligned_projects(doc: SourceDocument, table: RawTable, money_unit: str | None) -> list[Project | TableIssue]:
    """A project table with known columns → one Project per project row (yuan)."""
    roles = column_roles(table.columns)
    rows = [r for r in _read(table, roles) if r.name or r.unit]
    _mark_groups(rows)
    unit_money = table.money_unit or money_unit
    out: list[Project | TableIssue] = []
    current_unit = None
    for r in rows:
        if any(is_total_label(t) for t in (r.name, r.unit or "")):
            continue
        if r.group == "unit":
            current_unit = compact(r.name)
            continue
        if r.group or r.total is None or not r.name:
            continue
        out.append(Project(display_name(r.name), to_yuan(r.total, unit_money),
                           doc.ref(r.raw.first_line, r.raw.last_line, table.label), table.label,
                           unit_name=compact(r.unit) if r.unit else current_unit,
                           columns=tuple((k, to_yuan(v, unit_money)) for k, v in r.columns),
                           description=r.text or None))
    return out
