"""A table by unit whose units' subject rows print no code: the units' totals are read, the subject
rows are not (their codes cannot be told apart per unit), and an ``uncoded`` issue says so."""
from decimal import Decimal

from fundflow.core.model import BudgetLine, TableIssue
from fundflow.records.pipeline import parse_document

TEXT = ["某市医疗保障局2024年部门预算", "支出预算按单位分类汇总表", "表 2", "单位：万元",
        "单位名称 合计 基本支出 项目支出",
        "合计 350.00 240.00 110.00",
        "某市医疗保障局本级 300.00 200.00 100.00",
        "卫生健康支出 300.00 200.00 100.00",
        "某市医疗保障事务服务中心 50.00 40.00 10.00",
        "行政事业单位医疗 50.00 40.00 10.00"]


def test_subject_rows_without_codes_under_units_are_reported_not_dropped(tmp_path):
    path = tmp_path / "by-unit.txt"
    path.write_text("".join(f"{line}\n\n" for line in TEXT), encoding="utf-8")
    parsed = parse_document(path, "stream")
    totals = {(b.unit_name, b.amount_type): b.amount for b in parsed.of(BudgetLine) if b.unit_name}
    assert totals[("某市医疗保障局本级", "Total")] == Decimal("3000000.00")
    assert totals[("某市医疗保障事务服务中心", "ProjectExpenditure")] == Decimal("100000.00")
    assert not [b for b in parsed.of(BudgetLine) if b.name in ("卫生健康支出", "行政事业单位医疗")]
    [issue] = [i for i in parsed.of(TableIssue) if i.kind == "uncoded"]
    assert "2 subject row(s)" in issue.message and "卫生健康支出" in issue.message
    assert (issue.ref.first_line, issue.ref.last_line) == (15, 19)  # 卫生健康支出 … 行政事业单位医疗, blank lines between
