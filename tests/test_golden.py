"""Golden cases: facts read off each sample document by hand must come out of the parse."""
from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from fundflow.core.model import BudgetLine, Indicator, Project, TableIssue, TableTotal, ThreeCosts, to_jsonable
from fundflow.records.pipeline import parse_document

ROOT = Path(__file__).resolve().parents[1]
CASES = sorted(p.parent.name for p in (ROOT / "tests" / "golden").glob("*/expected.json"))
WAN = Decimal(10000)


@pytest.fixture(scope="module", params=CASES)
def case(request):
    folder = ROOT / "tests" / "golden" / request.param
    expected = json.loads((folder / "expected.json").read_text(encoding="utf-8"))
    parsed = parse_document(ROOT / expected["document"])
    if request.config.getoption("--update-golden", default=False):
        (folder / "actual.json").write_text(json.dumps(to_jsonable(parsed.records), ensure_ascii=False, indent=1),
                                            encoding="utf-8")
    return expected, parsed


def wan(text: str) -> Decimal:
    return Decimal(text) * WAN


def test_meta(case):
    expected, parsed = case
    meta, want = parsed.meta, expected["meta"]
    assert (meta.fiscal_year, meta.kind, meta.scope, meta.department, meta.money_unit) == (
        want["fiscal_year"], want["kind"], want["scope"], want["department"], want["money_unit"])
    units = {(u.code, u.name, u.region_code) for u in meta.units}
    for code, name, region in want["units"]:
        assert (code, name, region) in units


def test_projects(case):
    expected, parsed = case
    projects, want = parsed.of(Project), expected["projects"]
    assert len(projects) == want["count"]
    assert sum(p.amount for p in projects) == wan(want["sum"])
    got = {(p.name, p.amount) for p in projects}
    for name, amount in want["items"]:
        assert (name, wan(amount)) in got, name
    assert sum(p.label_derived for p in projects) == want.get("derived", 0)
    executed = {p.name: p.executed_amount for p in projects}
    for name, amount in expected.get("executed", []):
        assert executed[name] == wan(amount)
    spans = {p.name: (p.ref.first_line, p.ref.last_line) for p in projects}
    for name, first, last in expected.get("project_lines", []):
        assert spans[name][0] <= first and spans[name][1] >= last


def test_budget_lines(case):
    expected, parsed = case
    got = {(b.table, b.code, b.amount_type): b for b in parsed.of(BudgetLine) if b.fund_type is None}
    for table, code, amount_type, amount in expected["budget_lines"]:
        line = got.get((table, code, amount_type))
        assert line is not None, (table, code, amount_type)
        assert (line.amount, line.ambiguous) == (wan(amount), False), (table, code, amount_type)


def test_totals_and_three_costs(case):
    expected, parsed = case
    totals = {(t.table, t.label, t.amount) for t in parsed.of(TableTotal)}
    for table, label, amount in expected["totals"]:
        assert (table, label, wan(amount)) in totals
    costs = {(c.year, c.basis, c.item, c.amount) for c in parsed.of(ThreeCosts)}
    for year, basis, item, amount in expected["three_costs"]:
        assert (year, basis, item, wan(amount)) in costs


def test_indicators(case):
    expected, parsed = case
    indicators = parsed.of(Indicator)
    for project, name, operator, value, unit, *actual in expected["indicators"]:
        hits = [i for i in indicators if i.name == name and i.operator == operator and i.target_value == Decimal(value)
                and i.measure_unit == unit and (project == "*" or i.project == project)]
        assert hits, name
        if actual:
            assert any(i.actual_value == Decimal(actual[0]) for i in hits)


def test_illegible_tables_are_reported(case):
    expected, parsed = case
    issues = {(i.table, i.kind) for i in parsed.of(TableIssue)}
    for table, kind in expected["issues"]:
        assert (table, kind) in issues
