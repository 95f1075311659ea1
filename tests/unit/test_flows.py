"""Funding facts in the store, flow analytics and ``fundflow trace`` on two samples."""
import json
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from fundflow.analysis.flows import Period, unit_splits
from fundflow.cli.main import cli
from fundflow.core.model import DocumentMeta, UnitInfo
from fundflow.kg import vocab
from fundflow.kg.funding_map import funding_triples, treasury_chain
from fundflow.kg.ingest import ingest_paths
from fundflow.kg.mapper import project_nodes, records_to_triples
from fundflow.kg.query import load_query, run_query
from fundflow.outputs import flowgraph as flows
from fundflow.records.pipeline import parse_document

SAMPLES = Path(__file__).resolve().parents[2] / "data" / "samples"
FILES = [SAMPLES / "shenyang-center-2024-budget.txt", SAMPLES / "fushun-center-2023-budget.txt"]
W = Decimal(10000)


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory):
    where = tmp_path_factory.mktemp("store")
    store = ox.Store(str(where))
    assert not ingest_paths(store, FILES, report=lambda _m: None).failed
    del store
    return where


@pytest.fixture(scope="module")
def store(store_dir):
    return ox.Store.read_only(str(store_dir))


def test_project_nodes_match_the_mapping():
    parsed = parse_document(FILES[0])
    typed = {t.subject for t in records_to_triples(parsed) if t.predicate == vocab.A and t.object == vocab.FF("Project")}
    assert {n for _i, n, _u in project_nodes(parsed)} <= typed and len(project_nodes(parsed)) == 15


def test_central_money_reaches_the_city_through_the_province():
    m = DocumentMeta("t", 2024, "budget", "unit", "沈阳市医疗保障局", (UnitInfo("沈阳市医疗保障事务服务中心", "578002", "210100"),), "万元")
    assert [name for _l, name, _r in treasury_chain("Central", m)] == ["中央财政", "辽宁省财政", "沈阳市财政"]
    assert [name for _l, name, _r in treasury_chain("Municipal", m)] == ["沈阳市财政"]


def test_funding_triples_carry_levels_and_inferred_codes():
    ts = funding_triples(parse_document(FILES[0]))
    inferred = [t for t in ts if t.predicate == vocab.FF("subjectCodeInferred")]
    assert len(inferred) == 15
    assert sum(1 for t in ts if t.predicate == vocab.FF("isDirectFund") and t.object.value == "true"
               and "/project/" in t.subject.value) == 4


def _split(store, code, year):
    return next(u for u in unit_splits(flows.build_flow_graph(store).select(year=year)) if u.unit_code == code)


def test_unit_split_of_shenyang_2024(store):
    s = _split(store, "578002", 2024)
    assert s.total == Decimal("243492.11") * W and s.period == Period(2024, "budget")
    assert s.by_level["central"] == 126771 * W and s.by_level["provincial"] == 31683 * W
    assert s.by_level["municipal"] == Decimal("85038.11") * W
    assert s.direct == {"central": 126771 * W, "provincial": 31683 * W}
    assert s.advance == (124524 + 2247 + 30037 + 1646) * W  # the four 提前下达 projects of 表9


def test_fushun_split_and_region_filter(store):
    s = unit_splits(flows.load_graph(store, region="210400"))
    assert [u.unit_code for u in s] == ["071002"]
    assert s[0].by_level["central"] == (25434 + 2964) * W and s[0].direct["central"] == 0


def test_every_flow_has_a_period_and_a_source_line(store):
    fg = flows.build_flow_graph(store)
    assert fg.periods() == [Period(2023, "budget"), Period(2024, "budget")]
    money = [e for e in fg.edges if e.level]
    assert money and all(e.ref and e.ref.first_line > 0 and e.document for e in money)
    assert {e.recipient for e in money} <= {n for n, x in fg.nodes.items() if x.role in ("unit", "department")}


def test_direct_only_graph_and_trace(store):
    fg = flows.load_graph(store, direct_only=True)
    assert fg.edges and all(e.direct for e in fg.edges)
    central = flows.trace_from(fg, "中央财政")
    leaves = {central.nodes[n].label for n in central.used_nodes() if central.nodes[n].role == "project"}
    assert leaves == {"提前下达中央财政城乡居民基本医疗保险补助中央直达资金", "提前下达中央财政医疗救助补助中央直达资金",
                      "提前下达省财政城乡居民基本医疗保险补助直达资金", "提前下达省财政医疗救助补助直达资金"}
    assert flows.largest_flows(fg, 1)[0][3] == 158454 * W  # 辽宁省财政 → 沈阳市财政: 126,771 + 31,683


def test_per_beneficiary_is_derived(store):
    rows = [r for r in flows.per_beneficiary(store) if r["indicator"] == "城乡居民基本医疗保险参保补助人数"]
    assert rows and all(r["derived"] and r["year"] == 2024 for r in rows)
    assert {r["perBeneficiaryOfCode"] for r in rows} == {(Decimal(209551) * W / Decimal(3963700)).quantize(Decimal("0.01"))}


def test_trace_cli_json_contract(store_dir):
    out = CliRunner().invoke(cli, ["trace", "--store", str(store_dir), "--format", "json", "--year", "2024"])
    assert out.exit_code == 0, out.output
    d = json.loads(out.output)
    u = next(u for u in d["units"] if u["unitCode"] == "578002")
    assert Decimal(u["byLevel"]["municipal"]) == 850381100 and u["year"] == 2024 and u["phase"] == "budget"
    assert {"from", "to", "amount", "level", "direct", "year"} <= set(d["flows"][0])
    assert d["periods"] == ["2024-budget"]


def test_trace_json_rows_always_carry_their_year(store_dir):
    d = json.loads(CliRunner().invoke(cli, ["trace", "--store", str(store_dir), "--format", "json"]).output)
    assert d["flows"] and all(r["year"] in (2023, 2024) and r["phase"] == "budget" for r in d["flows"])
    central = [r for r in d["flows"] if r["from"] == "中央财政"]
    # 中央 → 辽宁省财政 once per year, never summed: Fushun 2023 25,434 + 2,964; Shenyang 2024 124,524 + 2,247
    assert sorted((r["year"], Decimal(r["amount"])) for r in central) == [(2023, 28398 * W), (2024, 126771 * W)]


def test_trace_cli_table_and_no_match(store_dir):
    out = CliRunner().invoke(cli, ["trace", "--store", str(store_dir), "--direct-only"])
    assert out.exit_code == 0 and "126,771.00" in out.output and "== 2024年预算 ==" in out.output
    none = CliRunner().invoke(cli, ["trace", "--store", str(store_dir), "--year", "1999"])
    assert none.exit_code == 2 and "no funding flows" in none.output


def test_trace_table_puts_years_side_by_side(store_dir):
    out = CliRunner().invoke(cli, ["trace", "--store", str(store_dir)]).output
    head = out.splitlines()[1]
    assert "2023年预算" in head and "2024年预算" in head
    assert "== 2023年预算 ==" in out and "== 2024年预算 ==" in out
    row = next(line for line in out.splitlines() if line.startswith("578002"))
    assert row.split()[-1] == "243,492.11"


@pytest.mark.parametrize(("name", "minimum"), [("direct-funds", 4), ("unit-funding-split", 4), ("project-indicators", 10),
                                               ("code-rollup", 8), ("budget-vs-executed", 0)])
def test_bundled_queries_answer(store, name, minimum):
    text = load_query(name)
    assert text.startswith("# ")
    rows = list(run_query(store, text))
    assert len(rows) >= minimum
    if name == "direct-funds":
        assert {r["source"].value for r in rows} == {"中央财政", "辽宁省财政"}


def test_flows_of_a_project_name_its_fund_when_its_columns_do():
    from decimal import Decimal

    from fundflow.core.model import Project, SourceRef
    from fundflow.kg.funding_map import project_fund

    ref = SourceRef("d.txt", "0" * 64, 1, 1, "表9")
    one = Project("甲", Decimal(100), ref, "表9", columns=(("Total", Decimal(100)), ("CurrentYear.GeneralPublicBudget", Decimal(100))))
    two = Project("乙", Decimal(100), ref, "表9", columns=(("CurrentYear.GeneralPublicBudget", Decimal(60)),
                                                           ("CurrentYear.GovernmentFund", Decimal(40))))
    assert project_fund(one) == "GeneralPublicBudget"
    assert project_fund(two) is None and project_fund(Project("丙", Decimal(1), ref, "表17")) is None
