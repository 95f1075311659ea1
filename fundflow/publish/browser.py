"""The SPARQL endpoint → what a browser needs of it: CORS on every answer, and a query page at ``/``.

``add_browser_support(app, endpoint_get, origin)`` adds both to the WSGI ``App``:
an ``after`` hook that states ``Access-Control-Allow-Origin`` (``*`` by default:
the endpoint is read-only and its data public, so any page — a YASGUI on another
origin, a notebook's JavaScript — may read it) with the methods and headers a
SPARQL client sends, answered to preflight ``OPTIONS`` too; and ``GET /`` without
a ``query`` parameter answering the query page (``data/sparql.html``: a form
that POSTs to ``/sparql`` and shows the rows, the bundled queries to pick from,
no outside resources).  ``GET /?query=…`` stays the SPARQL endpoint.
"""
from __future__ import annotations

import json
from functools import cache

from fundflow.core.resources import read_text
from fundflow.kg.query import bundled_queries, load_query

CORS_HEADERS = {
    "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
    "Access-Control-Allow-Headers": "Accept, Content-Type",
    "Access-Control-Max-Age": "600",
}


@cache
def query_page() -> bytes:
    """The query page with the bundled queries embedded (JSON with ``<`` escaped: data, never markup)."""
    queries = {name: {"question": question, "text": load_query(name)} for name, question in bundled_queries().items()}
    data = json.dumps(queries, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return read_text("sparql.html").replace("{{QUERIES}}", data).encode("utf-8")


def add_browser_support(app, endpoint_get, origin: str | None = "*") -> None:
    """CORS for ``origin`` (None: none) on every answer of ``app``, and the query page at ``GET /``."""
    from fundflow.publish.http import Response

    def page_or_query(req):
        if "query" in req.query:
            return endpoint_get(req)
        return Response(200, query_page(), "text/html; charset=utf-8")

    def cors(req, resp):
        if origin:
            resp.headers.update({"Access-Control-Allow-Origin": origin, **CORS_HEADERS})
            if origin != "*":
                resp.headers["Vary"] = "Origin"
        return resp

    app.routes.setdefault("/", {})["GET"] = page_or_query
    app.after.append(cors)
