"""Stores of many documents and years: nothing counted twice, nothing summed across years.

The samples, the samples again under other names, a PDF beside its own text, a sample
re-dated to another year, and a department document beside one of its units' own
documents (built record by record).  Amounts are those the documents print.
"""
from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from fundflow.analysis.flows import Period, unit_splits
from fundflow.checks.conservation import check_flows
from fundflow.cli.main import cli
from fundflow.core.model import BudgetLine, DocumentMeta, ParsedDocument, Project, SourceDocument, UnitInfo
from fundflow.kg.duplicates import fingerprint
from fundflow.kg.funding_map import funding_triples
from fundflow.kg.ingest import ingest_paths
from fundflow.kg.iris import graph_iri
from fundflow.kg.mapper import records_to_triples
from fundflow.kg.store import load_reference_graphs, relink_units, replace_document
from fundflow.outputs.flowgraph import build_flow_graph
from fundflow.records.pipeline import parse_document
from tests.conftest import SAMPLES

W = Decimal(10000)
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
FILES = sorted(SAMPLES.glob("*-budget.txt")) + sorted(SAMPLES.glob("*-accounts.txt"))


def _trace(store_dir: Path, *args: str) -> dict:
    out = CliRunner().invoke(cli, ["trace", "--store", str(store_dir), "--format", "json", *args])
    assert out.exit_code == 0, out.output
    return json.loads(out.output)


def _ingest(where: Path, files: list[Path]) -> list[str]:
    """Ingest ``files`` into the store at ``where`` → the lines reported."""
    said: list[str] = []
    store = ox.Store(str(where))
    assert not ingest_paths(store, files, report=said.append).failed
    del store
    return said


@pytest.fixture(scope="module")
def twice(tmp_path_factory):
    """The five samples, then the five again under other names (a re-publication)."""
    folder = tmp_path_factory.mktemp("twice")
    copies = []
    for f in FILES:
        copies.append(folder / f"republished-{f.name}")
        shutil.copy(f, copies[-1])
    first = _ingest(folder / "store", FILES)
    before = _trace(folder / "store")
    said = _ingest(folder / "store", copies)
    return folder / "store", before, first, said


def test_samples_ingested_again_under_other_names_change_no_total(twice):
    store_dir, before, first, _said = twice
    assert not [m for m in first if m.startswith("warning")]
    assert _trace(store_dir) == before
    center = next(u for u in before["units"] if u["unitCode"] == "578002" and u["year"] == 2024)
    assert Decimal(center["total"]) == Decimal("243492.11") * W  # 表1 支出总计 of shenyang-center-2024
    city = [r for r in before["flows"] if (r["from"], r["to"], r["year"]) == ("沈阳市财政", "沈阳市医疗保障局", 2024)]
    assert sum(Decimal(r["amount"]) for r in city) == Decimal("243492.11") * W


def test_each_copy_is_one_warning_naming_both_files(twice):
    _store_dir, _before, _first, said = twice
    warnings = [m for m in said if m.startswith("warning")]
    assert len(warnings) == len(FILES)
    for f in FILES:
        line = next(m for m in warnings if m.startswith(f"warning: republished-{f.name} "))
        assert f"the same document as {f.name} " in line and "prov:alternateOf" in line and "\n" not in line


def test_a_copy_is_linked_to_its_original_and_holds_nothing_else(twice):
    store_dir = twice[0]
    store = ox.Store.read_only(str(store_dir))
    rows = list(store.query("""SELECT ?file ?of WHERE { GRAPH ?g { ?d prov:alternateOf ?o ; ff:fileName ?file }
        GRAPH ?h { ?o ff:fileName ?of } }""", prefixes={"prov": "http://www.w3.org/ns/prov#",
                                                        "ff": "https://w3id.org/fundflow#"}))
    assert sorted((r["file"].value, r["of"].value) for r in rows) == sorted((f"republished-{f.name}", f.name) for f in FILES)
    copy = graph_iri("republished-shenyang-center-2024-budget.txt")
    assert len(list(store.quads_for_pattern(None, None, None, copy))) < 10


def test_the_documents_table_names_each_copy_and_its_original(twice):
    from fundflow.outputs.sheets import table_rows

    _columns, rows = table_rows(ox.Store.read_only(str(twice[0])), "documents")
    assert sorted((r["file"], r["alternateOf"]) for r in rows) == sorted(
        [(f.name, None) for f in FILES] + [(f"republished-{f.name}", f.name) for f in FILES])


def test_validate_counts_no_finding_twice(twice):
    out = CliRunner().invoke(cli, ["validate", "--store", str(twice[0]), "--no-shacl"]).output
    last = out.strip().splitlines()[-1]
    assert "14 failed" in last  # as for the samples stored once (tests/test_validate.py)


def test_the_same_bytes_under_another_name_and_a_replaced_file(tmp_path):
    doc = SAMPLES / "anshan-center-2026-budget.txt"
    same = tmp_path / "anshan.txt"
    shutil.copy(doc, same)
    said = _ingest(tmp_path / "s", [doc, doc, same])
    assert len([m for m in said if m.startswith("warning")]) == 1  # ingesting a file again replaces it
    units = _trace(tmp_path / "s")["units"]
    assert [Decimal(u["total"]) for u in units] == [Decimal("1681.43") * W]  # 表1 of the Anshan 2026 budget


def test_a_pdf_beside_its_text_is_one_document(tmp_path):
    text, pdf = CORPUS / "jiangsu_procuratorate_2019_dept_budget.txt", CORPUS / "pdf" / "jiangsu_procuratorate_2019_dept_budget.pdf"
    assert fingerprint(parse_document(text)) == fingerprint(parse_document(pdf))
    said = _ingest(tmp_path / "s", [text, pdf])
    assert [m for m in said if m.startswith("warning")] == [
        (f"warning: {pdf.name} is the same document as {text.name} (same unit, 2019年预算, same totals): "
         "kept once, recorded as prov:alternateOf it")]
    units = _trace(tmp_path / "s")["units"]
    assert [Decimal(u["total"]) for u in units] == [Decimal("24169.74") * W]  # 公开02表 支出总计 24,169.74 万元


def test_other_documents_are_not_copies():
    seen = {fingerprint(parse_document(f)) for f in FILES}
    assert len(seen) == len(FILES) and None not in seen


# ------------------------------------------------------------------ years side by side


@pytest.fixture(scope="module")
def two_years(tmp_path_factory):
    """Fushun's 2023 budget and the same document re-dated 2025 (a generated later year)."""
    folder = tmp_path_factory.mktemp("years")
    later = folder / "fushun-center-2025-budget.txt"
    later.write_text((SAMPLES / "fushun-center-2023-budget.txt").read_text(encoding="utf-8").replace("2023", "2025"),
                     encoding="utf-8")
    said = _ingest(folder / "store", [SAMPLES / "fushun-center-2023-budget.txt", later, *FILES])
    assert not [m for m in said if m.startswith("warning")]  # another year is another document
    return folder / "store"


def test_no_figure_mixes_years(two_years):
    d = _trace(two_years)
    assert d["periods"] == ["2019-budget", "2023-budget", "2024-budget", "2024-final", "2025-budget", "2026-budget"]
    assert all(r["year"] and r["phase"] in ("budget", "final") for r in d["flows"] + d["units"])
    central = sorted((r["year"], Decimal(r["amount"])) for r in d["flows"]
                     if (r["from"], r["to"]) == ("中央财政", "辽宁省财政"))
    # Fushun 表17: 25,434 + 2,964 central each year; Shenyang 2024 表9: 124,524 + 2,247
    assert central == [(2023, 28398 * W), (2024, 126771 * W), (2025, 28398 * W)]


def test_for_every_unit_and_year_the_levels_add_up_to_the_total(two_years):
    fg = build_flow_graph(ox.Store.read_only(str(two_years)))
    splits = unit_splits(fg)
    assert len(splits) == 7  # 2019 本级 and 中心, 2023 and 2025 Fushun, 2024 Shenyang and Liaoning, 2026 Anshan
    for s in splits:
        assert sum(s.by_level.values()) == s.total, (s.label, s.period)
    fushun = {s.period.year: s.total for s in splits if s.unit_code == "071002"}
    assert fushun == {2023: Decimal("57746.89") * W, 2025: Decimal("57746.89") * W}


def test_the_table_puts_the_years_side_by_side(two_years):
    out = CliRunner().invoke(cli, ["trace", "--store", str(two_years)]).output
    head = out.splitlines()[1].split()
    assert head[2:] == ["2019年预算", "2023年预算", "2024年预算", "2024年决算", "2025年预算", "2026年预算"]
    row = next(line for line in out.splitlines() if line.startswith("071002"))
    assert row.split()[2:] == ["57,746.89", "57,746.89"]  # 2023 and 2025, never 115,493.78


# ------------------------------------------------------------------ a department and its unit


def _source(name: str) -> SourceDocument:
    return SourceDocument(name, name, (name.encode().hex() * 8)[:64], "utf-8", tuple(f"l{i}" for i in range(400)))


def _department_and_unit() -> tuple[ParsedDocument, ParsedDocument]:
    """某市医疗保障局 2024: 本级 100 万元 (basic) and 中心 300 (basic 200 + project 医保经办经费 100) — in the
    department's document (表10 by unit) and, for 中心, in the center's own document."""
    region, dept = "210100000", "沈阳市医疗保障局"
    benji, center = UnitInfo("沈阳市医疗保障局本级", "578001", region), UnitInfo("沈阳市医疗保障事务服务中心", "578002", region)
    docs = []
    for name, scope, units, lines in (
            ("city-bureau-2024-budget.txt", "department", (benji, center),
             [(dept, None, 400, 300, 100), (benji.name, "578001", 100, 100, 0), (center.name, "578002", 300, 200, 100)]),
            ("city-center-2024-budget.txt", "unit", (center,), [(center.name, "578002", 300, 200, 100)])):
        src = _source(name)
        meta = DocumentMeta(f"{name}", 2024, "budget", scope, dept, units, "万元", "沈阳市", "210100", src.ref(1, 1))
        records: list = []
        for k, (unit, code, total, basic, projects) in enumerate(lines):
            for kind, amount in (("Total", total), ("Basic", basic), ("ProjectExpenditure", projects)):
                records.append(BudgetLine("表10", "expenditure", "", "function", "合计", kind, amount * W,
                                          src.ref(40 + k, 40 + k, "表10"), unit_name=unit, unit_code=code))
        records.append(Project("医保经办经费", 100 * W, src.ref(90, 91, "表9"), "表9", center.name, "578002"))
        docs.append(ParsedDocument(src, "test", meta, (), tuple(records)))
    return docs[0], docs[1]


@pytest.fixture(scope="module")
def department_store(tmp_path_factory):
    store = ox.Store(str(tmp_path_factory.mktemp("dept")))
    load_reference_graphs(store)
    for parsed in _department_and_unit():
        replace_document(store, graph_iri(parsed.source.name), records_to_triples(parsed) + funding_triples(parsed))
    relink_units(store)
    return store


def test_a_unit_in_its_departments_and_its_own_document_is_counted_once(department_store):
    fg = build_flow_graph(department_store)
    splits = {s.label: s.total for s in unit_splits(fg)}
    assert splits == {"沈阳市医疗保障局本级": 100 * W, "沈阳市医疗保障事务服务中心": 300 * W}  # the department's 400 is their sum
    into_bureau = sum(e.amount for e in fg.edges if (fg.label(e.source), fg.label(e.target)) == ("沈阳市财政", "沈阳市医疗保障局"))
    assert into_bureau == 400 * W
    center = {e.document for e in fg.edges if fg.label(e.recipient or "") == "沈阳市医疗保障事务服务中心"}
    assert center == {"city-center-2024-budget.txt"}
    assert fg.notes == (("沈阳市医疗保障事务服务中心 2024年预算: figures from city-center-2024-budget.txt; "
                         "city-bureau-2024-budget.txt not counted again"),)


def test_the_pair_holds_every_conservation_rule(department_store):
    fg = build_flow_graph(department_store)
    assert fg.periods() == [Period(2024)]
    assert check_flows(fg) == []
    held = {f.rule for f in check_flows(fg, include_held=True)}
    assert held == {"F01", "F02", "F03"}


def _flows_of_every_export(store: ox.Store, folder: Path) -> dict[str, list[tuple]]:
    """The flows table as the CSV, the XLSX and the data package write it → (year, phase, from, to, project, 万元)."""
    import csv
    import io

    from openpyxl import load_workbook

    from fundflow.outputs.datapackage import write_datapackage
    from fundflow.outputs.sheets import write_csv, write_xlsx

    def rows(text: str, scale: Decimal) -> list[tuple]:
        return [(int(r["year"]), r["phase"], r["from"], r["to"], r["project"] or None, Decimal(r["amount"]) / scale)
                for r in csv.DictReader(io.StringIO(text))]

    out = {"csv": rows(write_csv(store, "flows", None, bom=False).decode(), W)}
    write_datapackage(store, folder / "package")
    out["datapackage"] = rows((folder / "package" / "data" / "flows.csv").read_text(encoding="utf-8"), W)
    sheet = load_workbook(write_xlsx(store, folder / "book.xlsx"))["flows"]
    head = [c.value for c in sheet[1]]
    out["xlsx"] = [(r[0], r[1], r[2], r[3], r[4], Decimal(str(r[head.index("amount（万元）")])))
                   for r in sheet.iter_rows(min_row=2, values_only=True)]
    return out


def test_every_export_counts_a_unit_in_its_departments_and_its_own_document_once(department_store, tmp_path):
    for name, rows in _flows_of_every_export(department_store, tmp_path).items():
        into_center = [r for r in rows if r[3] == "沈阳市医疗保障事务服务中心"]
        # 中心's 300 万元 (basic 200 + 医保经办经费 100) as its own document prints it, once; not 600
        assert sorted(r[5] for r in into_center) == [100, 200], name
        project = [r for r in rows if r[3] == "医保经办经费"]
        assert [(r[0], r[1], r[5]) for r in project] == [(2024, "Budget", 100)], name
        into_bureau = sum(r[5] for r in rows if (r[2], r[3]) == ("沈阳市财政", "沈阳市医疗保障局"))
        assert into_bureau == 400, name  # the department's 合计: 本级 100 + 中心 300
