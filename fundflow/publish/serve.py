"""A read-only SPARQL 1.1 Protocol endpoint over the on-disk store (stdlib ``http.server``).

``make_server(store_dir, host, port)`` → a ``ThreadingHTTPServer`` answering
``GET /sparql?query=…`` and ``POST /sparql`` (form-encoded ``query=…`` or a
``application/sparql-query`` body).  SELECT/ASK results are SPARQL JSON, XML,
CSV or TSV by the ``Accept`` header (JSON when nothing matches); CONSTRUCT /
DESCRIBE answer Turtle (or N-Triples / RDF/XML / JSON-LD when asked).  The
store is opened read-only, and updates are refused: ``update=`` or a
``application/sparql-update`` body → 403, any method other than GET/POST/HEAD
→ 405.  The default graph is the union of all named graphs, as for
``fundflow query``.
"""
from __future__ import annotations

import urllib.parse
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pyoxigraph as ox

from fundflow.core.errors import StoreError
from fundflow.kg.store import default_store_path
from fundflow.kg.vocab import PREFIXES

MAX_BODY = 1 << 20  # a query larger than 1 MiB is not a query
PATHS = ("/sparql", "/")

RESULT_TYPES: dict[str, ox.QueryResultsFormat] = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "application/xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
GRAPH_TYPES: dict[str, ox.RdfFormat] = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/ld+json": ox.RdfFormat.JSON_LD,
}


def negotiate(accept: str, offers: dict) -> str:
    """The first offered media type by the Accept header's q-values (ties: header order) → type; default first offer."""
    ranked = []
    for pos, part in enumerate(accept.split(",")):
        fields = [f.strip() for f in part.split(";")]
        q = next((f[2:] for f in fields[1:] if f.startswith("q=")), "1")
        try:
            ranked.append((-float(q), pos, fields[0].lower()))
        except ValueError:
            continue
    for negq, _pos, mime in sorted(ranked):
        if negq == 0:
            break
        if mime in offers:
            return mime
        if mime == "*/*":
            return next(iter(offers))
        if mime.endswith("/*"):
            family = next((m for m in offers if m.startswith(mime[:-1])), None)
            if family:
                return family
    return next(iter(offers))


def open_read_only(path: str | Path | None) -> ox.Store:
    """The store at ``path`` (default store when None) opened read-only; ``StoreError`` when absent."""
    where = Path(path or default_store_path())
    if not where.is_dir():
        raise StoreError(f"no store at {where}", hint="run `fundflow ingest FILE… --store DIR` first")
    try:
        return ox.Store.read_only(str(where))
    except OSError as err:
        raise StoreError(f"cannot open store {where} read-only: {str(err).splitlines()[0]}") from None


class SparqlHandler(BaseHTTPRequestHandler):
    """SPARQL 1.1 Protocol, query operation only."""

    server_version = "fundflow-sparql"
    store: ox.Store  # set on the subclass made by make_server

    def do_GET(self) -> None:
        url = urllib.parse.urlsplit(self.path)
        if url.path not in PATHS:
            return self.fail(HTTPStatus.NOT_FOUND, "not found: the endpoint is /sparql")
        params = urllib.parse.parse_qs(url.query)
        if "update" in params:
            return self.fail(HTTPStatus.FORBIDDEN, "this endpoint is read-only: updates are refused")
        if "query" not in params:
            return self.fail(HTTPStatus.BAD_REQUEST, "missing query parameter")
        self.answer(params["query"][0])

    do_HEAD = do_GET

    def do_POST(self) -> None:
        if urllib.parse.urlsplit(self.path).path not in PATHS:
            return self.fail(HTTPStatus.NOT_FOUND, "not found: the endpoint is /sparql")
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            return self.fail(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "query too large")
        body = self.rfile.read(length).decode("utf-8", "replace")
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if ctype == "application/sparql-update":
            return self.fail(HTTPStatus.FORBIDDEN, "this endpoint is read-only: updates are refused")
        if ctype == "application/sparql-query":
            return self.answer(body)
        params = urllib.parse.parse_qs(body)
        if "update" in params:
            return self.fail(HTTPStatus.FORBIDDEN, "this endpoint is read-only: updates are refused")
        if "query" not in params:
            return self.fail(HTTPStatus.BAD_REQUEST, "missing query parameter")
        self.answer(params["query"][0])

    def refuse(self) -> None:
        self.fail(HTTPStatus.METHOD_NOT_ALLOWED, "read-only endpoint: use GET or POST with a query",
                  {"Allow": "GET, POST, HEAD"})

    do_PUT = do_DELETE = do_PATCH = refuse

    def answer(self, text: str) -> None:
        """Run the query and send the results in the negotiated format."""
        try:
            results = self.store.query(text, use_default_graph_as_union=True, prefixes=PREFIXES)
        except SyntaxError as err:
            return self.fail(HTTPStatus.BAD_REQUEST, f"invalid SPARQL: {str(err).splitlines()[0]}")
        except OSError as err:
            return self.fail(HTTPStatus.INTERNAL_SERVER_ERROR, f"query failed: {str(err).splitlines()[0]}")
        accept = self.headers.get("Accept") or ""
        if isinstance(results, ox.QueryTriples):
            mime = negotiate(accept, GRAPH_TYPES)
            payload = results.serialize(format=GRAPH_TYPES[mime])
        else:
            mime = negotiate(accept, RESULT_TYPES)
            payload = results.serialize(format=RESULT_TYPES[mime])
        self.send(HTTPStatus.OK, payload, f"{mime}; charset=utf-8")

    def fail(self, status: HTTPStatus, message: str, headers: dict[str, str] | None = None) -> None:
        self.send(status, (message + "\n").encode("utf-8"), "text/plain; charset=utf-8", headers)

    def send(self, status: HTTPStatus, payload: bytes, ctype: str, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(payload)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    def log_message(self, format: str, *args) -> None:
        """One line per request on stderr, as http.server does, without the client's address."""
        import sys

        sys.stderr.write(f"{self.log_date_time_string()} {format % args}\n")


def make_server(store_dir: str | Path | None, host: str = "127.0.0.1", port: int = 8000) -> ThreadingHTTPServer:
    """A server bound to ``host:port`` over the read-only store (``port`` 0: any free port).

    Raises ``StoreError`` when the store is missing, ``OSError`` when the port is taken.
    """
    handler = type("BoundSparqlHandler", (SparqlHandler,), {"store": open_read_only(store_dir)})
    return ThreadingHTTPServer((host, port), handler)
