"""Query results → bytes in a requested format, with a cap on rows and on bytes.

``render(results, fmt, limits)`` → bytes.  ``fmt`` is a media type of the SPARQL
protocol (``application/sparql-results+json`` … ``text/turtle``) or one of the
``fundflow query`` formats (``table``, ``csv``, ``json``).  Solutions are taken one
by one up to ``limits.max_results`` (more: ``QueryRefused``), written as a table
or as SPARQL JSON and, for the other result formats, re-read and written by the
engine's own serialisers, so every format counts the same rows.
"""
from __future__ import annotations

import json

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


def solutions_json(results: ox.QuerySolutions, limits: QueryLimits) -> bytes:
    """SELECT results → SPARQL Results JSON, at most ``limits.max_results`` rows."""
    names = [v.value for v in results.variables]
    return _rows_json(names, _capped((tuple(sol) for sol in results), limits, "results"))


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
        data = solutions_json(results, limits)
        mime = CLI_RESULTS.get(fmt, fmt)
        if RESULT_TYPES[mime] is ox.QueryResultsFormat.JSON:
            payload = data
        else:
            payload = ox.parse_query_results(data, ox.QueryResultsFormat.JSON).serialize(format=RESULT_TYPES[mime])
    assert payload is not None  # serialised without an output file: the bytes are returned
    if len(payload) > limits.max_bytes:
        raise QueryRefused(f"the results are {len(payload) // 2**20} MiB, more than {limits.max_bytes // 2**20} MiB",
                           hint="ask for fewer rows or columns")
    return payload

