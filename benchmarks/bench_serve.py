"""Load on the SPARQL endpoint: 20 concurrent clients on loopback, bounded in requests and time.

Run with ``make bench``.  A real ``fundflow serve`` over the five samples; each of
``CLIENTS`` threads sends ``REQUESTS`` queries (a count of projects and a small
SELECT, alternately) and the run stops by itself after at most ``LIMIT`` seconds.
Throughput and p50/p99 latency go to ``extra_info`` (and to stdout).
"""
from __future__ import annotations

import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pyoxigraph as ox
import pytest

from fundflow.kg.ingest import ingest_paths

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = sorted((ROOT / "data" / "samples").glob("*.txt"))
CLIENTS, REQUESTS, LIMIT = 20, 25, 120.0
QUERIES = ["SELECT (COUNT(*) AS ?n) WHERE { ?p a ff:Project }",
           "SELECT ?p ?a WHERE { ?p a ff:Project ; ff:amount ?a } ORDER BY DESC(?a) LIMIT 10"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory):
    where = tmp_path_factory.mktemp("store")
    store = ox.Store(str(where))
    ingest_paths(store, SAMPLES, report=lambda _m: None)
    del store
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "fundflow.cli.main", "serve", "--store", str(where),
                             "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/sparql"
    for _ in range(100):
        try:
            urllib.request.urlopen(f"{url}?query=ASK%7B%7D", timeout=1).close()
            break
        except OSError:
            time.sleep(0.2)
    yield url
    proc.terminate()
    proc.wait(timeout=30)


def _client(url: str, latencies: list[float], errors: list[str], stop_at: float) -> None:
    for i in range(REQUESTS):
        if time.monotonic() > stop_at:
            return
        q = urllib.parse.urlencode({"query": QUERIES[i % len(QUERIES)]})
        started = time.monotonic()
        try:
            with urllib.request.urlopen(urllib.request.Request(f"{url}?{q}", headers={"Accept": "text/csv"}),
                                        timeout=30) as resp:
                resp.read()
            latencies.append(time.monotonic() - started)
        except OSError as err:
            errors.append(str(err))


def test_twenty_concurrent_clients(endpoint, benchmark):
    def run() -> tuple[list[float], list[str], float]:
        latencies: list[float] = []
        errors: list[str] = []
        stop_at = time.monotonic() + LIMIT
        threads = [threading.Thread(target=_client, args=(endpoint, latencies, errors, stop_at)) for _ in range(CLIENTS)]
        started = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return latencies, errors, time.monotonic() - started

    latencies, errors, elapsed = benchmark.pedantic(run, rounds=1, iterations=1)
    latencies.sort()
    p50 = statistics.median(latencies)
    p99 = latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))]
    benchmark.extra_info.update({"requests": len(latencies), "errors": len(errors),
                                 "per_second": round(len(latencies) / elapsed, 1),
                                 "p50_ms": round(1000 * p50, 1), "p99_ms": round(1000 * p99, 1)})
    print(f"\n{CLIENTS} clients: {len(latencies)} answers, {len(errors)} errors, "
          f"{len(latencies) / elapsed:.1f}/s, p50 {1000 * p50:.0f} ms, p99 {1000 * p99:.0f} ms")
    assert not errors and len(latencies) == CLIENTS * REQUESTS
