"""Classification tables → BudgetLines: header wording picks the columns, identities place the numbers."""
from decimal import Decimal as D

from fundflow.core.model import BudgetLine, RawRow, RawTable, SourceDocument, TableIssue
from fundflow.records.classification import table_to_budget_lines

DOC = SourceDocument("x.txt", "x.txt", "0" * 64, "utf-8", tuple(f"line {i}" for i in range(1, 40)))
HEADER = ("科目编码 科目名称 合计", "基本支出", "项目支出", "小计 人员经费 公用经费")


def _table(rows, aligned=False, header=HEADER, kind="expenditure"):
    raw = tuple(RawRow(tuple(r.split()), i + 10, i + 10, aligned) for i, r in enumerate(rows))
    return RawTable(kind, "3", "支出预算总表", "万元", header, raw, 5, 30)


def _lines(table):
    return [r for r in table_to_budget_lines(DOC, table, "万元") if isinstance(r, BudgetLine)]


def test_dropped_cells_placed_by_identities():
    t = _table(["合计 243,492.11 6,007.36 5,421.52 585.84 237,484.75",
                "210 卫生健康支出 242,214.07 4,729.32 4,147.72 581.60 237,484.75",
                "21012 财政对基本医疗保险基金的补助 209,551.00 209,551.00",
                "2101202 财政对城乡居民基本医疗保险基金的补助 209,551.00 209,551.00",
                "2101599 其他医疗保障管理事务支出 127.70 127.70"])
    got = {(b.code, b.amount_type): b.amount for b in _lines(t)}
    assert got[("2101202", "Total")] == D("2095510000.00")
    assert got[("2101202", "ProjectExpenditure")] == D("2095510000.00")
    assert ("2101202", "Basic") not in got
    assert got[("", "Personnel")] == D("54215200.00")
    assert got[("2101599", "ProjectExpenditure")] == D("1277000.00")


def test_provenance_lines_are_the_rows_lines():
    line = next(b for b in _lines(_table(["2101599 其他医疗保障管理事务支出 127.70 127.70"])) if b.amount_type == "Total")
    assert (line.ref.first_line, line.ref.last_line, line.ref.table) == (10, 10, "表3")


def test_ambiguous_row_is_flagged_and_reported():
    t = _table(["2080505 机关事业单位基本养老保险缴费支出 548.86 548.86 548.86"])
    out = table_to_budget_lines(DOC, t, "万元")
    lines = [r for r in out if isinstance(r, BudgetLine)]
    assert {b.amount_type: b.ambiguous for b in lines}["Total"] is False
    assert any(b.ambiguous for b in lines)
    assert any(isinstance(r, TableIssue) and r.kind == "ambiguous" for r in out)


def test_sibling_sums_decide_ambiguous_rows():
    t = _table(["20805 行政事业单位养老支出 722.22 722.22 717.98 4.24",
                "2080502 事业单位离退休 173.36 173.36 169.12 4.24",
                "2080505 机关事业单位基本养老保险缴费支出 548.86 548.86 548.86"])
    lines = _lines(t)
    assert not any(b.ambiguous for b in lines)
    assert {(b.code, b.amount_type) for b in lines if b.code == "2080505"} == {
        ("2080505", "Total"), ("2080505", "Basic"), ("2080505", "Personnel")}


def test_aligned_rows_keep_their_columns():
    t = _table(["2101103\t公务员医疗补助\t3,240.00\t\t\t\t3,240.00"], aligned=True)
    t = RawTable(t.kind, t.number, t.title, t.money_unit, t.header,
                 (RawRow(("2101103", "公务员医疗补助", "3,240.00", "", "", "", "3,240.00"), 10, 10, True),), 5, 30)
    got = {b.amount_type for b in _lines(t)}
    assert got == {"Total", "ProjectExpenditure"}


def test_unknown_header_is_reported_not_guessed():
    out = table_to_budget_lines(DOC, _table(["210 卫生健康支出 1.00"], header=("科目 数额 其他",)), "万元")
    assert len(out) == 1 and out[0].kind == "unrecognised" and "header_maps.csv" in out[0].message


def test_unreadable_amount_is_reported_with_its_line():
    out = table_to_budget_lines(DOC, _table(["210 卫生健康支出 2,1O3.5"]), "万元")
    issue = next(r for r in out if isinstance(r, TableIssue))
    assert issue.kind == "unreadable" and issue.ref.first_line == 10 and "2,1O3.5" in issue.message


def test_rows_by_unit_give_each_unit_its_totals():
    header = ("单位名称", "合计 基本支出 项目支出")
    t = _table(["合计 6,894.75 4,510.19 2,384.56", "沈阳市医疗保障局本级 1,249.11 1,249.11",
                "沈阳市医疗保障事务服务中心 5,645.64 3,261.08 2,384.56"], header=header)
    lines = _lines(t)
    by_unit = {(b.unit_name, b.amount_type): b.amount for b in lines}
    assert by_unit[("沈阳市医疗保障局本级", "Total")] == D("12491100.00")
    assert by_unit[("沈阳市医疗保障事务服务中心", "ProjectExpenditure")] == D("23845600.00")
    assert by_unit[(None, "Total")] == D("68947500.00")
    assert by_unit[("沈阳市医疗保障局本级", "Basic")] == D("12491100.00")  # decided by 合计 = Σ units
    assert all(b.code == "" for b in lines)


def test_operating_costs_table_is_read_with_its_own_amount_type():
    header = ("科目编码 科目名称 机关运行经费支出",)
    t = RawTable("operating_costs", "11", "一般公共预算机关运行经费支出预算表", "万元", header,
                 (RawRow(("", "合计", "2,391.92"), 10, 10, True), RawRow(("302", "商品和服务支出", "2,391.92"), 11, 11, True),
                  RawRow(("30201", "办公费", "158.00"), 12, 12, True)), 5, 30)
    got = {(b.code, b.amount_type, b.code_scheme): b.amount for b in _lines(t)}
    assert got[("30201", "OperatingCosts", "econ_dept")] == D("1580000.00")
    assert got[("", "OperatingCosts", "econ_dept")] == D("23919200.00")
