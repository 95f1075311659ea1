"""The city corpus (../shared/corpus/cities): every fact read by hand into expected.json holds.

Stricter than the public acceptance script: year, kind, scope, organisation and money unit
exactly; every 类 total to the yuan; the grand total of expenditure; every listed project with
its exact amount and unit (names compared without whitespace, as printed across lines).
"""
from __future__ import annotations

import json
import re
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
from support.golden import assert_matches, keyed, one_or_all

from fundflow.core.model import BudgetLine, Project
from fundflow.records.pipeline import parse_document

CITIES = Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus" / "cities"
EXPECTED = json.loads((CITIES / "expected.json").read_text(encoding="utf-8")) if CITIES.is_dir() else []
SCOPES = {"部门": "department", "单位": "unit"}


def test_the_corpus_is_there():
    assert len(EXPECTED) == 12, f"the city corpus is missing at {CITIES}"


@pytest.fixture(scope="module")
def parsed():
    cache = {}

    def get(name):
        if name not in cache:
            cache[name] = parse_document(CITIES / name)
        return cache[name]
    return get


def _compact(s: str) -> str:
    return re.sub(r"\s+", "", s)


@pytest.mark.parametrize("gold", EXPECTED, ids=lambda g: g["file"])
def test_metadata(gold, parsed):
    meta = parsed(gold["file"]).meta
    kind, _, scope = gold["kind"].partition("/")
    assert meta.fiscal_year == gold["year"]
    assert meta.kind == kind
    assert meta.scope == SCOPES[scope.split()[0]]
    assert meta.money_unit == gold["money_unit"]
    unit = gold["unit"].split(" ")[0]
    assert unit in {meta.department, *(u.name for u in meta.units)}


@pytest.mark.parametrize("gold", [g for g in EXPECTED if g["function_class_totals"]], ids=lambda g: g["file"])
def test_class_totals(gold, parsed):
    lines = [b for b in parsed(gold["file"]).of(BudgetLine)
             if b.amount_type == "Total" and b.fund_type is None and b.table_kind == "expenditure"]
    have = {b.code: b.amount for b in lines if len(b.code) == 3}
    total = Decimal(gold["total_expenditure_yuan"])
    totals = [b.amount for b in lines if b.code == ""]
    want = {"类": {code: Decimal(v) for code, v in gold["function_class_totals"].items()}, "合计": total}
    got = {"类": {c: have.get(c) for c in want["类"]}, "合计": total if total in totals else one_or_all(totals)}
    assert_matches(got, want, f"{gold['file']} expenditure totals (yuan)")


@pytest.mark.parametrize("gold", [g for g in EXPECTED if g["projects"]], ids=lambda g: g["file"])
def test_projects(gold, parsed):
    projects = parsed(gold["file"]).of(Project)
    have = Counter((_compact(p.name), p.amount, p.unit_name) for p in projects)
    have += Counter((_compact(p.name), p.amount, None) for p in projects)  # where the gold names no unit
    want = [(_compact(p["name"]), Decimal(p["amount_yuan"]), p.get("unit")) for p in gold["projects"]]

    def found(name, amount, unit):
        """The amount as listed when the parse has the project, else the amounts it has under that name and unit."""
        if have[(name, amount, unit)] > 0:
            have[(name, amount, unit)] -= 1
            return amount
        return one_or_all([p.amount for p in projects if _compact(p.name) == name and unit in (None, p.unit_name)])
    assert_matches(keyed((f"{n} ({u or '-'})", found(n, a, u)) for n, a, u in want),
                   keyed((f"{n} ({u or '-'})", a) for n, a, u in want), f"{gold['file']} projects (yuan)")


# “三公”经费 as the documents print them (expected.json notes; 湖州市财政局 表07 read by hand)
THREE_COSTS = {
    "quanzhou_gaj_2026_dept_budget.pdf": (None, {"total": "1700.17", "abroad": "0", "reception": "16.32",
                                                  "vehicle": "1683.85", "vehicle_purchase": "495.85",
                                                  "vehicle_operation": "1188.00"}),
    "wuxi_rsj_2026_dept_budget.pdf": (None, {"total": "61.40", "abroad": "0", "vehicle": "36.58",
                                              "vehicle_purchase": "17.98", "vehicle_operation": "18.60",
                                              "reception": "24.82", "meeting": "13.55", "training": "77.72"}),
    "huzhou_czj_2026_dept_budget.pdf": ("湖州市财政局", {"total": "7.50", "abroad": "0", "vehicle": "3.50",
                                                       "vehicle_purchase": "0", "vehicle_operation": "3.50",
                                                       "reception": "4.00"}),
}


@pytest.mark.parametrize("name", sorted(THREE_COSTS))
def test_three_costs_by_column(name, parsed):
    from fundflow.core.model import ThreeCosts
    unit, want = THREE_COSTS[name]
    got = {r.item: r.amount / 10000 for r in parsed(name).of(ThreeCosts) if r.unit_name == unit and r.year == 2026}
    assert_matches({k: got.get(k) for k in want}, {k: Decimal(v) for k, v in want.items()}, f"{name} 三公 (万元)")


def test_summary_sides_from_the_grid(parsed):
    """湖州市退役军人事务局 表04: the income side prints three lines, the expenditure side many; a
    line printed under 支出 (抚恤 136.50) is expenditure though the income cells beside it are blank."""
    from fundflow.core.model import TableTotal
    totals = [t for t in parsed("huzhou_tyjrswj_2026_dept_budget.pdf").of(TableTotal) if t.table == "表04"]
    sides = {t.label: t.side for t in totals}
    assert sides["抚恤"] == sides["退役安置"] == sides["行政运行"] == "expenditure"
    assert sides["一般公共预算"] == sides["财政拨款"] == "income"


def test_three_costs_with_meeting_and_training():
    """中共江苏省委办公厅 2018 三公 table: 合计 1,471.70 counts 会议费 933.50 and 培训费 30.00 beside
    the 三公 小计 508.20 = 70.00 + 411.20 + 27.00 (as printed)."""
    from fundflow.core.model import ThreeCosts
    pdf = CITIES.parent / "pdf" / "jiangsu_party_committee_office_2018_budget_tables.pdf"
    got = {r.item: r.amount / 10000 for r in parse_document(pdf).of(ThreeCosts)}
    assert got == {"grand_total": Decimal("1471.70"), "total": Decimal("508.20"), "abroad": Decimal("70.00"),
                   "vehicle": Decimal("411.20"), "vehicle_purchase": 0, "vehicle_operation": Decimal("411.20"),
                   "reception": Decimal("27.00"), "meeting": Decimal("933.50"), "training": Decimal("30.00")}


def test_continued_table_repeats_its_title_and_header(parsed):
    """湖州市退役军人事务局 表04 goes on over a page that repeats its title block and header; the
    income lines printed there (上年结转结余 … with blank amounts) are rows of their own, and
    本年收入合计 5973.01 keeps its label."""
    t = next(t for t in parsed("huzhou_tyjrswj_2026_dept_budget.pdf").tables if t.label == "表04")
    labels = [r.cells[0] for r in t.rows]
    assert "本年收入合计" in labels and "上年结转结余" in labels and "国有资本经营预算" in labels
    assert not any("预算数" in c or "单位：万元" in c for r in t.rows for c in r.cells)
