"""Per-document N-Quads: ``parse --nquads DIR`` writes one file a document that any RDF parser reads, and
ingesting that folder into a fresh store gives the store (and every bundled query's answer) a normal ingest gives."""
from __future__ import annotations

import pyoxigraph as ox
import rdflib
from click.testing import CliRunner

from fundflow.cli.main import cli
from fundflow.kg.query import bundled_queries, load_query, run_query
from tests.conftest import SAMPLES

DOCUMENTS = sorted(SAMPLES.glob("*-budget.txt")) + sorted(SAMPLES.glob("*-accounts.txt"))


def _quads(store: ox.Store) -> set[str]:
    return {str(q) for q in store}


def _answers(store: ox.Store) -> dict[str, list[tuple]]:
    return {name: sorted(tuple(str(v) for v in row) for row in run_query(store, load_query(name)))
            for name in bundled_queries()}


def test_nquads_of_the_samples_load_into_the_store_a_normal_ingest_gives(tmp_path, samples_store_dir):
    runner, folder = CliRunner(), tmp_path / "nq"
    r = runner.invoke(cli, ["parse", "--nquads", str(folder), *map(str, DOCUMENTS)])
    assert r.exit_code == 0, r.output
    assert f"documents: 5 written to {folder}, 0 failed" in r.stdout
    files = sorted(folder.iterdir())
    assert [f.name for f in files] == sorted(f"{d.name}.nq" for d in DOCUMENTS)
    for f in files:  # plain N-Quads: another library reads every line, all in named graphs
        quads = list(rdflib.Dataset().parse(f, format="nquads").quads((None, None, None, None)))
        assert len(quads) == len(f.read_bytes().splitlines())
        graphs = {str(q[3]) for q in quads}  # the document's, its findings', the shared graph
        assert 2 <= len(graphs) <= 3 and all(g.startswith("https://w3id.org/fundflow/id/graph/") for g in graphs)
    store_dir = tmp_path / "store"
    r = runner.invoke(cli, ["ingest", "--store", str(store_dir), str(folder)])
    assert r.exit_code == 0, r.output
    assert "documents: 5 ok, 0 failed" in r.stdout
    loaded, normal = ox.Store.read_only(str(store_dir)), ox.Store.read_only(str(samples_store_dir))
    assert _quads(loaded) == _quads(normal)
    answers = _answers(loaded)
    assert answers == _answers(normal) and answers["documents"]
    del loaded
    r = runner.invoke(cli, ["ingest", "--store", str(store_dir), str(folder)])
    assert "documents: 0 ok, 0 failed, 5 unchanged" in r.stdout


def test_a_file_that_is_not_a_documents_nquads_is_named(tmp_path):
    folder = tmp_path / "nq"
    folder.mkdir()
    (folder / "cut.nq").write_text('<https://example.org/s> <https://example.org/p> "no end', encoding="utf-8")
    (folder / "none.nq").write_text("<https://example.org/s> <https://example.org/p> <https://example.org/o> "
                                    "<https://example.org/g> .\n", encoding="utf-8")
    r = CliRunner().invoke(cli, ["ingest", "--store", str(tmp_path / "s"), str(folder)])
    assert r.exit_code == 2
    assert f"error: {folder / 'cut.nq'}: is not N-Quads" in r.stderr
    assert f"error: {folder / 'none.nq'}: holds 0 documents, not one" in r.stderr
    assert "Traceback" not in r.output
