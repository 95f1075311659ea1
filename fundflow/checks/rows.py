"""Records of one table → findings of its identities: rows, columns and 三公 (R01–R05, R13–R14).

Each check takes a ``Checker`` (kg/checks.py) and records its findings there:
a row's total column = Σ its part columns (which columns is data,
``data/row_identities.csv``), a parent code = Σ its children, the 合计 row =
Σ the top-level rows, and the 三公 totals = Σ their items.
"""
from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from functools import lru_cache

from fundflow.checks.rules import Checker
from fundflow.core.model import BudgetLine, ThreeCosts
from fundflow.core.normalize import terms_tolerance
from fundflow.core.resources import read_csv

ZERO = Decimal(0)


@lru_cache(maxsize=1)
def row_identities() -> list[tuple[str, str, tuple[str, ...], bool]]:
    return [(r["rule"], r["total"], tuple(r["parts"].split("+")), r["fund_scoped"] == "yes")
            for r in read_csv("row_identities.csv")]


def _by_table(ck: Checker) -> dict[str, list[BudgetLine]]:
    tables: dict[str, list[BudgetLine]] = defaultdict(list)
    for b in ck.parsed.of(BudgetLine):
        tables[b.table].append(b)
    return tables


def _key(b: BudgetLine) -> str:
    return b.amount_type + ("/" + b.fund_type if b.fund_type else "")


def check_rows(ck: Checker) -> None:
    """R01–R03: in each row, the total column = Σ its part columns."""
    for label, lines in _by_table(ck).items():
        rows: dict[tuple[str, str, str, int], dict[str, BudgetLine]] = defaultdict(dict)
        for b in lines:  # rows without a code are told apart by their unit and line
            rows[(b.code_scheme, b.code, b.unit_name or "", 0 if b.code else b.ref.first_line)][_key(b)] = b
        step = ck.table_step(label)
        for (_, code, unit, _line), cols in rows.items():
            for rule, total, parts, fund_scoped in row_identities():
                _row_identity(ck, rule, f"{label} row {code or unit or '合计'}", cols, total, parts, fund_scoped, step)


def _row_identity(ck, rule, row, cols, total, parts, fund_scoped, step) -> None:
    """``total`` = Σ ``parts`` in one row.  A part ``X/*`` stands for every column under X; parts
    a table does not print are left out, but the first part (the identity's anchor) must be
    printed: without it the identity is another table's."""
    funds = {k.partition("/")[2] for k in cols} if fund_scoped else {""}
    for fund in funds:
        suffix = "/" + fund if fund else ""
        head = cols.get(total + suffix)
        found = [[b for k, b in cols.items() if k.startswith(p[:-1])] if p.endswith("/*")
                 else [cols[p + suffix]] if p + suffix in cols else [] for p in parts]
        terms = [b for group in found for b in group]
        if head is None or not found[0] or (len(terms) < 2 and not parts[0].endswith("/*")):
            continue
        what = f"{row}: {total} = {' + '.join(_key(t) for t in terms)}"
        ck.compare(rule, what, head.amount, sum((t.amount for t in terms), ZERO),
                   terms_tolerance(step, len(terms)), [head.ref], [t.ref for t in terms],
                   ambiguous=head.ambiguous or any(t.ambiguous for t in terms))


def check_columns(ck: Checker) -> None:
    """R04 parent code = Σ children; R05 合计 row = Σ top-level rows (per table, column, fund)."""
    for label, lines in _by_table(ck).items():
        step = ck.table_step(label)
        cols: dict[tuple[str, str], dict[str, BudgetLine]] = defaultdict(dict)
        for b in lines:
            cols[(b.code_scheme, _key(b))][b.code] = b
        for (_, col), by_code in cols.items():
            children: dict[str, list[BudgetLine]] = defaultdict(list)  # one pass: a table of n codes costs n, not n²
            for c, b in by_code.items():
                if c:
                    children[_parent(c)].append(b)
            for code, head in by_code.items():
                kids = children.get(code, [])
                if not kids:
                    continue
                rule = "R05" if code == "" else "R04"
                what = f"{label} column {col}: {code or '合计'} = Σ {', '.join(k.code for k in kids)}"
                ck.compare(rule, what, head.amount, sum((k.amount for k in kids), ZERO),
                           terms_tolerance(step, len(kids)), [head.ref], [k.ref for k in kids],
                           ambiguous=head.ambiguous or any(k.ambiguous for k in kids))


def _parent(code: str) -> str:
    return "" if len(code) <= 3 else code[:-2]


def check_three_costs(ck: Checker) -> None:
    """R13 合计 = 出国 + 车 + 接待; R14 车 = 购置 + 运行 — per table, year and basis."""
    groups: dict[tuple, dict[str, ThreeCosts]] = defaultdict(dict)
    for r in ck.parsed.of(ThreeCosts):
        groups[(r.table, r.year, r.basis, r.unit_name)][r.item] = r
    for (table, year, basis, unit), items in groups.items():
        step = ck.table_step(table)
        for rule, total, parts in (("R13", "total", ("abroad", "vehicle", "reception")),
                                   ("R14", "vehicle", ("vehicle_purchase", "vehicle_operation"))):
            head = items.get(total)
            present = [items[p] for p in parts if p in items]
            if head is None or not present or (len(present) < len(parts) and ck.undecided(table)):
                continue  # missing cells are empty (zero) only when their total is printed and nothing was left undecided
            what = f"{table} {year or ''} {basis}{' ' + unit if unit else ''}: {total} = {' + '.join(parts)}"
            ck.compare(rule, what, head.amount, sum((p.amount for p in present), ZERO),
                       terms_tolerance(step, len(parts)), [head.ref], [p.ref for p in present])
