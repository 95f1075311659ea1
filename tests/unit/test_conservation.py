"""Conservation of money at every node of the flow graph, per period, as findings of `validate`."""
from __future__ import annotations

import sys
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
from click.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "browser"))
from mapgraph import REF, flow_graph

from fundflow.analysis.flows import FlowGraph, OrgTotal, Period, unit_splits
from fundflow.checks.conservation import check_flows
from fundflow.checks.reconcile import reconcile
from fundflow.cli.main import cli
from fundflow.core.model import BudgetLine, DocumentMeta, ParsedDocument, Project, SourceDocument
from fundflow.outputs.flowgraph import build_flow_graph

W = Decimal(10000)


def _rules(findings):
    return sorted(f.rule for f in findings)


def test_a_balanced_graph_has_no_findings():
    assert check_flows(flow_graph()) == []


def test_a_unit_receiving_more_than_it_spends_is_a_finding_with_both_sides():
    g = flow_graph()
    low = OrgTotal("u", Period(2024), 200000 * W, "city-2024.txt", REF)
    found = check_flows(replace(g, totals=(low,)))
    assert _rules(found) == ["F01"]
    f = found[0]
    assert (f.expected, f.actual, f.difference) == (200000 * W, 209551 * W, 9551 * W)
    assert f.left == (REF,) and f.right == (REF,) and "another unit" in f.message


def test_a_treasury_passing_on_more_than_it_receives_is_a_finding():
    g = flow_graph()
    edges = tuple(replace(e, amount=e.amount - W) if (e.source, e.target) == ("c", "p") else e for e in g.edges)
    found = check_flows(replace(g, edges=edges))
    assert _rules(found) == ["F02"]
    assert "某省财政" in found[0].message and found[0].difference == W


def test_a_department_total_is_the_sum_of_its_units():
    g = flow_graph()
    period = Period(2024)
    dept = OrgTotal("d", period, 209000 * W, "city-2024.txt", REF)
    found = check_flows(replace(g, totals=g.totals + (dept,)))
    assert "F03" in _rules(found)
    f = next(x for x in found if x.rule == "F03")
    assert (f.expected, f.actual) == (209000 * W, 209551 * W)


def test_periods_are_checked_apart():
    a, b = flow_graph(year=2023, suffix="-2023"), flow_graph(year=2024)
    both = FlowGraph({**a.nodes, **b.nodes}, a.edges + b.edges, a.totals + b.totals)
    assert check_flows(both) == []  # summed over the two years the unit would receive twice its total


def test_shenyang_2019_conserves_once_projects_follow_the_by_unit_table(samples_store_dir):
    found = check_flows(build_flow_graph(ox.Store.read_only(str(samples_store_dir))), include_held=True)
    at = {x.message.split(" 2019年预算")[0]: x for x in found if x.rule == "F01" and "2019年预算" in x.message}
    # 部门公开表10: 本级 1,249.11 (基本 1,243.11 + 项目 6.00), 中心 5,645.64 (基本 3,267.08 + 项目 2,378.56)
    assert (at["沈阳市医疗保障局本级"].expected, at["沈阳市医疗保障局本级"].actual) == (Decimal("1249.11") * W,) * 2
    assert (at["沈阳市医疗保障事务服务中心"].expected, at["沈阳市医疗保障事务服务中心"].actual) == (Decimal("5645.64") * W,) * 2
    assert {x.status for x in at.values()} == {"held"}
    assert not [x for x in found if x.rule in ("F02", "F03") and x.status == "violated"]  # 6,894.75 = 1,249.11 + 5,645.64


def test_liaoning_2024_final_accounts_list_few_projects(samples_store_dir):
    found = check_flows(build_flow_graph(ox.Store.read_only(str(samples_store_dir))))
    f = next(x for x in found if x.rule == "F01")
    # 公开03表 L871: 合计 8,943.00 = 基本 2,424.64 + 项目 6,518.37; the 自评表 (L1844, L2127, L2358) list three
    # projects executed 196.48 + 115 + 3.89 (budgets 205.24, 120.6, 3.89): a 决算's flows carry what was executed
    assert f.expected == Decimal("8943.00") * W
    assert f.actual == (Decimal("2424.64") + Decimal("196.48") + Decimal(115) + Decimal("3.89")) * W
    assert "in no flow" in f.message and f.left[0].table == "表03"


def test_validate_reports_conservation_with_lines(samples_store_dir):
    out = CliRunner().invoke(cli, ["validate", "--store", str(samples_store_dir), "--no-shacl"])
    assert out.exit_code == 1
    line = next(x for x in out.output.splitlines() if x.startswith("failed  F01"))
    assert "辽宁省医疗保障局 2024年决算" in line and "(表03 L871 ↔ " in line  # the printed 合计; the flows' lines
    counted = next(x for x in out.output.splitlines() if x.startswith("F03 "))
    assert counted.split()[1:4] == ["1", "0", "0"]  # 表10: 6,894.75 = 1,249.11 + 5,645.64 holds



def _department_doc(benji_projects: Decimal, center_projects: Decimal) -> ParsedDocument:
    """A department budget: 表10 gives 本级 and 中心 their 项目支出; 表8 lists two projects, both under 本级."""
    src = SourceDocument("d.txt", "d.txt", "0" * 64, "utf-8", tuple("" for _ in range(60)))
    meta = DocumentMeta("t", 2019, "budget", "department", "某局", (), "万元")
    lines = [BudgetLine("表10", "expenditure", "", "function", "合计", "ProjectExpenditure", amount * W,
                        src.ref(20 + k, 20 + k, "表10"), unit_name=unit)
             for k, (unit, amount) in enumerate((("某局", benji_projects + center_projects), ("某局本级", benji_projects),
                                                 ("某中心", center_projects)))]
    projects = [Project("考核经费", 6 * W, src.ref(40, 41, "表8"), "表8", "某局本级"),
                Project("采购经费", Decimal("2378.56") * W, src.ref(42, 43, "表8"), "表8", "某局本级")]
    return ParsedDocument(src, "test", meta, (), tuple(lines + projects))


def test_projects_against_the_by_unit_table():
    found = [f for f in reconcile(_department_doc(Decimal(6), Decimal("2378.56"))) if f.rule == "F04"]
    benji = next(f for f in found if f.message.startswith("某局本级"))
    assert (benji.expected, benji.actual) == (6 * W, Decimal("2384.56") * W)
    assert "only 考核经费 6.00 add up to 6.00" in benji.message
    assert [r.first_line for r in benji.left] == [21] and [r.first_line for r in benji.right] == [40, 42]
    center = next(f for f in found if f.message.startswith("某中心"))
    assert (center.expected, center.actual) == (Decimal("2378.56") * W, 0)
    agreed = reconcile(_department_doc(Decimal("2384.56"), Decimal(0)), include_held=True)
    assert {f.status for f in agreed if f.rule == "F04"} == {"held"}


def test_shenyang_2019_attribution_is_a_finding_at_ingest(samples_store_dir):
    out = CliRunner().invoke(cli, ["validate", "--store", str(samples_store_dir), "--no-shacl"]).output
    line = next(x for x in out.splitlines() if x.startswith("failed  F04") and "沈阳市医疗保障局本级" in x)
    # 部门公开表10 L2338: 本级 项目支出 6.00; 表8 L2049: 定点医疗机构年终考核经费 6.00, the one project printed with 本级
    assert "printed 6.00 万元, recomputed 2,384.56 万元" in line and "only 定点医疗机构年终考核经费 6.00" in line
    assert "(表10 L2324 ↔ 表8 L2049, " in line


def test_liaoning_2024_final_accounts_split_leaves_unlisted_project_money_without_a_level(samples_store_dir):
    fg = build_flow_graph(ox.Store.read_only(str(samples_store_dir)))
    s = next(u for u in unit_splits(fg) if u.period == Period(2024, "final"))
    # 公开03表 L871: 合计 8,943.00, 项目支出 6,518.37; the three projects of the 自评表 were executed 196.48 (L1844),
    # 115 (L2127) and 3.89 (L2358): 6,203.00 of 项目支出 is in no listed project, and the prose (L120-122, L263)
    # says it is mainly 中央财政医疗服务与保障能力提升补助 — not the province's own money, nor a figure by level
    assert s.total == Decimal("8943.00") * W
    assert s.by_level["unattributed"] == (Decimal("6518.37") - Decimal("196.48") - 115 - Decimal("3.89")) * W
    assert s.by_level["provincial"] == Decimal("2740.00") * W  # 基本 2,424.64 + the three projects, to the 0.01 of 合计
    assert s.by_level["central"] == 0 and sum(s.by_level.values()) == s.total
    executed = {fg.label(e.target): e.amount for e in fg.edges if fg.role(e.target) == "project" and e.period == s.period}
    assert executed == {"医疗保障工作专项经费": Decimal("196.48") * W, "医疗保障事务服务工作专项经费": 115 * W,
                        "其他办公用房运行经费": Decimal("3.89") * W}
