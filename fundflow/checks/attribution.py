"""Records → F04 findings: projects attributed to the units the document's own by-unit table gives the project money to.

A department document prints each unit's 项目支出 in its 支出预算按单位 table (部门公开表10,
…) and lists the projects with their unit in the project table.  Where a unit's
printed 项目支出 differs from the sum of the projects the project table attributes to
it, that is a finding with both sides' lines.  When the by-unit table settles it
(``analysis.attribution``: one subset of the unit's projects adds up to its figure, the
rest make up another unit's), the message says which projects the graph gives to whom.
"""
from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from fundflow.analysis.attribution import attribute_projects, by_unit_lines, unit_key
from fundflow.checks.rules import Checker
from fundflow.core.model import Project
from fundflow.core.normalize import in_wan, terms_tolerance

ZERO = Decimal(0)




def check_attribution(ck: Checker) -> None:
    """F04: per unit of the by-unit table, printed 项目支出 = Σ the projects the project table gives it."""
    lines = by_unit_lines(ck.parsed)
    projects = [(i, r) for i, r in enumerate(ck.parsed.records) if isinstance(r, Project) and (r.unit_name or r.unit_code)]
    if not lines or not projects:
        return
    moved = attribute_projects(ck.parsed)
    mine: dict[str, list[Project]] = defaultdict(list)
    for _i, p in projects:
        mine[unit_key(p.unit_name, p.unit_code)].append(p)
    gone = [(i, r) for i, r in projects if i in moved]
    for b in lines:
        key = unit_key(b.unit_name, b.unit_code)
        given = mine.get(key, [])
        tol = terms_tolerance(ck.table_step(b.table), len(given))
        what = f"{b.unit_name or b.unit_code} {b.table} 项目支出 = Σ projects the project table attributes to it"
        left = [r for i, r in gone if unit_key(r.unit_name, r.unit_code) == key]
        came = [r for i, r in gone if moved[i] == (b.unit_name, b.unit_code)]
        if left:
            kept = [p for p in given if p not in left]
            what += (f" (of its {len(given)} projects only " + "、".join(f"{p.name} {in_wan(p.amount)}" for p in kept)
                     + f" add up to {in_wan(b.amount)}: the other {len(left)}, {in_wan(sum((p.amount for p in left), ZERO))},"
                     f" are attributed to {moved[next(i for i, r in gone if r in left)][0]})")
        if came:
            what += (f" (the {len(came)} projects, {in_wan(sum((p.amount for p in came), ZERO))}, that another unit's"
                     " figure leaves over make it up: attributed to it)")
        ck.compare("F04", what, b.amount, sum((p.amount for p in given), ZERO), tol, [b.ref], [p.ref for p in given])


CHECKS = [check_attribution]
