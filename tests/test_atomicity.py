"""A killed ingest leaves a store that a re-ingest makes equal to a clean one; ingesting twice changes nothing."""
from __future__ import annotations

import os
import select
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "data" / "samples"


def _fundflow(*args: str) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.Popen([sys.executable, "-c", "from fundflow.cli.main import main; main()", *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _ingested(*args: str, timeout: float = 600) -> None:
    """``fundflow ingest ARGS`` to its end (its output read as it comes: a full pipe would stall it); exit 0."""
    proc = _fundflow("ingest", *args)
    out, err = proc.communicate(timeout=timeout)
    assert proc.returncode == 0, (out + err).decode("utf-8", "replace")[-3000:]


def _quads(store_dir: Path) -> set[str]:
    return {q for qs in _graphs(store_dir).values() for q in qs}


def _graphs(store_dir: Path) -> dict[str, frozenset[str]]:
    """Every named graph of a store → its quads (as text)."""
    import pyoxigraph as ox

    store = ox.Store(str(store_dir))
    try:
        out: dict[str, set[str]] = {}
        for q in store.quads_for_pattern(None, None, None, None):
            out.setdefault(str(q.graph_name), set()).add(str(q))
        return {g: frozenset(qs) for g, qs in out.items()}
    finally:
        del store


def _write_batch(folder: Path, copies: int, version: str) -> list[Path]:
    folder.mkdir(exist_ok=True)
    text = (SAMPLES / "anshan-center-2026-budget.txt").read_text(encoding="utf-8")
    paths = []
    for i in range(copies):  # distinct documents (unit codes, sha256, graphs): copies of one are stored once
        p = folder / f"doc{i:02d}.txt"
        p.write_text(text.replace("073002", f"9{i:05d}") + f"\n附注 {i} {version}\n", encoding="utf-8")
        paths.append(p)
    return paths


# An ingest whose AT-th document write stops inside its transaction — after the write's other operations,
# through a SPARQL function the update calls last — and tells the test so on a pipe: the kill then lands
# mid-write, mid-batch, every time, however fast or loaded the machine.
HELD_INGEST = """
import os, sys, time
import pyoxigraph as ox
from fundflow.kg import store
from fundflow.cli.main import main

fd, at = int(os.environ["HOLD_FD"]), int(os.environ["HOLD_AT"])
hold, real, writes = ox.NamedNode("urn:test:hold"), store._update_by, []

def held():
    os.write(fd, b"mid-write")
    time.sleep(600)

def update_by(st, update, deadline, what):
    writes.append(what)
    if len(writes) < at:
        return real(st, update, deadline, what)
    st.update(update + f" ;\\nINSERT {{ GRAPH {hold} {{ {hold} {hold} true }} }} WHERE {{ FILTER({hold}()) }}",
              custom_functions={hold: held})

store._update_by = update_by
main(sys.argv[1:])
"""


def _killed_mid_write(at: int, *args: str) -> None:
    """Run ``fundflow ARGS`` until its ``at``-th document write is under way, then SIGKILL it."""
    r, w = os.pipe()
    env = dict(os.environ, PYTHONPATH=str(ROOT), HOLD_FD=str(w), HOLD_AT=str(at))
    proc = subprocess.Popen([sys.executable, "-c", HELD_INGEST, *args], env=env, pass_fds=(w,),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    os.close(w)
    try:
        ready, _, _ = select.select([r], [], [], 600)
        said = os.read(r, 64) if ready else b""
    finally:
        os.close(r)
    if said != b"mid-write":
        proc.kill()
        _out, err = proc.communicate(timeout=60)
        pytest.fail(f"the ingest never reached write {at}: {err.decode()[-2000:]}")
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=60)
    assert proc.returncode == -signal.SIGKILL


@pytest.mark.slow
def test_sigkill_mid_write_leaves_each_graph_wholly_old_or_new_and_reingest_equals_clean(tmp_path):
    folder, clean, killed = tmp_path / "docs", tmp_path / "clean", tmp_path / "killed"
    docs = _write_batch(folder, 6, "old")
    _ingested("--store", str(killed), *map(str, docs))
    old = _graphs(killed)
    _write_batch(folder, 6, "new")  # the same files, changed on disk
    _ingested("--store", str(clean), *map(str, docs))
    new = _graphs(clean)
    _killed_mid_write(3, "ingest", "--store", str(killed), *map(str, docs))  # doc02.txt being written
    after = _graphs(killed)
    documents = sorted(g for g in new if "/graph/doc" in g)
    assert len(documents) == 12  # six documents and their findings
    for g in documents:
        assert old.get(g) != new.get(g), g
        state = "new" if g.split("/graph/")[1][:5] in ("doc00", "doc01") else "old"  # written one at a time, in order
        assert after.get(g) == (new if state == "new" else old).get(g), f"graph {g} is not wholly {state}"
    assert "urn:test:hold" not in " ".join(after)
    _ingested("--store", str(killed), *map(str, docs))
    assert _quads(killed) == _quads(clean)


def test_ingesting_the_same_file_twice_leaves_identical_triples(tmp_path):
    doc = SAMPLES / "anshan-center-2026-budget.txt"
    store = tmp_path / "store"
    _ingested("--store", str(store), str(doc), timeout=300)
    first = _quads(store)
    _ingested("--store", str(store), str(doc), timeout=300)
    assert _quads(store) == first and first
    shutil.rmtree(store)


# An ingest held between two of its bulk loads until the test says go: readers run mid-ingest every time.
HELD_BETWEEN_LOADS = """
import os, sys
from fundflow.kg import bulk
from fundflow.cli.main import main

said, go = int(os.environ["HOLD_FD"]), int(os.environ["GO_FD"])
real, loads = bulk.BatchWriter.flush, []

def flush(self):
    real(self)
    loads.append(self)
    if len(loads) == 2:
        os.write(said, b"held")
        os.read(go, 1)

bulk.BatchWriter.flush = flush
main(sys.argv[1:])
"""


@pytest.mark.slow
def test_readers_during_an_ingest_see_the_store_as_it_was_before(tmp_path):  # finding 8
    docs = _write_batch(tmp_path / "docs", 20, "v")
    store = tmp_path / "store"
    _ingested("--store", str(store), str(docs[0]), timeout=300)
    held_r, held_w = os.pipe()
    go_r, go_w = os.pipe()
    env = dict(os.environ, PYTHONPATH=str(ROOT), HOLD_FD=str(held_w), GO_FD=str(go_r), FUNDFLOW_BATCH_QUADS="1")
    proc = subprocess.Popen([sys.executable, "-c", HELD_BETWEEN_LOADS, "ingest", "--store", str(store),
                             *map(str, docs)], env=env, pass_fds=(held_w, go_r), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    os.close(held_w)
    os.close(go_r)
    try:
        ready, _, _ = select.select([held_r], [], [], 600)
        assert ready and os.read(held_r, 16) == b"held", "the ingest never reached its second load"
        q = _fundflow("query", "documents", "--store", str(store), "--format", "csv")
        out, err = q.communicate(timeout=120)
        assert q.returncode == 0, err.decode()
        assert [ln.split(",")[0] for ln in out.decode().splitlines()[1:]] == ["doc00.txt"]
        for reader in (("export", "--format", "nt"), ("trace",), ("validate", "--no-shacl")):
            r = _fundflow(*reader, "--store", str(store))
            _out, err = r.communicate(timeout=120)
            assert r.returncode in (0, 1), (reader, err.decode())
            assert "Traceback" not in err.decode() and "in use" not in err.decode()
        assert proc.poll() is None
    finally:
        os.write(go_w, b"g")
        os.close(go_w)
        os.close(held_r)
        proc.communicate(timeout=600)
    assert proc.returncode == 0
    q = _fundflow("query", "documents", "--store", str(store), "--format", "csv")
    out, _err = q.communicate(timeout=120)
    assert len(out.decode().splitlines()) == 1 + 20
