"""Readers never write to the store (finding 8): a read-only store directory is enough for them.

Root ignores permissions, so a read-only directory proves nothing when the tests
run as root.  Instead each reader runs under ``strace`` (Debian package strace)
and every system call that could change the store is looked for: an ``open`` of a
file in it for writing, creating or truncating, and any create, remove, rename,
link, chmod or timestamp call on a path in it.  A reader that made none of them
works on a read-only directory, whoever runs it.  The same watch on an ingest
must see its writes, so the watch itself can fail.
"""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

from fundflow.kg.ingest import ingest_paths

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = sorted((ROOT / "data" / "samples").glob("*.txt"))
CHANGING = ("mkdir", "mkdirat", "rmdir", "unlink", "unlinkat", "rename", "renameat", "renameat2", "link", "linkat",
            "symlink", "symlinkat", "truncate", "chmod", "fchmodat", "chown", "fchownat", "lchown", "utime",
            "utimes", "utimensat", "futimesat", "mknod", "mknodat", "creat")
OPENS = ("open", "openat", "openat2")
WRITE_FLAGS = re.compile(r"O_WRONLY|O_RDWR|O_CREAT|O_TRUNC|O_APPEND")


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory) -> Path:
    where = tmp_path_factory.mktemp("readers") / "store"
    store = ox.Store(str(where))
    ingest_paths(store, SAMPLES, report=lambda _m: None)
    del store
    return where


def _tree(where: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(where)): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in sorted(where.rglob("*")) if p.is_file()}


def _watched(where: Path, log: Path, *args: str) -> tuple[subprocess.CompletedProcess, list[str]]:
    """Run ``fundflow *args`` under strace (its calls to ``log``) → (its result, the calls that changed or
    could change ``where``)."""
    strace = shutil.which("strace")
    if not strace:
        pytest.fail("strace not found: install the Debian package strace (.ci/run does)")
    calls = ",".join(OPENS + CHANGING)
    proc = subprocess.run([strace, "-f", "-qq", "-y", "-s", "4096", "-e", f"trace={calls}", "-o", str(log),
                           sys.executable, "-m", "fundflow.cli.main", *args],
                          capture_output=True, text=True, timeout=600, check=False)
    assert log.exists(), f"strace wrote nothing: {proc.stderr[-500:]}"
    inside = str(where.resolve())
    bad = []
    for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
        if inside not in line:
            continue
        m = re.match(r"\d+\s+(?:<\.\.\. )?(\w+)", line)
        call = m.group(1) if m else ""
        if call in CHANGING or (call in OPENS and WRITE_FLAGS.search(line)):
            bad.append(line)
    return proc, bad


READERS = [
    ("query", "documents", "--format", "csv"),
    ("export", "--format", "nt", "-o", "{out}/all.nt"),
    ("trace",),
    ("map", "-o", "{out}/flows.html"),
    ("sankey", "-o", "{out}/sankey.html"),
    ("catalog", "-o", "{out}/catalog.ttl"),
    ("validate", "--no-shacl"),
]


@pytest.mark.parametrize("reader", READERS, ids=[r[0] for r in READERS])
def test_a_reader_opens_nothing_in_the_store_for_writing(store_dir, tmp_path, reader):
    before = _tree(store_dir)
    args = [a.format(out=tmp_path) for a in reader]
    proc, bad = _watched(store_dir, tmp_path / "calls.txt", *args, "--store", str(store_dir))
    assert proc.returncode in (0, 1), proc.stderr  # validate exits 1 for findings
    assert "Traceback" not in proc.stderr
    assert bad == [], f"{reader[0]} changed the store:\n" + "\n".join(bad[:5])
    assert _tree(store_dir) == before
    if reader[0] == "query":
        assert len(proc.stdout.splitlines()) == 1 + len(SAMPLES)


def test_the_watch_sees_an_ingest_write(store_dir, tmp_path):
    copy = tmp_path / "store"
    shutil.copytree(store_dir, copy)
    changed = tmp_path / SAMPLES[0].name
    changed.write_text(SAMPLES[0].read_text(encoding="utf-8") + "\n附注 新\n", encoding="utf-8")
    proc, bad = _watched(copy, tmp_path / "calls.txt", "ingest", "--store", str(copy), str(changed))
    assert proc.returncode == 0, proc.stderr
    assert any(re.search(r"open(at)?\(.*O_CREAT", ln) for ln in bad)
