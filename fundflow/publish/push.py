"""Store → a remote SPARQL 1.1 store with the Graph Store Protocol.

``push_store(store, endpoint)`` replaces every named graph on the remote store
and returns one ``PushResult`` per graph.  Each graph is sent with one HTTP PUT
(``{endpoint}?graph=<iri>``, body N-Triples labelled ``text/turtle``, which
every Graph Store implementation accepts, since N-Triples is a subset of
Turtle) to a staging graph, and then moved over the old copy with one SPARQL
1.1 Update ``MOVE``, so a push cut off half-way leaves each remote graph wholly
old or wholly new.  The update endpoint is the one given, else found next to
the Graph Store endpoint: a probe graph is written, moved through each
candidate URL (``update_candidates``) and read back, and the first URL that
really moved it is used.  Only when none does is each graph PUT in place, and
each line says so.  HTTP basic and digest authentication are answered when a
user is given.
"""
from __future__ import annotations

import base64
import hashlib
import re
import secrets
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass

import pyoxigraph as ox

from fundflow.core.errors import FundflowError
from fundflow.kg import vocab

TIMEOUT = 60  # seconds a connection may wait for the remote store to accept or answer (each socket step)
DEADLINE = 900  # seconds for the whole push
MAX_FAILURES = 3  # graphs in a row with no answer: the store is not there, stop


@dataclass(frozen=True)
class PushLimits:
    """Seconds per socket step, seconds for the whole push, graphs in a row with no answer before giving up."""

    timeout: float = TIMEOUT
    deadline: float = DEADLINE
    max_failures: int = MAX_FAILURES


DEFAULT_PUSH = PushLimits()


@dataclass(frozen=True)
class PushResult:
    """What happened to one graph: its (remote) IRI, triples sent, HTTP status (0: no answer), message, and
    whether the remote graph changed (True: replaced, False: untouched, None: not known — see the message)."""

    graph: str
    triples: int
    status: int
    message: str = ""
    changed: bool | None = False

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


class Auth:
    """Credentials answered *before* the body is sent: a large PUT rejected with 401 half-way breaks the pipe.

    ``header(url, method)`` probes ``url`` with a body-less GET, and answers its
    challenge (digest through the stdlib's digest handler, or basic) → the
    ``Authorization`` value, or None when no user is given or none is asked for.
    """

    def __init__(self, endpoint: str, user: str | None, password: str | None, timeout: float = TIMEOUT,
                 also: tuple[str, ...] = ()):
        self.user, self.timeout = user, timeout
        self.passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        for url in (endpoint, *also):
            self.passwords.add_password(None, url, user or "", password or "")

    def header(self, url: str, method: str) -> str | None:
        if not self.user:
            return None
        try:
            urllib.request.urlopen(urllib.request.Request(url, method="GET"), timeout=self.timeout).close()
            return None  # no challenge: the store asks for no credentials
        except urllib.error.HTTPError as err:
            challenge = err.headers.get("WWW-Authenticate", "") if err.code == 401 else ""
        scheme, _, params = challenge.partition(" ")
        if scheme.lower() == "digest":
            digest = urllib.request.HTTPDigestAuthHandler(self.passwords)
            fields = urllib.request.parse_keqv_list(urllib.request.parse_http_list(params))
            answer = digest.get_authorization(urllib.request.Request(url, method=method), fields)
            return f"Digest {answer}" if answer else None
        if scheme.lower() == "basic":
            _user, password = self.passwords.find_user_password(None, url)
            return "Basic " + base64.b64encode(f"{self.user}:{password}".encode()).decode("ascii")
        return None


def _graph_url(endpoint: str, graph: str) -> str:
    sep = "&" if "?" in endpoint else "?"
    return f"{endpoint}{sep}graph={urllib.parse.quote(graph, safe='')}"


def _error_text(err: urllib.error.HTTPError) -> str:
    text = " ".join(re.sub(r"<[^>]*>", " ", err.read(2000).decode("utf-8", "replace")).split())
    return f"{err.reason}" + (f": {text[:160]}" if text else "")


def _send(auth: Auth, url: str, method: str, timeout: float, body: bytes | None = None,
          headers: dict[str, str] | None = None) -> tuple[int, bytes, str]:
    """One HTTP request, credentials answered first → (status, first MiB of the answer, why it failed).

    Status 0 when there was no answer; the reason is "" on 2xx, the store's own words on an
    HTTP error (tags stripped), the network's otherwise.  Never raises for HTTP/network errors.
    """
    headers = dict(headers or {})
    try:
        if (credentials := auth.header(url, method)):
            headers["Authorization"] = credentials
        with urllib.request.urlopen(urllib.request.Request(url, data=body, method=method, headers=headers),
                                    timeout=timeout) as resp:
            return resp.status, resp.read(1 << 20), ""
    except urllib.error.HTTPError as err:
        return err.code, b"", _error_text(err)
    except (urllib.error.URLError, OSError) as err:
        return 0, b"", f"{getattr(err, 'reason', err)}"


def put_graph(auth: Auth, endpoint: str, graph: str, body: bytes, triples: int, timeout: float = TIMEOUT) -> PushResult:
    """PUT ``body`` as the content of ``graph`` → ``PushResult`` (never raises for HTTP/network errors).

    ``changed`` is True once the store answered 2xx, False for a 4xx refusal, None when there
    was no answer or a 5xx (the store may have dropped the old copy before failing).
    """
    status, _, why = _send(auth, _graph_url(endpoint, graph), "PUT", timeout, body,
                           {"Content-Type": "text/turtle; charset=utf-8"})
    if 200 <= status < 300:
        return PushResult(graph, triples, status, changed=True)
    if status == 0:
        return PushResult(graph, triples, 0, f"no answer from {endpoint} ({why})", None)
    return PushResult(graph, triples, status, why, None if status >= 500 else False)


def staging_graph(graph: str) -> str:
    """The remote graph a new copy of ``graph`` is written to before it is moved over the old one."""
    return f"urn:fundflow:staging:{hashlib.sha256(graph.encode('utf-8')).hexdigest()[:32]}"


def move_graph(auth: Auth, update_endpoint: str, source: str, target: str, timeout: float) -> tuple[int, str]:
    """SPARQL 1.1 Update ``MOVE <source> TO <target>`` (one operation: the old copy is replaced, never lost).

    → (HTTP status, message); status 0 when there was no answer.
    """
    body = urllib.parse.urlencode({"update": f"MOVE SILENT <{source}> TO <{target}>"}).encode("ascii")
    status, _, why = _send(auth, update_endpoint, "POST", timeout, body,
                           {"Content-Type": "application/x-www-form-urlencoded"})
    if 200 <= status < 300:
        return status, ""
    if status == 0:
        return 0, f"no answer to MOVE from {update_endpoint} ({why}); the remote graph is wholly old or wholly new"
    return status, f"MOVE refused ({why}); the remote graph is unchanged"


def update_candidates(endpoint: str) -> list[str]:
    """URLs next to a Graph Store endpoint where its server may take SPARQL Update, most likely first.

    The conventions of the common stores: the same name without ``-graph-crud``
    (Virtuoso: ``/sparql-graph-crud-auth`` → ``/sparql-auth``), a sibling ``update``
    (Fuseki ``/ds/data`` → ``/ds/update``, Oxigraph ``/store`` → ``/update``), the
    parent (a Fuseki dataset), ``…/statements`` beside ``…/rdf-graphs/service``
    (RDF4J, GraphDB), and the endpoint itself.  None is trusted unprobed.
    """
    parts = urllib.parse.urlsplit(endpoint)
    path = parts.path.rstrip("/")
    parent, _, last = path.rpartition("/")
    paths = []
    if "-graph-crud" in last:
        paths.append(f"{parent}/{last.replace('-graph-crud', '', 1)}")
    paths += [f"{parent}/update", parent or "/"]
    if path.endswith("/rdf-graphs/service"):
        paths.append(path[: -len("/rdf-graphs/service")] + "/statements")
    paths.append(parts.path or "/")
    out: list[str] = []
    for p in paths:
        url = urllib.parse.urlunsplit((parts.scheme, parts.netloc, p or "/", "", ""))
        if url not in out:
            out.append(url)
    return out


def find_update_endpoint(auth: Auth, endpoint: str, timeout: float) -> tuple[str | None, PushResult | None]:
    """The URL that really moves graphs on ``endpoint``'s server → (URL or None, failed probe PUT or None).

    A one-triple probe graph is PUT, MOVEd through each candidate and read back from
    the Graph Store endpoint: an answer 200 that moved nothing (a form page, a query
    endpoint ignoring ``update``) does not count.  The probe graphs are deleted after.
    A probe that cannot be PUT is returned: the graphs could not be PUT either.
    """
    token = secrets.token_hex(8)
    source = f"urn:fundflow:staging:probe-{token}"
    target = f"{source}-moved"
    triple = f'<{source}> <urn:fundflow:probe> "{token}" .\n'.encode("ascii")
    put = put_graph(auth, endpoint, source, triple, 1, timeout)
    if not put.ok:
        return None, put
    found = None
    for url in update_candidates(endpoint):
        status, _ = move_graph(auth, url, source, target, timeout)
        if 200 <= status < 300:
            got, text, _ = _send(auth, _graph_url(endpoint, target), "GET", timeout,
                                 headers={"Accept": "application/n-triples, text/turtle;q=0.9, */*;q=0.1"})
            if 200 <= got < 300 and token.encode("ascii") in text:
                found = url
                break
    for graph in (target, source):
        _send(auth, _graph_url(endpoint, graph), "DELETE", timeout)
    return found, None


IN_PLACE = ("replaced in place: {endpoint} offers no SPARQL Update to move a staging graph with, "
            "so a PUT cut off half-way could lose this graph")


def replace_remote(auth: Auth, endpoint: str, update_endpoint: str | None, graph: str, body: bytes, triples: int,
                   timeout: float) -> PushResult:
    """Put ``body`` in place of ``graph``: with an update endpoint through a staging graph and MOVE, else one PUT."""
    if not update_endpoint:
        put = put_graph(auth, endpoint, graph, body, triples, timeout)
        if put.ok:
            return PushResult(graph, triples, put.status, IN_PLACE.format(endpoint=endpoint), True)
        if put.changed is None:
            return PushResult(graph, triples, put.status, put.message + "; the remote graph may be lost or partial",
                              None)
        return PushResult(graph, triples, put.status, put.message + "; the remote graph is unchanged", False)
    staged = put_graph(auth, endpoint, staging_graph(graph), body, triples, timeout)
    if not staged.ok:
        return PushResult(graph, triples, staged.status, staged.message + "; the remote graph is unchanged", False)
    status, message = move_graph(auth, update_endpoint, staging_graph(graph), graph, timeout)
    if 200 <= status < 300:
        return PushResult(graph, triples, status, "replaced", True)
    return PushResult(graph, triples, status, message, None if status == 0 else False)


def push_store(store: ox.Store, endpoint: str, user: str | None = None, password: str | None = None,
               graph_prefix: str | None = None, base: str = vocab.DEFAULT_BASE,
               each: Callable[[PushResult], None] | None = None,
               limits: PushLimits = DEFAULT_PUSH, update_endpoint: str | None = None) -> list[PushResult]:
    """Replace every named graph of ``store`` on ``endpoint`` → one result per graph, in IRI order.

    Each graph is written to a staging graph and then moved over the old one in one
    SPARQL Update operation, so a push cut off half-way leaves each remote graph wholly
    old or wholly new; the update endpoint is ``update_endpoint``, else the one
    ``find_update_endpoint`` proves next to ``endpoint``, else there is none and each
    graph is PUT in place (its line says so).  Each socket step waits at most
    ``limits.timeout`` seconds (and never past the deadline); once ``limits.deadline``
    has passed, or ``limits.max_failures`` graphs in a row got no answer, the graphs not
    yet sent are reported as not sent (status 0).  A probe that cannot be stored is the
    answer for every graph: none is sent.

    Raises ``FundflowError`` when the endpoint is not an http(s) URL or the store has no graphs.
    """
    parts = urllib.parse.urlsplit(endpoint)
    if parts.scheme not in ("http", "https"):
        raise FundflowError(f"endpoint {endpoint!r} is not an http(s) URL",
                            hint="give the Graph Store Protocol URL, e.g. http://127.0.0.1:8890/sparql-graph-crud-auth")
    graphs = sorted((g for g in store.named_graphs() if isinstance(g, ox.NamedNode)), key=lambda g: g.value)
    if not graphs:
        raise FundflowError("the store holds no graphs", hint="run `fundflow ingest FILE…` first")
    root = urllib.parse.urlunsplit((parts.scheme, parts.netloc, "/", "", ""))
    auth = Auth(endpoint, user, password, limits.timeout, (root, *((update_endpoint,) if update_endpoint else ())))
    results: list[PushResult] = []
    end, silent, stop, probe = time.monotonic() + limits.deadline, 0, "", None
    if not update_endpoint:
        update_endpoint, probe = find_update_endpoint(auth, endpoint, min(limits.timeout, limits.deadline))
        if probe is not None:
            stop = f"not sent: a probe graph could not be stored ({probe.message})"
    for g in graphs:
        triples = [q.triple for q in store.quads_for_pattern(None, None, None, g)]
        left = end - time.monotonic()
        if not stop and left <= 0:
            stop = f"not sent: the push passed its deadline of {limits.deadline:g} s"
        if not stop and silent >= limits.max_failures:
            stop = f"not sent: {silent} graphs in a row got no answer from {endpoint}"
        if stop:
            result = PushResult(remote_graph(g, graph_prefix, base), len(triples),
                                probe.status if probe is not None else 0, stop)
        else:
            auth.timeout = min(limits.timeout, left)
            body = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
            assert body is not None  # no output file: the bytes are returned
            result = replace_remote(auth, endpoint, update_endpoint, remote_graph(g, graph_prefix, base), body,
                                    len(triples), min(limits.timeout, left))
            silent = silent + 1 if result.status == 0 else 0
        results.append(result)
        if each:
            each(result)
    return results
