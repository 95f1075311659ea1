"""A SPARQL query (bundled ``kg/queries/*.rq``, a file or stdin) and the store → formatted results.

``load_query(spec)`` → query text; ``run_query(store, text)`` → pyoxigraph
results (the default graph is the union of all named graphs, so queries need
no GRAPH clauses); ``format_results(results, fmt)`` → text as a table, CSV or
W3C SPARQL 1.1 Query Results JSON.
"""
from __future__ import annotations

import re
import sys
import unicodedata
from collections.abc import Iterable
from decimal import Decimal
from functools import lru_cache
from importlib import resources
from pathlib import Path

import pyoxigraph as ox

from fundflow.core.errors import QueryError
from fundflow.core.printable import printable
from fundflow.kg.safety import check_query
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

    The query is checked first (``kg.safety``: no SERVICE, bounded nesting).  Raises
    ``QueryError`` with the parser's message for invalid SPARQL.  This runs in the
    caller's process with no deadline: queries from outside go through
    ``kg.sandbox.query_store``.
    """
    check_query(text)
    try:
        return store.query(text, use_default_graph_as_union=True, prefixes=PREFIXES)
    except SyntaxError as err:
        raise QueryError(f"invalid SPARQL: {str(err).splitlines()[0]}") from None
    except OSError as err:
        raise QueryError(f"query failed: {str(err).splitlines()[0]}") from None


MONEY_DIRECTIVE = re.compile(r"^#\s*万元:\s*(.+)$", re.MULTILINE)
WAN = Decimal(10000)


def money_columns(text: str) -> frozenset[str]:
    """The columns a query declares as yuan amounts (its ``# 万元: amount executed`` line)."""
    found = MONEY_DIRECTIVE.search(text)
    return frozenset(found.group(1).split()) if found else frozenset()


@lru_cache(maxsize=1)
def term_labels() -> dict[str, str]:
    """Ontology term IRI → its Chinese label (ff:Central → 中央, ff:Total → 合计), from ``ontology/fundflow.ttl``."""
    data = resources.files("fundflow.ontology").joinpath("fundflow.ttl").read_bytes()
    label = PREFIXES["rdfs"] + "label"
    return {q.subject.value: q.object.value for q in ox.parse(data, format=ox.RdfFormat.TURTLE)
            if q.predicate.value == label and isinstance(q.object, ox.Literal) and q.object.language == "zh"}


def format_results(results, fmt: str = "table", money: frozenset[str] = frozenset()) -> str:
    """Results → text: ``json`` (W3C SPARQL Results JSON), ``csv`` (W3C SPARQL CSV) or ``table``.

    In a table the ``money`` columns (yuan) are shown in 万元 with thousands separators, ontology
    terms by their Chinese label and long decimals to four places; CSV and JSON stay exact.
    CONSTRUCT/DESCRIBE results are written as Turtle (table), N-Triples (csv) or JSON-LD (json).
    """
    if isinstance(results, ox.QueryTriples):
        rdf = {"table": ox.RdfFormat.TURTLE, "csv": ox.RdfFormat.N_TRIPLES, "json": ox.RdfFormat.JSON_LD}[fmt]
        data = results.serialize(format=rdf)
        assert data is not None  # no output file: the bytes are returned
        return data.decode("utf-8")
    if fmt == "json":
        return results.serialize(format=ox.QueryResultsFormat.JSON).decode("utf-8")
    if fmt == "csv":
        return results.serialize(format=ox.QueryResultsFormat.CSV).decode("utf-8")
    if isinstance(results, ox.QueryBoolean):
        return "true" if bool(results) else "false"
    return solutions_table([var.value for var in results.variables], (tuple(sol) for sol in results), money)


def solutions_table(names: list[str], rows: Iterable[tuple], money: frozenset[str] = frozenset()) -> str:
    """Rows of terms (in the order of ``names``) → the table of ``format_results``; each distinct term shown once."""
    shown: dict = {}
    flags = [n in money for n in names]

    def cell(term, wan: bool) -> str:
        got = shown.get((term, wan))
        if got is None:
            got = shown[term, wan] = _short(term, wan)
        return got

    cells = [[cell(t, wan) for t, wan in zip(row, flags)] for row in rows]
    header = [f"{n}（万元）" if n in money else n for n in names]
    return _table(header, cells, {i for i, n in enumerate(names) if n in money})


def _wan(value: Decimal) -> str:
    """Yuan → 万元 with thousands separators: 2434921100 → 243,492.11 (more places only when printed so)."""
    wan = value / WAN
    cents = wan.quantize(Decimal("0.01"))
    return f"{cents:,}" if cents == wan else f"{wan.normalize():,f}"


def _decimal(text: str) -> Decimal | None:
    try:
        return Decimal(text)
    except ArithmeticError:
        return None


def _short(term, money: bool = False) -> str:
    """A term as shown in a table (control and bidi characters made visible)."""
    return printable(_shown(term, money))


def _shown(term, money: bool = False) -> str:
    """A term as shown in a table: 万元 for money, Chinese label or prefixed IRI, plain literal value."""
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        if term.value in term_labels():
            return term_labels()[term.value]
        for prefix, iri in PREFIXES.items():
            if term.value.startswith(iri):
                return f"{prefix}:{term.value[len(iri):]}"
        return term.value
    if isinstance(term, ox.Literal) and term.datatype.value in NUMERIC:
        number = _decimal(term.value)
        if number is not None and money:
            return _wan(number)
        exponent = number.as_tuple().exponent if number is not None else 0
        if number is not None and isinstance(exponent, int) and exponent < -4:  # a computed ratio: 0.953565… → 0.9536
            return f"{number.quantize(Decimal('0.0001'))}"
    return term.value


NUMERIC = {PREFIXES["xsd"] + t for t in ("decimal", "integer", "double", "float")}


@lru_cache(maxsize=65536)
def _width(text: str) -> int:
    if text.isascii():
        return len(text)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _table(names: list[str], rows: list[list[str]], right: frozenset[int] | set[int] = frozenset()) -> str:
    """Rows → aligned plain-text table (wide CJK characters count double; ``right`` columns right-aligned)."""
    widths = [max([_width(n)] + [_width(r[i]) for r in rows]) for i, n in enumerate(names)]

    def cell(c: str, i: int) -> str:
        pad = " " * (widths[i] - _width(c))
        return pad + c if i in right else c + pad

    def line(cells: list[str]) -> str:
        return "  ".join(cell(c, i) for i, c in enumerate(cells)).rstrip()

    out = [line(names), line(["-" * w for w in widths])] + [line(r) for r in rows]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out)
