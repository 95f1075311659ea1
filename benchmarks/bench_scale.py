"""Ingest and query at scale on a generated corpus; writes ``BENCHMARKS.md`` at the repository root.

For each N (``FUNDFLOW_BENCH_SIZES``, default ``100,1000``; add 10000 when it fits):
``fundflow ingest --store S DIR`` of N documents from ``tests/support/corpus.py``
(seed 0) in its own process — wall time, documents/s, triples, peak resident memory
(the largest of the writer and its reading children, from ``wait4``); every bundled
query and ``trace`` on the resulting store (in this process, rows consumed); and a
second ingest of the unchanged corpus.  ``BENCHMARKS.md`` is rewritten after each N,
so a run cut short keeps what it measured.
"""
from __future__ import annotations

import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from support.corpus import write_corpus  # noqa: E402 — found through the path set just above

from fundflow.kg.query import bundled_queries, load_query, run_query  # noqa: E402
from fundflow.outputs.trace import trace_table  # noqa: E402

SIZES = [int(n) for n in os.environ.get("FUNDFLOW_BENCH_SIZES", "100,1000").split(",") if n.strip()]
RESULTS: dict[int, dict] = {}
REPORT = ROOT / "BENCHMARKS.md"


def _ingest(folder: Path, store: Path) -> dict:
    """``fundflow ingest`` in a child process → wall seconds, peak RSS (MiB), its summary line."""
    command = [sys.executable, "-c", "from fundflow.cli.main import main; main()", "ingest", "--store", str(store),
               str(folder)]
    start = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    out = proc.stdout.read()
    _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    assert proc.returncode == 0, out
    return {"seconds": wall, "rss_mib": usage.ru_maxrss / 1024, "summary": out.splitlines()[0]}


def _timed(work) -> tuple[float, int]:
    start = time.perf_counter()
    n = work()
    return time.perf_counter() - start, n


def _queries(store_dir: Path) -> dict[str, tuple[float, int]]:
    """Each bundled query and trace → (seconds, rows or lines)."""
    store = ox.Store.read_only(str(store_dir))
    out = {}
    for name in sorted(bundled_queries()):
        text = load_query(name)
        out[name] = _timed(lambda text=text: sum(1 for _ in run_query(store, text)))
    out["trace"] = _timed(lambda: len(trace_table(store).splitlines()))
    return out


def _machine() -> str:
    cpu = next((ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines()
                if ln.startswith("model name")), platform.processor()) if Path("/proc/cpuinfo").exists() else ""
    mem = next((ln.split()[1] for ln in Path("/proc/meminfo").read_text().splitlines() if ln.startswith("MemTotal")),
               "0") if Path("/proc/meminfo").exists() else "0"
    return (f"{platform.system()} {platform.machine()}, {cpu}, {len(os.sched_getaffinity(0))} cores available, "
            f"{int(mem) // 1024} MiB memory; Python {platform.python_version()}, pyoxigraph {ox.__version__}")


def _write_report() -> None:
    sizes = sorted(RESULTS)
    head = "| | " + " | ".join(f"N = {n:,}" for n in sizes) + " |\n|---|" + "---:|" * len(sizes) + "\n"
    def row(label, f):
        return f"| {label} | " + " | ".join(f(RESULTS[n]) for n in sizes) + " |\n"
    text = ["# Benchmarks\n\n",
            "Written by `make bench` (benchmarks/bench_scale.py); numbers from one run on this machine, which\n",
            "others may have been using at the same time.\n\n",
            f"- Machine: {_machine()}\n",
            f"- Measured: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}\n",
            "- Corpus: `python tests/support/corpus.py DIR N --seed 0` (generated unit budgets in the four text\n",
            "  layouts of the samples, 万元 or 元)\n",
            "- Command: `fundflow ingest --store STORE DIR` (parses on every core, one writer), then the same\n",
            "  command again on the unchanged corpus; queries and trace run in one process on the store\n\n",
            "## Ingest\n\n", head,
            row("ingest (s)", lambda r: f"{r['ingest']['seconds']:.1f}"),
            row("documents/s", lambda r: f"{r['documents'] / r['ingest']['seconds']:.2f}"),
            row("triples written", lambda r: f"{r['triples']:,}"),
            row("triples in store", lambda r: f"{r['store_triples']:,}"),
            row("peak RSS (MiB)", lambda r: f"{r['ingest']['rss_mib']:.0f}"),
            row("re-ingest unchanged (s)", lambda r: f"{r['again']['seconds']:.1f}"),
            row("re-ingest peak RSS (MiB)", lambda r: f"{r['again']['rss_mib']:.0f}"),
            "\n## Queries (seconds, rows)\n\n", head]
    text.extend(row(name if name == "trace" else f"query {name}",
                    lambda r, q=name: "{:.2f} ({:,})".format(*r["queries"][q]))
                for name in RESULTS[sizes[0]]["queries"])
    text.append("\nSummary lines printed by the ingests:\n\n")
    text += [f"- N = {n:,}: `{RESULTS[n]['ingest']['summary']}`; again: `{RESULTS[n]['again']['summary']}`\n"
             for n in sizes]
    REPORT.write_text("".join(text), encoding="utf-8")


@pytest.mark.parametrize("n", SIZES)
def test_scale(benchmark, tmp_path, n):
    folder, store = tmp_path / "docs", tmp_path / "store"
    write_corpus(folder, n, seed=0)
    first = benchmark.pedantic(_ingest, args=(folder, store), rounds=1, iterations=1)
    assert f"documents: {n} ok, 0 failed" in first["summary"]
    again = _ingest(folder, store)
    assert f"0 ok, 0 failed, {n} unchanged" in again["summary"]
    triples = int(first["summary"].split("triples: ")[1].split()[0].rstrip(";"))
    queries = _queries(store)
    reader = ox.Store.read_only(str(store))
    store_triples = len(reader)
    del reader
    RESULTS[n] = {"documents": n, "ingest": first, "again": again, "triples": triples,
                  "store_triples": store_triples, "queries": queries}
    benchmark.extra_info.update(docs_per_second=round(n / first["seconds"], 2), max_rss_mib=round(first["rss_mib"]),
                                reingest_seconds=round(again["seconds"], 1))
    _write_report()
