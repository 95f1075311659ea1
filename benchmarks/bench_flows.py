"""The typed flow graph over a store of many documents and years: build, conservation checks, trace.

The five samples and the same moved on by 10, 11, … fiscal years (``YEARS`` more copies, each a
distinct document whose years meet no other's), so the graph holds 5 × (``YEARS`` + 1) documents.
"""
from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from bench_ingest import SAMPLES, quiet, redate

from fundflow.analysis.flows import unit_splits
from fundflow.checks.conservation import check_flows
from fundflow.kg.ingest import ingest_paths
from fundflow.outputs.flowgraph import build_flow_graph
from fundflow.outputs.trace import trace_json

YEARS = 5


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> ox.Store:
    folder: Path = tmp_path_factory.mktemp("years")
    files = list(SAMPLES) + [redate(p, folder / f"{p.stem}-plus{k}.txt", 10 + k) for k in range(YEARS) for p in SAMPLES]
    s = ox.Store(str(folder / "store"))
    assert len(ingest_paths(s, files, report=quiet).ok) == len(files)
    return s


def test_build_flow_graph(benchmark, store):
    fg = benchmark(build_flow_graph, store)
    benchmark.extra_info.update(edges=len(fg.edges), nodes=len(fg.nodes), periods=len(fg.periods()))
    assert len(unit_splits(fg)) == 6 * (YEARS + 1)  # 2019 本级 and 中心, Fushun, Shenyang 2024, Liaoning, Anshan


def test_conservation(benchmark, store):
    fg = build_flow_graph(store)
    found = benchmark(check_flows, fg, True)
    benchmark.extra_info["checks"] = len(found)
    assert found


def test_trace_json(benchmark, store):
    text = benchmark(trace_json, store)
    assert '"periods"' in text
