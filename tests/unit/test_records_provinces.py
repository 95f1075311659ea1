"""Records of other provinces' table shapes (crafted RawTables)."""
from __future__ import annotations

from decimal import Decimal

from fundflow.core.model import BudgetLine, RawRow, RawTable, SourceDocument, TableTotal
from fundflow.loaders.tablehead import label_bare_total
from fundflow.records.context import TableContext
from fundflow.records.tables import table_records

DOC = SourceDocument("x.txt", "x.txt", "0" * 64, "utf-8", tuple("l" for _ in range(40)))
CTX = TableContext(money_unit="万元", fiscal_year=2019, kind="budget", unit_name=None, department=None)


def test_expenditure_total_printed_without_label_gives_total_lines() -> None:
    header = ("合计        基本支出          项目支出      单位预留机动经费   结转下年资金",)
    rows = label_bare_total(header, [RawRow(("24169.74", "15844.04", "4335.30", "3990.4", ""), 9, 9, True)])
    assert rows[0].cells[:3] == ("", "合计", "24169.74")
    table = RawTable("expenditure", "03", "支出预算总表", "万元", header, tuple(rows), 5, 9)
    got = {r.amount_type: r.amount for r in table_records(DOC, table, CTX) if isinstance(r, BudgetLine)}
    assert got == {"Total": Decimal(241697400), "Basic": Decimal(158440400),
                   "ProjectExpenditure": Decimal(43353000), "Reserve": Decimal(39904000)}


def test_coded_tables_keep_their_rows() -> None:
    rows = [RawRow(("1.00", "2.00"), 9, 9)]
    assert label_bare_total(("科目编码 科目名称 合计",), rows) == rows
    assert label_bare_total(("合计 基本支出",), rows + rows) == rows + rows


def test_revenue_label_tree_gives_table_totals() -> None:
    rows = [("收入总计", "24169.74"), ("一般公共预算资金", "公共财政拨款（补助）资金", "24169.74"), ("专项收入", "")]
    table = RawTable("revenue", "02", "收入预算总表", "万元", ("项目名称         金额",),
                     tuple(RawRow(c, 9 + i, 9 + i, True) for i, c in enumerate(rows)), 5, 12)
    got = [(r.label, r.amount) for r in table_records(DOC, table, CTX) if isinstance(r, TableTotal)]
    assert ("收入总计", Decimal(241697400)) in got
    assert ("公共财政拨款（补助）资金", Decimal(241697400)) in got
