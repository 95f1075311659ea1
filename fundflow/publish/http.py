"""WSGI requests → responses: a small application frame with routes, the Host allow-list, content negotiation, one-line errors.

``App(allowed_hosts)`` is a WSGI callable.  ``app.route(path, {"GET": handler, …})``
adds a resource; a handler takes a ``Request`` and returns a ``Response``.  The
frame answers what every resource shares: 403 for a Host not allowed (a page
reached by DNS rebinding names its own host), 404, 405 with ``Allow``, OPTIONS
(204 with ``Allow``), and 500 with one line for anything a handler raises — no
traceback reaches a client or the log.  ``app.after`` holds functions
``(request, response) → response`` applied to every answer (headers such as CORS
belong there).  Each request is logged as one line.
"""
from __future__ import annotations

import logging
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus

log = logging.getLogger("fundflow.serve")
LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "::1"})


@dataclass
class Response:
    """Status, body and headers of an answer (``Content-Length`` is added when sent)."""

    status: int
    body: bytes = b""
    ctype: str = "text/plain; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)


def text(status: int, message: str, **headers: str) -> Response:
    """A one-line plain-text answer."""
    return Response(status, (message + "\n").encode("utf-8"), headers={k.replace("_", "-"): v for k, v in headers.items()})


class Request:
    """What a handler sees of a WSGI request."""

    def __init__(self, environ: dict):
        self.environ = environ
        self.method = environ.get("REQUEST_METHOD", "GET").upper()
        self.path = environ.get("PATH_INFO", "") or "/"
        self.query = urllib.parse.parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)

    def header(self, name: str, default: str = "") -> str:
        key = name.upper().replace("-", "_")
        return self.environ.get(key if key in ("CONTENT_TYPE", "CONTENT_LENGTH") else f"HTTP_{key}", default)

    @property
    def media_type(self) -> str:
        return self.header("Content-Type").split(";")[0].strip().lower()

    def body(self) -> bytes:
        """The request body (the server has read it whole and checked its size)."""
        try:
            length = int(self.header("Content-Length") or 0)
        except ValueError:
            length = 0
        return self.environ["wsgi.input"].read(length) if length > 0 else b""

    def disconnected(self) -> bool:
        """Whether the client has gone away (when the server can tell)."""
        check = self.environ.get("waitress.client_disconnected")
        return bool(check and check())


Handler = Callable[[Request], Response]


def negotiate(accept: str, offers: list[str]) -> str | None:
    """The offered media type the Accept header ranks first (q-values, then header order); None: none acceptable.

    An empty header accepts anything: the first offer.
    """
    if not accept.strip():
        return offers[0]
    ranked = []
    for pos, part in enumerate(accept.split(",")):
        fields = [f.strip() for f in part.split(";")]
        q = next((f[2:] for f in fields[1:] if f.startswith("q=")), "1")
        try:
            ranked.append((-float(q), pos, fields[0].lower()))
        except ValueError:
            continue
    for negq, _pos, mime in sorted(ranked):
        if negq >= 0:
            break
        if mime in offers:
            return mime
        if mime == "*/*":
            return offers[0]
        if mime.endswith("/*"):
            family = next((m for m in offers if m.startswith(mime[:-1])), None)
            if family:
                return family
    return None


def host_name(host: str) -> str:
    """``Host`` header → the name without the port (``[::1]:8000`` → ``::1``)."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[1:].split("]")[0]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


class App:
    """Routes → handlers, with the checks and answers every resource shares."""

    def __init__(self, allowed_hosts: frozenset[str] | None = None):
        self.allowed_hosts = allowed_hosts  # None: any Host
        self.routes: dict[str, dict[str, Handler]] = {}
        self.after: list[Callable[[Request, Response], Response]] = []

    def route(self, path: str, methods: dict[str, Handler]) -> None:
        self.routes[path] = {m.upper(): h for m, h in methods.items()}

    def dispatch(self, req: Request) -> Response:
        if self.allowed_hosts is not None and host_name(req.header("Host")) not in self.allowed_hosts:
            return text(HTTPStatus.FORBIDDEN, f"host {req.header('Host')!r} is not served here (allowed: "
                                              f"{', '.join(sorted(self.allowed_hosts))}; see --allow-host)")
        methods = self.routes.get(req.path)
        if methods is None:
            return text(HTTPStatus.NOT_FOUND, f"not found: the resources are {', '.join(sorted(self.routes))}")
        allow = ", ".join(sorted({*methods, "OPTIONS"} | ({"HEAD"} if "GET" in methods else set())))
        if req.method == "OPTIONS":
            return Response(HTTPStatus.NO_CONTENT, headers={"Allow": allow})
        handler = methods.get(req.method) or (methods.get("GET") if req.method == "HEAD" else None)
        if handler is None:
            return text(HTTPStatus.METHOD_NOT_ALLOWED, f"{req.method} is not allowed here; use {allow}", Allow=allow)
        return handler(req)

    def __call__(self, environ: dict, start_response) -> list[bytes]:
        started, req = time.monotonic(), Request(environ)
        try:
            resp = self.dispatch(req)
            for hook in self.after:
                resp = hook(req, resp)
        except Exception as err:  # noqa: BLE001 — a bug answers one line, never a traceback
            log.error("internal error on %s %s: %s: %s", req.method, req.path, type(err).__name__, err)
            resp = text(HTTPStatus.INTERNAL_SERVER_ERROR, "internal error: the request could not be answered")
        headers = [("Content-Type", resp.ctype), *resp.headers.items()]
        if resp.status != HTTPStatus.NO_CONTENT and (resp.body or req.method != "HEAD"):
            headers.append(("Content-Length", str(len(resp.body))))
        start_response(f"{resp.status} {HTTPStatus(resp.status).phrase}", headers)
        log.info("%s %s %s %d bytes %.0f ms", req.method, req.path, resp.status, len(resp.body),
                 1000 * (time.monotonic() - started))
        return [b"" if req.method == "HEAD" else resp.body]
