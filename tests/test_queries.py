"""The bundled queries users ask, and how `fundflow query` shows them.

Figures read by hand from the samples: Shenyang 2024 表9 中央直达 project 124,524.00 万元; Liaoning 2024
决算 公务接待费 0.43 万元 (L308) and 医疗保障事务服务工作专项经费 预算 120.6 / 执行 115 / 执行率 95.36%
(L2127); Fushun 2023 表9 项目支出预算表 illegible (L223), 表3 L62 2101301 城乡医疗救助 7,183.00 万元.
"""
import dataclasses
import re
from decimal import Decimal
from importlib import resources
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from support.corpus import write_corpus

from fundflow.cli.main import cli
from fundflow.core.model import BudgetLine
from fundflow.kg import counted
from fundflow.kg.ingest import ingest_paths
from fundflow.kg.query import load_query
from fundflow.kg.vocab import PREFIXES
from fundflow.outputs import flowgraph
from tests.conftest import make_parsed


def _query(store_dir, *args):
    r = CliRunner().invoke(cli, ["query", *args, "--store", str(store_dir)])
    assert r.exit_code == 0, r.output
    return r.output


def test_help_lists_every_bundled_query_with_its_question():
    out = CliRunner().invoke(cli, ["query", "--help"]).output
    folder = resources.files("fundflow.kg").joinpath("queries")
    files = [f for f in folder.iterdir() if f.name.endswith(".rq")]
    assert len(files) >= 18
    flat = re.sub(r"\s+", " ", out)
    for f in files:
        question = f.read_text(encoding="utf-8").splitlines()[0].lstrip("# ")
        assert f.name[:-3] in out and question[:40] in flat


def test_tables_show_wan_yuan_and_chinese_labels(samples_store_dir):
    out = _query(samples_store_dir, "projects")
    assert "amount（万元）" in out.splitlines()[0]
    row = next(ln for ln in out.splitlines() if "提前下达中央财政城乡居民基本医疗保险补助中央直达资金" in ln)
    assert "124,524.00" in row and "中央" in row and "ff:Central" not in row
    csv = _query(samples_store_dir, "projects", "--format", "csv")
    assert "1245240000" in csv  # machine formats stay exact, in yuan


def test_three_costs_by_year_with_chinese_item_names(samples_store_dir):
    out = _query(samples_store_dir, "three-costs")
    row = next(ln for ln in out.splitlines() if "liaoning" in ln and "决算数" in ln and "公务接待费" in ln)
    assert row.rstrip().endswith("0.43")


def test_budget_vs_executed_in_per_cent(samples_store_dir):
    out = _query(samples_store_dir, "budget-vs-executed")
    row = next(ln for ln in out.splitlines() if "医疗保障事务服务工作专项经费" in ln)
    assert row.split()[-3:] == ["120.60", "115.00", "95.36"]


def test_tables_not_read_say_where_and_why(samples_store_dir):
    out = _query(samples_store_dir, "tables-not-read")
    row = next(ln for ln in out.splitlines() if "fushun" in ln and " 表9 " in ln)
    assert "223" in row and "illegible" in row and "项目支出预算表" in row


def test_budget_vs_final_pairs_the_same_unit_and_year(tmp_path, monkeypatch):
    budget = make_parsed("unit-2024-budget.txt", "ab" * 32)
    base = make_parsed("unit-2024-final-accounts.txt", "cd" * 32)
    total = BudgetLine("公开03表", "expenditure", "", "function", "合计", "Total", Decimal("2300000000.00"),
                       base.source.ref(38, 38, "公开03表"))
    final = dataclasses.replace(base, meta=dataclasses.replace(base.meta, kind="final_accounts"),
                                records=(*(r for r in base.records if not isinstance(r, BudgetLine)), total))
    docs = {d.source.name: d for d in (budget, final)}
    monkeypatch.setattr("fundflow.records.pipeline.parse_document", lambda path, loader=None, ocr=False: docs[Path(path).name])
    for name in docs:
        (tmp_path / name).write_text("x", encoding="utf-8")
    store = ox.Store(str(tmp_path / "s"))
    assert not ingest_paths(store, [tmp_path / n for n in docs], report=lambda _m: None).failed
    del store
    out = _query(tmp_path / "s", "budget-vs-final")
    row = next(ln for ln in out.splitlines() if ln.startswith("2024"))
    assert row.split()[-4:] == ["237,484.75", "230,000.00", "-7,484.75", "96.85"]
    # neither the samples nor the generated documents pair a budget with final accounts: the tuned form checked here
    assert _same_as_plain(tmp_path / "s", "budget-vs-final") == 1


@pytest.mark.parametrize("name", ["totals", "findings", "flows", "codes", "budget-lines"])
def test_new_queries_run(samples_store_dir, name):
    assert "row" in _query(samples_store_dir, name).splitlines()[-1]


PLAIN = Path(__file__).resolve().parent / "support" / "plain_queries"


@pytest.fixture(scope="module")
def generated_store_dir(tmp_path_factory) -> Path:
    """Twelve generated disclosures (every layout, 万元 and 元) in a store."""
    folder = tmp_path_factory.mktemp("generated")
    write_corpus(folder / "docs", 12, seed=3)
    store = ox.Store(str(folder / "store"))
    assert not ingest_paths(store, sorted((folder / "docs").iterdir()), report=lambda _m: None).failed
    del store
    return folder / "store"


def _solutions(store: ox.Store, text: str) -> tuple[list[str], list[tuple]]:
    results = store.query(text, use_default_graph_as_union=True, prefixes=PREFIXES)
    return [v.value for v in results.variables], [tuple(sol) for sol in results]


def _same_as_plain(store_dir: Path, name: str) -> int:
    """Bundled query ``name`` and its plain form give the same columns, rows and order → the number of rows."""
    store = ox.Store.read_only(str(store_dir))
    names, rows = _solutions(store, load_query(name))
    assert (names, rows) == _solutions(store, (PLAIN / f"{name}.rq").read_text(encoding="utf-8"))
    return len(rows)


@pytest.mark.parametrize("name", sorted(f.stem for f in PLAIN.glob("*.rq") if f.stem != "budget-vs-final"))
@pytest.mark.parametrize("where", ["samples_store_dir", "generated_store_dir"])
def test_tuned_queries_give_the_rows_of_their_plain_form(request, where, name):
    """Bundled queries written for speed (hash-joined subqueries, file names sorted in pieces) give the same rows,
    columns and order as the plain form in ``tests/support/plain_queries`` (budget-vs-final: its own test)."""
    assert _same_as_plain(request.getfixturevalue(where), name) > 0


INTERNAL = {"flowgraph-totals": (flowgraph, "_TOTALS"), "counted-totals": (counted, "_TOTALS")}


@pytest.mark.parametrize("name", sorted(INTERNAL))
@pytest.mark.parametrize("where", ["samples_store_dir", "generated_store_dir"])
def test_tuned_internal_queries_give_the_rows_of_their_plain_form(request, where, name):
    """The flow graph's and the recount's queries written for speed give the rows of their plain form (per graph)."""
    store = ox.Store.read_only(str(request.getfixturevalue(where)))
    module, attr = INTERNAL[name]
    plain = (PLAIN / "internal" / f"{name}.rq").read_text(encoding="utf-8")
    got = store.query(getattr(module, attr), prefixes=PREFIXES)
    names, rows = [v.value for v in got.variables], [tuple(sol) for sol in got]
    want = store.query(plain, prefixes=PREFIXES)
    assert (names, rows) == ([v.value for v in want.variables], [tuple(sol) for sol in want])
    assert len(rows) > 0


def test_budget_lines_name_table_and_line(samples_store_dir):
    csv = _query(samples_store_dir, "budget-lines", "--format", "csv")
    row = next(ln for ln in csv.splitlines() if "fushun-center-2023-budget.txt" in ln and ",62," in ln)
    assert ",表3,62," in row and "2101301,城乡医疗救助" in row and row.endswith(",71830000")
