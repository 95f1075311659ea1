"""Query results → bytes in a requested format, with a cap on rows and on bytes.

``render(results, fmt, limits)`` → bytes.  ``fmt`` is a media type of the SPARQL
protocol (``application/sparql-results+json`` … ``text/turtle``) or one of the
``fundflow query`` formats (``table``, ``csv``, ``json``).  Solutions are taken one
by one up to ``limits.max_results`` (more: ``QueryRefused``), written as a table,
as SPARQL JSON or CSV (the bytes the engine's serialisers write) and, for the other
result formats, re-read from that JSON and written by the engine's own serialisers,
so every format counts the same rows.
"""
from __future__ import annotations

import json
import re

import pyoxigraph as ox

from fundflow.kg.safety import DEFAULT_LIMITS, QueryLimits, QueryRefused

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
CLI_RESULTS = {"csv": "text/csv", "json": "application/sparql-results+json"}
CLI_GRAPHS = {"table": "text/turtle", "csv": "application/n-triples", "json": "application/ld+json"}
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


def term_json(term) -> dict:
    """An RDF term → its SPARQL 1.1 Results JSON object."""
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Triple):
        return {"type": "triple", "value": {"subject": term_json(term.subject),
                                            "predicate": term_json(term.predicate),
                                            "object": term_json(term.object)}}
    out = {"type": "literal", "value": term.value}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype.value not in (XSD_STRING, RDF_LANG_STRING):
        out["datatype"] = term.datatype.value
    return out


def _capped(items, limits: QueryLimits, what: str) -> list:
    out: list = []
    for item in items:
        if len(out) == limits.max_results:
            raise QueryRefused(f"the query gives more than {limits.max_results} {what}",
                               hint="add a LIMIT, or raise --max-results")
        out.append(item)
    return out


def _rows_json(names: list[str], rows: list[tuple]) -> bytes:
    """Rows of terms → the bytes ``json.dumps`` gives for them, each distinct term encoded once (terms repeat)."""
    keys = [json.dumps(n, ensure_ascii=False) + ":" for n in names]
    seen: dict = {}

    def fragment(term) -> str:
        got = seen.get(term)
        if got is None:
            got = seen[term] = json.dumps(term_json(term), ensure_ascii=False, separators=(",", ":"))
        return got

    bindings = ",".join("{" + ",".join(k + fragment(t) for k, t in zip(keys, row) if t is not None) + "}"
                        for row in rows)
    head = json.dumps({"vars": names}, ensure_ascii=False, separators=(",", ":"))
    return f'{{"head":{head},"results":{{"bindings":[{bindings}]}}}}'.encode()


class _Unwritable(Exception):
    """A term our CSV writer leaves to the engine's (an RDF-star triple)."""


_CSV_QUOTED = re.compile('[",\n\r]')


def _csv_field(term) -> str:
    """A term → its field in SPARQL CSV as the engine writes it: IRIs as they are, literals by value, quoted
    (``"`` doubled) when they hold ``"`` ``,`` or a line break."""
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return term.value
    if isinstance(term, ox.BlankNode):
        return "_:" + term.value
    if isinstance(term, ox.Triple):
        raise _Unwritable
    value = term.value
    return '"' + value.replace('"', '""') + '"' if _CSV_QUOTED.search(value) else value


def _rows_csv(names: list[str], rows: list[tuple]) -> bytes:
    """Rows of terms → SPARQL CSV, each distinct term written once; raises ``_Unwritable`` for a triple term."""
    seen: dict = {}

    def field(term) -> str:
        got = seen.get(term)
        if got is None:
            got = seen[term] = _csv_field(term)
        return got

    lines = [",".join(names)] + [",".join([field(t) for t in row]) for row in rows]
    return ("\r\n".join(lines) + "\r\n").encode()


def _solutions_as(results: ox.QuerySolutions, fmt: ox.QueryResultsFormat, limits: QueryLimits) -> bytes | None:
    """SELECT results → JSON or CSV written here, other formats by the engine from that JSON; capped."""
    names = [v.value for v in results.variables]
    rows = _capped((tuple(sol) for sol in results), limits, "results")
    if fmt is ox.QueryResultsFormat.CSV:
        try:
            return _rows_csv(names, rows)
        except _Unwritable:
            pass
    data = _rows_json(names, rows)
    if fmt is ox.QueryResultsFormat.JSON:
        return data
    return ox.parse_query_results(data, ox.QueryResultsFormat.JSON).serialize(format=fmt)


def render(results, fmt: str, limits: QueryLimits = DEFAULT_LIMITS, money: frozenset[str] = frozenset()) -> bytes:
    """Results of ``store.query`` → bytes in ``fmt`` (a media type or table / csv / json); capped.

    ``money``: for a table, the columns shown in 万元 (``kg.query.format_results``).
    """
    if isinstance(results, ox.QueryTriples):
        mime = CLI_GRAPHS.get(fmt, fmt)
        payload = ox.serialize(_capped(results, limits, "triples"), format=GRAPH_TYPES[mime])
    elif isinstance(results, ox.QueryBoolean):
        if fmt == "table":
            payload = b"true" if bool(results) else b"false"
        else:
            payload = results.serialize(format=RESULT_TYPES[CLI_RESULTS.get(fmt, fmt)])
    elif fmt == "table":
        from fundflow.kg.query import solutions_table

        names = [v.value for v in results.variables]
        payload = solutions_table(names, _capped((tuple(sol) for sol in results), limits, "results"), money).encode()
    else:
        payload = _solutions_as(results, RESULT_TYPES[CLI_RESULTS.get(fmt, fmt)], limits)
    assert payload is not None  # serialised without an output file: the bytes are returned
    if len(payload) > limits.max_bytes:
        raise QueryRefused(f"the results are {len(payload) // 2**20} MiB, more than {limits.max_bytes // 2**20} MiB",
                           hint="ask for fewer rows or columns")
    return payload

