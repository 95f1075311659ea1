"""Query safety: what is refused before the engine sees it, and queries stopped by their worker's limits."""
from __future__ import annotations

import json
import os
import time

import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fundflow.core.errors import QueryError
from fundflow.kg.query import bundled_queries, format_results, load_query, run_query
from fundflow.kg.results import render
from fundflow.kg.safety import QueryLimits, QueryOverload, QueryRefused, QueryTimeout, check_query
from fundflow.kg.sandbox import QueryPool, resident_bytes

NESTED_BRACES = "SELECT * WHERE " + "{ " * 2500 + "?s ?p ?o" + " }" * 2500  # finding 1
NESTED_PARENS = "SELECT * WHERE { FILTER(" + "(" * 5000 + "1" + ")" * 5000 + ") }"
SERVICE = "SELECT * { SERVICE <http://127.0.0.1:9999/x> { ?s ?p ?o } }"  # finding 2
RUNAWAY = "SELECT (COUNT(*) AS ?n) {?a ?b ?c.?d ?e ?f.?g ?h ?i.?j ?k ?l.?m ?n ?o}"  # finding 3
HOARDER = "SELECT * {?a ?b ?c.?d ?e ?f.?g ?h ?i} ORDER BY ?c ?f ?i"  # keeps every row in memory


@pytest.mark.parametrize("text", [NESTED_BRACES, NESTED_PARENS, "SELECT * WHERE " + "{" * 65 + "}" * 65])
def test_deep_nesting_is_refused_before_parsing(text):
    with pytest.raises(QueryRefused, match="nested more than 64"):
        check_query(text)


@pytest.mark.parametrize("text", [
    SERVICE,
    "select * { service silent <http://x/> {} }",
    "SELECT * { \\u0053ERVICE <http://x/> {} }",  # codepoint escapes are undone before parsing
    "PREFIX s: <http://x/> SELECT * { ?a ?b ?c . SERVICE ?where { ?d ?e ?f } }",
])
def test_service_is_refused(text):
    with pytest.raises(QueryRefused, match="SERVICE"):
        check_query(text)


@pytest.mark.parametrize("text", [
    'SELECT * { ?s ?p "SERVICE" } # SERVICE in a comment',
    "SELECT * { ?s <http://example.org/SERVICE> ff:SERVICE }",
    "SELECT ?service { ?s ?p ?service }",
    'SELECT * { ?s ?p """a \\""" SERVICE """ }',
    "SELECT * WHERE " + "{" * 64 + "}" * 64,
])
def test_words_that_are_not_keywords_pass(text):
    assert check_query(text) == "select"


def test_every_bundled_query_passes():
    assert {check_query(load_query(name)) for name in bundled_queries()} == {"select"}


@pytest.mark.parametrize(("text", "reason"), [("DROP ALL", "update"), ("PREFIX a: <x:> INSERT DATA {}", "update"),
                                         ('SELECT * { ?s ?p "open }', "not closed"), ("nonsense", "invalid SPARQL: no SELECT")])
def test_updates_and_non_queries_are_refused(text, reason):
    with pytest.raises(QueryRefused, match=reason):
        check_query(text)


def test_a_query_longer_than_the_limit_is_refused():
    with pytest.raises(QueryRefused, match="characters long"):
        check_query("ASK {}" + " " * 100, QueryLimits(max_chars=50))


def test_run_query_in_process_refuses_the_crashing_query():
    with pytest.raises(QueryRefused):
        run_query(ox.Store(), NESTED_BRACES)


def test_results_over_the_row_cap_are_refused_in_every_format():
    store = ox.Store()
    for i in range(5):
        store.add(ox.Quad(ox.NamedNode(f"http://x/{i}"), ox.NamedNode("http://x/p"), ox.Literal(str(i))))
    few = QueryLimits(max_results=4)
    for fmt in ("application/sparql-results+json", "text/csv", "application/sparql-results+xml", "table"):
        with pytest.raises(QueryRefused, match="more than 4 results"):
            render(store.query("SELECT * { ?s ?p ?o }"), fmt, few)
    with pytest.raises(QueryRefused, match="more than 4 triples"):
        render(store.query("CONSTRUCT WHERE { ?s ?p ?o }"), "text/turtle", few)
    data = json.loads(render(store.query("SELECT ?o { ?s ?p ?o } ORDER BY ?o"), "application/json",
                             QueryLimits(max_results=5)))
    assert [b["o"]["value"] for b in data["results"]["bindings"]] == ["0", "1", "2", "3", "4"]


def test_results_json_matches_the_engine_serialiser():
    store = ox.Store()
    s, p = ox.NamedNode("http://x/s"), ox.NamedNode("http://x/p")
    for o in (ox.Literal("五"), ox.Literal("5", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal")),
              ox.Literal("x", language="zh"), ox.BlankNode("b1"), ox.NamedNode("http://x/o")):
        store.add(ox.Quad(s, p, o))
    text = "SELECT ?s ?o ?unbound { ?s ?p ?o } ORDER BY STR(?o)"
    ours = json.loads(render(store.query(text), "application/json"))
    theirs = json.loads(store.query(text).serialize(format=ox.QueryResultsFormat.JSON))
    assert ours == theirs


@pytest.fixture
def pool(tmp_path):
    store = ox.Store(str(tmp_path / "s"))
    for i in range(200):
        store.add(ox.Quad(ox.NamedNode(f"http://x/{i}"), ox.NamedNode("http://x/p"), ox.Literal(str(i)),
                          ox.NamedNode("http://x/g")))
    del store
    with QueryPool(tmp_path / "s", QueryLimits(timeout=3, max_memory=200 * 2**20), size=1) as p:
        yield p


def _settled(pool: QueryPool, seconds: float = 60) -> list[int]:
    """Pids of the pool's idle workers once a replacement is in (a killed worker is replaced in the background)."""
    end = time.monotonic() + seconds
    while time.monotonic() < end and not pool.pids():
        time.sleep(0.1)
    return pool.pids()


def test_a_runaway_query_is_stopped_and_its_worker_replaced(pool):
    before = _settled(pool)
    with pytest.raises(QueryTimeout, match="longer than 3 s"):
        pool.run(RUNAWAY, "text/csv")
    after = _settled(pool)
    assert after and after != before
    assert not os.path.exists(f"/proc/{before[0]}")
    assert pool.run("ASK { ?s ?p ?o }", "application/json") == b'{"head":{},"boolean":true}'


def test_a_query_over_its_memory_is_stopped_and_the_memory_returns(pool):
    idle = resident_bytes(_settled(pool)[0])
    with pytest.raises(QueryOverload, match="more than 200 MiB"):
        pool.run(HOARDER, "text/csv")
    fresh = _settled(pool)
    assert fresh and resident_bytes(fresh[0]) < idle + 50 * 2**20


def test_invalid_sparql_is_refused_with_the_parser_message(pool):
    with pytest.raises(QueryRefused, match="invalid SPARQL"):
        pool.run("SELECT ?x WHERE { ?x }", "text/csv")


def test_a_missing_store_is_one_error_line(tmp_path):
    with pytest.raises(QueryError, match="no store at"):
        QueryPool(tmp_path / "nothing", size=1)


def test_json_and_table_the_same_as_the_engine_writes_them():
    """``render`` writes JSON and tables itself (each distinct term once): the engine's own JSON, and the table of the
    re-read JSON, are the same, with IRIs, language tags, datatypes, blank nodes, unbound cells and repeats."""
    store = ox.Store()
    g = ox.NamedNode("http://example.org/g")
    for s, o in [("a", ox.Literal("沈阳 \"市\"", language="zh")), ("b", ox.Literal("12.50", datatype=ox.NamedNode(
            "http://www.w3.org/2001/XMLSchema#decimal"))), ("c", ox.BlankNode("n1")), ("d", ox.Literal("x\ny"))]:
        for p in ("p", "q"):
            store.add(ox.Quad(ox.NamedNode(f"http://example.org/{s}"), ox.NamedNode(f"http://example.org/{p}"), o, g))
    text = "SELECT ?s ?o ?none WHERE { ?s ?p ?o } ORDER BY ?s"

    def results():
        return store.query(text, use_default_graph_as_union=True)

    engine = results().serialize(format=ox.QueryResultsFormat.JSON)
    assert render(results(), "json") == json.dumps(json.loads(engine), ensure_ascii=False,
                                                    separators=(",", ":")).encode("utf-8")
    again = ox.parse_query_results(engine, ox.QueryResultsFormat.JSON)
    assert render(results(), "table").decode() == format_results(again, "table")
    assert render(results(), "csv") == results().serialize(format=ox.QueryResultsFormat.CSV)


_TEXT = st.text(st.sampled_from('a,"\n\r\t 市;é\u2028') , max_size=6)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(_TEXT, _TEXT, st.booleans()), min_size=1, max_size=4))
def test_csv_the_bytes_the_engine_writes(cells):
    """``render`` writes CSV itself: the bytes of the engine's CSV writer for literals (quotes, commas and line
    breaks quoted), language tags, IRIs (a comma in one left as it is), blank nodes and unbound cells."""
    store = ox.Store()
    for i, (a, b, tagged) in enumerate(cells):
        s = ox.NamedNode(f"http://example.org/{i},x")
        store.add(ox.Quad(s, ox.NamedNode("http://example.org/p"), ox.Literal(a, language="zh") if tagged else ox.Literal(a)))
        store.add(ox.Quad(s, ox.NamedNode("http://example.org/q"), ox.Literal(b) if b else ox.BlankNode(f"b{i}")))
    text = "SELECT ?s ?a ?b ?none WHERE { ?s <http://example.org/p> ?a OPTIONAL { ?s <http://example.org/q> ?b } }"
    assert render(store.query(text), "csv") == store.query(text).serialize(format=ox.QueryResultsFormat.CSV)


def test_csv_of_a_triple_term_left_to_the_engine():
    text = 'SELECT ?t WHERE { BIND(<<( <http://a> <http://b> "c,\\"d" )>> AS ?t) }'
    assert render(ox.Store().query(text), "csv") == ox.Store().query(text).serialize(format=ox.QueryResultsFormat.CSV)
