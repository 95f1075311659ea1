"""Store → a remote SPARQL 1.1 store with the Graph Store Protocol.

``push_store(store, endpoint)`` sends every named graph with one HTTP PUT
(``{endpoint}?graph=<iri>``, body N-Triples labelled ``text/turtle``, which
every Graph Store implementation accepts, since N-Triples is a subset of
Turtle) and returns one ``PushResult`` per graph.  A PUT replaces the remote
graph, so pushing twice leaves the same data.  HTTP basic and digest
authentication are both offered when a user is given.
"""
from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass

import pyoxigraph as ox

from fundflow.kg import vocab
from fundflow.kg.errors import FundflowError

TIMEOUT = 120  # seconds per graph: a large document graph is a few MB


@dataclass(frozen=True)
class PushResult:
    """What happened to one graph: its (remote) IRI, triples sent, HTTP status (0: no answer), message."""

    graph: str
    triples: int
    status: int
    message: str = ""

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def line(self) -> str:
        state = "ok" if self.ok else "FAILED"
        tail = f" — {self.message}" if self.message else ""
        return f"{state:<6} {self.status or '---'} {self.triples:>7} triples  {self.graph}{tail}"


def remote_graph(graph: ox.NamedNode, prefix: str | None, base: str = vocab.DEFAULT_BASE) -> str:
    """The graph's IRI on the remote store: unchanged, or ``prefix`` + its name after ``{base}graph/``."""
    local = f"{base}graph/"
    if prefix and graph.value.startswith(local):
        return prefix + graph.value[len(local):]
    return graph.value


def opener(endpoint: str, user: str | None, password: str | None) -> urllib.request.OpenerDirector:
    """An opener answering basic and digest challenges for ``endpoint`` when ``user`` is given."""
    if not user:
        return urllib.request.build_opener()
    passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
    passwords.add_password(None, endpoint, user, password or "")
    return urllib.request.build_opener(urllib.request.HTTPDigestAuthHandler(passwords),
                                       urllib.request.HTTPBasicAuthHandler(passwords))


def put_graph(http: urllib.request.OpenerDirector, endpoint: str, graph: str, body: bytes,
              triples: int) -> PushResult:
    """PUT ``body`` as the content of ``graph`` → ``PushResult`` (never raises for HTTP/network errors)."""
    sep = "&" if "?" in endpoint else "?"
    url = f"{endpoint}{sep}graph={urllib.parse.quote(graph, safe='')}"
    req = urllib.request.Request(url, data=body, method="PUT",
                                 headers={"Content-Type": "text/turtle; charset=utf-8"})
    try:
        with http.open(req, timeout=TIMEOUT) as resp:
            return PushResult(graph, triples, resp.status)
    except urllib.error.HTTPError as err:
        detail = err.read(300).decode("utf-8", "replace").strip().splitlines()
        return PushResult(graph, triples, err.code, f"{err.reason}" + (f": {detail[0]}" if detail else ""))
    except (urllib.error.URLError, OSError) as err:
        reason = getattr(err, "reason", err)
        return PushResult(graph, triples, 0, f"no answer from {endpoint} ({reason})")


def push_store(store: ox.Store, endpoint: str, user: str | None = None, password: str | None = None,
               graph_prefix: str | None = None, base: str = vocab.DEFAULT_BASE,
               each: Callable[[PushResult], None] | None = None) -> list[PushResult]:
    """PUT every named graph of ``store`` to ``endpoint`` → one result per graph, in IRI order.

    Raises ``FundflowError`` when the endpoint is not an http(s) URL or the store has no graphs.
    """
    if urllib.parse.urlsplit(endpoint).scheme not in ("http", "https"):
        raise FundflowError(f"endpoint {endpoint!r} is not an http(s) URL",
                            hint="give the Graph Store Protocol URL, e.g. http://127.0.0.1:8890/sparql-graph-crud-auth")
    graphs = sorted(store.named_graphs(), key=lambda g: g.value)
    if not graphs:
        raise FundflowError("the store holds no graphs", hint="run `fundflow ingest FILE…` first")
    http = opener(endpoint, user, password)
    results = []
    for g in graphs:
        triples = [q.triple for q in store.quads_for_pattern(None, None, None, g)]
        body = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
        result = put_graph(http, endpoint, remote_graph(g, graph_prefix, base), body, len(triples))
        results.append(result)
        if each:
            each(result)
    return results
