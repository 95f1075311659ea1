"""A document's records → which unit each project belongs to, by the document's own by-unit table.

A department document prints each unit's 项目支出 in its 支出预算按单位 table (部门公开表10,
…) and lists the projects with a unit column the layout may not carry down (a cell
printed once for a block of rows).  ``attribute_projects(parsed)`` → {record position:
(unit name, unit code)} for the projects the by-unit table gives to another unit than
the project table: for a unit given more than its printed 项目支出, the one subset of
its projects that adds up to that figure stays; the rest go to the one unit whose
printed 项目支出 they make up.  Anything less certain changes nothing.
"""
from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from itertools import combinations

from fundflow.core.model import BudgetLine, ParsedDocument, Project
from fundflow.core.normalize import normalize_name, step_of, terms_tolerance

ZERO = Decimal(0)
MAX_SEARCH = 16  # projects of one unit searched for the subset the by-unit table implies


def unit_key(name: str | None, code: str | None) -> str:
    """A unit as the tables name it: its code, else its normalised name."""
    return code or normalize_name(name or "")


def by_unit_lines(parsed: ParsedDocument) -> list[BudgetLine]:
    """项目支出 of each unit (not the department's 合计) in the expenditure table that names the most units."""
    dept = normalize_name(parsed.meta.department or "")
    lines = [b for b in parsed.of(BudgetLine) if b.table_kind == "expenditure" and not b.code
             and b.amount_type == "ProjectExpenditure" and not b.fund_type and (b.unit_name or b.unit_code)
             and normalize_name(b.unit_name or "") != dept]
    tables: dict[str, list[BudgetLine]] = defaultdict(list)
    for b in lines:
        tables[b.table].append(b)
    best = max(tables.values(), key=len, default=[])
    return best if len({unit_key(b.unit_name, b.unit_code) for b in best}) >= 2 else []


def _step(parsed: ParsedDocument, table: str) -> Decimal:
    """The rounding of one printed figure of ``table`` (its money unit, else the document's), in yuan."""
    unit = next((t.money_unit for t in parsed.tables if t.label == table and t.money_unit), parsed.meta.money_unit)
    return step_of(unit)


def unique_subset(items: list[tuple[int, Project]], target: Decimal, tol: Decimal) -> list[tuple[int, Project]] | None:
    """The one subset of ``items`` whose amounts add up to ``target`` (within ``tol``); None when none or several."""
    if len(items) > MAX_SEARCH:
        return None
    found = [c for k in range(len(items) + 1) for c in combinations(items, k)
             if abs(sum((p.amount for _i, p in c), ZERO) - target) <= tol]
    return list(found[0]) if len(found) == 1 else None


def attribute_projects(parsed: ParsedDocument) -> dict[int, tuple[str | None, str | None]]:
    """Record position → (unit name, unit code) for each project the by-unit table gives to another unit."""
    lines = by_unit_lines(parsed)
    projects = [(i, r) for i, r in enumerate(parsed.records) if isinstance(r, Project) and (r.unit_name or r.unit_code)]
    if not lines or not projects:
        return {}
    printed = {unit_key(b.unit_name, b.unit_code): b for b in lines}
    given: dict[str, list[tuple[int, Project]]] = defaultdict(list)
    for i, r in projects:
        given[unit_key(r.unit_name, r.unit_code)].append((i, r))
    step = _step(parsed, lines[0].table)
    gap = {u: b.amount - sum((p.amount for _i, p in given.get(u, [])), ZERO) for u, b in printed.items()}
    over = [u for u, d in gap.items() if d < -step]
    short = [u for u, d in gap.items() if d > step]
    if len(over) != 1 or len(short) != 1:
        return {}
    source, target = over[0], short[0]
    mine = given[source]
    keep = unique_subset(mine, printed[source].amount, terms_tolerance(step, len(mine)))
    if keep is None:
        return {}
    moved = [(i, p) for i, p in mine if (i, p) not in keep]
    if abs(sum((p.amount for _i, p in moved), ZERO) - gap[target]) > terms_tolerance(step, len(moved)):
        return {}
    line = printed[target]
    return {i: (line.unit_name, line.unit_code) for i, _p in moved}
