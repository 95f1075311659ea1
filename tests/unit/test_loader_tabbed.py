"""The 'tabbed' layout loader: crafted snippets for each quirk, then the samples."""
from __future__ import annotations

from pathlib import Path

import pytest

from fundflow.core.model import SourceDocument
from fundflow.loaders.document import read_document
from fundflow.loaders.tabbed.loader import TabbedLoader, fit_row

SAMPLES = Path(__file__).resolve().parents[2] / "data" / "samples"


def doc_of(*lines: str) -> SourceDocument:
    return SourceDocument("x.txt", "x.txt", "0" * 64, "utf-8", tuple(lines))


def tables(*lines: str):
    return list(TabbedLoader().parse(doc_of(*lines)))


EXPENDITURE = ["# 支出预算总表", "", "表3", "", "单位名称：某市医疗保障事务服务中心", "", "单位：万元", "",
               "科目编码\t科目名称\t合计\t基本支出\t\t\t项目支出",
               "\t\t\t小计\t人员经费\t公用经费\t",
               "\t合计\t57,746.89\t665.89\t596.31\t69.58\t57,081.00",
               "2080505\t机关事业单位基本养老保险缴费支出\t78.63\t78.63\t78.63\t\t"]


def test_title_number_units_header_and_aligned_rows():
    (t,) = tables(*EXPENDITURE)
    assert (t.kind, t.number, t.title, t.money_unit) == ("expenditure", "3", "支出预算总表", "万元")
    assert t.unit_name == "某市医疗保障事务服务中心"
    assert len(t.header) == 2 and t.header[0].startswith("科目编码\t")
    assert t.rows[0].cells == ("", "合计", "57,746.89", "665.89", "596.31", "69.58", "57,081.00")
    assert t.rows[1].cells[-2:] == ("", "") and all(r.aligned for r in t.rows)
    assert (t.first_line, t.last_line, t.rows[1].first_line) == (1, 12, 12)


def test_page_continuation_is_joined():
    cont = ["", "支出预算总表", "", "表3", "", "单位：万元", "", *EXPENDITURE[8:10],
            "2210201\t住房公积金\t49.47\t49.47\t49.47\t\t"]
    (t,) = tables(*EXPENDITURE, *cont)
    assert [r.cells[0] for r in t.rows] == ["", "2080505", "2210201"]
    assert len(t.header) == 2 and t.last_line == len(EXPENDITURE) + len(cont)


def test_illegible_table_has_no_rows_and_its_span():
    t1, t2 = tables("## 收入预算总表", "", "表2", "", "单位:万元", "", "[illegible]", "", *EXPENDITURE)
    assert t1.illegible and not t1.rows and (t1.number, t1.first_line, t1.last_line) == ("2", 1, 7)
    assert not t2.illegible and t2.number == "3"


def test_table_of_contents_lines_do_not_start_tables():
    t = tables("目 录", "", "一、收支预算总表", "", "二、收入预算总表", "", "三、支出预算总表", "", *EXPENDITURE)
    assert [x.number for x in t] == ["3"]


def test_prose_mentioning_a_title_is_not_a_table():
    assert tables("收支预算总表", "", "按照综合预算的原则，所有收入和支出均纳入部门预算管理。", "", "更多说明",
                  "", "又一段", "", "再一段", "", "第五段", "", "第六段", "", "第七段", "", "第八段", "", "第九段") == []


def test_ocr_spaced_amounts_stay_one_cell():
    (t,) = tables("收支预算总表", "表1", "单位：万元", "收 入\t\t支 出\t", "项 目\t预算数\t项 目\t预算数",
                  "一、一般公共预算拨款收入\t1, 681. 43\t一、社会保障和就业支出\t206. 21")
    assert t.rows[0].cells == ("一、一般公共预算拨款收入", "1, 681. 43", "一、社会保障和就业支出", "206. 21")


def test_empty_table_keeps_total_row_and_note_is_not_a_row():
    (t,) = tables("债务支出预算表", "表13", "单位:万元", "单位名称\t项目名称\t总计", "合计\t\t", "",
                  "备注：无此项预算，为空表")
    assert not t.illegible and [r.cells for r in t.rows] == [("合计", "", "")]


def test_performance_table_keeps_header_rows_and_several_projects():
    (t,) = tables("部门预算项目（政策）绩效目标表", "", "表17", "", "单位：万元", "",
                  "项目(政策)名称\t离休干部医药费\t\t\t\t\t\t",
                  "主管部门\t某市医疗保障局\t\t\t实施单位\t某中心\t\t",
                  "预算资金情况\t1,440.00\t\t\t\t\t\t",
                  "绩效指标\t一级指标\t二级指标\t三级指标\t运算符号\t指标值\t度量单位\t完成时限",
                  "\t产出指标\t数量指标\t人均补助标准\t=\t14000\t万元\t2023-12",
                  "\t\t\t领取补助人数\t>=\t278\t人\t2023-12", "",
                  "项目(政策)名称\t医保基金监管经费\t\t\t\t\t\t")
    assert t.header == () and t.kind == "project_performance" and len(t.rows) == 7
    assert t.rows[0].cells[:2] == ("项目(政策)名称", "离休干部医药费")
    assert t.rows[4].cells == ("", "产出指标", "数量指标", "人均补助标准", "=", "14000", "万元", "2023-12")
    assert t.rows[5].cells[:4] == ("", "", "", "领取补助人数")


def test_fit_row_drops_only_blank_surplus():
    assert fit_row(["", "a", "1.00"], 2) == ["a", "1.00"]
    assert fit_row(["a", "1.00", "", ""], 3) == ["a", "1.00", ""]
    assert fit_row(["a", "1.00", "2.00"], 2) == ["a", "1.00", "2.00"]


def test_detect_prefers_tab_tables_and_ignores_plain_text():
    body = [f"20{k}\t名称\t{k}.00\t\t{k}.00" for k in range(30)]
    assert TabbedLoader().detect(doc_of(*body)) > 0.9
    assert TabbedLoader().detect(doc_of(*[f"20{k}   名称   {k}.00   {k}.00" for k in range(30)])) == 0
    assert TabbedLoader().detect(doc_of(*[f"\t{k}.00" for k in range(300)])) == 0


# ------------------------------------------------------------------ samples


@pytest.fixture(scope="module")
def fushun():
    return list(TabbedLoader().parse(read_document(SAMPLES / "fushun-center-2023-budget.txt")))


@pytest.fixture(scope="module")
def anshan():
    return list(TabbedLoader().parse(read_document(SAMPLES / "anshan-center-2026-budget.txt")))


def test_fushun_tables(fushun):
    assert [t.number for t in fushun] == [str(n) for n in range(1, 18)]
    assert {t.number for t in fushun if t.illegible} == {"2", "9", "10", "11", "12", "13", "14", "15"}
    by = {t.number: t for t in fushun}
    assert len(by["3"].rows) == 22 and len(by["5"].rows) == 22 and len(by["6"].rows) == 23
    assert by["3"].rows[-1].cells == ("2210201", "住房公积金", "49.47", "49.47", "49.47", "", "")
    names = [r.cells[1] for r in by["17"].rows if r.cells[0] == "项目(政策)名称"]
    assert len(names) == 9 and names[0] == "离休干部医药费"  # 9 projects: 57,081.00 in all
    assert by["17"].rows[-10].cells[:2] == ("预算资金情况", "5, 298. 00")
    assert all(r.aligned for t in fushun for r in t.rows)


def test_anshan_tables(anshan):
    assert [t.number for t in anshan] == [str(n) for n in range(1, 19)]
    assert anshan[0].first_line == 264  # the table of contents is no table
    by = {t.number: t for t in anshan}
    assert len(by["3"].rows) == 20 and len(by["5"].rows) == 20 and len(by["6"].rows) == 27
    assert by["1"].rows[0].cells[1] == "1, 681. 43"
    assert [r.cells[1] for r in by["17"].rows if r.cells[0] == "项目(政策)名称"] == [
        "其他医疗保障管理事务支出（经办大厅业务保障）", "医保基金监管经费"]
    assert [r.cells[0] for r in by["13"].rows] == ["合计"] and not by["13"].illegible
    assert by["18"].rows[0].cells[0] == "合 计"
