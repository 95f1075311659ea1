"""Which way push replaces remote graphs, against small Graph Store servers on loopback (finding 9).

One server takes SPARQL Update beside its Graph Store endpoint (``/ds/update``
next to ``/ds/data``, as Fuseki does): the push finds it by a probe and moves a
staging graph over each graph.  The other has no update endpoint and answers
every POST 200 with a form page (as Virtuoso's Graph Store endpoint does): the
probe sees that nothing moved, each graph is PUT in place and each line says so.
Either way the remote store ends with exactly the local graphs: no probe or
staging graph is left behind.
"""
from __future__ import annotations

import re
import subprocess
import sys
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pyoxigraph as ox
import pytest

from tests.test_publish import store_dir  # noqa: F401 — a module fixture: the samples ingested


class GraphStore(ThreadingHTTPServer):
    """Graph Store Protocol at /ds/data (PUT, GET, DELETE); SPARQL Update MOVE at ``update`` when given."""

    def __init__(self, update: str | None):
        self.graphs: dict[str, bytes] = {}
        self.update = update
        self.puts: list[str] = []
        super().__init__(("127.0.0.1", 0), Handler)


class Handler(BaseHTTPRequestHandler):
    server: GraphStore

    def log_message(self, *_args) -> None:
        pass

    def _answer(self, status: int, body: bytes = b"", ctype: str = "text/plain") -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _graph(self) -> str | None:
        url = urllib.parse.urlsplit(self.path)
        if url.path != "/ds/data":
            return None
        return urllib.parse.parse_qs(url.query).get("graph", [None])[0]

    def do_PUT(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if (graph := self._graph()) is None:
            return self._answer(404)
        self.server.puts.append(graph)
        created = graph not in self.server.graphs
        self.server.graphs[graph] = body
        self._answer(201 if created else 204)

    def do_GET(self) -> None:
        graph = self._graph()
        if graph is None or graph not in self.server.graphs:
            return self._answer(404)
        self._answer(200, self.server.graphs[graph], "application/n-triples")

    def do_DELETE(self) -> None:
        graph = self._graph()
        if graph is None or self.server.graphs.pop(graph, None) is None:
            return self._answer(404)
        self._answer(204)

    def do_POST(self) -> None:
        form = urllib.parse.parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode())
        path = urllib.parse.urlsplit(self.path).path
        if path == self.server.update and (m := re.fullmatch(r"MOVE SILENT <([^>]+)> TO <([^>]+)>",
                                                               form.get("update", [""])[0])):
            source, target = m.groups()
            if source in self.server.graphs:
                self.server.graphs[target] = self.server.graphs.pop(source)
            return self._answer(200, b"done")
        self._answer(200, b"<html><form>Upload a graph</form></html>", "text/html")  # moves nothing


@pytest.fixture
def graph_store(request):
    server = GraphStore(request.param)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _push(server: GraphStore, store_dir) -> subprocess.CompletedProcess:  # noqa: F811
    url = f"http://127.0.0.1:{server.server_address[1]}/ds/data"
    return subprocess.run([sys.executable, "-m", "fundflow.cli.main", "push", "--endpoint", url,
                           "--store", str(store_dir), "--timeout", "10"],
                          capture_output=True, text=True, timeout=120, check=False)


def _local(store_dir) -> dict[str, int]:  # noqa: F811
    store = ox.Store.read_only(str(store_dir))
    return {g.value: len(list(store.quads_for_pattern(None, None, None, g))) for g in store.named_graphs()}


def _remote(server: GraphStore) -> dict[str, int]:
    return {g: len(list(ox.parse(body, format=ox.RdfFormat.N_TRIPLES))) for g, body in server.graphs.items()}


@pytest.mark.parametrize("graph_store", ["/ds/update"], indirect=True)
def test_push_finds_the_update_endpoint_and_moves_staging_graphs(graph_store, store_dir):  # noqa: F811
    proc = _push(graph_store, store_dir)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert len(lines) == len(_local(store_dir)) and all(ln.endswith("— replaced") for ln in lines)
    assert _remote(graph_store) == _local(store_dir)
    assert not any(g in _local(store_dir) for g in graph_store.puts), "a graph was PUT in place"
    assert f"remote graphs changed: {len(lines)}, unchanged: 0" in proc.stderr


@pytest.mark.parametrize("graph_store", [None], indirect=True)
def test_push_to_a_store_without_update_puts_in_place_and_says_so(graph_store, store_dir):  # noqa: F811
    proc = _push(graph_store, store_dir)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert len(lines) == len(_local(store_dir))
    assert all(ln.startswith("ok") and "replaced in place" in ln and "could lose this graph" in ln for ln in lines)
    assert _remote(graph_store) == _local(store_dir)  # the probe graph is gone too
    assert sum(g.startswith("urn:fundflow:staging:") for g in graph_store.puts) == 1  # the probe, once
    assert f"remote graphs changed: {len(lines)}, unchanged: 0" in proc.stderr
