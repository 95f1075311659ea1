"""``query flows`` counts each flow once, as the trace does: the store's ``ff:supersededBy`` marks (``kg.counted``).

The samples (Shenyang center 2024: 表1 支出总计 243,492.11 万元 = 表9's 中央直达 124,524 + 2,247, 省直达
30,037 + 1,646, and 85,038.11 of its own government), the samples again under other names, and a
department document beside its unit's own document of the same year (built record by record:
本级 100 万元, 中心 300 = basic 200 + project 医保经办经费 100, so the department's 合计 is 400), stored
in either order and with either one removed again.
"""
from __future__ import annotations

import json
import shutil
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from fundflow.cli.main import cli
from fundflow.kg.counted import recount
from fundflow.kg.funding_map import funding_triples
from fundflow.kg.ingest import ingest_paths
from fundflow.kg.iris import graph_iri, system_graph_iri
from fundflow.kg.mapper import records_to_triples
from fundflow.kg.store import load_reference_graphs, replace_document
from fundflow.outputs.flowgraph import build_flow_graph
from tests.conftest import SAMPLES
from tests.test_many_documents import _department_and_unit

W = Decimal(10000)
FILES = sorted(SAMPLES.glob("*.txt"))
BUREAU, CENTER = "city-bureau-2024-budget.txt", "city-center-2024-budget.txt"
LEVELS = {"Central": "中央", "Provincial": "省", "Municipal": "市"}


def _cli(*args: str) -> str:
    out = CliRunner().invoke(cli, list(args))
    assert out.exit_code == 0, out.output
    return out.output


def _flows(store_dir: Path) -> list[dict]:
    """``fundflow query flows`` rows as plain values (amounts in yuan)."""
    data = json.loads(_cli("query", "flows", "--store", str(store_dir), "--format", "json"))
    return [{k: v["value"] for k, v in b.items()} for b in data["results"]["bindings"]]


def _sum(rows: list[dict], source: str, target: str, year: int) -> Decimal:
    return sum((Decimal(r["amount"]) for r in rows
                if (r["from"], r["to"], r["year"][:4]) == (source, target, str(year))), Decimal(0))


def _trace_sum(store_dir: Path, source: str, target: str, year: int) -> Decimal:
    d = json.loads(_cli("trace", "--store", str(store_dir), "--format", "json"))
    return sum((Decimal(r["amount"]) for r in d["flows"] if (r["from"], r["to"], r["year"]) == (source, target, year)),
               Decimal(0))


def _ingest(where: Path, files: list[Path]) -> None:
    store = ox.Store(str(where))
    assert not ingest_paths(store, files, report=lambda _line: None).failed
    del store


def _marks(store: ox.Store) -> int:
    return sum(1 for _ in store.quads_for_pattern(None, ox.NamedNode("https://w3id.org/fundflow#supersededBy"), None,
                                                  system_graph_iri("counted")))


# ------------------------------------------------------------------ the samples


@pytest.fixture(scope="module")
def samples(tmp_path_factory):
    """The five samples → (store, their ``query flows`` rows), then the five again under other names."""
    folder = tmp_path_factory.mktemp("samples")
    _ingest(folder / "store", FILES)
    before = _flows(folder / "store")
    copies = []
    for f in FILES:
        copies.append(folder / f"again-{f.name}")
        shutil.copy(f, copies[-1])
    _ingest(folder / "store", copies)
    return folder / "store", before


def test_the_shenyang_2024_flow_is_its_total_split_by_level(samples):
    store_dir, before = samples
    assert _sum(before, "沈阳市财政", "沈阳市医疗保障局", 2024) == Decimal("243492.11") * W  # 表1 支出总计
    by_level = Counter[str]()
    for r in before:
        if (r["from"], r["to"], r["year"][:4]) == ("沈阳市财政", "沈阳市医疗保障局", "2024"):
            by_level[r["level"].rsplit("#", 1)[-1]] += Decimal(r["amount"])
    # 表9: 中央 124,524 + 2,247; 省 30,037 + 1,646; the rest its own government's
    assert by_level == {"Central": 126771 * W, "Provincial": 31683 * W, "Municipal": Decimal("85038.11") * W}
    assert _trace_sum(store_dir, "沈阳市财政", "沈阳市医疗保障局", 2024) == Decimal("243492.11") * W


def test_the_samples_again_under_other_names_change_no_row(samples):
    store_dir, before = samples
    key = lambda r: tuple(sorted(r.items()))  # noqa: E731
    assert sorted(map(key, _flows(store_dir))) == sorted(map(key, before))


def test_no_sample_flow_is_superseded(samples):
    store = ox.Store.read_only(str(samples[0]))
    assert _marks(store) == 0  # no unit printed twice in one period
    assert store.contains_named_graph(system_graph_iri("counted"))


# ------------------------------------------------------------------ a department and its unit


def _pair_store(where: Path, order: tuple[str, ...]) -> Path:
    """The department and unit documents of 2024, stored in ``order`` and counted."""
    parsed = {p.source.name: p for p in _department_and_unit()}
    store = ox.Store(str(where))
    load_reference_graphs(store)
    for name in order:
        replace_document(store, graph_iri(name), records_to_triples(parsed[name]) + funding_triples(parsed[name]))
        recount(store)
    del store
    return where


@pytest.fixture(params=[(BUREAU, CENTER), (CENTER, BUREAU)], ids=["department-first", "unit-first"])
def pair(request, tmp_path):
    return _pair_store(tmp_path / "store", request.param)


def _edges(store_dir: Path) -> Counter:
    """The flow graph's flows (code links left out) as (from, to, yuan) → how many."""
    fg = build_flow_graph(ox.Store.read_only(str(store_dir)))
    return Counter((fg.label(e.source), fg.label(e.target), e.amount) for e in fg.edges if fg.role(e.target) != "code")


def test_query_flows_sums_are_the_traces_in_either_order(pair):
    rows = _flows(pair)
    assert _sum(rows, "沈阳市财政", "沈阳市医疗保障局", 2024) == 400 * W  # the department's 合计
    assert _trace_sum(pair, "沈阳市财政", "沈阳市医疗保障局", 2024) == 400 * W
    into_center = sorted(Decimal(r["amount"]) for r in rows if r["to"] == "沈阳市医疗保障事务服务中心")
    assert into_center == [100 * W, 200 * W]  # 中心's 300 once (project 100 + basic 200), not 600
    assert Counter((r["from"], r["to"], Decimal(r["amount"])) for r in rows) == _edges(pair)


def test_the_department_documents_flows_to_the_unit_are_superseded_by_the_units_own(pair):
    store = ox.Store.read_only(str(pair))
    found = store.query("""SELECT ?file (COUNT(?f) AS ?n) WHERE { GRAPH ?c { ?f ff:supersededBy ?d } ?d ff:fileName ?file
        GRAPH ?g { ?f a ff:Flow } } GROUP BY ?file""", use_default_graph_as_union=True,
                        prefixes={"ff": "https://w3id.org/fundflow#"})
    marks = {r["file"].value: int(r["n"].value) for r in found}
    assert list(marks) == [CENTER] and marks[CENTER] >= 2  # 中心's basic 200 and project 100 in the department's


@pytest.mark.parametrize(("gone", "left"), [(CENTER, BUREAU), (BUREAU, CENTER)])
def test_after_removing_one_document_the_others_flows_count(pair, gone, left):
    out = _cli("remove", gone, "--store", str(pair))
    assert out.strip() == f"removed 1 documents: {gone}"
    rows = _flows(pair)
    into_center = sorted(Decimal(r["amount"]) for r in rows if r["to"] == "沈阳市医疗保障事务服务中心")
    assert into_center == [100 * W, 200 * W]  # as each of the two documents prints it
    # the department's document gives 本级 100 and 中心 300 to the bureau; the center's own only its 300
    assert _sum(rows, "沈阳市财政", "沈阳市医疗保障局", 2024) == (400 if left == BUREAU else 300) * W
    assert Counter((r["from"], r["to"], Decimal(r["amount"])) for r in rows) == _edges(pair)
    store = ox.Store.read_only(str(pair))
    assert _marks(store) == 0
    assert not store.contains_named_graph(graph_iri(gone))
    assert not store.contains_named_graph(ox.NamedNode(graph_iri(gone).value + "/findings"))


def test_removing_an_unknown_file_name_is_one_line_and_exit_2(pair):
    out = CliRunner().invoke(cli, ["remove", "nowhere-2024-budget.txt", CENTER, "--store", str(pair)])
    assert out.exit_code == 2
    assert out.output.strip().splitlines() == [
        "error: nowhere-2024-budget.txt: no document of this file name in the store — "
        "fundflow query documents lists the stored files"]
    assert ox.Store.read_only(str(pair)).contains_named_graph(graph_iri(CENTER))  # nothing removed


def test_removing_a_document_removes_its_copies(tmp_path):
    doc = SAMPLES / "anshan-center-2026-budget.txt"
    copy = tmp_path / "anshan-copy.txt"
    shutil.copy(doc, copy)
    _ingest(tmp_path / "s", [doc, copy])
    out = _cli("remove", str(doc), "--store", str(tmp_path / "s"))
    assert out.strip() == f"removed 2 documents: {doc.name}, {copy.name}"
    assert _flows(tmp_path / "s") == []


def test_the_export_after_ingest_holds_the_marks(pair, tmp_path):
    _cli("export", "--format", "trig", "-o", str(tmp_path / "all.trig"), "--store", str(pair))
    data = ox.Dataset(ox.parse(path=str(tmp_path / "all.trig"), format=ox.RdfFormat.TRIG))
    counted = [q for q in data if q.graph_name == system_graph_iri("counted")]
    assert {q.predicate.value for q in counted} == {"https://w3id.org/fundflow#supersededBy",
                                                    "http://www.w3.org/2000/01/rdf-schema#comment"}
    assert len(counted) >= 3  # the comment, 中心's two flows in the department's document
