"""Parse and ingest throughput on the samples, a synthetic batch, and an aggregate query.

Run with ``make bench``.  The synthetic batch copies the five samples ``COPIES``
times, each copy re-dated to another fiscal year (a copy of the same document would
be stored once), and records
documents/second and the process's peak resident memory (getrusage;
tracemalloc would double the time it measures) in ``extra_info``.
"""
from __future__ import annotations

import resource
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

from fundflow.kg.ingest import ingest_paths
from fundflow.kg.query import run_query
from fundflow.records.pipeline import parse_document

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = sorted((ROOT / "data" / "samples").glob("*.txt"))
COPIES = 4

AGGREGATE = """
SELECT ?year ?code (SUM(?amount) AS ?total) (COUNT(?b) AS ?lines) WHERE {
  ?b a ff:BudgetLine ; ff:amount ?amount ; ff:fiscalYear ?year ; ff:subjectCode/skos:notation ?code .
} GROUP BY ?year ?code ORDER BY ?year ?code"""


def quiet(_message: str) -> None:
    pass


def redate(sample: Path, target: Path, years: int) -> Path:
    """A sample moved ``years`` fiscal years on (its year is in its file name): another document, not a copy."""
    year = next(part for part in sample.stem.split("-") if part.isdigit())
    text = sample.read_text(encoding="utf-8").replace(year, str(int(year) + years))
    target.write_text(text, encoding="utf-8")
    return target


@pytest.mark.parametrize("sample", SAMPLES, ids=[p.stem for p in SAMPLES])
def test_parse_sample(benchmark, sample):
    parsed = benchmark(parse_document, sample)
    benchmark.extra_info["records"] = len(parsed.records)
    assert parsed.records


def test_ingest_samples_fresh_store(benchmark, tmp_path):
    counter = iter(range(10**6))

    def fresh():
        return (ox.Store(str(tmp_path / f"s{next(counter)}")),), {}

    def ingest(store):
        return ingest_paths(store, SAMPLES, report=quiet)

    summary = benchmark.pedantic(ingest, setup=fresh, rounds=3, iterations=1)
    assert len(summary.ok) == len(SAMPLES)
    benchmark.extra_info["triples"] = summary.triples


def test_synthetic_batch(benchmark, tmp_path):
    folder = tmp_path / "batch"
    folder.mkdir()
    for i in range(COPIES):
        for p in SAMPLES:
            redate(p, folder / f"{p.stem}-copy{i:03d}.txt", 10 + i)
    files = sorted(folder.glob("*.txt"))
    store = ox.Store(str(tmp_path / "store"))
    start = time.perf_counter()
    summary = benchmark.pedantic(ingest_paths, args=(store, files), kwargs={"report": quiet}, rounds=1, iterations=1)
    elapsed = time.perf_counter() - start
    assert len(summary.ok) == len(files)
    rss_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # Linux: KiB
    benchmark.extra_info.update(documents=len(files), docs_per_second=round(len(files) / elapsed, 2),
                                triples=summary.triples, max_rss_mib=round(rss_kib / 1024, 1))


@pytest.fixture(scope="module")
def loaded(tmp_path_factory) -> ox.Store:
    store = ox.Store(str(tmp_path_factory.mktemp("agg")))
    ingest_paths(store, SAMPLES, report=quiet)
    return store


def test_aggregate_query(benchmark, loaded):
    rows = benchmark(lambda: list(run_query(loaded, AGGREGATE)))
    assert len(rows) > 10
    benchmark.extra_info["rows"] = len(rows)
