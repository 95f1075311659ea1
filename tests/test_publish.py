"""Publishing: the read-only SPARQL endpoint (a real server process) and Graph Store push to a real Virtuoso.

The Virtuoso fixture needs ``virtuoso-t`` (Debian: virtuoso-opensource); without
it the push tests fail, they do not skip.
"""
from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest

from fundflow.kg.ingest import ingest_paths
from fundflow.kg.query import load_query, run_query

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = sorted((ROOT / "data" / "samples").glob("*.txt"))
XSD = "http://www.w3.org/2001/XMLSchema#"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, proc: subprocess.Popen, seconds: float) -> None:
    """Poll ``url`` until it answers (any HTTP status) or fail naming the process output."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if proc.poll() is not None:
            pytest.fail(f"server exited with {proc.returncode} before answering {url}")
        try:
            urllib.request.urlopen(url, timeout=1).close()
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"no answer from {url} within {seconds} s")


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory) -> Path:
    where = tmp_path_factory.mktemp("store")
    store = ox.Store(str(where))
    ingest_paths(store, SAMPLES, report=lambda _m: None)
    del store  # frees the lock for the server process
    return where


# ------------------------------------------------------------------ fundflow serve

@contextlib.contextmanager
def serving(store_dir: Path, *options: str, stderr=subprocess.DEVNULL):
    """A ``fundflow serve --store store_dir OPTIONS…`` process on a free loopback port, answering
    → (process, port, SPARQL URL); stopped on leaving."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "fundflow.cli.main", "serve", "--store", str(store_dir),
                             "--port", str(port), *options], stdout=subprocess.DEVNULL, stderr=stderr)
    url = f"http://127.0.0.1:{port}/sparql"
    try:
        wait_for(url, proc, 30)
        yield proc, port, url
    finally:
        stop(proc)


@pytest.fixture(scope="module")
def endpoint(store_dir):
    with serving(store_dir) as (_proc, _port, url):
        yield url


def ask(url: str, query: str | None = None, accept: str = "", method: str = "GET", body: bytes | None = None,
        ctype: str | None = None) -> tuple[int, str, bytes]:
    if query is not None and method == "GET":
        url = f"{url}?{urllib.parse.urlencode({'query': query})}"
    req = urllib.request.Request(url, data=body, method=method, headers={"Accept": accept} if accept else {})
    if ctype:
        req.add_header("Content-Type", ctype)
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, resp.headers["Content-Type"], resp.read()
    except urllib.error.HTTPError as err:
        return err.code, err.headers["Content-Type"], err.read()


COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?p a ff:Project }"


def test_serve_select_json_xml_csv(endpoint, store_dir):
    status, ctype, body = ask(endpoint, COUNT, "application/sparql-results+json")
    assert status == 200 and ctype.startswith("application/sparql-results+json")
    n = int(json.loads(body)["results"]["bindings"][0]["n"]["value"])
    assert n > 30
    status, ctype, body = ask(endpoint, COUNT, "application/sparql-results+xml")
    assert ctype.startswith("application/sparql-results+xml") and f">{n}<".encode() in body
    status, ctype, body = ask(endpoint, COUNT, "text/csv")
    assert ctype.startswith("text/csv") and body.decode().split() == ["n", str(n)]


def test_serve_post_and_construct(endpoint):
    form = urllib.parse.urlencode({"query": "ASK { ?u ff:unitCode \"578002\" }"}).encode()
    status, _, body = ask(endpoint, accept="application/json", method="POST", body=form,
                          ctype="application/x-www-form-urlencoded")
    assert status == 200 and json.loads(body)["boolean"] is True
    construct = b"CONSTRUCT { ?u rdfs:label ?l } WHERE { ?u a ff:Unit ; rdfs:label ?l }"
    status, ctype, body = ask(endpoint, method="POST", body=construct, ctype="application/sparql-query",
                              accept="text/turtle")
    assert status == 200 and ctype.startswith("text/turtle")
    assert "沈阳市医疗保障事务服务中心" in body.decode()


def test_serve_refuses_updates(endpoint):
    drop = "DROP ALL"
    assert ask(endpoint, method="POST", body=drop.encode(), ctype="application/sparql-update")[0] == 403
    form = urllib.parse.urlencode({"update": drop}).encode()
    assert ask(endpoint, method="POST", body=form, ctype="application/x-www-form-urlencoded")[0] == 403
    assert ask(f"{endpoint}?update=DROP%20ALL")[0] == 403
    assert ask(endpoint, method="PUT", body=b"<a> <b> <c> .", ctype="text/turtle")[0] == 405
    assert ask(endpoint, method="DELETE")[0] == 405
    assert ask(endpoint, "SELEC nonsense")[0] == 400
    status, _, body = ask(endpoint, COUNT, "application/json")
    assert status == 200 and int(json.loads(body)["results"]["bindings"][0]["n"]["value"]) > 30



def test_serve_stops_on_sigterm_with_exit_0(store_dir):
    """SIGTERM (what a service manager sends) stops the endpoint as Ctrl-C does: exit 0, no traceback."""
    with serving(store_dir, stderr=subprocess.PIPE) as (proc, port, url):
        assert ask(url, COUNT, "text/csv")[0] == 200
        proc.terminate()
        _out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    lines = err.decode().splitlines()
    assert f"SPARQL endpoint: http://127.0.0.1:{port}/sparql (read-only)" in lines
    assert not [ln for ln in lines if "Traceback" in ln or "Aborted" in ln]

# ------------------------------------------------------------------ push to Virtuoso

VIRTUOSO_INI = """[Database]
DatabaseFile = {d}/virtuoso.db
ErrorLogFile = {d}/virtuoso.log
LockFile = {d}/virtuoso.lck
TransactionFile = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
[TempDatabase]
DatabaseFile = {d}/virtuoso-temp.db
TransactionFile = {d}/virtuoso-temp.trx
[Parameters]
ServerPort = 127.0.0.1:{sql}
DisableUnixSocket = 1
DirsAllowed = ., {d}
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
[HTTPServer]
ServerPort = 127.0.0.1:{http}
ServerRoot = {d}
ServerThreads = 4
[SPARQL]
ResultSetMaxRows = 100000
"""


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory):
    """A throw-away Virtuoso on loopback ports → its base URL; shut down afterwards."""
    binary = shutil.which("virtuoso-t")
    if not binary:
        pytest.fail("virtuoso-t not found: install the Debian package virtuoso-opensource (.ci/run does)")
    d = tmp_path_factory.mktemp("virtuoso")
    http = free_port()
    (d / "virtuoso.ini").write_text(VIRTUOSO_INI.format(d=d, sql=free_port(), http=http), encoding="utf-8")
    proc = subprocess.Popen([binary, "+foreground", "+configfile", str(d / "virtuoso.ini")], cwd=d,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, "LANG": "C"})
    base = f"http://127.0.0.1:{http}"
    wait_for(f"{base}/sparql", proc, 30)
    yield base
    stop(proc)


def virtuoso_select(base: str, query: str) -> list[dict]:
    data = urllib.parse.urlencode({"query": query}).encode()
    req = urllib.request.Request(f"{base}/sparql", data=data, headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(req, timeout=60) as resp:
        return json.load(resp)["results"]["bindings"]


def canonical(binding: dict) -> tuple:
    """A result row (SPARQL JSON) → comparable tuple: decimals and booleans by value
    (stores may drop trailing zeros or write booleans as 1/0)."""
    out = []
    for var in sorted(binding):
        term = binding[var]
        value = term["value"]
        if term.get("datatype") == XSD + "decimal":
            value = Decimal(value).normalize()
        elif term.get("datatype") == XSD + "boolean":  # lexical forms 1/0 and true/false are the same values
            value = {"1": "true", "0": "false"}.get(value, value)
        out.append((var, "uri" if term["type"] == "uri" else "literal", value, term.get("datatype"),
                    term.get("xml:lang")))
    return tuple(out)


@pytest.fixture(scope="module")
def pushed(virtuoso, store_dir):
    endpoint = f"{virtuoso}/sparql-graph-crud-auth"
    proc = subprocess.run([sys.executable, "-m", "fundflow.cli.main", "push", "--endpoint", endpoint,
                           "--store", str(store_dir), "--user", "dba", "--password", "dba"],
                          check=False, capture_output=True, text=True, timeout=300)
    return proc


def test_push_reports_every_graph(pushed, store_dir):
    assert pushed.returncode == 0, pushed.stderr
    store = ox.Store.read_only(str(store_dir))
    lines = [ln for ln in pushed.stdout.splitlines() if ln.startswith("ok")]
    assert len(lines) == len(list(store.named_graphs()))


def test_triple_counts_per_graph_match(pushed, virtuoso, store_dir):
    store = ox.Store.read_only(str(store_dir))
    ours = {g.value: len(list(store.quads_for_pattern(None, None, None, g))) for g in store.named_graphs()}
    rows = virtuoso_select(virtuoso, "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
                                     "FILTER(STRSTARTS(STR(?g), \"https://w3id.org/fundflow/id/graph/\")) } GROUP BY ?g")
    theirs = {r["g"]["value"]: int(r["n"]["value"]) for r in rows}
    assert theirs == ours


def test_bundled_query_same_rows_on_virtuoso(pushed, virtuoso, store_dir):
    text = load_query("projects")
    store = ox.Store.read_only(str(store_dir))
    local = json.loads(run_query(store, text).serialize(format=ox.QueryResultsFormat.JSON))["results"]["bindings"]
    remote = virtuoso_select(virtuoso, text)
    assert len(local) > 30
    assert sorted(map(canonical, remote)) == sorted(map(canonical, local))


def test_push_with_wrong_password_fails_with_one_line(virtuoso, store_dir):
    proc = subprocess.run([sys.executable, "-m", "fundflow.cli.main", "push", "--endpoint",
                           f"{virtuoso}/sparql-graph-crud-auth", "--store", str(store_dir), "--user", "dba",
                           "--password", "wrong"], check=False, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    assert proc.stderr.count("\n") == 1 and "401" in proc.stderr and "Traceback" not in proc.stderr


def test_push_through_staging_graphs_replaces_each_graph(virtuoso, store_dir):  # finding 9: no window of loss
    proc = subprocess.run([sys.executable, "-m", "fundflow.cli.main", "push", "--endpoint",
                           f"{virtuoso}/sparql-graph-crud-auth", "--update-endpoint", f"{virtuoso}/sparql-auth",
                           "--store", str(store_dir), "--user", "dba", "--password", "dba"],
                          check=False, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert all(ln.startswith("ok") and ln.endswith("replaced") for ln in proc.stdout.splitlines())
    store = ox.Store.read_only(str(store_dir))
    ours = {g.value: len(list(store.quads_for_pattern(None, None, None, g))) for g in store.named_graphs()}
    rows = virtuoso_select(virtuoso, "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
                                     "FILTER(STRSTARTS(STR(?g), \"https://w3id.org/fundflow/id/graph/\")) } GROUP BY ?g")
    assert {r["g"]["value"]: int(r["n"]["value"]) for r in rows} == ours
    staged = virtuoso_select(virtuoso, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
                                       "FILTER(STRSTARTS(STR(?g), \"urn:fundflow:staging:\")) }")
    assert int(staged[0]["n"]["value"]) == 0
