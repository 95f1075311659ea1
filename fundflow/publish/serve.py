"""The on-disk store → a read-only SPARQL 1.1 Protocol endpoint, served by waitress.

``make_server(store_dir, host, port, settings)`` → a ``Server`` (``.port``, ``.run()``,
``.close()``) answering ``GET /sparql?query=…`` and ``POST /sparql`` (form-encoded
``query=…`` or an ``application/sparql-query`` body).  SELECT/ASK results are SPARQL
JSON, XML, CSV or TSV by the ``Accept`` header; CONSTRUCT/DESCRIBE Turtle, N-Triples,
RDF/XML or JSON-LD; anything else asked for is 406.  Updates are 403; a query that is
refused (SERVICE, nesting, too many results, invalid) is 400, one past its deadline
504, one over its memory or with every worker busy 503 — each with a one-line reason.
HEAD checks the query and answers the headers without running it.

Queries run in worker processes (``kg.sandbox``) so that one can be stopped at its
deadline, or when its client leaves, and its memory returned.  The HTTP side is
waitress: it reads each request whole (with size limits and an inactivity timeout)
before a thread sees it, so slow or stalled clients cost no thread.
"""
from __future__ import annotations

import contextlib
import ipaddress
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path

from fundflow.core.errors import QueryError
from fundflow.kg.results import GRAPH_TYPES, RESULT_TYPES
from fundflow.kg.safety import DEFAULT_LIMITS, QueryLimits, check_query
from fundflow.kg.sandbox import QueryPool
from fundflow.kg.store import refresh_snapshot
from fundflow.publish.browser import add_browser_support
from fundflow.publish.http import LOOPBACK_NAMES, App, Request, Response, negotiate, text

PATHS = ("/sparql", "/")
RESULT_OFFERS = list(RESULT_TYPES)
GRAPH_OFFERS = list(GRAPH_TYPES)


@dataclass(frozen=True)
class ServeSettings:
    """How the endpoint runs: query limits, query workers, HTTP threads, connection and request bounds."""

    limits: QueryLimits = DEFAULT_LIMITS
    workers: int = 2
    threads: int = 8
    allowed_hosts: tuple[str, ...] = ()  # added to the loopback names when listening on loopback; "*": any
    channel_timeout: int = 20  # seconds a connection may stay silent (also while sending a request)
    connection_limit: int = 1000  # open connections (stalled ones included: they are cut at channel_timeout)
    backlog: int = 1024
    max_body: int = 1 << 20  # a query larger than 1 MiB is not a query


class SparqlEndpoint:
    """The SPARQL 1.1 Protocol query operation over a ``QueryPool``."""

    def __init__(self, pool: QueryPool):
        self.pool = pool

    def get(self, req: Request) -> Response:
        if "update" in req.query:
            return text(HTTPStatus.FORBIDDEN, "this endpoint is read-only: updates are refused")
        return self.answer(req, req.query.get("query", []))

    def post(self, req: Request) -> Response:
        ctype = req.media_type
        if ctype == "application/sparql-update":
            return text(HTTPStatus.FORBIDDEN, "this endpoint is read-only: updates are refused")
        try:
            body = req.body().decode("utf-8")
        except UnicodeDecodeError:
            return text(HTTPStatus.BAD_REQUEST, "the request body is not UTF-8")
        if ctype == "application/sparql-query":
            return self.answer(req, [body])
        if ctype not in ("application/x-www-form-urlencoded", ""):
            return text(HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
                        "send application/sparql-query or application/x-www-form-urlencoded")
        import urllib.parse

        params = urllib.parse.parse_qs(body, keep_blank_values=True)
        if "update" in params:
            return text(HTTPStatus.FORBIDDEN, "this endpoint is read-only: updates are refused")
        return self.answer(req, params.get("query", []))

    def answer(self, req: Request, queries: list[str]) -> Response:
        """Check, negotiate and run one query → the results, or a one-line refusal."""
        if len(queries) != 1:
            return text(HTTPStatus.BAD_REQUEST, "give exactly one query parameter" if queries else "missing query parameter")
        try:
            form = check_query(queries[0], self.pool.limits)
        except QueryError as err:
            return text(getattr(err, "status", 400), str(err))
        offers = GRAPH_OFFERS if form in ("construct", "describe") else RESULT_OFFERS
        mime = negotiate(req.header("Accept"), offers)
        if mime is None:
            return text(HTTPStatus.NOT_ACCEPTABLE, f"cannot answer {req.header('Accept')!r}; offered: {', '.join(offers)}")
        ctype = f"{mime}; charset=utf-8"
        if req.method == "HEAD":
            return Response(HTTPStatus.OK, ctype=ctype)
        try:
            payload = self.pool.run(queries[0], mime, cancelled=req.disconnected)
        except QueryError as err:
            return text(getattr(err, "status", HTTPStatus.INTERNAL_SERVER_ERROR), str(err))
        return Response(HTTPStatus.OK, payload, ctype)


def default_hosts(host: str, extra: tuple[str, ...]) -> frozenset[str] | None:
    """The Host names served: loopback names (and ``extra``) when listening on loopback; None (any) elsewhere or for ``*``."""
    if "*" in extra:
        return None
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = host.lower() == "localhost"
    names = {h.lower() for h in extra}
    if loopback:
        return frozenset(LOOPBACK_NAMES | {host.lower()} | names)
    return frozenset(names | {host.lower()}) if names else None


def make_app(pool: QueryPool, allowed_hosts: frozenset[str] | None) -> App:
    """The WSGI application: the SPARQL endpoint at /sparql (and /)."""
    app = App(allowed_hosts)
    endpoint = SparqlEndpoint(pool)
    for path in PATHS:
        app.route(path, {"GET": endpoint.get, "POST": endpoint.post})
    add_browser_support(app, endpoint.get)  # CORS, and the query page at GET /
    return app


class Server:
    """The running endpoint: waitress over the app, and the query workers behind it."""

    def __init__(self, pool: QueryPool, wsgi_server):
        self.pool, self._server = pool, wsgi_server

    @property
    def port(self) -> int:
        return self._server.effective_port

    def run(self) -> None:
        self._server.run()

    def close(self) -> None:
        self._server.close()
        self.pool.close()


def _connection_limit(wanted: int) -> int:
    """``wanted``, or fewer when the process may not open that many files (the store and workers need some)."""
    import resource

    target = wanted + 128
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < target:
        with contextlib.suppress(OSError, ValueError):  # towards the hard limit: stalled clients must not lock others out
            resource.setrlimit(resource.RLIMIT_NOFILE, (target if hard == resource.RLIM_INFINITY
                                                        else min(hard, target), hard))
        soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    return wanted if soft == resource.RLIM_INFINITY else max(16, min(wanted, soft - 128))


def make_server(store_dir: str | Path | None, host: str = "127.0.0.1", port: int = 8000,
                settings: ServeSettings | None = None) -> Server:
    """A server bound to ``host:port`` over the store, read-only (``port`` 0: any free port).

    Raises ``StoreError``/``QueryError`` when the store cannot be read, ``OSError`` when the port is taken.
    """
    from waitress.server import create_server

    settings = settings or ServeSettings()
    refresh_snapshot(store_dir)  # the workers read snapshots: an ingest meanwhile is seen when it is done
    pool = QueryPool(store_dir, settings.limits, settings.workers, follow=True)
    try:
        wsgi = create_server(make_app(pool, default_hosts(host, settings.allowed_hosts)), host=host, port=port,
                             threads=settings.threads, channel_timeout=settings.channel_timeout,
                             cleanup_interval=max(1, settings.channel_timeout // 4),
                             connection_limit=_connection_limit(settings.connection_limit),
                             backlog=settings.backlog, asyncore_use_poll=True,
                             max_request_body_size=settings.max_body, expose_tracebacks=False,
                             ident="fundflow", channel_request_lookahead=1, clear_untrusted_proxy_headers=True)
    except BaseException:
        pool.close()
        raise
    return Server(pool, wsgi)
