"""A push cut off by killing the remote store leaves every remote graph wholly old or wholly new (finding 9).

A throw-away Virtuoso on loopback holds the samples; a second push of changed
samples, with the plain command line (only the Graph Store endpoint: the update
endpoint is found by the push), goes through staging graphs and MOVE, and
Virtuoso is killed (SIGKILL) once two documents are replaced.  After a restart
on the same database each graph is one of the two versions, told apart by its
document's sha256 and its size, and it is the one the push's line for it said.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import urllib.parse
import urllib.request
from pathlib import Path

import pyoxigraph as ox
import pytest

from fundflow.kg.ingest import ingest_paths
from tests.test_publish import SAMPLES, VIRTUOSO_INI, free_port, stop, wait_for

SHA = "https://w3id.org/fundflow#sha256"


def _store(folder: Path, note: str | None) -> Path:
    """The samples (with ``note`` appended to each, when given) ingested into ``folder``/store."""
    docs = folder / "docs"
    docs.mkdir(parents=True)
    for s in SAMPLES:
        text = s.read_text(encoding="utf-8")
        (docs / s.name).write_text(text + (f"\n附注 {note}\n" if note else ""), encoding="utf-8")
    store = ox.Store(str(folder / "store"))
    ingest_paths(store, sorted(docs.glob("*.txt")), report=lambda _m: None)
    del store
    return folder / "store"


def _versions(store_dir: Path) -> dict[str, tuple[int, frozenset[str]]]:
    """Document graph → (triples, sha256 values in it)."""
    store = ox.Store.read_only(str(store_dir))
    out = {}
    for g in store.named_graphs():
        quads = list(store.quads_for_pattern(None, None, None, g))
        out[g.value] = (len(quads), frozenset(q.object.value for q in quads if q.predicate.value == SHA))
    return out


def _virtuoso(d: Path, sql: int, http: int) -> subprocess.Popen:
    binary = shutil.which("virtuoso-t")
    if not binary:
        pytest.fail("virtuoso-t not found: install the Debian package virtuoso-opensource (.ci/run does)")
    (d / "virtuoso.ini").write_text(VIRTUOSO_INI.format(d=d, sql=sql, http=http), encoding="utf-8")
    proc = subprocess.Popen([binary, "+foreground", "+configfile", str(d / "virtuoso.ini")], cwd=d,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, "LANG": "C"})
    wait_for(f"http://127.0.0.1:{http}/sparql", proc, 60)
    return proc


def _select(base: str, query: str) -> list[dict]:
    req = urllib.request.Request(f"{base}/sparql", data=urllib.parse.urlencode({"query": query}).encode(),
                                 headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(req, timeout=60) as resp:
        return json.load(resp)["results"]["bindings"]


def _remote(base: str) -> dict[str, tuple[int, frozenset[str]]]:
    """Remote document graph → (triples, sha256 values in it)."""
    counts = {r["g"]["value"]: int(r["n"]["value"])
              for r in _select(base, "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")}
    shas: dict[str, set[str]] = {}
    for r in _select(base, f"SELECT DISTINCT ?g ?sha WHERE {{ GRAPH ?g {{ ?s <{SHA}> ?sha }} }}"):
        shas.setdefault(r["g"]["value"], set()).add(r["sha"]["value"])
    return {g: (n, frozenset(shas.get(g, ()))) for g, n in counts.items()}


def _push(base: str, store_dir: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "fundflow.cli.main", "push", "--endpoint",
                             f"{base}/sparql-graph-crud-auth", "--store", str(store_dir), "--user", "dba", "--password", "dba", "--timeout", "10"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.mark.slow
def test_killed_store_keeps_each_graph_old_or_new(tmp_path):
    old, new = _store(tmp_path / "old", None), _store(tmp_path / "new", "v2")
    old_v, new_v = _versions(old), _versions(new)
    documents = [g for g in old_v if g.endswith(".txt")]
    assert documents and all(old_v[g][1] != new_v[g][1] for g in documents)
    d = tmp_path / "virtuoso"
    d.mkdir()
    sql, http = free_port(), free_port()
    base = f"http://127.0.0.1:{http}"
    proc = _virtuoso(d, sql, http)
    try:
        first = _push(base, old)
        assert first.wait(timeout=300) == 0, first.stderr.read()
        second = _push(base, new)
        lines, replaced = [], 0
        for line in second.stdout:  # kill the store once two documents are replaced, mid-push
            lines.append(line.rstrip("\n"))
            replaced += line.startswith("ok") and line.rstrip().endswith(".txt — replaced")
            if replaced == 2:
                proc.send_signal(signal.SIGKILL)
                proc.wait(timeout=30)
                break
        rest, err = second.communicate(timeout=300)
        lines += rest.splitlines()
        assert replaced == 2, "the push ended before the store could be killed"
        assert second.returncode == 1 and err.count("\n") == 1 and "remote graphs changed: " in err
        proc = _virtuoso(d, sql, http)  # recovers from its transaction log
        remote = _remote(base)
    finally:
        stop(proc)
    said = {ln.split()[4]: ln for ln in lines}  # state, status, triples, "triples", graph, message
    assert set(said) == set(old_v), "one line per graph"
    assert any("not sent: 3 graphs in a row got no answer" in ln for ln in lines)
    states = set()
    for g in documents:
        assert remote.get(g) in (old_v[g], new_v[g]), f"{g} is neither wholly old nor wholly new"
        state = "new" if remote[g] == new_v[g] else "old"
        states.add(state)
        if said[g].endswith("— replaced"):
            assert state == "new", f"{g} reported replaced but is old"
        elif not said[g].endswith("wholly old or wholly new"):
            assert state == "old" and ("unchanged" in said[g] or "not sent" in said[g]), said[g]
    assert states == {"old", "new"}, "the kill did not land mid-push"
