"""The 'cells' layout loader (one cell per line): crafted snippets, then the sample."""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from fundflow.core.model import SourceDocument
from fundflow.core.normalize import is_amount, parse_amount
from fundflow.loaders.cells.loader import CellsLoader
from fundflow.loaders.document import read_document
from fundflow.loaders.titles import match_title

SAMPLES = Path(__file__).resolve().parents[2] / "data" / "samples"
IDEO = "\u3000"


def doc_of(*lines: str) -> SourceDocument:
    return SourceDocument("x.txt", "x.txt", "0" * 64, "utf-8", tuple(lines))


def tables(*lines: str):
    return list(CellsLoader().parse(doc_of(*lines)))


HEAD = ["\t部门公开表2", "", "\t一般公共预算支出表", "", "\t ", "\t单位：万元", "",
        "\t功能分类科目", "\t2019年预算数", "", "\t科目编码", "\t科目名称", "\t合计", "\t基本支出", "\t项目支出", ""]


def test_number_line_then_title_header_groups_and_width():
    (t,) = tables(*HEAD, "\t合计", f"\t6,894.75{IDEO}", "\t4,510.19", "\t2,384.56", "")
    assert (t.kind, t.number, t.title, t.money_unit) == ("general_expenditure", "2", "一般公共预算支出表", "万元")
    assert t.header == ("功能分类科目\t2019年预算数", "科目编码\t科目名称\t合计\t基本支出\t项目支出")
    assert t.rows[0].cells == ("合计", "6,894.75", "4,510.19", "2,384.56") and not t.rows[0].aligned


def test_cells_split_by_blank_lines_join_into_one_row():
    (t,) = tables(*HEAD, f"\t{IDEO}", "", "\t合计", "\t6,894.75 ", "\t4,510.19", "\t2,384.56", "",
                  "\t201", "", "\t一般公共服务支出", "", f"\t{IDEO}", "", f"\t{IDEO}", "", f"\t{IDEO}", "", "",
                  "\t  20801", "\t人力资源和社会保障管理事务", "", "\t4,882.96 ", "", "\t2,498.40 ",
                  f"\t{IDEO}2,384.56 ")
    assert [r.cells for r in t.rows] == [("", "合计", "6,894.75", "4,510.19", "2,384.56"),
                                         ("201", "一般公共服务支出", "", "", ""),
                                         ("20801", "人力资源和社会保障管理事务", "4,882.96", "2,498.40", "2,384.56")]
    assert all(r.aligned for r in t.rows)
    assert (t.rows[1].first_line, t.rows[1].last_line) == (len(HEAD) + 8, len(HEAD) + 16)


def test_code_opens_a_row_without_blank_line_and_double_tab_is_an_empty_cell():
    (t,) = tables(*HEAD, "\t2080107", "", "\t社会保险业务管理事务", "", "\t2,498.40 ", "", "\t2,498.40 ", "\t",
                  "\t2080109", "", "\t社会保险经办机构", "", "\t2,384.56 ", "", "\t\t2,384.56", "")
    assert [r.cells for r in t.rows] == [("2080107", "社会保险业务管理事务", "2,498.40", "2,498.40", ""),
                                         ("2080109", "社会保险经办机构", "2,384.56", "", "2,384.56")]


PROJECTS = ["\t部门公开表8", "", "\t项目支出预算表", "", "\t单位：万元", "",
            "\t部门/单位名称", "\t项目名称", "\t项目内容摘要", "\t项目明细", "\t绩效目标", "\t合计",
            "\t财政部门安排的预算拨款", "\t财政预算外专户拨款", "\t其他资金", "",
            f"\t{IDEO}某局", f"\t{IDEO}", "\t", "\t合计", "\t", "\t97.88 ", "\t97.88", "\t", "\t", "",
            "\t某局本级", "\t考核经费", "\t为加强监督管理", "\t安排经费20万元。", "\t", "\t20", "\t20.00 ", "\t", "\t",
            "", "", "安排经费77.88万元。一、审查费64.8万元", "", "\t二、专家费13.08万元", "\t……聘请专家进行审核", "\t77.88",
            "", "", "\t77.88 ", "\t", "\t", ""]


def test_project_rows_with_lost_names_keep_descriptions_and_amounts():
    (t,) = tables(*PROJECTS)
    assert t.kind == "projects" and len(t.rows) == 3
    assert t.rows[1].cells == ("某局本级", "考核经费", "为加强监督管理", "安排经费20万元。", "", "20", "20.00", "", "")
    lost = t.rows[2]
    assert lost.cells == ("安排经费77.88万元。一、审查费64.8万元二、专家费13.08万元", "……聘请专家进行审核",
                          "77.88", "77.88", "", "")
    assert not lost.aligned and (lost.first_line, lost.last_line) == (38, 47)


def test_continuation_line_without_tab_joins_the_open_cell():
    (t,) = tables(*PROJECTS[:26], "\t某局本级", "\t考核经费", "\t摘要", "\t明细前半", "", "明细后半", "\t目标", "\t20",
                  "\t20.00", "\t", "\t", "")
    assert t.rows[1].cells[3] == "明细前半明细后半" and t.rows[1].aligned


def test_fillers_outside_cells_are_dropped():
    (t,) = tables("\t部门公开表11", "", "\t“三公”经费支出表", "\t单位：万元", "", "\t2019预算数", "",
                  "\t合计", "\t因公出国（境）费", "\t公务接待费", "", "\t19.08 ", "\t ", "", IDEO, "\t9.16", " ", "")
    assert t.kind == "three_costs" and t.rows[0].cells == ("19.08", "", "9.16") and t.rows[0].aligned


def test_empty_table_and_footnote_give_no_rows():
    (t,) = tables("\t部门公开表4", "", "\t政府性基金预算支出表", "\t单位：万元", "", "\t科目编码", "\t科目名称", "\t合计", "",
                  f"\t{IDEO}", f"\t{IDEO}", f"\t{IDEO}", "", "\t", "\t", "\t", "", "\t注：本部门没有政府性基金预算拨款，故本表无数据。")
    assert t.kind == "gov_fund" and t.rows == () and not t.illegible and t.last_line == 8


def test_prose_after_the_last_table_is_not_a_row():
    (t,) = tables(*HEAD, "\t合计", "\t1.00", "\t1.00", "\t", "", "第三部分 情况说明", "一、总体说明", "按照综合预算的原则。")
    assert len(t.rows) == 1 and t.last_line == len(HEAD) + 4


def test_titles_of_the_older_table_set_are_recognised():
    assert match_title("收支预算表") == "summary"
    assert match_title("收入预算按单位分类汇总表") == "revenue"
    assert match_title("支出预算按单位分类汇总表") == "expenditure"
    assert match_title("政府购买服务项目支出预算表") == "purchase_services"
    assert match_title("项目支出预算表") == "projects"


def test_detect_one_cell_lines_only():
    assert CellsLoader().detect(doc_of(*(HEAD * 20))) > 0.5
    assert CellsLoader().detect(doc_of(*[f"20{k}\t名称\t{k}.00\t\t{k}.00" for k in range(60)])) == 0
    assert CellsLoader().detect(doc_of(*[f"20{k}   名称   {k}.00" for k in range(300)])) == 0


# ------------------------------------------------------------------ sample


@pytest.fixture(scope="module")
def shenyang():
    return {t.number: t for t in CellsLoader().parse(read_document(SAMPLES / "shenyang-bureau-2019-budget.txt"))}


def test_sample_has_the_twelve_tables(shenyang):
    assert list(shenyang) == [str(n) for n in range(1, 13)]
    kinds = [shenyang[str(n)].kind for n in range(1, 13)]
    assert kinds == ["appropriation_summary", "general_expenditure", "general_basic", "gov_fund", "summary",
                     "revenue", "expenditure", "projects", "revenue", "expenditure", "three_costs",
                     "purchase_services"]
    assert all(t.money_unit == "万元" and not t.illegible for t in shenyang.values())


def test_sample_function_table_rows(shenyang):
    t = shenyang["2"]
    assert len(t.rows) == 26 and all(r.aligned for r in t.rows)
    row = next(r for r in t.rows if r.cells[0] == "2080109")
    assert row.cells == ("2080109", "社会保险经办机构", "2,384.56", "", "2,384.56")
    assert next(r for r in shenyang["7"].rows if r.cells[0] == "2080109").cells[2] == "2,384.56"
    assert len(shenyang["7"].rows[0].cells) == 18


def test_sample_projects_sum_to_the_total(shenyang):
    rows = shenyang["8"].rows[1:]
    assert len(rows) == 10
    totals = [next(c for c in r.cells if is_amount(c)) for r in rows]
    assert sum(parse_amount(x) for x in totals) == Decimal("2384.56")
    lost = [r for r in rows if not r.aligned]
    assert [r.cells[-4] for r in lost] == ["77.88", "113.9"]
    assert rows[2].cells[1] == "“一平台两服务”采购经费" and rows[2].cells[5:7] == ("1177", "1,177.00")


def test_sample_unit_and_three_costs_tables(shenyang):
    assert [r.cells[0] for r in shenyang["10"].rows] == ["合计", "沈阳市医疗保障局本级", "沈阳市医疗保障事务服务中心"]
    assert shenyang["10"].rows[1].cells[:3] == ("沈阳市医疗保障局本级", "1,249.11", "1,243.11")
    assert shenyang["11"].rows[0].cells == ("19.08", "", "9.16", "9.92", "", "9.92",
                                            "18.89", "", "8.97", "9.92", "", "9.92")
