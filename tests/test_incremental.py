"""Re-ingest skips what is unchanged: a file whose bytes are already stored under its name is not parsed again."""
from __future__ import annotations

import shutil

import pyoxigraph as ox
from click.testing import CliRunner

from fundflow.cli.main import cli
from fundflow.kg.ingest import ingest_paths
from tests.conftest import SAMPLES

FILES = [SAMPLES / "anshan-center-2026-budget.txt", SAMPLES / "fushun-center-2023-budget.txt"]


def _quads(store: ox.Store) -> set[str]:
    return {str(q) for q in store.quads_for_pattern(None, None, None, None)}


def _refuse_parsing(monkeypatch) -> None:
    def parse_document(path, loader=None, ocr=False):
        raise AssertionError(f"{path} was parsed again")
    monkeypatch.setattr("fundflow.records.pipeline.parse_document", parse_document)


def test_unchanged_documents_are_not_parsed_again_and_the_store_stays_the_same(tmp_path, monkeypatch):
    store = ox.Store(str(tmp_path / "s"))
    first = ingest_paths(store, FILES, report=lambda _m: None)
    assert len(first.ok) == 2 and not first.unchanged
    before = _quads(store)
    _refuse_parsing(monkeypatch)
    again = ingest_paths(store, FILES, report=lambda _m: None)
    assert again.unchanged == [str(f) for f in FILES] and not again.ok and not again.failed
    assert again.exit_code == 0 and "0 ok, 0 failed, 2 unchanged" in again.lines()[0]
    assert _quads(store) == before


def test_a_changed_file_is_parsed_again_and_the_others_are_not(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    for f in FILES:
        shutil.copy(f, docs / f.name)
    store = ox.Store(str(tmp_path / "s"))
    ingest_paths(store, sorted(docs.iterdir()), report=lambda _m: None)
    changed = docs / FILES[0].name
    # the document re-dated: 2026 → 2027 in its title line
    changed.write_text(changed.read_text(encoding="utf-8").replace("2026", "2027"), encoding="utf-8")
    summary = ingest_paths(store, sorted(docs.iterdir()), report=lambda _m: None)
    assert summary.ok == [str(changed)] and summary.unchanged == [str(docs / FILES[1].name)]
    years = {r["y"].value for r in store.query(
        "SELECT ?y WHERE { GRAPH ?g { ?d a <https://w3id.org/fundflow#Document> ; "
        "<https://w3id.org/fundflow#fiscalYear> ?y } }")}
    assert years == {"2027", "2023"}


def test_the_ingest_command_says_how_many_were_unchanged(tmp_path):
    runner, store = CliRunner(), str(tmp_path / "s")
    assert runner.invoke(cli, ["ingest", *map(str, FILES), "--store", store]).exit_code == 0
    r = runner.invoke(cli, ["ingest", *map(str, FILES), "--store", store])
    assert r.exit_code == 0, r.output
    assert "documents: 0 ok, 0 failed, 2 unchanged" in r.stdout


def test_a_new_name_for_stored_bytes_is_still_recorded_as_a_copy(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    shutil.copy(FILES[0], docs / "a.txt")
    store = ox.Store(str(tmp_path / "s"))
    ingest_paths(store, [docs / "a.txt"], report=lambda _m: None)
    shutil.copy(FILES[0], docs / "b.txt")
    warnings: list[str] = []
    summary = ingest_paths(store, [docs / "a.txt", docs / "b.txt"], report=warnings.append)
    assert summary.unchanged == [str(docs / "a.txt")] and summary.ok == [str(docs / "b.txt")]
    assert any("b.txt is the same document as a.txt" in w for w in warnings)

