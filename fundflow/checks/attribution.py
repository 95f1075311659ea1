"""F04: projects attributed to the units the document's own by-unit table gives the project money to.

A department document prints each unit's 项目支出 in its 支出预算按单位 table (部门公开表10,
…) and lists the projects with their unit in the project table.  Where a unit's
printed 项目支出 differs from the sum of the projects attributed to it, that is a
finding with both sides' lines; when exactly one subset of the unit's projects adds up
to the printed figure, the message names it (the projects the table gives the unit).
"""
from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from itertools import combinations

from fundflow.checks.rules import Checker, terms_tolerance
from fundflow.core.model import BudgetLine, Project
from fundflow.core.normalize import normalize_name

ZERO = Decimal(0)
MAX_SEARCH = 16  # projects of one unit searched for the subset the by-unit table implies


def _key(name: str | None, code: str | None) -> str:
    return code or normalize_name(name or "")


def _by_unit_lines(ck: Checker) -> list[BudgetLine]:
    """项目支出 of each unit (not the department's 合计) in the expenditure table that names the most units."""
    dept = normalize_name(ck.parsed.meta.department or "")
    lines = [b for b in ck.parsed.of(BudgetLine) if b.table_kind == "expenditure" and not b.code
             and b.amount_type == "ProjectExpenditure" and not b.fund_type and (b.unit_name or b.unit_code)
             and normalize_name(b.unit_name or "") != dept]
    tables: dict[str, list[BudgetLine]] = defaultdict(list)
    for b in lines:
        tables[b.table].append(b)
    best = max(tables.values(), key=len, default=[])
    return best if len({_key(b.unit_name, b.unit_code) for b in best}) >= 2 else []


def _unique_subset(projects: list[Project], target: Decimal, tol: Decimal) -> list[Project] | None:
    """The one subset of ``projects`` summing to ``target`` (within ``tol``), None when none or several."""
    if len(projects) > MAX_SEARCH:
        return None
    found = [c for k in range(len(projects) + 1) for c in combinations(projects, k)
             if abs(sum((p.amount for p in c), ZERO) - target) <= tol]
    return list(found[0]) if len(found) == 1 else None


def _wan(amount: Decimal) -> str:
    return f"{(amount / 10000).quantize(Decimal('0.01')):,}"


def check_attribution(ck: Checker) -> None:
    """F04: per unit of the by-unit table, printed 项目支出 = Σ the projects the project table gives it."""
    lines = _by_unit_lines(ck)
    projects = [p for p in ck.parsed.of(Project) if p.unit_name or p.unit_code]
    if not lines or not projects:
        return
    mine: dict[str, list[Project]] = defaultdict(list)
    for p in projects:
        mine[_key(p.unit_name, p.unit_code)].append(p)
    for b in lines:
        given = mine.get(_key(b.unit_name, b.unit_code), [])
        if not given and b.unit_code and b.unit_name:
            given = mine.get(normalize_name(b.unit_name), [])
        tol = terms_tolerance(ck.table_step(b.table), len(given))
        what = f"{b.unit_name or b.unit_code} {b.table} 项目支出 = Σ projects the project table attributes to it"
        total = sum((p.amount for p in given), ZERO)
        if abs(total - b.amount) > tol and given:
            subset = _unique_subset(given, b.amount, tol)
            if subset is not None:
                what += (f" (of its {len(given)} projects only "
                         + "、".join(f"{p.name} {_wan(p.amount)}" for p in subset) + f" add up to {_wan(b.amount)})")
        ck.compare("F04", what, b.amount, total, tol, [b.ref], [p.ref for p in given])


CHECKS = [check_attribution]
