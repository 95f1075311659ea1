"""Shared fixtures: a small hand-built ParsedDocument covering every record type."""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from fundflow.core.model import (
    BudgetLine,
    DocumentMeta,
    Indicator,
    NarrativeFact,
    ParsedDocument,
    Project,
    SourceDocument,
    TableIssue,
    TableTotal,
    ThreeCosts,
    UnitInfo,
)


def make_parsed(name: str = "city-center-2024-budget.txt", sha: str = "ab" * 32, scale: int = 1) -> ParsedDocument:
    """A budget document of one unit with a line, two projects, indicators and the other record types."""
    lines = tuple(f"line {i}" for i in range(1, 201))
    src = SourceDocument(path=name, name=name, sha256=sha, encoding="utf-8", lines=lines)
    unit = UnitInfo("某市医疗保障事务服务中心", "578002", "210100000")
    meta = DocumentMeta(title="某市医疗保障事务服务中心2024年单位预算", fiscal_year=2024, kind="budget", scope="unit",
                        department="某市医疗保障局", units=(unit,), money_unit="万元", region="某市",
                        region_code="210100", ref=src.ref(1, 3))
    records = [
        BudgetLine("表3", "expenditure", "2101202", "function", "财政对城乡居民基本医疗保险基金的补助", "Total",
                   Decimal("2095510000.00"), src.ref(40, 41, "表3")),
        BudgetLine("表3", "expenditure", "", "function", "合计", "Total", Decimal("2374847500.00"), src.ref(38, 38, "表3")),
        BudgetLine("表6", "basic", "30101", "econ_dept", "基本工资", "Personnel", Decimal("1000.5"), src.ref(60, 60, "表6"),
                   fund_type="GeneralPublicBudget", ambiguous=True),
        Project("提前下达中央财政城乡居民基本医疗保险补助中央直达资金", Decimal("1245240000.00"), src.ref(100, 101, "表9"), "表9",
                unit_code="578002", columns=(("一般公共预算", Decimal("1245240000.00")),)),
        Project("医疗保障事务服务工作专项经费", Decimal("1206000.00"), src.ref(102, 102, "表9"), "表9",
                executed_amount=Decimal(1150000), subject_code="2101506"),
        Indicator(name="城乡居民基本医疗保险参保补助人数", ref=src.ref(150, 150, "表17"), table="表17", level1="产出指标",
                  level2="数量指标", operator=">=", target_value=Decimal("396.37"), measure_unit="万人",
                  project="提前下达中央财政城乡居民基本医疗保险补助中央直达资金"),
        Indicator(name="群众满意度", ref=src.ref(170, 170, "表16"), table="表16", level1="满意度指标", operator=">=",
                  target_value=Decimal(90), measure_unit="%"),
        TableTotal("表1", "summary", "income", "收入总计", Decimal("2374947500.00"), src.ref(10, 10, "表1")),
        ThreeCosts("表7", 2024, "budget", "total", Decimal(0), src.ref(80, 80, "表7")),
        NarrativeFact("income", Decimal(2374947500), "万元", "收入预算237,494.75万元", src.ref(5, 5)),
        TableIssue("表13", "illegible", "table could not be read", src.ref(90, 92, "表13")),
    ]
    extra = [BudgetLine("表5", "general", f"21012{k % 100:02d}", "function", f"项{k}", "Total", Decimal(k),
                        src.ref(120, 120, "表5")) for k in range(scale - 1)]
    return ParsedDocument(src, "stream", meta, (), tuple(records + extra))


@pytest.fixture
def parsed() -> ParsedDocument:
    return make_parsed()


def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true", default=False,
                     help="write tests/golden/*/actual.json (the views the golden test compares) for reading a change's diff")


SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples"


@pytest.fixture(scope="session")
def samples_store_dir(tmp_path_factory) -> Path:
    """A store holding the five bundled samples, built once per test run (read it with ``ox.Store.read_only``)."""
    import pyoxigraph as ox

    from fundflow.kg.ingest import ingest_paths

    where = tmp_path_factory.mktemp("samples-store")
    store = ox.Store(str(where))
    summary = ingest_paths(store, sorted(SAMPLES.glob("*-budget.txt")) + sorted(SAMPLES.glob("*-accounts.txt")),
                           report=lambda _m: None)
    assert len(summary.ok) == 5 and not summary.failed
    del store
    return where
