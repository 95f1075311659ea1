"""Ingest and query at scale on a generated corpus, beside the floor and the baseline; writes ``BENCHMARKS.md``.

For each N (``FUNDFLOW_BENCH_SIZES``, default ``100,1000``; add 10000 when it fits):

- ours: ``fundflow ingest --store S DIR`` of N documents from ``tests/support/corpus.py``
  (seed 0) in its own process — wall and CPU seconds, documents/s, triples/s, peak
  resident memory (the largest of the writer and its reading children, from ``wait4``),
  store size; every bundled query and ``trace`` on the store (in this process, rows
  consumed); ``map``, ``sankey`` (one year), ``validate`` and ``export`` as commands;
  a second ingest of the unchanged corpus; triples per document by kind of node.
- the floor: the store's quads dumped as N-Quads and bulk-loaded by Oxigraph into a
  fresh store (``Store.bulk_load``) in its own process.
- the baseline: the same quads parsed into rdflib's in-memory ``Dataset`` (union default
  graph), then every bundled query with rdflib's SPARQL, in its own process, for at most
  ``FUNDFLOW_BENCH_RDFLIB_SECONDS`` (default 600) in all.

Commands are stopped after ``FUNDFLOW_BENCH_COMMAND_SECONDS`` (default 600) and reported so.
``BENCHMARKS.md`` is rewritten after each N, so a run cut short keeps what it measured.
"""
from __future__ import annotations

import json
import os
import platform
import selectors
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
COMMAND_SECONDS = float(os.environ.get("FUNDFLOW_BENCH_COMMAND_SECONDS", "600"))
RDFLIB_SECONDS = float(os.environ.get("FUNDFLOW_BENCH_RDFLIB_SECONDS", "600"))
YEAR = 2024  # map and sankey of one year (the corpus spans 2019–2026)
RESULTS: dict[int, dict] = {}
REPORT = ROOT / "BENCHMARKS.md"
FUNDFLOW = [sys.executable, "-c", "from fundflow.cli.main import main; main()"]

FLOOR = """import sys, time, pyoxigraph as ox
start = time.perf_counter()
ox.Store(sys.argv[2]).bulk_load(path=sys.argv[1], format=ox.RdfFormat.N_QUADS)
print(time.perf_counter() - start)
"""
BASELINE = """import json, sys, time, rdflib
from fundflow.kg.query import bundled_queries, load_query
from fundflow.kg.vocab import PREFIXES
start = time.perf_counter()
data = rdflib.Dataset(default_union=True)
data.parse(sys.argv[1], format="nquads")
print(json.dumps(["load", time.perf_counter() - start, len(data)]), flush=True)
for name in sorted(bundled_queries()):
    start = time.perf_counter()
    try:
        rows = sum(1 for _ in data.query(load_query(name), initNs=PREFIXES))
    except Exception as err:  # an rdflib failure is reported, not hidden
        rows = f"error: {type(err).__name__}"
    print(json.dumps([name, time.perf_counter() - start, rows]), flush=True)
"""


def _measured(command: list[str], seconds: float = COMMAND_SECONDS) -> dict:
    """Run ``command`` → wall and CPU seconds, peak RSS (MiB) of it and its children (``wait4``), exit status,
    stdout; stopped at ``seconds``."""
    start = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    deadline, chunks, stopped = start + seconds, [], False
    with selectors.DefaultSelector() as sel:
        sel.register(proc.stdout, selectors.EVENT_READ)
        while True:
            if time.perf_counter() > deadline:
                proc.kill()
                stopped = True
                break
            if sel.select(timeout=1.0):
                line = proc.stdout.readline()
                if not line:
                    break
                chunks.append(line)
    _pid, status, usage = os.wait4(proc.pid, 0)
    chunks.append(proc.stdout.read())
    return {"seconds": time.perf_counter() - start, "cpu": usage.ru_utime + usage.ru_stime,
            "rss_mib": usage.ru_maxrss / 1024, "rc": os.waitstatus_to_exitcode(status), "stopped": stopped,
            "out": "".join(chunks)}


def _timed(work) -> tuple[float, int]:
    start = time.perf_counter()
    n = work()
    return time.perf_counter() - start, n


def _size_mib(folder: Path) -> float:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file() and "snapshots" not in f.parts) / 2**20


def _queries(store_dir: Path) -> dict[str, tuple[float, int]]:
    """Each bundled query and trace → (seconds, rows or lines)."""
    store = ox.Store.read_only(str(store_dir))
    out = {}
    for name in sorted(bundled_queries()):
        text = load_query(name)
        out[name] = _timed(lambda text=text: sum(1 for _ in run_query(store, text)))
    out["trace"] = _timed(lambda: len(trace_table(store).splitlines()))
    return out


KINDS = """SELECT ?kind (COUNT(*) AS ?n) WHERE {
  GRAPH ?g { ?s ?p ?o } FILTER(!CONTAINS(STR(?g), "/graph/_"))
  OPTIONAL { SELECT ?s (MIN(?t) AS ?type) WHERE { ?s a ?t } GROUP BY ?s }
  BIND(IF(CONTAINS(STR(?g), "/findings"), "findings graph", COALESCE(STR(?type), "untyped")) AS ?kind)
} GROUP BY ?kind ORDER BY DESC(?n)"""


def _kinds(store_dir: Path, documents: int) -> list[tuple[str, float]]:
    """Triples per document in the documents' graphs by the kind (rdf:type) of their subject."""
    store = ox.Store.read_only(str(store_dir))
    return [(row["kind"].value.rsplit("#", 1)[-1].rsplit("/", 1)[-1], int(row["n"].value) / documents)
            for row in run_query(store, KINDS)]


def _commands(store: Path, work: Path) -> dict[str, dict]:
    s = ["--store", str(store)]
    return {name: _measured(FUNDFLOW + args) for name, args in (
        ("map", ["map", "--year", str(YEAR), "-o", str(work / "map.html"), *s]),
        ("sankey", ["sankey", "--year", str(YEAR), "-o", str(work / "sankey.html"), *s]),
        ("validate", ["validate", "--format", "json", "-o", str(work / "validate.json"), *s]),
        ("export", ["export", "--format", "nt", "-o", str(work / "export.nt"), *s]),
    )}


def _floor(store: Path, work: Path) -> dict:
    dump = work / "quads.nq"
    reader = ox.Store.read_only(str(store))
    reader.dump(str(dump), format=ox.RdfFormat.N_QUADS)
    del reader
    run = _measured([sys.executable, "-c", FLOOR, str(dump), str(work / "floor")])
    run["load_seconds"] = float(run["out"].split()[-1]) if run["rc"] == 0 and run["out"].strip() else None
    run["size_mib"] = _size_mib(work / "floor")
    return run


def _baseline(work: Path) -> dict:
    run = _measured([sys.executable, "-c", BASELINE, str(work / "quads.nq")], RDFLIB_SECONDS)
    steps = [json.loads(line) for line in run["out"].splitlines() if line.startswith("[")]
    run["load"] = next(((s, n) for name, s, n in steps if name == "load"), None)
    run["queries"] = {name: (s, n) for name, s, n in steps if name != "load"}
    return run


def _machine() -> str:
    cpu = next((ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines()
                if ln.startswith("model name")), platform.processor()) if Path("/proc/cpuinfo").exists() else ""
    mem = next((ln.split()[1] for ln in Path("/proc/meminfo").read_text().splitlines() if ln.startswith("MemTotal")),
               "0") if Path("/proc/meminfo").exists() else "0"
    return (f"{platform.system()} {platform.machine()}, {cpu}, {len(os.sched_getaffinity(0))} cores available, "
            f"{int(mem) // 1024} MiB memory; Python {platform.python_version()}, pyoxigraph {ox.__version__}")


def _load() -> str:
    return " / ".join(f"{x:.1f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "?"


def _cmd_cell(r: dict) -> str:
    if r["stopped"]:
        return f"stopped at {r['seconds']:.0f} s"
    return f"{r['seconds']:.1f} s, {r['rss_mib']:.0f} MiB" + ("" if r["rc"] in (0, 1) else f" (exit {r['rc']})")


def _ratio(ours: float, other: float | None) -> str:
    return f"{ours / other:.1f}×" if other else "–"


def _write_report() -> None:
    sizes = sorted(RESULTS)
    head = "| | " + " | ".join(f"N = {n:,}" for n in sizes) + " |\n|---|" + "---:|" * len(sizes) + "\n"

    def row(label, f):
        return f"| {label} | " + " | ".join(f(RESULTS[n]) for n in sizes) + " |\n"

    def base_q(r, q):
        got = r["baseline"]["queries"].get(q)
        if got is None:
            return "not reached" if not r["baseline"]["stopped"] else f"not reached in {RDFLIB_SECONDS:.0f} s"
        s, n = got
        ours = r["queries"][q][0]
        return f"{s:.2f} ({n:,}), {_ratio(s, max(ours, 0.005))}" if isinstance(n, int) else n

    text = ["# Benchmarks\n\n",
            "Written by `make bench` (benchmarks/bench_scale.py); numbers from one run on this machine, which\n",
            "others were using at the same time (the load average is given per N: on 2 cores, above 2 means\n",
            "waiting for a core; CPU seconds are less affected than wall seconds).\n\n",
            f"- Machine: {_machine()}\n",
            f"- Measured: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}\n",
            "- Corpus: `python tests/support/corpus.py DIR N --seed 0` (generated unit budgets in the four text\n",
            "  layouts of the samples, 万元 or 元)\n",
            "- Ours: `fundflow ingest --store STORE DIR` (reads on every core, one writer, new documents many\n",
            "  to a bulk load), then the same command on the unchanged corpus; queries and trace in one process\n",
            "- Floor: the store's quads as N-Quads, `Store.bulk_load` into a fresh Oxigraph store (no reading of\n",
            "  documents at all)\n",
            "- Baseline: the same N-Quads into rdflib's in-memory `Dataset`, queried with rdflib's SPARQL (no\n",
            "  reading of documents either)\n\n",
            "## Ingest\n\n", head,
            row("load average (1 / 5 / 15 min) at the start", lambda r: r["load"]),
            row("ingest wall (s)", lambda r: f"{r['ingest']['seconds']:.1f}"),
            row("ingest CPU, writer and readers (s)", lambda r: f"{r['ingest']['cpu']:.1f}"),
            row("documents/s", lambda r: f"{r['documents'] / r['ingest']['seconds']:.2f}"),
            row("triples/s (store)", lambda r: f"{r['store_triples'] / r['ingest']['seconds']:,.0f}"),
            row("triples written (documents)", lambda r: f"{r['triples']:,}"),
            row("triples in store", lambda r: f"{r['store_triples']:,}"),
            row("peak RSS (MiB)", lambda r: f"{r['ingest']['rss_mib']:.0f}"),
            row("store size (MiB)", lambda r: f"{r['store_mib']:.0f}"),
            row("re-ingest unchanged (s)", lambda r: f"{r['again']['seconds']:.1f}"),
            row("re-ingest peak RSS (MiB)", lambda r: f"{r['again']['rss_mib']:.0f}"),
            row("floor: Oxigraph bulk load of the same quads (s)",
                lambda r: f"{r['floor']['load_seconds']:.1f}" if r["floor"]["load_seconds"] else "failed"),
            row("floor peak RSS (MiB), store size (MiB)",
                lambda r: f"{r['floor']['rss_mib']:.0f}, {r['floor']['size_mib']:.0f}"),
            row("ours ÷ floor (wall)", lambda r: _ratio(r["ingest"]["seconds"], r["floor"]["load_seconds"])),
            row("baseline: rdflib load of the same quads (s)",
                lambda r: f"{r['baseline']['load'][0]:.1f}" if r["baseline"]["load"] else "not done"),
            row("baseline peak RSS (MiB)", lambda r: f"{r['baseline']['rss_mib']:.0f}"),
            row("baseline ÷ ours (wall; above 1: ours faster)",
                lambda r: _ratio(r["baseline"]["load"][0], r["ingest"]["seconds"]) if r["baseline"]["load"] else "–"),
            "\n## Queries: ours (seconds, rows)\n\n", head]
    text.extend(row(name if name == "trace" else f"query {name}",
                    lambda r, q=name: "{:.2f} ({:,})".format(*r["queries"][q]))
                for name in RESULTS[sizes[0]]["queries"])
    text += ["\n## Commands (wall, peak RSS)\n\n", head]
    for name in ("map", "sankey", "validate", "export"):
        label = f"{name} --year {YEAR}" if name in ("map", "sankey") else (
            "export --format nt" if name == "export" else "validate --store (findings and SHACL)")
        text.append(row(label, lambda r, c=name: _cmd_cell(r["commands"][c])))
    text += ["\n## Queries: rdflib baseline (seconds, rows, its time ÷ ours: above 1×, ours is faster)\n\n",
             "Rows that differ from ours are rdflib's reading of the same query over its union graph.\n\n", head]
    for name in RESULTS[sizes[0]]["queries"]:
        if name != "trace":
            text.append(row(f"query {name}", lambda r, q=name: base_q(r, q)))
    text += ["\n## Triples per document by kind of subject (documents' graphs)\n\n", head]
    kinds = list(dict.fromkeys(k for n in sizes for k, _ in RESULTS[n]["kinds"]))
    for kind in kinds:
        text.append(row(kind, lambda r, k=kind: next((f"{v:,.1f}" for kk, v in r["kinds"] if kk == k), "–")))
    text.append("\nSummary lines printed by the ingests:\n\n")
    text += [f"- N = {n:,}: `{RESULTS[n]['ingest']['summary']}`; again: `{RESULTS[n]['again']['summary']}`\n"
             for n in sizes]
    REPORT.write_text("".join(text), encoding="utf-8")


@pytest.mark.parametrize("n", SIZES)
def test_scale(benchmark, tmp_path, n):
    folder, store = tmp_path / "docs", tmp_path / "store"
    write_corpus(folder, n, seed=0)
    load = _load()
    ingest = FUNDFLOW + ["ingest", "--store", str(store), str(folder)]
    first = benchmark.pedantic(_measured, args=(ingest,), rounds=1, iterations=1)
    first["summary"] = first["out"].splitlines()[0]
    assert f"documents: {n} ok, 0 failed" in first["summary"]
    again = _measured(ingest)
    again["summary"] = again["out"].splitlines()[0]
    assert f"0 ok, 0 failed, {n} unchanged" in again["summary"]
    triples = int(first["summary"].split("triples: ")[1].split()[0].rstrip(";"))
    queries = _queries(store)
    reader = ox.Store.read_only(str(store))
    store_triples = len(reader)
    del reader
    RESULTS[n] = {"documents": n, "load": load, "ingest": first, "again": again, "triples": triples,
                  "store_triples": store_triples, "store_mib": _size_mib(store), "queries": queries,
                  "kinds": _kinds(store, n), "commands": _commands(store, tmp_path)}
    RESULTS[n]["floor"] = _floor(store, tmp_path)
    RESULTS[n]["baseline"] = _baseline(tmp_path)
    benchmark.extra_info.update(docs_per_second=round(n / first["seconds"], 2), max_rss_mib=round(first["rss_mib"]),
                                reingest_seconds=round(again["seconds"], 1))
    _write_report()
