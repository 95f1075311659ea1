"""The 'stream' loader on plain pdftotext text of other provinces' documents (crafted snippets)."""
from __future__ import annotations

from fundflow.core.model import SourceDocument
from fundflow.loaders.stream.loader import StreamLoader


def doc_of(lines: list[str], feeds: bool = False) -> SourceDocument:
    """Printed lines, each followed by a blank line; a form feed before each title when ``feeds``."""
    out: list[str] = []
    for ln in lines:
        out += [("\f" + ln) if feeds and ln.startswith("公开") else ln, ""]
    return SourceDocument("t.txt", "t.txt", "0" * 64, "utf-8", tuple(out))


JIANGSU_05 = ["公开05表", "财政拨款支出预算表（功能科目）", "部门：江苏省某办公厅", "单位：万元",
              "功能科目编码", "功能科目名称", "合计", "金额", "13,297.11", "201", "一般公共服务支出",
              "10,191.56", "20102", "政协事务", "10,191.56", "2010201", "行政运行", "5,223.22",
              "2010202", "一般行政管理事务", "3,159.78", "221", "住房保障支出", "2,247.04",
              "2210201", "住房公积金", "492.87"]


def test_one_cell_per_line_with_form_feeds_is_stream() -> None:
    doc = doc_of(JIANGSU_05 + ["公开06表", "财政拨款基本支出预算表（经济科目）", "单位：万元",
                               "科目编码", "科目名称", "合计", "6,442.75", "301", "工资福利支出", "4,367.96"],
                 feeds=True)
    assert StreamLoader().detect(doc) > 0.5
    t = list(StreamLoader().parse(doc))
    assert [(x.kind, x.number) for x in t] == [("appropriation_expenditure", "05"), ("appropriation_basic", "06")]
    assert t[0].rows[0].cells == ("合计", "13,297.11")
    assert t[0].rows[2].cells == ("20102", "政协事务", "10,191.56")


def test_title_with_ordinal_or_number_prefix_and_contents_skipped() -> None:
    lines = ["目录", "一、2018 年度某法院收支预算总表", "二、2018 年度某法院财政拨款支出预算表",
             "第三部分 情况说明", "五、2018 年度某法院财政拨款支出预算表", "单位：万元",
             "科目编码", "科目名称", "合计", "1,000.00", "201", "一般公共服务支出", "1,000.00",
             "公开 09 表：一般公共预算“三公”经费、会议费、培训费", "支出预算表", "单位：万元", "合计", "8.00"]
    t = list(StreamLoader().parse(doc_of(lines)))
    assert [(x.kind, x.number) for x in t] == [("appropriation_expenditure", None), ("three_costs", "09")]
    assert t[0].title.endswith("财政拨款支出预算表")


def test_page_numbers_at_form_feeds_counted_with_the_pages_are_furniture() -> None:
    from fundflow.loaders.stream.text import doc_to_lines
    raw = ["标题", "", "1", "", "\f301", "", "工资福利支出", "", "12.00", "", "2", "", "3.00", "4.00",
           "", "\f30101", "", "基本工资", "", "15", "", "\f30102"]
    doc = SourceDocument("t.txt", "t.txt", "0" * 64, "utf-8", tuple(raw))
    # 1 and 2 run with the pages (one more each form feed); 15 does not and stays a cell
    assert [ln.text for ln in doc_to_lines(doc)] == ["标题", "301", "工资福利支出", "12.00", "3.00", "4.00",
                                                     "30101", "基本工资", "15", "30102"]


def _rows(lines: list[str]) -> list[tuple[str, ...]]:
    [t] = list(StreamLoader().parse(doc_of(lines)))
    return [r.cells for r in t.rows]


def test_run_of_codes_before_rows_without_a_code_paired_in_order() -> None:
    rows = _rows(["公开08表", "一般公共预算基本支出预算表（经济科目）", "单位：万元", "科目编码", "科目名称",
                  "合计", "1,000.00", "30102", "津贴补贴", "600.00", "30103", "30108", "奖金", "150.00",
                  "机关事业单位基本养老保险", "250.00"])
    assert rows[2:] == [("30103", "奖金", "150.00"), ("30108", "机关事业单位基本养老保险", "250.00")]


def test_codes_split_into_class_cells_and_printed_after_their_rows() -> None:
    rows = _rows(["部门支出预算总表", "单位：元", "功能分类科目编码", "类", "款", "项", "功能分类科目名称", "合计",
                  "一般公共服务支出", "30.00", "商贸事务", "30.00", "201", "201", "13", "201", "13", "01",
                  "行政运行", "30.00", "科学技术支出", "5.00", "科技条件与服务", "5.00", "206", "206", "05",
                  "合计", "35.00"])
    assert rows == [("201", "一般公共服务支出", "30.00"), ("20113", "商贸事务", "30.00"),
                    ("2011301", "行政运行", "30.00"), ("206", "科学技术支出", "5.00"),
                    ("20605", "科技条件与服务", "5.00"), ("合计", "35.00")]


def test_codes_not_paired_when_the_run_and_the_rows_do_not_count_the_same() -> None:
    rows = _rows(["公开08表", "一般公共预算基本支出预算表（经济科目）", "单位：万元", "科目编码", "科目名称",
                  "合计", "1,000.00", "30102", "津贴补贴", "600.00", "30103", "30108", "30109", "奖金", "150.00",
                  "机关事业单位基本养老保险", "250.00"])
    assert ("30103", "奖金", "150.00") not in rows and ("30108", "奖金", "150.00") not in rows


def test_summary_printed_a_column_at_a_time_is_reported_not_read() -> None:
    from fundflow.core.model import TableIssue, TableTotal
    from fundflow.records.summary import table_to_totals
    lines = ["公开01表", "收支预算总表", "单位：万元", "收入", "支出", "一、财政拨款", "二、其他资金", "收入合计",
             "24,169.74", "12.00", "24,181.74", "一、公共安全支出", "支出合计", "24,181.74", "24,181.74"]
    doc = doc_of(lines)
    [t] = list(StreamLoader().parse(doc))
    out = table_to_totals(doc, t, "万元")
    assert not [r for r in out if isinstance(r, TableTotal)]
    assert [r.kind for r in out if isinstance(r, TableIssue)] == ["unreadable"]
