"""Batches and special files (findings 5–7): every bad file is one line, the good ones still get in."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from fundflow.core.errors import DocumentError
from fundflow.loaders.document import read_bytes

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = sorted((ROOT / "data" / "samples").glob("*.txt"))
ANSHAN = ROOT / "data" / "samples" / "anshan-center-2026-budget.txt"
ROW = "2101599\t其他医疗保障管理事务支出\t6.30\t\t\t\t6.30\n"  # a 表3 row of the Anshan sample


def fundflow(*args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "fundflow.cli.main", *args], capture_output=True, text=True,
                          timeout=timeout, check=False)


def many_rows(path: Path, rows: int) -> Path:
    """The Anshan sample with ``rows`` more code rows in its 表3."""
    text = ANSHAN.read_text(encoding="utf-8")
    extra = "".join(f"21{k:05d}\t其他支出{k}\t6.30\t\t\t\t6.30\n" for k in range(rows))
    path.write_text(text.replace(ROW, ROW + extra, 1), encoding="utf-8")
    return path


def test_size_is_checked_before_reading(tmp_path):  # finding 5: a 210 MiB file was read whole first
    big = tmp_path / "big.txt"
    with big.open("wb") as f:
        f.truncate(210 * 2**20)  # sparse: nothing to read, only the size says it is too big
    r = fundflow("parse", str(big))
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and "more than 200 MiB" in r.stderr
    small = tmp_path / "small.txt"
    small.write_bytes(b"x" * 100)
    with pytest.raises(DocumentError, match="more than"):
        read_bytes(small, limit=10)


def test_special_files_are_refused_with_one_line(tmp_path):  # finding 7: parse blocked forever on a FIFO
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    for command in ("parse", "validate"):
        r = fundflow(command, str(fifo), timeout=60)
        assert r.returncode == 2 and "not a regular file" in r.stderr and "Traceback" not in r.stderr
    r = fundflow("parse", str(tmp_path), timeout=60)
    assert r.returncode == 2 and "a folder" in r.stderr and r.stderr.count("\n") == 1


def test_parse_and_validate_go_on_past_a_bad_file(tmp_path):  # finding 7
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    r = fundflow("parse", "--format", "table", str(empty), str(ANSHAN))
    assert r.returncode == 1 and "anshan-center-2026-budget.txt" in r.stdout and "empty.txt" in r.stderr
    r = fundflow("validate", str(empty), str(ANSHAN))
    assert r.returncode in (0, 1) and "empty.txt" in r.stderr and "anshan" in r.stdout


def test_folder_with_broken_link_and_fifo_names_each(tmp_path):  # finding 7: broken links skipped without a word
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "anshan.txt").write_bytes(ANSHAN.read_bytes())
    (docs / "gone.txt").symlink_to(tmp_path / "nowhere.txt")
    os.mkfifo(docs / "pipe.txt")
    r = fundflow("ingest", "--store", str(tmp_path / "s"), str(docs), str(tmp_path / "missing.txt"))
    assert r.returncode == 1, r.stderr
    assert "1 ok, 3 failed" in r.stdout
    errors = [ln for ln in r.stderr.splitlines() if ln.startswith("error:")]
    assert len(errors) == 3 and any("gone.txt" in e and "broken link" in e for e in errors)
    assert any("pipe.txt" in e and "not a regular file" in e for e in errors)
    failed = [ln for ln in r.stdout.split("failed:\n")[1].splitlines() if ln.startswith("  ")]  # one file a line
    assert sorted(Path(f.strip()).name for f in failed) == ["gone.txt", "missing.txt", "pipe.txt"]


@pytest.mark.slow
def test_batch_with_runaway_documents_keeps_the_good_ones(tmp_path):  # finding 5 (acceptance)
    bad = tmp_path / "bad"
    bad.mkdir()
    many_rows(bad / "rows.txt", 100_000)
    prose = next(ln for ln in ANSHAN.read_text(encoding="utf-8").splitlines() if ln.startswith("第一条"))  # rules prose
    (bad / "line.txt").write_text(prose * (50_000_000 // len(prose.encode("utf-8"))), encoding="utf-8")
    os.mkfifo(bad / "pipe.txt")
    # the default budgets: a tight --doc-timeout would also stop a good document on a loaded machine
    r = fundflow("ingest", "--store", str(tmp_path / "s"),
                 *map(str, SAMPLES), str(bad / "rows.txt"), str(bad / "line.txt"), str(bad / "pipe.txt"))
    assert r.returncode == 1, r.stderr
    assert f"{len(SAMPLES)} ok, 3 failed" in r.stdout, r.stdout + r.stderr
    errors = [ln for ln in r.stderr.splitlines() if ln.startswith("error:")]
    assert sorted(Path(e.split(":")[1].strip()).name for e in errors) == ["line.txt", "pipe.txt", "rows.txt"], r.stderr
    assert "Traceback" not in r.stderr


def test_budgets_stop_a_document_and_name_it(tmp_path):  # finding 5: no per-document budget
    from fundflow.kg.budget import DocumentBudget, prepare_document

    with pytest.raises(DocumentError, match=r"anshan-center-2026-budget.txt: its tables have \d+ rows, more than 10"):
        prepare_document(ANSHAN, budget=DocumentBudget(rows=10))
    big = many_rows(tmp_path / "rows.txt", 20_000)
    with pytest.raises(DocumentError, match=r"rows\.txt: took longer than 1 s"):
        prepare_document(big, budget=DocumentBudget(seconds=1))
    assert prepare_document(ANSHAN, budget=DocumentBudget()).parsed.records


def test_memory_budget_stops_a_document(tmp_path):  # finding 5: 100,000 rows reached 9.1 GB
    from fundflow.kg.budget import DocumentBudget, prepare_document

    big = many_rows(tmp_path / "rows.txt", 20_000)
    with pytest.raises(DocumentError, match=r"rows\.txt: needed more than 64 MiB"):
        prepare_document(big, budget=DocumentBudget(memory=64 * 2**20))


@pytest.mark.slow
def test_a_killed_ingest_leaves_no_reader_behind(tmp_path):  # a budget child must not outlive its ingest
    import signal
    import time

    big = many_rows(tmp_path / "rows.txt", 20_000)
    proc = subprocess.Popen([sys.executable, "-m", "fundflow.cli.main", "ingest", "--store", str(tmp_path / "s"),
                             str(big)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    children: list[int] = []
    for _ in range(300):
        path = Path(f"/proc/{proc.pid}/task/{proc.pid}/children")
        children = [int(c) for c in path.read_text().split()] if path.exists() else []
        if children:
            break
        time.sleep(0.1)
    assert children, "the ingest started no reader"
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    for _ in range(100):
        if not any(map(_running, children)):
            break
        time.sleep(0.1)
    assert not [c for c in children if _running(c)]


def _running(pid: int) -> bool:
    try:
        return "zombie" not in Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
