"""The 'stream' loader: crafted snippets for each quirk, then the two sample documents."""
from __future__ import annotations

from decimal import Decimal
from functools import cache
from pathlib import Path

import pytest

from fundflow.core.model import RawTable, SourceDocument
from fundflow.core.normalize import compact, parse_amount
from fundflow.loaders.document import read_document
from fundflow.loaders.stream.loader import StreamLoader
from fundflow.loaders.stream.text import glue_number, split_cells

SAMPLES = Path(__file__).resolve().parents[2] / "data" / "samples"


def doc_of(lines: list[str], name: str = "t.txt") -> SourceDocument:
    """A SourceDocument from printed lines, each followed by a blank line as pdftotext does."""
    out: list[str] = []
    for ln in lines:
        out += [ln, ""]
    return SourceDocument(name, name, "0" * 64, "utf-8", tuple(out))


def tables(lines: list[str]) -> list[RawTable]:
    return list(StreamLoader().parse(doc_of(lines)))


@cache
def sample(name: str) -> tuple[RawTable, ...]:
    return tuple(StreamLoader().parse(read_document(SAMPLES / name)))


def by_number(name: str, number: str) -> RawTable:
    return next(t for t in sample(name) if t.number == number)


# ------------------------------------------------------------------ numbers

@pytest.mark.parametrize(("prev", "nxt", "glue"), [
    ("243,49", "2.11", True), ("243", ",49", True), ("243,49", "2.1", True), ("243,492.1", "1", True),
    ("100", ".00", True), ("100.0", "0", True), ("3,500.", "00", True), ("237,48", "4.75", True),
    ("243,492.11", "243", False), ("100.00", "100.00", False), ("1", "5,251.22", False), ("漏", "1", False),
])
def test_glue_number(prev: str, nxt: str, glue: bool) -> None:
    assert glue_number(prev, nxt) is glue


def test_split_cells_keeps_mixed_words_and_splits_numbers() -> None:
    assert split_cells("城乡居民基本医疗保险参保补助人数 >= 396.37 万人 2024-12") == [
        "城乡居民基本医疗保险参保补助人数", ">=", "396.37", "万人", "2024-12"]
    assert split_cells("收 入 总 计 243,492.11") == ["收入总计", "243,492.11"]
    assert split_cells("DRG 分组方案分组率 = 100 % 2024-12")[0] == "DRG 分组方案分组率"


def test_numbers_broken_over_lines_in_several_columns() -> None:
    t = tables(["收入预算总表", "表 2", "单位:万元", "单位名称", "合", "计", "合计",
                "243", ",49", "2.1", "1", "243", ",39", "2.1", "1", "100", ".00",
                "578002 沈阳市医疗保障事务服务中心", "243,49", "2.11", "100.0", "0"])[0]
    assert [r.cells for r in t.rows] == [
        ("合计", "243,492.11", "243,392.11", "100.00"),
        ("578002", "沈阳市医疗保障事务服务中心", "243,492.11", "100.00")]
    assert t.header == ("单位名称", "合", "计")
    assert (t.kind, t.number, t.money_unit) == ("revenue", "2", "万元")


def test_wrapped_code_name_joined_and_page_number_dropped() -> None:
    doc = SourceDocument("t", "t", "0" * 64, "utf-8", (
        "支出预算总表", "", "表 3", "", "单位：万元", "", "科目编码 科目名称 合计", "",
        "2101202", "财政对城乡居民基本医疗保险基金的", "", "补助", "", "", "", "12", "",
        "209,551.00 209,551.00", "", "221 住房保障支出 547.07"))
    t = next(iter(StreamLoader().parse(doc)))
    assert t.rows[0].cells == ("2101202", "财政对城乡居民基本医疗保险基金的补助", "209,551.00", "209,551.00")
    assert (t.rows[0].first_line, t.rows[0].last_line) == (9, 18)
    assert t.rows[1].cells[0] == "221"


def test_project_rows_wrapped_names() -> None:
    t = tables(["项目支出预算表", "表 9", "单位：万元", "单位名称 项目名称 总计", "合计", "一般公", "共预算",
                "合计", "3,5", "00.00", "政府专项-城乡", "医疗救助", "3,500.", "00",
                "提前下达中央财", "政城乡居民基本", "124,52", "4.00"])[0]
    assert [r.cells for r in t.rows] == [("合计", "3,500.00"), ("政府专项-城乡医疗救助", "3,500.00"),
                                         ("提前下达中央财政城乡居民基本", "124,524.00")]


def test_summary_rows_keep_line_numbers_as_cells() -> None:
    t = tables(["收入支出决算总表", "公开 01表", "部门：某省医疗保障局 单位：万元", "栏次 1 栏次 2",
                "一、一般公共预算财政拨款收入 1 5,251.22 一、一般公共服务支出 32", "9 九、卫生健康支出 40 8,490.30"])[0]
    assert t.rows[0].cells == ("一、一般公共预算财政拨款收入", "1", "5,251.22", "一、一般公共服务支出", "32")
    assert t.rows[1].cells == ("9", "九、卫生健康支出", "40", "8,490.30")
    assert (t.number, t.unit_name) == ("01", "某省医疗保障局")


def test_prose_does_not_start_a_table_and_notes_end_rows() -> None:
    ts = tables(["本单位收支预算总表详见附件，包括收入和支出。", "支出预算总表", "表 3",
                 "合计 10.00 10.00", "注：本表反映部门本年度各项支出情况。", "208 不是一行 1.00"])
    assert len(ts) == 1 and [r.cells[0] for r in ts[0].rows] == ["合计"]


def test_continued_table_is_one() -> None:
    ts = tables(["支出预算总表", "表 3", "合计 10.00", "208 社会保障和就业支出 4.00",
                 "支出预算总表", "表 3", "210 卫生健康支出 6.00"])
    assert len(ts) == 1 and len(ts[0].rows) == 3


# ------------------------------------------------------------- performance

def test_indicator_name_wrapped_and_levels_in_front() -> None:
    t = tables(["部门预算项目（政策）绩效目标表", "表 17 单位：万元", "项目(政策)名称 某项目",
                "主管部门 某局 实施单位 某中心", "预算资金情况 785.70", "一级指标 二级指标 三级指标", "运算", "完成时限",
                "产出指标", "数量指标", "城乡居民基本医疗保险参保补", "助人数", ">= 396.37 万人 2024-12",
                "时效指标", "效益指标 社会效益指标", "营商环境建设 得到优化 2024-12"])[0]
    cells = [r.cells for r in t.rows]
    assert cells[:3] == [("项目(政策)名称", "某项目"), ("主管部门", "某局", "实施单位", "某中心"), ("预算资金情况", "785.70")]
    assert cells[3] == ("产出指标", "数量指标", "城乡居民基本医疗保险参保补助人数", ">=", "396.37", "万人", "2024-12")
    assert ("时效指标",) in cells
    assert cells[-1] == ("效益指标", "社会效益指标", "营商环境建设", "得到优化", "2024-12")


def test_self_evaluation_reasons_stay_apart_from_numbers() -> None:
    raw = ["预算项目(政策)绩效自评表", "", "(2024年度)", "", "项目(政策)名称 某经费", "",
           "项目预算金额（万元） 120.6 全年执行数（万元） 115 执行率 95.36%", "", "一级指标 二级指标 三级指标", "",
           "产出指标", "", "数量指标", "", "档案数字化加工 >= 225000 幅 81630 36.0% 4.5 1.62 √", "",
           "按照业务发生实", "际情况进行档案", "电子化", "", "宣传手册 >= 0.5 万册 0.5 100% 4.5 4.5"]
    t = next(iter(StreamLoader().parse(SourceDocument("t", "t", "0" * 64, "utf-8", tuple(raw)))))
    rows = {r.cells[0]: r.cells for r in t.rows}
    assert rows["项目预算金额（万元）"] == ("项目预算金额（万元）", "120.6", "全年执行数（万元）", "115", "执行率", "95.36%")
    hit = next(c for c in rows.values() if "档案数字化加工" in c)
    assert hit[hit.index("档案数字化加工"):hit.index("√") + 1] == ("档案数字化加工", ">=", "225000", "幅", "81630", "36.0%", "4.5", "1.62", "√")
    assert hit[-1] == "按照业务发生实际情况进行档案电子化"
    assert any(c[0] == "宣传手册" for c in rows.values())


# ------------------------------------------------------------------ detect

def test_detect_other_layouts_zero() -> None:
    tabbed = SourceDocument("t", "t", "0" * 64, "utf-8", tuple(["收支预算总表", "表1", "项目\t预算数\t项目\t预算数"]
                                                              + ["一、一般公共预算拨款收入\t5, 298. 00\t一、支出\t1.00"] * 20))
    layout = SourceDocument("l", "l", "0" * 64, "utf-8", tuple(["        收支预算总表", "  支出预算总表"]
                                                               + ["合计          1,234.00      1,234.00"] * 30))
    assert StreamLoader().detect(tabbed) == 0.0
    assert StreamLoader().detect(layout) == 0.0


@pytest.mark.parametrize("name", ["fushun-center-2023-budget.txt", "anshan-center-2026-budget.txt",
                                  "shenyang-bureau-2019-budget.txt"])
def test_detect_other_samples_zero(name: str) -> None:
    assert StreamLoader().detect(read_document(SAMPLES / name)) == 0.0


# ------------------------------------------------------------------ samples

SY = "shenyang-center-2024-budget.txt"
LN = "liaoning-bureau-2024-final-accounts.txt"


def test_shenyang_tables_found() -> None:
    assert StreamLoader().detect(read_document(SAMPLES / SY)) > 0.8
    assert [t.number for t in sample(SY)] == [str(n) for n in range(1, 18)]
    assert by_number(SY, "9").kind == "projects" and by_number(SY, "17").kind == "project_performance"


def test_shenyang_table3_row() -> None:
    row = next(r for r in by_number(SY, "3").rows if r.cells[0] == "2101202")
    assert row.cells == ("2101202", "财政对城乡居民基本医疗保险基金的补助", "209,551.00", "209,551.00")


def test_shenyang_projects_sum() -> None:
    rows = by_number(SY, "9").rows
    projects = [r for r in rows if r.cells[0] != "合计" and not r.cells[0].endswith("中心")]
    assert len(projects) == 15
    assert sum(parse_amount(r.cells[1]) for r in projects) == Decimal("237484.75")
    big = next(r for r in projects if r.cells[0] == "提前下达中央财政城乡居民基本医疗保险补助中央直达资金")
    assert big.cells[1] == "124,524.00" and big.first_line <= 885 and big.last_line >= 903


def test_shenyang_table10_every_amount_complete() -> None:
    for r in by_number(SY, "10").rows:
        assert all(parse_amount(c) for c in r.cells[2 if r.cells[0] != "合计" else 1:]), r


def test_shenyang_performance_rows() -> None:
    rows = [r.cells for r in by_number(SY, "17").rows]
    assert sum(1 for c in rows if c[0] == "项目(政策)名称") == 14  # the carried-over project has no block
    assert any(c[-5:] == ("城乡居民基本医疗保险参保补助人数", ">=", "396.37", "万人", "2024-12") for c in rows)
    unit = by_number(SY, "16").rows[0].cells
    assert compact("".join(unit)).startswith("部门（单位）名称578002")


def test_liaoning_tables_found() -> None:
    kinds = [t.kind for t in sample(LN)]
    assert [t.number for t in sample(LN)][:9] == [f"0{n}" for n in range(1, 10)]
    assert kinds.count("unit_self_eval") == 2 and kinds.count("project_self_eval") == 3
    t2 = by_number(LN, "02")
    assert t2.rows[0].cells == ("合计", "5,251.61", "5,251.22", "0.39") and t2.unit_name == "辽宁省医疗保障局"


# ------------------------------------------------------------------ project tables without 合计 row
def test_project_table_without_total_row_keeps_wrapped_names_and_stops_at_note() -> None:
    [t] = tables(["项目支出预算表", "表 9", "单位：万元", "项目名称", "合计", "一般公", "共预算",
                  "医保基金监管经费 68.40 68.40", "信息系统运行维护", "经费", "6.30 6.30", "备注：无"])
    assert [r.cells for r in t.rows] == [("医保基金监管经费", "68.40", "68.40"),
                                         ("信息系统运行维护经费", "6.30", "6.30")]
    assert "一般公" in t.header and "共预算" in t.header
