"""Performance tables → Project and Indicator records (crafted rows and the samples)."""
from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest

from fundflow.core.model import Indicator, Project, RawRow, RawTable, SourceDocument, TableIssue
from fundflow.records.context import TableContext
from fundflow.records.performance import table_to_indicators
from fundflow.records.performance_rows import normalize_operator, parse_indicator, performance_unit

SAMPLES = Path(__file__).resolve().parents[2] / "data" / "samples"
CTX = TableContext(money_unit="万元", fiscal_year=2024, kind="budget", unit_name=None, department=None)


def _doc(n: int = 50) -> SourceDocument:
    return SourceDocument("x.txt", "x.txt", "0" * 64, "utf-8", tuple(f"l{i}" for i in range(1, n + 1)))


def _table(kind: str, rows: list[tuple[str, ...]], header: tuple[str, ...] = (), aligned: bool = False) -> RawTable:
    raw = tuple(RawRow(cells, i + 2, i + 2, aligned) for i, cells in enumerate(rows))
    return RawTable(kind, "17", "项目绩效目标表", "万元", header, raw, 1, len(rows) + 2)


PROJECT_ROWS = [
    ("项目(政策)名称", "政府专项-城乡居民医疗保险补助"),
    ("主管部门", "沈阳市医疗保障局", "实施单位", "沈阳市医疗保障事务服务中心"),
    ("预算资金情况", "54,990.00"),
    ("总体目标", "确保参保人员享受待遇。"),
    ("产出指标",),
    ("数量指标", "城乡居民基本医疗保险参保补助人数", "≥", "396.37", "万人", "2024-12"),
    ("质量指标", "城乡居民医疗补助完成率", "=", "100", "%", "2024-12"),
    ("成本指标", "人均财政补助标准", "=", "670", "元/人/年", "2024-12"),
    ("效益指标", "社会效益指标", "营商环境建设", "得到优化", "2024-12"),
    ("满意度指标", "务对象满意度指", "参保对象满意度", ">=", "90", "%", "2024-12"),
    ("项目(政策)名称", "城乡居民基本医疗保险"),
    ("主管部门", "抚顺市医疗保障局", "实施单位", "抚顺市医疗保障事务服务中心"),
    ("预算资金情况", "5, 298. 00"),
]


def test_project_block_gives_project_in_yuan_and_indicators_with_carried_levels():
    out = table_to_indicators(_doc(), _table("project_performance", PROJECT_ROWS), CTX)
    projects = [r for r in out if isinstance(r, Project)]
    assert [(p.name, p.amount) for p in projects] == [("政府专项-城乡居民医疗保险补助", Decimal("549900000.00")),
                                                   ("城乡居民基本医疗保险", Decimal("52980000.00"))]
    assert projects[0].department == "沈阳市医疗保障局" and projects[0].unit_name == "沈阳市医疗保障事务服务中心"
    assert (projects[0].ref.first_line, projects[0].ref.last_line) == (2, 4)
    ind = {i.name: i for i in out if isinstance(i, Indicator)}
    first = ind["城乡居民基本医疗保险参保补助人数"]
    assert (first.operator, first.target_value, first.measure_unit, first.deadline) == (">=", Decimal("396.37"), "万人", "2024-12")
    assert (first.level1, first.level2, first.project) == ("产出指标", "数量指标", "政府专项-城乡居民医疗保险补助")
    assert ind["人均财政补助标准"].level2 == "成本指标" and ind["人均财政补助标准"].level1 == "产出指标"
    assert ind["营商环境建设"].target_text == "得到优化" and ind["营商环境建设"].target_value is None
    assert ind["参保对象满意度"].level2 == "服务对象满意度指标"  # truncated variant canonicalised


def test_aligned_tab_rows_with_empty_cells():
    rows = [("项目(政策)名称", "离休干部医药费", "", ""), ("预算资金情况", "1,440.00", "", ""),
            ("绩效指标", "一级指标", "二级指标", "三级指标", "运算符号", "指标值", "度量单位", "完成时限"),
            ("", "产出指标", "数量指标", "人均补助标准", "=", "14000", "万元", "2023-12"),
            ("", "", "", "领取补助人数", ">=", "278", "人", "2023-12"),
            ("", "效益指标", "经济效益指标", "保障离休干部医疗待遇", "", "享受待遇", "", "2023-12")]
    out = table_to_indicators(_doc(), _table("project_performance", rows, aligned=True), CTX)
    ind = [r for r in out if isinstance(r, Indicator)]
    assert [(i.name, i.level1, i.level2) for i in ind] == [("人均补助标准", "产出指标", "数量指标"),
                                                           ("领取补助人数", "产出指标", "数量指标"),
                                                           ("保障离休干部医疗待遇", "效益指标", "经济效益指标")]
    assert ind[0].target_value == Decimal(14000) and ind[0].measure_unit == "万元"  # not converted: a measure
    assert [p.amount for p in out if isinstance(p, Project)] == [Decimal("14400000.00")]


def test_unit_table_unit_info_and_unknown_levels():
    rows = [("部门（单位）名称", "578002", "沈阳市医疗保障事务服务中心-210100000"),
            ("对应项目", "预算资金情况"), ("基本支出人员经费（保工资）", "3,968.49"),
            ("一级指标", "二级指标", "三级指标", "运算符号", "指标值", "度量单位", "完成时限"),
            ("新型一级",), ("新型二级", "某工作办结率", "=", "100", "%", "2024-12"),
            ("另一个二级",), ("依法行政能力", "管理规范", "2024-12")]
    table = _table("unit_performance", rows)
    unit = performance_unit(table)
    assert (unit.name, unit.code, unit.region_code) == ("沈阳市医疗保障事务服务中心", "578002", "210100000")
    out = table_to_indicators(_doc(), table, CTX)
    assert not any(isinstance(r, Project) for r in out)  # 基本支出 lines are not projects
    ind = [r for r in out if isinstance(r, Indicator)]
    assert [(i.name, i.level1, i.level2, i.project) for i in ind] == [
        ("某工作办结率", "新型一级", "新型二级", None), ("依法行政能力", "新型一级", "另一个二级", None)]
    assert all(i.unit_name == "沈阳市医疗保障事务服务中心" for i in ind)


def test_final_accounts_row_with_actual_weight_score_and_reasons():
    got = parse_indicator(["档案数字化加工", ">=", "225000", "幅", "81630", "36.0%", "4.5", "1.62", "√"], final=True)
    assert (got.target_value, got.measure_unit, got.actual_value, got.weight, got.score) == (
        Decimal(225000), "幅", Decimal(81630), Decimal("4.5"), Decimal("1.62"))
    text = parse_indicator(["预算收入管理规范性", "管理规范", "全部或基本达成", "预期指标100%-", "80%（含）", "1", "0.7", "0.7"], final=True)
    assert text.names == ("预算收入管理规范性",) and text.target_text == "管理规范"
    assert text.actual_text == "全部或基本达成预期指标100%-80%（含）" and text.score == Decimal("0.7")


def test_self_eval_project_amount_and_executed():
    rows = [("项目(政策)名称", "医疗保障事务服务工作专项经费"), ("主管部门", "辽宁省医疗保障局"), ("实施单位", "辽宁省医疗保障事务服务中心"),
            ("项目预算金额（万元）", "120.6", "全年执行数（万元）", "115", "执行率", "95.36%")]
    table = RawTable("project_self_eval", None, "预算项目(政策)绩效自评表", None, (),
                     tuple(RawRow(c, i + 1, i + 1) for i, c in enumerate(rows)), 1, 5)
    [p] = table_to_indicators(_doc(), table, replace(CTX, money_unit="元", kind="final_accounts"))
    assert (p.amount, p.executed_amount) == (Decimal(1206000), Decimal(1150000))  # label says 万元
    assert (p.unit_name, p.department) == ("辽宁省医疗保障事务服务中心", "辽宁省医疗保障局")


def test_operators_and_illegible():
    assert [normalize_operator(x) for x in ("≥", "≤", "＝", ">", "是")] == [">=", "<=", "=", ">", None]
    table = RawTable("project_performance", "17", "t", None, (), (), 3, 9, illegible=True)
    [issue] = table_to_indicators(_doc(), table, CTX)
    assert isinstance(issue, TableIssue) and issue.kind == "illegible" and issue.ref.last_line == 9


def _sample(name: str):
    from fundflow.loaders import registry
    from fundflow.loaders.document import read_document
    doc = read_document(SAMPLES / name)
    return doc, list(registry.choose(doc).parse(doc))


def _records(name: str, kind: str) -> list:
    doc, tables = _sample(name)
    ctx = replace(CTX, kind=kind)
    return [r for t in tables if (t.kind and "perf" in t.kind) or (t.kind and "self_eval" in t.kind)
            for r in table_to_indicators(doc, t, ctx)]


def test_fushun_projects_from_table17():
    recs = _records("fushun-center-2023-budget.txt", "budget")
    projects = [r for r in recs if isinstance(r, Project)]
    assert len(projects) == 9 and sum(p.amount for p in projects) == Decimal("570810000.00")
    assert any(p.name == "城乡居民基本医疗保险" and p.amount == Decimal("52980000.00") for p in projects)


def test_shenyang_indicator_and_liaoning_self_eval():
    recs = _records("shenyang-center-2024-budget.txt", "budget")
    hits = [i for i in recs if isinstance(i, Indicator) and i.name == "城乡居民基本医疗保险参保补助人数"]
    assert hits and all((i.operator, i.target_value, i.measure_unit) == (">=", Decimal("396.37"), "万人") for i in hits)
    recs = _records("liaoning-bureau-2024-final-accounts.txt", "final_accounts")
    [doc_ind] = [i for i in recs if isinstance(i, Indicator) and i.name == "档案数字化加工"]
    assert (doc_ind.target_value, doc_ind.actual_value, doc_ind.score) == (Decimal(225000), Decimal(81630), Decimal("1.62"))
    [p] = [p for p in recs if isinstance(p, Project) and p.name == "医疗保障事务服务工作专项经费"]
    assert (p.amount, p.executed_amount) == (Decimal(1206000), Decimal(1150000))


@pytest.mark.parametrize("name", ["shenyang-center-2024-budget.txt", "fushun-center-2023-budget.txt"])
def test_every_indicator_has_levels_and_a_target(name):
    recs = [i for i in _records(name, "budget") if isinstance(i, Indicator)]
    assert len(recs) > 20
    assert all(i.level1 and (i.target_value is not None or i.target_text) for i in recs)
