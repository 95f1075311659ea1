"""Golden cases: facts read off each sample document by hand must come out of the parse.

Each section of ``expected.json`` becomes a view keyed by what identifies a fact (a budget
line by table, code and amount type; a project by its name), amounts in the document's 万元;
the parse gives the same view and ``support.golden.assert_matches`` compares the two, so a
failure names the fact and both values.  A fact the parse lacks shows as null; where a fact
is only required to be among several (a unit of the document, an indicator), the view shows
the expected value when it is there and the parse's nearest one when not.
"""
from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from support.golden import assert_matches, canonical, keyed, one_or_all

from fundflow.core.model import BudgetLine, Indicator, Project, TableIssue, TableTotal, ThreeCosts
from fundflow.records.pipeline import parse_document

ROOT = Path(__file__).resolve().parents[1]
CASES = sorted(p.parent.name for p in (ROOT / "tests" / "golden").glob("*/expected.json"))
WAN = Decimal(10000)
SECTIONS = ("meta", "projects", "budget_lines", "totals", "three_costs", "indicators", "issues")


def wan(text: str) -> Decimal:
    """An amount of expected.json, as the document prints it (万元)."""
    return Decimal(text)


def to_wan(yuan: Decimal | None) -> Decimal | None:
    return None if yuan is None else yuan / WAN


def _indicator_key(row) -> str:
    return f"{row[0] if row[0] is not None else '(document)'} / {row[1]}"


# ---------------------------------------------------------------- expected.json → views


def expected_view(expected: dict) -> dict[str, Any]:
    m, p = expected["meta"], expected["projects"]
    return {
        "meta": {**{k: m[k] for k in ("fiscal_year", "kind", "scope", "department", "money_unit")},
                 "units": keyed((name, [code, region]) for code, name, region in m["units"])},
        "projects": {"count": p["count"], "sum": wan(p["sum"]), "derived": p.get("derived", 0),
                     "items": keyed((name, wan(a)) for name, a in p["items"]),
                     "executed": keyed((name, wan(a)) for name, a in expected.get("executed", [])),
                     "lines": keyed((name, f"covers L{a}-L{b}") for name, a, b in expected.get("project_lines", []))},
        "budget_lines": keyed((f"{t} {c or '(合计)'} {at}", wan(a)) for t, c, at, a in expected["budget_lines"]),
        "totals": keyed((f"{t} {label}", wan(a)) for t, label, a in expected["totals"]),
        "three_costs": keyed((f"{y} {basis} {item}", wan(a)) for y, basis, item, a in expected["three_costs"]),
        "indicators": keyed((_indicator_key(row), [row[2], Decimal(row[3]), row[4], *map(Decimal, row[5:])])
                            for row in expected["indicators"]),
        "issues": keyed((f"{t} {kind}", True) for t, kind in expected["issues"]),
    }


# ---------------------------------------------------------------- the parse → the same views


def meta_view(expected: dict, parsed) -> dict[str, Any]:
    meta = parsed.meta
    units = {(u.code, u.name, u.region_code) for u in meta.units}
    def unit(code, name, region):
        if (code, name, region) in units:
            return [code, region]
        return one_or_all([[c, r] for c, n, r in units if n == name])
    return {"fiscal_year": meta.fiscal_year, "kind": meta.kind, "scope": meta.scope, "department": meta.department,
            "money_unit": meta.money_unit, "units": keyed((row[1], unit(*row)) for row in expected["meta"]["units"])}


def projects_view(expected: dict, parsed) -> dict[str, Any]:
    projects = parsed.of(Project)
    got = {(p.name, to_wan(p.amount)) for p in projects}
    def item(name, amount):
        want = wan(amount)
        return want if (name, want) in got else one_or_all([a for n, a in got if n == name])
    executed = {p.name: to_wan(p.executed_amount) for p in projects}
    spans = {p.name: (p.ref.first_line, p.ref.last_line) for p in projects}
    def lines(name, first, last):
        if name not in spans:
            return None
        a, b = spans[name]
        return f"covers L{first}-L{last}" if a <= first and b >= last else f"L{a}-L{b}"
    return {"count": len(projects), "sum": to_wan(sum(p.amount for p in projects)),
            "derived": sum(p.label_derived for p in projects),
            "items": keyed((name, item(name, a)) for name, a in expected["projects"]["items"]),
            "executed": keyed((name, executed.get(name)) for name, _ in expected.get("executed", [])),
            "lines": keyed((name, lines(name, a, b)) for name, a, b in expected.get("project_lines", []))}


def budget_lines_view(expected: dict, parsed) -> dict[str, Any]:
    got = {(b.table, b.code, b.amount_type): b for b in parsed.of(BudgetLine) if b.fund_type is None}
    def amount(line):
        if line is None:
            return None
        return f"{canonical(to_wan(line.amount))} (ambiguous)" if line.ambiguous else to_wan(line.amount)
    return keyed((f"{t} {c or '(合计)'} {at}", amount(got.get((t, c, at)))) for t, c, at, _ in expected["budget_lines"])


def totals_view(expected: dict, parsed) -> dict[str, Any]:
    totals = [(t.table, t.label, to_wan(t.amount)) for t in parsed.of(TableTotal)]
    def total(table, label, a):
        return wan(a) if (table, label, wan(a)) in totals else one_or_all(
            [x for t, lb, x in totals if (t, lb) == (table, label)])
    return keyed((f"{t} {label}", total(t, label, a)) for t, label, a in expected["totals"])


def three_costs_view(expected: dict, parsed) -> dict[str, Any]:
    costs = [(c.year, c.basis, c.item, to_wan(c.amount)) for c in parsed.of(ThreeCosts)]
    def cost(year, basis, item, a):
        return wan(a) if (year, basis, item, wan(a)) in costs else one_or_all(
            [x for y, b, i, x in costs if (y, b, i) == (year, basis, item)])
    return keyed((f"{y} {b} {i}", cost(y, b, i, a)) for y, b, i, a in expected["three_costs"])


def indicators_view(expected: dict, parsed) -> dict[str, Any]:
    indicators = parsed.of(Indicator)
    def view(project, name, operator, value, unit, *actual):
        named = [i for i in indicators if i.name == name and (project == "*" or i.project == project)]
        rows = [[i.operator, i.target_value, i.measure_unit, *([i.actual_value] if actual else [])] for i in named]
        want = [operator, Decimal(value), unit, *map(Decimal, actual)]
        return want if want in rows else one_or_all(rows)
    return keyed((_indicator_key(row), view(*row)) for row in expected["indicators"])


def issues_view(expected: dict, parsed) -> dict[str, Any]:
    issues = {(i.table, i.kind) for i in parsed.of(TableIssue)}
    return keyed((f"{t} {kind}", (t, kind) in issues) for t, kind in expected["issues"])


VIEWS = {"meta": meta_view, "projects": projects_view, "budget_lines": budget_lines_view, "totals": totals_view,
         "three_costs": three_costs_view, "indicators": indicators_view, "issues": issues_view}


@pytest.fixture(scope="module", params=CASES)
def case(request):
    folder = ROOT / "tests" / "golden" / request.param
    expected = json.loads((folder / "expected.json").read_text(encoding="utf-8"))
    parsed = parse_document(ROOT / expected["document"])
    if request.config.getoption("--update-golden", default=False):
        actual = {name: canonical(view(expected, parsed)) for name, view in VIEWS.items()}
        (folder / "actual.json").write_text(json.dumps(actual, ensure_ascii=False, indent=1), encoding="utf-8")
    return request.param, expected, parsed


@pytest.mark.parametrize("section", SECTIONS)
def test_section(case, section):
    name, expected, parsed = case
    assert_matches(VIEWS[section](expected, parsed), expected_view(expected)[section], f"{name} {section}")
