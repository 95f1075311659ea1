"""New documents are written many to a bulk load, each one whole or absent: a load that fails writes none of
its documents, a killed ingest leaves a prefix of whole documents, and a re-ingest then equals a clean one."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from support.corpus import write_corpus

from fundflow.kg.budget import Prepared, prepare_document
from fundflow.kg.bulk import BatchWriter
from fundflow.kg.ingest import ingest_paths
from fundflow.kg.iris import graph_iri
from tests.conftest import SAMPLES

ROOT = Path(__file__).resolve().parents[1]


def _graphs(store: ox.Store) -> dict[str, frozenset[str]]:
    out: dict[str, set[str]] = {}
    for q in store.quads_for_pattern(None, None, None, None):
        out.setdefault(q.graph_name.value, set()).add(str(q))
    return {g: frozenset(qs) for g, qs in out.items()}


def test_a_bulk_load_that_fails_writes_none_of_its_documents_and_names_each(tmp_path):
    store = ox.Store(str(tmp_path / "s"))
    first, second, third = (prepare_document(SAMPLES / n) for n in (
        "anshan-center-2026-budget.txt", "fushun-center-2023-budget.txt", "shenyang-center-2024-budget.txt"))
    # the third document's quads cut off half way through a line: the load fails at its very end
    cut = Prepared(third.parsed, third.nquads[: third.nquads.rindex(b"\n", 0, -1) + 20], third.triples,
                   third.findings_graph)
    stored, lost = [], []
    writer = BatchWriter(store, stored=lambda key, _n: stored.append(key), lost=lambda key, err: lost.append((key, err)))
    for key, prepared in (("anshan", first), ("fushun", second), ("shenyang", cut)):
        writer.write(prepared, key)
    assert not stored and len(writer.queue) == 3  # queued, not yet written
    writer.close()
    assert not stored and [k for k, _e in lost] == ["anshan", "fushun", "shenyang"]
    assert "cannot write 3 documents" in str(lost[0][1]) and "anshan-center-2026-budget.txt" in str(lost[0][1])
    assert len(store) == 0 and not list(store.named_graphs())


def test_documents_of_one_bulk_load_and_of_transactions_give_the_same_store(tmp_path):
    files = sorted(SAMPLES.glob("*-budget.txt"))
    bulk = ox.Store(str(tmp_path / "bulk"))
    assert not ingest_paths(bulk, files, report=lambda _m: None).failed
    # the same documents written one transaction each: over a store holding an older version of each
    each = ox.Store(str(tmp_path / "each"))
    for f in files:
        (tmp_path / f.name).write_text(f.read_text(encoding="utf-8") + "\n附注 旧版\n", encoding="utf-8")
    assert not ingest_paths(each, [tmp_path / f.name for f in files], report=lambda _m: None).failed
    for f in files:
        (tmp_path / f.name).write_bytes(f.read_bytes())
    assert not ingest_paths(each, [tmp_path / f.name for f in files], report=lambda _m: None).failed
    assert _graphs(each) == _graphs(bulk) and len(bulk) > 10_000


def _ingest(store: Path, folder: Path, batch: int) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(ROOT), FUNDFLOW_BATCH_QUADS=str(batch))
    return subprocess.Popen([sys.executable, "-c", "from fundflow.cli.main import main; main()", "ingest", "--store",
                             str(store), "--jobs", "2", str(folder)], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


@pytest.mark.slow
def test_a_killed_bulk_ingest_leaves_each_new_document_whole_or_absent(tmp_path):
    folder = tmp_path / "docs"
    corpus = write_corpus(folder, 24, seed=7)
    # read where the writer is: a file that cannot be read, half way, is reported when the writer reaches it
    broken = corpus[11].path.with_name(corpus[11].path.stem + "-x-broken.txt")
    broken.write_text("这不是预算公开文件\n", encoding="utf-8")
    clean = tmp_path / "clean"
    done = _ingest(clean, folder, 5_000)
    assert done.wait(timeout=600) == 1, done.stderr.read()
    reference = ox.Store.read_only(str(clean))
    whole, documents = _graphs(reference), [graph_iri(g.path.name).value for g in corpus]
    del reference
    killed = tmp_path / "killed"
    proc = _ingest(killed, folder, 5_000)  # some 2,000 quads a document: a load every few documents
    for line in proc.stderr:
        if broken.name in line:
            proc.send_signal(signal.SIGKILL)
            break
    assert proc.wait(timeout=60) == -signal.SIGKILL, "the ingest ended before it was killed"
    store = ox.Store(str(killed))
    after = _graphs(store)
    del store
    present = [g for g in documents if g in after]
    for g in documents:
        assert after.get(g) in (None, whole[g]), f"{g} is neither whole nor absent"
        assert after.get(g + "/findings") == (whole.get(g + "/findings") if g in after else None)
    # documents are loaded in file order: what was written is the first ones (at least the loads
    # before the broken file: twelve documents hold more than one load's quads)
    assert present and present == documents[:len(present)]
    assert _ingest(killed, folder, 5_000).wait(timeout=600) == 1
    store = ox.Store(str(killed))
    assert _graphs(store) == whole
