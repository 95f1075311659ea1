"""Parsing on several processes gives the store one process gives: the same quads, messages and summary."""
from __future__ import annotations

import shutil

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from fundflow.cli.main import cli
from fundflow.kg.ingest import ingest_paths
from tests.conftest import SAMPLES


def _quads(store: ox.Store) -> set[str]:
    return {str(q) for q in store.quads_for_pattern(None, None, None, None)}


def _batch(folder):
    """The samples, one of them again under another name (a copy: which one is kept depends on order), a bad file."""
    folder.mkdir()
    for f in sorted(SAMPLES.glob("*.txt")):
        shutil.copy(f, folder / f.name)
    shutil.copy(SAMPLES / "anshan-center-2026-budget.txt", folder / "zz-anshan-again.txt")
    (folder / "broken.txt").write_text("这不是预算公开文件\n", encoding="utf-8")
    return sorted(folder.glob("*.txt"))


@pytest.mark.slow
def test_two_processes_give_the_store_one_process_gives(tmp_path):
    files = _batch(tmp_path / "docs")
    out = {}
    for jobs in (1, 2):
        store, messages = ox.Store(str(tmp_path / f"s{jobs}")), []
        summary = ingest_paths(store, files, report=messages.append, jobs=jobs)
        out[jobs] = (_quads(store), messages, summary.lines(), summary.ok, summary.failed)
    assert out[1][0] and out[1][0] == out[2][0]
    assert out[1][1:] == out[2][1:]
    messages, lines = out[2][1], out[2][2]
    assert any("zz-anshan-again.txt is the same document as anshan-center-2026-budget.txt" in m for m in messages)
    assert [m for m in messages if "broken.txt" in m and m.startswith("error:")]
    assert lines[0].startswith("documents: 6 ok, 1 failed")


def test_ingest_takes_a_number_of_jobs(tmp_path):
    files = [SAMPLES / "anshan-center-2026-budget.txt", SAMPLES / "fushun-center-2023-budget.txt"]
    r = CliRunner().invoke(cli, ["ingest", "--jobs", "2", *map(str, files), "--store", str(tmp_path / "s")])
    assert r.exit_code == 0, r.output
    assert "documents: 2 ok, 0 failed" in r.stdout
    r = CliRunner().invoke(cli, ["ingest", "--jobs", "0", str(files[0]), "--store", str(tmp_path / "s")])
    assert r.exit_code == 2 and "--jobs" in r.output


WARM = """
import sys
import pyoxigraph as ox
from pathlib import Path
from fundflow.kg.budget import DocumentBudget, load_readers, prepare_document
from fundflow.kg.bulk import BatchWriter

load_readers()
before = set(sys.modules)
writer = BatchWriter(ox.Store(), warn=lambda _m: None)
for doc in sys.argv[1:]:
    writer.write(prepare_document(Path(doc), budget=DocumentBudget()))
writer.close()
print(sorted(set(sys.modules) - before))
"""


def test_after_warming_up_reading_and_writing_import_nothing(tmp_path):
    # A reader is forked from one of several threads: a module another thread is importing at that moment
    # leaves the child an import lock held by no one (it waited for ever).  So nothing the reading threads
    # and the writer do may import a module once load_readers() has run before the threads start.
    import subprocess
    import sys

    docs = [str(SAMPLES / "anshan-center-2026-budget.txt"), str(SAMPLES / "shenyang-bureau-2019-budget.txt")]
    r = subprocess.run([sys.executable, "-c", WARM, *docs], capture_output=True, text=True, timeout=300, check=False)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "[]", f"imported after the warm-up: {r.stdout.strip()}"
