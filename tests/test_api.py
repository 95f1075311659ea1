"""The Python API as a notebook uses it: ``fundflow.open`` / ``fundflow.parse`` → pandas DataFrames.

Figures are read by hand from data/samples/shenyang-center-2024-budget.txt: its 项目支出预算表
lists the 直达资金 projects 124,524.00 + 2,247.00 (中央) and 30,037.00 + 1,646.00 (省), and
表3 prints the 合计 243,492.11 万元 (L398).
"""
from decimal import Decimal
from importlib import metadata

import pytest

import fundflow
from fundflow.core.errors import FundflowError, StoreError
from tests.conftest import SAMPLES

WAN = Decimal(10000)


@pytest.fixture(scope="module")
def kg(samples_store_dir):
    with fundflow.open(samples_store_dir) as graph:
        yield graph


def test_version_is_the_installed_one():
    assert fundflow.__version__ == metadata.version("fundflow")


def test_notebook_reproduces_the_shenyang_2024_split(kg):
    projects = kg.projects()
    unit = projects[(projects["year"] == 2024) & (projects["unitCode"] == "578002")]
    by_level = unit.groupby("level")["amount"].sum()
    assert by_level["Central"] / WAN == Decimal(126771)
    assert by_level["Provincial"] / WAN == Decimal(31683)

    totals = kg.totals()
    total = totals[(totals["unitCode"] == "578002") & (totals["table"] == "表3") & (totals["row"] == "合计")
                   & (totals["amountType"] == "Total") & totals["fundType"].isna()]["amount"]
    assert list(total / WAN) == [Decimal("243492.11")]
    own = total.iloc[0] - by_level["Central"] - by_level["Provincial"]
    assert own / WAN == Decimal("85038.11")


def test_amounts_are_exact_decimals_and_codes_strings(kg):
    projects = kg.projects()
    assert all(isinstance(a, Decimal) for a in projects["amount"])
    assert "071002" in set(projects["unitCode"].dropna())  # Fushun: the leading zero stays
    lines = kg.budget_lines()
    assert {"document", "unit", "scheme", "phase", "line"} <= set(lines.columns)
    code = lines[(lines["code"] == "2101202") & (lines["unitCode"] == "578002") & (lines["table"] == "表3")
                 & (lines["amountType"] == "Total")]
    assert list(code["amount"] / WAN) == [Decimal("209551.00")]  # 表3 2101202, DESIGN's worked example
    assert set(code["scheme"]) == {"FunctionClassification"} and set(code["phase"]) == {"Budget"}


def test_three_costs_findings_and_flows(kg):
    three = kg.three_costs()
    liaoning = three[(three["document"] == "liaoning-bureau-2024-final-accounts.txt") & (three["basis"] == "决算数")]
    assert dict(zip(liaoning["item"], liaoning["amount"] / WAN))["公务接待费"] == Decimal("0.43")
    findings = kg.findings()
    anshan = findings[(findings["document"] == "anshan-center-2026-budget.txt") & (findings["status"] == "violated")]
    assert {"R15", "R16", "R17", "R20"} <= set(anshan["rule"])
    assert kg.flows()["amount"].map(type).eq(Decimal).all()


def test_own_sparql_gives_a_frame(kg):
    frame = kg.query('SELECT ?code WHERE { ?u ff:unitCode ?code } ORDER BY ?code')
    assert "073002" in list(frame["code"])


def test_parse_one_document_without_a_store():
    doc = fundflow.parse(SAMPLES / "shenyang-center-2024-budget.txt")
    projects = doc.projects()
    direct = projects[projects["name"].str.contains("直达资金")]
    assert sorted(direct["amount"] / WAN) == [Decimal(1646), Decimal(2247), Decimal(30037), Decimal(124524)]
    assert set(direct["document"]) == {"shenyang-center-2024-budget.txt"} and direct["line"].notna().all()
    by_level = projects.groupby("level")["amount"].sum()
    assert (by_level["Central"] / WAN, by_level["Provincial"] / WAN) == (Decimal(126771), Decimal(31683))
    assert direct["direct"].all()


def test_errors_are_fundflow_errors(tmp_path):
    with pytest.raises(StoreError, match="no store"):
        fundflow.open(tmp_path / "nothing")
    with pytest.raises(FundflowError):
        fundflow.parse(tmp_path / "missing.txt")
