"""Records of the tables of one document → findings of the identities across them; two documents → budget vs final accounts.

Summary tables (R06), summary ↔ revenue ↔ expenditure and 表3/表4/表5/表6
(R07–R10), 项目支出 ↔ projects (R11), the empty 政府性基金 table (R12), and
budget vs final accounts of the same unit and year (R23, ``budget_vs_final``).
Each check takes a ``Checker`` (kg/checks.py) and records its findings there.
``CHECKS`` lists every per-document table check in the order they run; the
identities within one table are ``checks_rows``, the code names ``checks_names``.
"""
from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from fundflow.checks.names import check_code_names, check_name_consistency
from fundflow.checks.rows import check_columns, check_rows, check_three_costs, row_identities
from fundflow.checks.rules import Checker, Finding, catalogue, wan_label
from fundflow.core.model import BudgetLine, ParsedDocument, Project, TableTotal
from fundflow.core.normalize import compact, step_of, terms_tolerance

__all__ = ["CHECKS", "budget_vs_final", "check_code_names", "check_columns", "check_cross", "check_gov_fund",
           "check_name_consistency", "check_projects", "check_rows", "check_summary", "check_three_costs",
           "row_identities"]

ZERO = Decimal(0)


def _totals(ck: Checker, kind: str) -> list[TableTotal]:
    return [t for t in ck.parsed.of(TableTotal) if t.table_kind == kind]


def _label(totals: list[TableTotal], *names: str, side: str | None = None) -> TableTotal | None:
    """The first total (in line order) printed under one of ``names`` (tried in order), on ``side``."""
    for name in names:
        for t in totals:
            if compact(t.label) == name and (side is None or t.side == side):
                return t
    return None


def check_summary(ck: Checker) -> None:
    """R06: 收入总计 = 支出总计 in every summary table."""
    for kind in ("summary", "appropriation_summary"):
        totals = _totals(ck, kind)
        if not totals:
            continue
        inc = _label(totals, "收入总计", "总计", side="income")
        exp = _label(totals, "支出总计", "总计", side="expenditure")
        if inc is None or exp is None:
            ck.skip("R06", f"{totals[0].table}: 收入总计 or 支出总计 not found", [totals[0].ref])
            continue
        ck.compare("R06", f"{inc.table} 收入总计 = 支出总计", inc.amount, exp.amount,
                   terms_tolerance(ck.table_step(inc.table), 1), [inc.ref], [exp.ref])


def _grand(ck: Checker, kind: str, amount_type: str = "Total") -> BudgetLine | None:
    """The 合计 row's figure of the first table of ``kind`` that has one."""
    for b in ck.parsed.of(BudgetLine):
        if b.table_kind == kind and b.code == "" and b.amount_type == amount_type and b.fund_type is None:
            return b
    return None


def _illegible(ck: Checker, kind: str) -> bool:
    return any(t.kind == kind and t.illegible for t in ck.parsed.tables)


def _need(ck: Checker, rule: str, kind: str, what: str, amount_type: str = "Total") -> BudgetLine | None:
    line = _grand(ck, kind, amount_type)
    if line is None:
        why = "illegible" if _illegible(ck, kind) else "missing or not read"
        ck.skip(rule, f"{what}: the {kind} table's 合计 {amount_type} is {why}")
    return line


def check_cross(ck: Checker) -> None:
    """R07–R10: summary ↔ revenue ↔ expenditure; 表3 − 表5; 表4 ↔ 表5; 表5 ↔ 表6."""
    budget = ck.parsed.meta.kind == "budget"
    summ = _totals(ck, "summary")
    exp_total = _label(summ, "支出总计" if budget else "本年支出合计")
    inc_total = _label(summ, "收入总计" if budget else "本年收入合计")
    t3 = _need(ck, "R07", "expenditure", "summary ↔ expenditure table")
    if t3 and exp_total:
        _cmp(ck, "R07", f"{exp_total.table} {compact(exp_total.label)} = {t3.table} 合计", exp_total, t3)
    t2 = _need(ck, "R07", "revenue", "summary ↔ revenue table")
    if t2 and inc_total:
        _cmp(ck, "R07", f"{inc_total.table} {compact(inc_total.label)} = {t2.table} 合计", inc_total, t2)
    t5 = _need(ck, "R09", "general_expenditure", "general-public-budget table")
    if budget and t5:
        gpb = _label(_totals(ck, "appropriation_summary"), "一般公共预算拨款收入", "一般公共预算拨款")
        if gpb:
            _cmp(ck, "R09", f"{gpb.table} 一般公共预算拨款收入 = {t5.table} 合计", gpb, t5)
        _t3_minus_t5(ck, t3, t5, summ)
    _t5_vs_t6(ck)


def _cmp(ck: Checker, rule: str, what: str, printed, other) -> None:
    ck.compare(rule, what, printed.amount, other.amount, terms_tolerance(ck.table_step(printed.table), 1),
               [printed.ref], [other.ref], ambiguous=getattr(other, "ambiguous", False))


def _t3_minus_t5(ck: Checker, t3, t5, summ: list[TableTotal]) -> None:
    """R08: 表3 − 表5 is the money that is not this year's general-public-budget appropriation."""
    total = _label(summ, "收入总计", "总计", side="income")
    gpb = _label(summ, "一般公共预算拨款收入", "一般公共预算拨款")
    if t3 is None or total is None or gpb is None:
        ck.skip("R08", "表3 − 表5: the expenditure table or the summary's 收入总计 / 一般公共预算拨款收入 is missing")
        return
    ck.compare("R08", f"{t3.table} 合计 − {t5.table} 合计 = {total.table} 收入总计 − 一般公共预算拨款收入",
               total.amount - gpb.amount, t3.amount - t5.amount, terms_tolerance(ck.table_step(t3.table), 3),
               [total.ref, gpb.ref], [t3.ref, t5.ref], ambiguous=t3.ambiguous or t5.ambiguous)


def _t5_vs_t6(ck: Checker) -> None:
    """R10: 表6 合计 / 人员经费 / 公用经费 = 表5 基本支出 / 人员经费 / 公用经费."""
    pairs = (("Basic", "Total"), ("Personnel", "Personnel"), ("Public", "Public"))
    for t5_col, t6_col in pairs:
        t5 = _grand(ck, "general_expenditure", t5_col)
        t6 = _grand(ck, "general_basic", t6_col)
        if t5 is None or t6 is None:
            if t5_col == "Basic":
                ck.skip("R10", "表5 基本支出 or 表6 合计 is missing or illegible")
            continue
        _cmp(ck, "R10", f"{t6.table} {t6_col} = {t5.table} {t5_col}", t6, t5)


def check_projects(ck: Checker) -> None:
    """R11: 表3 项目支出 = Σ projects (表9, else the project performance tables)."""
    if ck.parsed.meta.kind != "budget":
        return
    head = _need(ck, "R11", "expenditure", "项目支出 ↔ projects", "ProjectExpenditure")
    projects = ck.parsed.of(Project)
    listed = [t.label for t in ck.parsed.tables if t.kind == "projects" and not t.illegible]
    chosen = [p for p in projects if p.table in listed] or projects
    if head is None:
        return
    if not chosen:
        ck.skip("R11", "no project is listed (project tables missing or illegible)", [head.ref])
        return
    total = sum((p.amount for p in chosen), ZERO)
    if not any(p.table in listed for p in chosen) and total < head.amount:
        # a document need not set performance targets for every project: less is no breach
        ck.skip("R11", f"no project list; the {len(chosen)} projects with performance targets cover "
                       f"{wan_label(total)} of {wan_label(head.amount)} 项目支出", [head.ref])
        return
    ck.compare("R11", f"{head.table} 项目支出 = Σ {len(chosen)} projects", head.amount,
               sum((p.amount for p in chosen), ZERO), terms_tolerance(ck.table_step(head.table), len(chosen)),
               [head.ref], [p.ref for p in chosen], ambiguous=head.ambiguous)


def check_gov_fund(ck: Checker) -> None:
    """R12: an empty 政府性基金 table and zero government-fund figures elsewhere."""
    tables = [t for t in ck.parsed.tables if t.kind == "gov_fund"]
    if not tables or any(t.illegible for t in tables):
        return
    labels = {t.label for t in tables}
    lines = [b for b in ck.parsed.of(BudgetLine) if b.table in labels and b.amount]
    if lines:
        return
    elsewhere = [t for t in ck.parsed.of(TableTotal) if "政府性基金" in t.label and t.amount] + \
                [b for b in ck.parsed.of(BudgetLine) if b.fund_type == "GovernmentFund" and b.amount and not b.ambiguous]
    where = ck.parsed.source.ref(tables[0].first_line, tables[0].last_line, tables[0].label)
    for other in elsewhere:
        ck.flag("R12", f"{'/'.join(sorted(labels))} is empty but {other.table} shows government-fund money "
                       f"{other.amount / 10000} 万元", [where], [other.ref])


def budget_vs_final(docs: list[ParsedDocument]) -> list[Finding]:
    """R23 (soft): budget 表3 合计 vs final accounts 公开03 合计 of the same unit and year."""
    out: list[Finding] = []
    by_key: dict[tuple, dict[str, ParsedDocument]] = defaultdict(dict)
    for d in docs:
        unit = d.meta.units[0].name if d.meta.units else d.meta.department
        by_key[(unit, d.meta.fiscal_year)][d.meta.kind] = d
    for (unit, year), kinds in by_key.items():
        if "budget" not in kinds or "final_accounts" not in kinds:
            continue
        ck_b, ck_f = Checker(kinds["budget"]), Checker(kinds["final_accounts"])
        b, f = _grand(ck_b, "expenditure"), _grand(ck_f, "expenditure")
        if b is None or f is None:
            out.append(Finding("R23", ck_b.name, "skipped", catalogue()["R23"].severity,
                               f"{unit} {year}: an expenditure 合计 is missing"))
            continue
        ck_b.compare("R23", f"{unit} {year}: budget 合计 vs final accounts 合计", b.amount, f.amount,
                     step_of("万元"), [b.ref], [f.ref])
        out.extend(ck_b.out)
    return out


CHECKS = [check_rows, check_columns, check_summary, check_cross, check_projects, check_gov_fund,
          check_three_costs, check_code_names, check_name_consistency]
