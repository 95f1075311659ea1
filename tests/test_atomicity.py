"""A killed ingest leaves a store that a re-ingest makes equal to a clean one; ingesting twice changes nothing."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "data" / "samples"


def _fundflow(*args: str) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.Popen([sys.executable, "-c", "from fundflow.kg.cli import main; main()", *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _quads(store_dir: Path) -> set[str]:
    import pyoxigraph as ox

    store = ox.Store(str(store_dir))
    try:
        return {str(q) for q in store.quads_for_pattern(None, None, None, None)}
    finally:
        del store


def _batch(tmp_path: Path, copies: int) -> list[Path]:
    folder = tmp_path / "docs"
    folder.mkdir()
    text = (SAMPLES / "anshan-center-2026-budget.txt").read_text(encoding="utf-8")
    paths = []
    for i in range(copies):  # distinct files (distinct sha256 and graphs)
        p = folder / f"doc{i:02d}.txt"
        p.write_text(text + f"\n附注 {i}\n", encoding="utf-8")
        paths.append(p)
    return paths


@pytest.mark.slow
def test_sigkill_mid_batch_then_reingest_equals_clean_ingest(tmp_path):
    docs = _batch(tmp_path, 12)
    clean, killed = tmp_path / "clean", tmp_path / "killed"
    assert _fundflow("ingest", "--store", str(clean), *map(str, docs)).wait(timeout=300) == 0
    proc = _fundflow("ingest", "--store", str(killed), *map(str, docs))
    time.sleep(2.5)  # long enough to be inside the batch, shorter than the whole batch
    if proc.poll() is not None:
        pytest.skip("the batch finished before it could be killed")
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    rerun = _fundflow("ingest", "--store", str(killed), *map(str, docs))
    assert rerun.wait(timeout=300) == 0, rerun.stderr.read().decode()
    assert _quads(killed) == _quads(clean)


def test_ingesting_the_same_file_twice_leaves_identical_triples(tmp_path):
    doc = SAMPLES / "anshan-center-2026-budget.txt"
    store = tmp_path / "store"
    assert _fundflow("ingest", "--store", str(store), str(doc)).wait(timeout=300) == 0
    first = _quads(store)
    assert _fundflow("ingest", "--store", str(store), str(doc)).wait(timeout=300) == 0
    assert _quads(store) == first and first
    shutil.rmtree(store)
