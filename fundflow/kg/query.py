"""SPARQL over the store: bundled queries (``kg/queries/*.rq``), files or stdin.

``load_query(spec)`` → query text; ``run_query(store, text)`` → pyoxigraph
results (the default graph is the union of all named graphs, so queries need
no GRAPH clauses); ``format_results(results, fmt)`` → text as a table, CSV or
W3C SPARQL 1.1 Query Results JSON.
"""
from __future__ import annotations

import sys
import unicodedata
from importlib import resources
from pathlib import Path

import pyoxigraph as ox

from fundflow.core.errors import QueryError
from fundflow.kg.vocab import PREFIXES

FORMATS = ("table", "csv", "json")


def bundled_queries() -> dict[str, str]:
    """Name → first comment line (the question it answers) of every bundled query."""
    out = {}
    for f in sorted(resources.files("fundflow.kg").joinpath("queries").iterdir(), key=lambda f: f.name):
        if f.name.endswith(".rq"):
            first = next((ln for ln in f.read_text(encoding="utf-8").splitlines() if ln.startswith("#")), "#")
            out[f.name[:-3]] = first.lstrip("# ").strip()
    return out


def load_query(spec: str) -> str:
    """``-`` (stdin) | a path to a file | a bundled query name → SPARQL text.

    Raises ``QueryError`` naming the bundled queries when ``spec`` is none of them.
    """
    if spec == "-":
        return sys.stdin.read()
    path = Path(spec)
    if path.is_file():
        return path.read_text(encoding="utf-8")
    name = spec.removesuffix(".rq")
    res = resources.files("fundflow.kg").joinpath("queries", f"{name}.rq")
    if "/" not in name and res.is_file():
        return res.read_text(encoding="utf-8")
    raise QueryError(f"no query file or bundled query named {spec!r}",
                     hint=f"bundled: {', '.join(bundled_queries())}; or give a .rq file or - for stdin")


def run_query(store: ox.Store, text: str):
    """Run SPARQL ``text`` over the union of all graphs → QuerySolutions | QueryBoolean | QueryTriples.

    Raises ``QueryError`` with the parser's message for invalid SPARQL.
    """
    try:
        return store.query(text, use_default_graph_as_union=True, prefixes=PREFIXES)
    except SyntaxError as err:
        raise QueryError(f"invalid SPARQL: {str(err).splitlines()[0]}") from None
    except OSError as err:
        raise QueryError(f"query failed: {str(err).splitlines()[0]}") from None


def format_results(results, fmt: str = "table") -> str:
    """Results → text: ``json`` (W3C SPARQL Results JSON), ``csv`` (W3C SPARQL CSV) or ``table``.

    CONSTRUCT/DESCRIBE results are written as Turtle (table), N-Triples (csv) or JSON-LD (json).
    """
    if isinstance(results, ox.QueryTriples):
        rdf = {"table": ox.RdfFormat.TURTLE, "csv": ox.RdfFormat.N_TRIPLES, "json": ox.RdfFormat.JSON_LD}[fmt]
        return results.serialize(format=rdf).decode("utf-8")
    if fmt == "json":
        return results.serialize(format=ox.QueryResultsFormat.JSON).decode("utf-8")
    if fmt == "csv":
        return results.serialize(format=ox.QueryResultsFormat.CSV).decode("utf-8")
    if isinstance(results, ox.QueryBoolean):
        return "true" if bool(results) else "false"
    names = [var.value for var in results.variables]
    rows = [[_short(sol[name]) for name in names] for sol in results]
    return _table(names, rows)


def _short(term) -> str:
    """A term as shown in a table: prefixed IRI, plain literal value, empty for unbound."""
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        for prefix, iri in PREFIXES.items():
            if term.value.startswith(iri):
                return f"{prefix}:{term.value[len(iri):]}"
        return term.value
    return term.value


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _table(names: list[str], rows: list[list[str]]) -> str:
    """Rows → aligned plain-text table (wide CJK characters count double)."""
    widths = [max([_width(n)] + [_width(r[i]) for r in rows]) for i, n in enumerate(names)]

    def line(cells: list[str]) -> str:
        return "  ".join(c + " " * (w - _width(c)) for c, w in zip(cells, widths)).rstrip()

    out = [line(names), line(["-" * w for w in widths])] + [line(r) for r in rows]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out)
