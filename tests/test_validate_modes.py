"""``fundflow validate`` in both modes and its exit codes: 0 every identity holds (and the store conforms),
1 a failed check of severity violation or warning, SHACL, or a file that could not be read among others,
2 could not run (README "Reconciliation rules", ``validate --help``).

Documents: fushun-center-2023 (data/samples) is the sample whose identities all hold; damaged, its
表3 L62 ``2101301 城乡医疗救助 7,183.00 … 7,183.00`` printed as 7,138.00 leaves L61's
``21013 医疗救助 7,183.00`` unequal to Σ 项 (R04, 45.00 万元 short, in the 合计 and the 项目支出
column).  The store side: the same document written as N-Quads (``parse --nquads``), damaged by
hand — its unit code 071002 (L321 ``071002抚顺市医疗保障事务服务中心-210400000``) as ``07100X``,
the project 离休干部医药费 (L358–L360, 预算资金情况 1,440.00 万元) given −1,440.00 — breaks two SHACL
shapes.  Generated documents (tests/support/corpus.py) hold their identities by construction.
"""
from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from urllib.parse import unquote

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from support.corpus import write_corpus

from fundflow.cli.main import cli
from fundflow.kg.findings import read_findings, read_rule_counts, shacl_report
from fundflow.kg.ingest import ingest_paths
from fundflow.kg.vocab import FF
from tests.conftest import SAMPLES

FUSHUN = SAMPLES / "fushun-center-2023-budget.txt"
ANSHAN = "anshan-center-2026-budget.txt"


def _run(*args: str):
    return CliRunner().invoke(cli, ["validate", *args])


def _json(result) -> dict:
    return json.loads(result.stdout)


def _store(where: Path, *paths: Path) -> Path:
    store = ox.Store(str(where))
    summary = ingest_paths(store, list(paths), report=lambda _m: None)
    assert len(summary.ok) == len(paths) and not summary.failed
    del store
    return where


@pytest.fixture(scope="module")
def fushun_nquads(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("nq")
    r = CliRunner().invoke(cli, ["parse", "--nquads", str(out), str(FUSHUN)])
    assert r.exit_code == 0, r.output
    return out / f"{FUSHUN.name}.nq"


def _damaged(nquads: Path, folder: Path) -> Path:
    """The document's quads with its unit code broken and one project's amount negative."""
    quads = list(ox.parse(nquads.read_bytes(), format=ox.RdfFormat.N_QUADS))
    out, hits = [], 0
    for q in quads:
        o = q.object
        if q.predicate == FF("unitCode") and o.value == "071002":
            o, hits = ox.Literal("07100X"), hits + 1
        elif q.predicate == FF("amount") and unquote(q.subject.value).endswith("/离休干部医药费"):
            assert o.value == "14400000.00"  # 1,440.00 万元
            o, hits = ox.Literal("-14400000.00", datatype=o.datatype), hits + 1
        out.append(ox.Quad(q.subject, q.predicate, o, q.graph_name))
    assert hits == 2
    folder.mkdir()
    path = folder / nquads.name
    path.write_bytes(ox.serialize(out, format=ox.RdfFormat.N_QUADS))
    return path


# ---------------------------------------------------------------- file mode


def test_a_document_whose_identities_hold_exits_0():
    r = _run(str(FUSHUN), "--format", "json")
    assert r.exit_code == 0, r.output
    report = _json(r)
    assert not [f for f in report["findings"] if f["status"] == "failed"]
    r04 = next(s for s in report["summary"] if s["rule"] == "R04")
    assert r04["passed"] > 0 and r04["failed"] == 0
    assert report["shacl_conforms"] is None  # file mode runs no SHACL


def test_generated_documents_hold_their_identities(tmp_path):
    files = [str(g.path) for g in write_corpus(tmp_path / "gen", 2, seed=1)]
    r = _run(*files)
    assert r.exit_code == 0, r.output
    assert " 0 failed," in r.output.strip().splitlines()[-1]


def test_a_damaged_figure_exits_1_naming_both_lines(tmp_path):
    damaged = tmp_path / "fushun-damaged.txt"
    lines = FUSHUN.read_text(encoding="utf-8").splitlines(keepends=True)
    assert lines[61].startswith("2101301\t城乡医疗救助\t7,183.00")
    lines[61] = lines[61].replace("7,183.00", "7,138.00")
    damaged.write_text("".join(lines), encoding="utf-8")
    r = _run(str(damaged), "--format", "json")
    assert r.exit_code == 1, r.output
    failed = [f for f in _json(r)["findings"] if f["status"] == "failed"]
    assert len(failed) == 2 and {f["rule"] for f in failed} == {"R04"}
    for f in failed:
        assert (f["expected"], f["actual"], f["difference"], f["unit"]) == ("7183.00", "7138.00", "-45.00", "万元")
        assert f["expected_at"] == [{"table": "表3", "first_line": 61, "last_line": 61}]
        assert f["actual_at"] == [{"table": "表3", "first_line": 62, "last_line": 62}]
        assert f["severity"] == "violation"
    table = _run(str(damaged))
    assert table.exit_code == 1 and "(表3 L61 ↔ 表3 L62)" in table.output


def test_an_unreadable_file_among_good_ones_is_named_and_exits_1(tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("这不是预算。\n", encoding="utf-8")
    r = _run(str(notes), str(FUSHUN))
    assert r.exit_code == 1
    errors = [line for line in r.output.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "notes.txt" in errors[0]
    assert "reconciliation: " in r.output and " 0 failed," in r.output  # fushun is still checked


@pytest.mark.parametrize(("make", "said"), [
    (lambda d: d / "missing.txt", "cannot read the file"),
    (lambda d: d / "notes.txt", "no loader recognises"),
    (lambda d: d, "a folder, not a document"),
], ids=["missing", "not-a-disclosure", "folder"])
def test_one_file_that_cannot_be_read_exits_2_on_one_line(tmp_path, make, said):
    (tmp_path / "notes.txt").write_text("这不是预算。\n", encoding="utf-8")
    path = make(tmp_path)
    r = _run(str(path))
    assert r.exit_code == 2, r.output
    out = r.output.strip().splitlines()
    assert len(out) == 1 and out[0].startswith("error: ") and path.name in out[0] and said in out[0]
    assert "Traceback" not in r.output


def test_no_file_readable_exits_2(tmp_path):
    (tmp_path / "a.txt").write_text("这不是预算。\n", encoding="utf-8")
    r = _run(str(tmp_path / "a.txt"), str(tmp_path / "b.txt"))
    assert r.exit_code == 2
    assert "a.txt" in r.output and "b.txt" in r.output and "none of the documents could be read" in r.output


# ---------------------------------------------------------------- store mode


def test_a_missing_store_exits_2(tmp_path):
    r = _run("--store", str(tmp_path / "nothing"))
    assert r.exit_code == 2
    assert r.output.strip().splitlines() == [
        f"error: no store at {tmp_path / 'nothing'} — run `fundflow ingest FILE… --store DIR` first"]


def test_a_clean_store_conforms_and_exits_0(tmp_path, fushun_nquads):
    where = _store(tmp_path / "s", fushun_nquads)
    r = _run("--store", str(where))
    assert r.exit_code == 0, r.output
    assert r.output.strip().splitlines()[-1] == "SHACL: conforms"
    report = _json(_run("--store", str(where), "--format", "json"))
    assert report["shacl_conforms"] is True and not [f for f in report["findings"] if f["status"] == "failed"]
    assert shacl_report(ox.Store.read_only(str(where))) == (True, "")


def test_a_damaged_graph_fails_shacl_and_exits_1(tmp_path, fushun_nquads):
    where = _store(tmp_path / "s", _damaged(fushun_nquads, tmp_path / "bad"))
    conforms, text = shacl_report(ox.Store.read_only(str(where)))
    assert conforms is False
    lines = text.strip().splitlines()
    assert len(lines) == 2
    unit = next(line for line in lines if "#unitCode" in line)
    assert unit.strip().startswith("1 × https://w3id.org/fundflow#unitCode") and "(07100X)" in unit
    amount = next(line for line in lines if "#amount" in line)
    assert amount.strip().startswith("1 × https://w3id.org/fundflow#amount") and "(-14400000" in amount
    r = _run("--store", str(where))
    assert r.exit_code == 1, r.output
    assert "SHACL: does not conform" in r.output and "(07100X)" in r.output
    assert _json(_run("--store", str(where), "--format", "json"))["shacl_conforms"] is False


def test_without_shacl_a_store_with_findings_still_exits_1(samples_store_dir):
    r = _run("--store", str(samples_store_dir), "--no-shacl")
    assert r.exit_code == 1
    assert "SHACL" not in r.output


def test_the_store_is_checked_against_the_shapes_by_default(tmp_path, fushun_nquads):
    """Only the unit code broken: the findings are clean, so SHACL alone decides the exit code."""
    quads = [q if q.predicate != FF("unitCode") else ox.Quad(q.subject, q.predicate, ox.Literal("07100X"), q.graph_name)
             for q in ox.parse(fushun_nquads.read_bytes(), format=ox.RdfFormat.N_QUADS)]
    (tmp_path / "bad").mkdir()
    bad = tmp_path / "bad" / fushun_nquads.name
    bad.write_bytes(ox.serialize(quads, format=ox.RdfFormat.N_QUADS))
    where = _store(tmp_path / "s", bad)
    assert _run("--store", str(where)).exit_code == 1
    assert _run("--store", str(where), "--no-shacl").exit_code == 0


# ---------------------------------------------------------------- read_findings


def test_read_findings_gives_both_sides_in_yuan_with_their_lines(samples_store_dir):
    rows = read_findings(ox.Store.read_only(str(samples_store_dir)))
    keys = {"document", "rule", "status", "message", "expected", "actual", "difference", "left", "right", "unit",
            "measure"}
    assert all(set(r) == keys for r in rows)
    assert {r["status"] for r in rows} <= {"violated", "skipped"}
    # anshan L198 公务接待费 0.1 万元 against 表7 L464, which prints no 公务接待费
    r15 = next(r for r in rows if r["document"] == ANSHAN and r["rule"] == "R15")
    assert r15["status"] == "violated" and r15["unit"] == "万元" and r15["measure"] == ""
    assert (Decimal(r15["expected"]), Decimal(r15["actual"]), Decimal(r15["difference"])) == (0, 1000, 1000)
    assert r15["left"] == f"表7 {ANSHAN}:L464-L464" and r15["right"] == f"说明 {ANSHAN}:L198-L198"
    # anshan L194 三公 5.4 万元 against its items L196 因公出国 0, L198 公务接待 0.1, L200 公务用车 5.4
    r20 = next(r for r in rows if r["document"] == ANSHAN and r["rule"] == "R20")
    assert (Decimal(r20["expected"]), Decimal(r20["actual"])) == (54000, 55000)
    assert sorted(r20["right"].split("|")) == [f"说明 {ANSHAN}:L{n}-L{n}" for n in (196, 198, 200)]
    # anshan L172 and L180: 增加 0.73% — a percentage, not yuan
    r17 = sorted((r for r in rows if r["document"] == ANSHAN and r["rule"] == "R17" and r["status"] == "violated"),
                 key=lambda r: r["left"])
    assert [(r["left"], r["expected"], r["measure"]) for r in r17] == [
        (f"说明 {ANSHAN}:L172-L172", "0.73", "%"), (f"说明 {ANSHAN}:L180-L180", "0.73", "%")]


def test_read_rule_counts_count_what_was_checked(samples_store_dir):
    counts = read_rule_counts(ox.Store.read_only(str(samples_store_dir)))
    assert counts[(ANSHAN, "R15")]["failed"] == 1
    fushun = {rule: n for (doc, rule), n in counts.items() if doc == FUSHUN.name}
    assert sum(n["failed"] for n in fushun.values()) == 0 and fushun["R04"]["passed"] > 0
