"""Reconciliation rules on crafted records and on the bundled samples."""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from fundflow.checks.reconcile import reconcile, reconcile_across
from fundflow.checks.rules import catalogue
from fundflow.core.model import (
    BudgetLine,
    DocumentMeta,
    ParsedDocument,
    Project,
    RawTable,
    SourceDocument,
    TableTotal,
    ThreeCosts,
)
from fundflow.core.normalize import terms_tolerance

SAMPLES = Path(__file__).resolve().parents[2] / "data" / "samples"
W = Decimal(10000)


def _doc(records, lines=("",), year=2024, kind="budget") -> ParsedDocument:
    src = SourceDocument("x.txt", "x.txt", "0" * 64, "utf-8", tuple(lines))
    meta = DocumentMeta("t", year, kind, "unit", None, (), "万元")
    return ParsedDocument(src, "test", meta, (), tuple(records))


def _line(code, amount_type, wan, table="表3", kind="expenditure", ambiguous=False, line=1):
    src = SourceDocument("x.txt", "x.txt", "0" * 64, "utf-8", ("",))
    return BudgetLine(table, kind, code, "function", "n", amount_type, Decimal(wan) * W, src.ref(line), None,
                      ambiguous=ambiguous)


def _violated(findings, rule):
    return [f for f in findings if f.rule == rule and f.status == "violated"]


def test_catalogue_lists_every_rule_with_severity():
    rules = catalogue()
    assert len(rules) >= 20
    assert all(r.severity in ("Violation", "Warning", "Info") for r in rules.values())


def test_row_identity_holds_within_rounding_and_fails_beyond():
    ok = [_line("210", "Total", "10.01"), _line("210", "Basic", "5.00"), _line("210", "ProjectExpenditure", "5.00")]
    assert not _violated(reconcile(_doc(ok)), "R01")  # 0.01 万元 is rounding for two terms
    bad = [_line("210", "Total", "10.03"), _line("210", "Basic", "5.00"), _line("210", "ProjectExpenditure", "5.00")]
    found = _violated(reconcile(_doc(bad)), "R01")
    assert len(found) == 1 and found[0].difference == Decimal("-300.00")


def test_parent_code_equals_sum_of_children():
    recs = [_line("210", "Total", "7"), _line("21011", "Total", "3"), _line("21012", "Total", "3"),
            _line("", "Total", "7")]
    found = _violated(reconcile(_doc(recs)), "R04")
    assert len(found) == 1 and found[0].expected == 7 * W and found[0].actual == 6 * W
    assert not _violated(reconcile(_doc(recs)), "R05")


def test_ambiguous_records_are_not_evidence():
    recs = [_line("210", "Total", "7"), _line("21011", "Total", "3", ambiguous=True)]
    findings = reconcile(_doc(recs))
    assert not _violated(findings, "R04")
    assert any(f.rule == "R04" and f.status == "skipped" for f in findings)


def test_summary_balance_and_three_costs():
    src = SourceDocument("x.txt", "x.txt", "0" * 64, "utf-8", ("",))
    recs = [TableTotal("表1", "summary", "income", "收入总计", 100 * W, src.ref(1)),
            TableTotal("表1", "summary", "expenditure", "支出总计", 101 * W, src.ref(1)),
            ThreeCosts("表7", 2024, "budget", "total", Decimal("5.4") * W, src.ref(2)),
            ThreeCosts("表7", 2024, "budget", "vehicle", Decimal("5.4") * W, src.ref(2)),
            ThreeCosts("表7", 2024, "budget", "reception", Decimal("0.1") * W, src.ref(2))]
    findings = reconcile(_doc(recs))
    assert len(_violated(findings, "R06")) == 1
    assert len(_violated(findings, "R13")) == 1


def test_tolerance_scales_with_terms():
    assert terms_tolerance(Decimal(100), 2) == Decimal(150)
    assert terms_tolerance(Decimal(1), 9) == Decimal(5)


def _named(lines, year):
    """A document of ``lines`` with the SubjectName records the records stage reads from them."""
    from fundflow.records.subject_names import subject_names

    plain = _doc([], lines, year=year)
    return ParsedDocument(plain.source, plain.loader, plain.meta, (), tuple(subject_names(plain.source)))


def test_old_edition_code_name_flagged_only_after_the_rename():
    lines = ("（十）医疗卫生与计划生育支出 1,146.53",)
    assert _violated(reconcile(_named(lines, 2019)), "R21")
    assert not _violated(reconcile(_named(lines, 2018)), "R21")


def test_old_edition_names_are_read_from_tables_and_prose_alike():
    # shenyang-bureau-2019 L119 (表1 row), L2557 (名词解释: the name as 类, no 支出); liaoning-2024 L596 says
    # 计划生育 but names no subject
    lines = ("\t （十）医疗卫生与计划生育支出",
             "13.医疗卫生与计划生育（类）医疗保障（款）行政单位医疗（项）：反映财政部门集中安排的行政单位基本医疗保",
             "（项）：反映从事卫生、劳动保护、计划生育、环境科学、农业")
    found = _violated(reconcile(_named(lines, 2019)), "R21")
    assert len(found) == 1 and [r.first_line for r in found[0].left] == [1, 2]
    assert "210 is named 医疗卫生与计划生育支出" in found[0].message
    assert not _violated(reconcile(_doc([], lines, year=2019)), "R21")  # the check reads records, not the lines


@pytest.fixture(scope="module")
def parsed_samples():
    from fundflow.records.pipeline import parse_document

    return {p.name: parse_document(p) for p in sorted(SAMPLES.glob("*.txt"))}


def test_every_identity_of_shenyang_2024_table3_holds(parsed_samples):
    findings = reconcile(parsed_samples["shenyang-center-2024-budget.txt"], include_held=True)
    t3 = [f for f in findings if f.message.startswith("表3 ")]
    assert len([f for f in t3 if f.status == "held"]) >= 30
    assert not [f for f in t3 if f.status != "held"]


def test_samples_give_the_genuine_findings_only(parsed_samples):
    got = {(name, f.rule) for name, p in parsed_samples.items() for f in reconcile(p) if f.failed}
    assert got == {
        ("anshan-center-2026-budget.txt", "R15"),  # 公务接待费 0.1 万元 in the 说明, empty in 表7
        ("anshan-center-2026-budget.txt", "R16"),  # 收入预算 1,681.43 元 (tables: 万元)
        ("anshan-center-2026-budget.txt", "R17"),  # 1.23 / 1,680.20 = 0.07 %, printed 0.73 %
        ("anshan-center-2026-budget.txt", "R20"),  # 三公 5.4 ≠ 0 + 0.1 + 5.4
        ("shenyang-bureau-2019-budget.txt", "R04"),  # 部门公开表7 22102 基本支出 379.51 ≠ 293.87 + (blank)
        ("shenyang-bureau-2019-budget.txt", "R21"),  # 医疗卫生与计划生育支出 etc. in a 2019 document
        ("shenyang-center-2024-budget.txt", "R21"),  # 医疗卫生与计划生育支出 in the 2024 说明
        ("shenyang-bureau-2019-budget.txt", "F04"),  # 部门公开表8 puts all ten projects under 本级; 表10: 本级 6.00
    }


def test_subject_names_of_a_document_of_unknown_year_are_skipped():
    lines = ("（十）医疗卫生与计划生育支出 1,146.53",)
    findings = reconcile(_named(lines, None))
    assert [(f.status, f.message) for f in findings if f.rule == "R21"] == [
        ("skipped", "the document's fiscal year is unknown")]


def _coded(table, code, name, line):
    src = SourceDocument("x.txt", "x.txt", "0" * 64, "utf-8", ("",))
    return BudgetLine(table, "expenditure", code, "function", name, "Total", 5 * W, src.ref(line))


def test_one_code_under_two_names_is_flagged_once_naming_both_lines():
    recs = [_coded("表3", "2101101", "行政运行", 12), _coded("表5", "2101101", "一般行政管理事务", 40)]
    (found,) = _violated(reconcile(_doc(recs)), "R22")
    assert found.message == "code 2101101 is named 行政运行 / 一般行政管理事务 in different tables"
    assert [r.first_line for r in found.left] == [12] and [r.first_line for r in found.right] == [40]


def test_a_name_printed_shorter_or_spaced_is_the_same_name():
    recs = [_coded("表3", "2101101", "行政运行", 12), _coded("表5", "2101101", "行政运行（医保）", 40),
            _coded("表6", "2101101", "行 政 运 行", 60)]
    assert not _violated(reconcile(_doc(recs)), "R22")


# anshan L166 项目支出 74.70 万元; 表17 sets targets for 经办大厅业务保障 (6.30) and 医保基金监管经费 (68.40)
def _projects_doc(projects, listed=False):
    src = SourceDocument("x.txt", "x.txt", "0" * 64, "utf-8", ("",))
    table = ("projects", "9", "项目支出预算表") if listed else ("project_performance", "17", "部门预算项目（政策）绩效目标表")
    tables = (RawTable(table[0], table[1], table[2], "万元", (), (), 590, 640),)
    head = BudgetLine("表3", "expenditure", "", "function", "合计", "ProjectExpenditure", Decimal("74.70") * W,
                      src.ref(370))
    recs = [head, *(Project(name, Decimal(wan) * W, src.ref(line), f"表{table[1]}") for name, wan, line in projects)]
    doc = _doc(recs)
    return ParsedDocument(doc.source, doc.loader, doc.meta, tables, doc.records)


SUPPORT, SUPERVISION = ("经办大厅业务保障", "6.30", 603), ("医保基金监管经费", "68.40", 612)


def test_projects_with_targets_that_cover_less_than_project_spending_are_no_breach():
    findings = [f for f in reconcile(_projects_doc([SUPERVISION]), include_held=True) if f.rule == "R11"]
    assert [(f.status, f.message) for f in findings] == [
        ("skipped", "no project list; the 1 projects with performance targets cover 68.40 万元 of 74.70 万元 项目支出")]


def test_projects_with_targets_that_cover_project_spending_are_compared():
    findings = [f for f in reconcile(_projects_doc([SUPPORT, SUPERVISION]), include_held=True) if f.rule == "R11"]
    assert [f.status for f in findings] == ["held"]


def test_a_project_list_short_of_project_spending_is_a_breach():
    (found,) = _violated(reconcile(_projects_doc([SUPERVISION], listed=True)), "R11")
    assert found.expected == Decimal("74.70") * W and found.actual == Decimal("68.40") * W


def _fund_doc(*records):
    doc = _doc(records)
    empty = RawTable("gov_fund", "8", "政府性基金预算支出表", "万元", (), (), 466, 478)  # anshan 表8: 为空表
    return ParsedDocument(doc.source, doc.loader, doc.meta, (empty,), doc.records)


def test_an_empty_government_fund_table_against_fund_money_elsewhere():
    src = SourceDocument("x.txt", "x.txt", "0" * 64, "utf-8", ("",))
    income = TableTotal("表1", "summary", "income", "政府性基金预算拨款收入", 50 * W, src.ref(30))
    (found,) = _violated(reconcile(_fund_doc(income)), "R12")
    assert found.message == "表8 is empty but 表1 shows government-fund money 50 万元"
    assert found.left[0].first_line == 466 and found.right[0].first_line == 30
    assert not _violated(reconcile(_fund_doc(TableTotal("表1", "summary", "income", "政府性基金预算拨款收入",
                                                        Decimal(0), src.ref(30)))), "R12")


def test_a_government_fund_table_with_figures_is_not_called_empty():
    src = SourceDocument("x.txt", "x.txt", "0" * 64, "utf-8", ("",))
    line = BudgetLine("表8", "gov_fund", "", "function", "合计", "Total", 50 * W, src.ref(474))
    income = TableTotal("表1", "summary", "income", "政府性基金预算拨款收入", 50 * W, src.ref(30))
    assert not _violated(reconcile(_fund_doc(line, income)), "R12")


def _accounts(kind, table, wan, year=2024):
    src = SourceDocument(f"{kind}.txt", f"{kind}.txt", "0" * 64, "utf-8", ("",))
    meta = DocumentMeta("t", year, kind, "department", "沈阳市医疗保障局", (), "万元")
    records = () if wan is None else (BudgetLine(table, "expenditure", "", "function", "合计", "Total",
                                                 Decimal(wan) * W, src.ref(38)),)
    return ParsedDocument(src, "test", meta, (), records)


def test_budget_and_final_accounts_of_one_department_and_year_are_compared():
    budget, final = _accounts("budget", "表3", "2374.84"), _accounts("final_accounts", "公开03表", "2300.00")
    (found,) = reconcile_across([budget, final])
    assert (found.rule, found.status) == ("R23", "violated")
    assert found.message.startswith("沈阳市医疗保障局 2024: budget 合计 vs final accounts 合计")
    assert found.expected - found.actual == Decimal("74.84") * W
    assert [f.status for f in reconcile_across([budget, _accounts("final_accounts", "公开03表", "2374.84")],
                                               include_held=True)] == ["held"]
    assert reconcile_across([budget, _accounts("final_accounts", "公开03表", "2300.00", year=2023)]) == []


def test_budget_against_final_accounts_without_a_total_is_skipped():
    (found,) = reconcile_across([_accounts("budget", "表3", "2374.84"), _accounts("final_accounts", "公开03表", None)])
    assert (found.rule, found.status) == ("R23", "skipped")
    assert found.message == "沈阳市医疗保障局 2024: an expenditure 合计 is missing"
