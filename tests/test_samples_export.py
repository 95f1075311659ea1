"""The bundled samples end to end: ingest through the CLI, export Turtle, parse it with an independent parser."""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox

ROOT = Path(__file__).resolve().parents[1]
FUNDFLOW = [sys.executable, "-m", "fundflow.cli.main"]


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*FUNDFLOW, *args], check=False, capture_output=True, text=True, cwd=ROOT, timeout=300)


def test_samples_turtle_parses_in_rapper_and_holds_every_store_triple(tmp_path):
    assert shutil.which("rapper"), "rapper is missing: install Debian's raptor2-utils (.ci/run does)"
    store = tmp_path / "store"
    samples = sorted(str(p) for p in (ROOT / "data" / "samples").glob("*.txt"))
    r = run("ingest", "--store", str(store), *samples)
    assert r.returncode == 0, r.stderr
    out = tmp_path / "all.ttl"
    r = run("export", "--store", str(store), "--format", "turtle", "-o", str(out))
    assert r.returncode == 0, r.stderr
    rap = subprocess.run(["rapper", "-i", "turtle", "-c", str(out)], check=False, capture_output=True, text=True)
    assert rap.returncode == 0, rap.stderr[-500:]
    counted = int(re.search(r"returned (\d+) triples", rap.stderr).group(1))
    held = ox.Store(str(store))
    distinct = {q.triple for q in held.quads_for_pattern(None, None, None, None)}
    assert counted == len(distinct) > 10000
    back = {t.triple for t in ox.parse(path=str(out), format=ox.RdfFormat.TURTLE)}
    assert back == distinct


def test_a_unit_printed_with_and_without_its_code_is_linked(tmp_path):
    store = tmp_path / "store"
    docs = [str(ROOT / "data" / "samples" / f) for f in ("shenyang-bureau-2019-budget.txt", "shenyang-center-2024-budget.txt")]
    assert run("ingest", "--store", str(store), *docs).returncode == 0
    q = ("PREFIX owl: <http://www.w3.org/2002/07/owl#> SELECT ?code WHERE { ?a owl:sameAs ?b . "
         "?b ff:unitCode ?code . ?a rdfs:label \"沈阳市医疗保障事务服务中心\"@zh FILTER NOT EXISTS { ?a ff:unitCode ?c } }")
    r = subprocess.run([*FUNDFLOW, "query", "-", "--store", str(store), "--format", "csv"], input=q, check=False,
                       capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["code", "578002"]
