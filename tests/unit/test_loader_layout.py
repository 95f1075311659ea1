"""The 'layout' loader: pdftotext -layout text (columns aligned with blanks)."""
from __future__ import annotations

from pathlib import Path

from fundflow.core.model import SourceDocument
from fundflow.loaders.document import read_document
from fundflow.loaders.layout.loader import LayoutLoader
from fundflow.loaders.layout.text import align, header_leaves, line_to_pieces

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus"
SAMPLES = Path(__file__).resolve().parents[2] / "data" / "samples"


def doc_of(lines: list[str], name: str = "x.txt") -> SourceDocument:
    return SourceDocument(name, name, "0" * 64, "utf-8", tuple(lines))


def tables(lines: list[str]):
    return list(LayoutLoader().parse(doc_of(lines)))


SHANGHAI_LIKE = [
    "\f                              2025年部门支出预算总表",
    "编制部门：某区商务委员会                                                            单位：元",
    "",
    "                       项目                              支出预算",
    "功能分类科目编码",
    "                         功能分类科目名称       合计             基本支出            项目支出",
    "类     款    项",
    "201             一般公共服务支出               21,601,733.00   12,291,733.00    9,310,000.00",
    "201   13   01   行政运行                    9,389,913.00    9,389,913.00",
    "201   13   02   一般行政管理事务                4,545,000.00                    4,545,000.00",
    "                                 3",
    "\f                       项目                              支出预算",
    "功能分类科目编码",
    "                         功能分类科目名称       合计             基本支出            项目支出",
    "类     款    项",
    "201   13   99   其他商贸事务支出                4,765,000.00                    4,765,000.00",
    "                        合计        371,514,655.00   19,830,655.00   351,684,000.00",
]


def test_split_codes_and_columns_by_x_position():
    [t] = tables(SHANGHAI_LIKE)
    assert (t.kind, t.money_unit, t.unit_name, t.number) == ("expenditure", "元", "某区商务委员会", None)
    rows = {r.cells[0] or r.cells[1]: r for r in t.rows}
    assert rows["2011301"].cells == ("2011301", "行政运行", "9,389,913.00", "9,389,913.00", "")
    assert rows["2011302"].cells == ("2011302", "一般行政管理事务", "4,545,000.00", "", "4,545,000.00")
    assert rows["合计"].cells == ("", "合计", "371,514,655.00", "19,830,655.00", "351,684,000.00")
    assert all(r.aligned for r in t.rows)


def test_repeated_header_and_page_number_are_not_rows():
    [t] = tables(SHANGHAI_LIKE)
    assert len(t.rows) == 5
    assert (t.first_line, t.last_line) == (1, 17)
    assert not any("功能分类" in c or c == "3" for r in t.rows for c in r.cells)


def test_number_line_before_title_across_page_break_and_note_ends_table():
    lines = ["公开 04 表", "", "                 15", "\f                     财政拨款支出预算表（功能科目）",
             "部门名称： 江苏省某院                                 单位：万元",
             " 功能科目代码                   功能科目名称                       金额",
             "                     合   计                             24,169.74",
             "2040401    行政运行                                        12,268.62",
             "注：“科目编码”和“科目名称”为必填项。", "第三部分 名词解释"]
    [t] = tables(lines)
    assert (t.number, t.kind, t.first_line) == ("04", "appropriation_expenditure", 1)
    assert [r.cells for r in t.rows] == [("", "合计", "24,169.74"), ("2040401", "行政运行", "12,268.62")]
    assert t.last_line == 8


def test_name_wrapped_above_and_below_its_numbers_is_one_cell():
    lines = ["公开 08 表", "        一般公共预算基本支出预算表（经济科目）",
             "部门名称： 某院                            单位：万元",
             "           科目编码               科目名称       金额",
             "30103            奖金             180.14",
             "                 机关事业单位基本养老保险",
             "30108                           1,064.46",
             "                 缴费",
             "30109            职业年金缴费         425.79"]
    [t] = tables(lines)
    row = t.rows[1]
    assert row.cells[:2] == ("30108", "机关事业单位基本养老保险缴费")
    assert (row.first_line, row.last_line) == (6, 8)
    assert [r.cells[0] for r in t.rows] == ["30103", "30108", "30109"]


def test_table_of_contents_is_not_a_table_and_title_prefixes_are_read():
    lines = ["一、收支预算总表", "二、收入预算总表", "三、支出预算总表", "",
             "公开 09 表：一般公共预算“三公”经费、会议费、培训费", "支出预算表",
             "部门：      某院                          单位：万元",
             "  合计      因公出国（境）费     公务接待费",
             "  12.5         10                2.5"]
    [t] = tables(lines)
    assert (t.kind, t.number) == ("three_costs", "09")
    assert t.rows[0].cells == ("12.5", "10", "2.5")


def test_two_sided_summary_in_reading_order():
    lines = ["                         2025年部门财务收支预算总表",
             "编制部门：某区商务委员会                                                        单位：元",
             "            项目            预算数                         项目          预算数",
             "一、财政拨款收入                  371,514,655.00 一、一般公共服务支出                21,601,733.00",
             "2. 政府性基金                                   三、社会保障和就业支出              3,808,085.00",
             "二、事业收入                                     五、资源勘探工业信息等支出"]
    [t] = tables(lines)
    assert t.kind == "summary"
    assert [r.cells for r in t.rows] == [
        ("一、财政拨款收入", "371,514,655.00", "一、一般公共服务支出", "21,601,733.00"),
        ("2. 政府性基金", "三、社会保障和就业支出", "3,808,085.00"),
        ("二、事业收入", "五、资源勘探工业信息等支出")]
    assert not any(r.aligned for r in t.rows)


def test_align_refuses_when_positions_do_not_tell():
    leaves = header_leaves([line_to_pieces("科目名称      合计      基本支出      项目支出")])
    assert len(leaves) == 4
    row = line_to_pieces("行政运行                                                        9.00")
    assert align(row, leaves) == ["行政运行", "", "", "9.00"]
    assert align(line_to_pieces("a  1.00  2.00  3.00  4.00  5.00"), leaves) is None


def test_detect_prefers_layout_text_and_rejects_other_layouts():
    assert LayoutLoader().detect(doc_of(SHANGHAI_LIKE)) > 0.8
    assert LayoutLoader().detect(doc_of(["一般公共服务支出 21,601,733.00 12,291,733.00"] * 20)) == 0
    assert LayoutLoader().detect(doc_of(["201\t一般公共服务支出\t21.00"] * 20)) == 0


def test_detect_is_zero_on_the_samples_of_other_layouts():
    for path in sorted(SAMPLES.glob("*.txt")):
        assert LayoutLoader().detect(read_document(path)) == 0, path.name


def test_jiangsu_2019_all_twelve_tables():
    doc = read_document(CORPUS / "jiangsu_procuratorate_2019_dept_budget.txt")
    assert LayoutLoader().detect(doc) > 0.8
    found = list(LayoutLoader().parse(doc))
    assert [t.number for t in found] == [f"{n:02d}" for n in range(1, 13)]
    assert all(t.money_unit == "万元" and t.unit_name == "江苏省人民检察院" for t in found)
    by = {t.number: t for t in found}
    assert ("2040401", "行政运行", "12,268.62") in [r.cells for r in by["05"].rows]
    assert by["03"].rows[0].cells == ("", "合计", "24169.74", "15844.04", "4335.30", "3990.4", "")  # labelled total row
    assert ("30108", "机关事业单位基本养老保险缴费", "1,064.46") in [r.cells for r in by["08"].rows]
    assert by["10"].rows[0].cells == ("", "合计", "")


def test_shanghai_2025_tables_and_rows():
    doc = read_document(CORPUS / "shanghai_putuo_shangwuwei_2025_dept_budget.txt")
    found = list(LayoutLoader().parse(doc))
    kinds = [t.kind for t in found]
    assert kinds == ["summary", "revenue", "expenditure", "appropriation_summary", "general_expenditure",
                     "gov_fund", "state_capital", "general_basic", "three_costs"]
    revenue = found[1]
    assert revenue.money_unit == "元" and found[-1].money_unit == "万元"
    assert ("2011301", "行政运行", "9,389,913.00", "9,389,913.00", "", "", "") in [r.cells for r in revenue.rows]
    assert len(revenue.rows) == 31 and all(r.aligned for r in revenue.rows)
    assert found[-1].rows[0].cells[0] == "1.00" and found[-1].last_line < 370


def test_a_money_unit_printed_alone_at_the_end_of_the_line_under_a_title_opens_a_table():
    # 湖州 2026 表11 as a converted page prints "606-湖州市交通运输局   …   万元" under its title, no 单位：
    lines = ["湖州市交通运输局          中职教育专项             90.00       90.00",
             "表11",
             "                 2026年市级部门项目支出绩效表",
             "606-湖州市交通运输局                                          万元",
             "单位名称            项目名称             金额",
             "湖州市交通运输局    综合交通运行保障     7108.06"]
    tables = list(LayoutLoader().parse(doc_of(lines)))
    assert [(t.title, t.money_unit) for t in tables] == [("2026年市级部门项目支出绩效表", "万元")]
    assert tables[0].first_line == 2  # from its number line: the row above belongs to the table before
