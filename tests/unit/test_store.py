"""Store: atomic graph replacement, idempotent re-ingest, reference graphs, lock errors, export."""
from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import replace
from decimal import Decimal

import pyoxigraph as ox
import pytest

from fundflow.core.errors import StoreError
from fundflow.core.model import Project
from fundflow.kg.export import export_store, union_triples
from fundflow.kg.iris import graph_iri, is_shared, system_graph_iri
from fundflow.kg.mapper import records_to_triples
from fundflow.kg.query import format_results, run_query
from fundflow.kg.store import document_graphs, graph_size, load_reference_graphs, open_store, replace_document
from tests.conftest import make_parsed


def _ingest(store: ox.Store, parsed) -> None:
    replace_document(store, graph_iri(parsed.source.name), records_to_triples(parsed))


def test_ingest_twice_gives_identical_triples(tmp_path):
    store = open_store(tmp_path / "s")
    _ingest(store, make_parsed())
    first = set(store)
    _ingest(store, make_parsed())
    assert set(store) == first and len(first) > 100


def test_changed_file_replaces_its_graph(tmp_path):
    store = open_store(tmp_path / "s")
    _ingest(store, make_parsed("x.txt", "aa" * 32, scale=20))
    changed = make_parsed("x.txt", "bb" * 32)
    first = next(r for r in changed.records if isinstance(r, Project))
    changed = replace(changed, records=tuple(replace(r, amount=r.amount + 1) if r is first else r
                                             for r in changed.records))
    _ingest(store, changed)
    rows = run_query(store, "SELECT ?a WHERE { ?p a ff:Project ; ff:amount ?a }")
    assert sorted(Decimal(r["a"].value) for r in rows) == [Decimal(1206000), Decimal(1245240001)]
    _ingest(store, make_parsed("x.txt", "bb" * 32))
    g = graph_iri("x.txt")
    own = [t for t in records_to_triples(make_parsed("x.txt", "bb" * 32)) if not is_shared(t)]
    assert graph_size(store, g) == len(own)
    assert not any("aaaaaaaa" in q.subject.value for q in store if isinstance(q.subject, ox.NamedNode))
    assert len(list(run_query(store, "SELECT ?a WHERE { ?p a ff:Project ; ff:amount ?a }"))) == 2
    assert document_graphs(store) == [g]


def test_reference_graphs_load_ontology_and_codes(tmp_path):
    store = open_store(tmp_path / "s")
    n = load_reference_graphs(store)
    assert n > 2000
    ask = run_query(store, 'ASK { ?c skos:notation "210" ; skos:prefLabel "卫生健康支出"@zh ; skos:altLabel ?old }')
    assert bool(ask)
    assert document_graphs(store) == []


def test_locked_store_is_a_one_line_store_error(tmp_path):
    path = tmp_path / "s"
    held = open_store(path)  # created and held by this process
    code = f"from fundflow.kg.store import open_store\nopen_store({str(path)!r}, wait=0.5)"  # not the 30 s a writer waits by default
    r = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True, text=True)
    assert "StoreError" in r.stderr and "in use" in r.stderr
    del held


def test_missing_store_is_an_error(tmp_path):
    with pytest.raises(StoreError, match="no store"):
        open_store(tmp_path / "nothing", create=False)


def test_query_json_is_w3c_results_format(tmp_path):
    import json

    store = open_store(tmp_path / "s")
    _ingest(store, make_parsed())
    res = run_query(store, "SELECT ?p ?a ?l WHERE { ?p a ff:Project ; ff:amount ?a ; rdfs:label ?l } ORDER BY ?a")
    data = json.loads(format_results(res, "json"))
    assert data["head"]["vars"] == ["p", "a", "l"]
    row = data["results"]["bindings"][0]
    assert row["p"]["type"] == "uri"
    assert row["a"]["type"] == "literal" and Decimal(row["a"]["value"]) == Decimal(1206000)
    assert row["a"]["datatype"] == "http://www.w3.org/2001/XMLSchema#decimal"
    assert row["l"]["xml:lang"] == "zh"


def test_turtle_export_parses_with_rapper_and_holds_every_triple(tmp_path):
    assert shutil.which("rapper"), "rapper is missing: install Debian's raptor2-utils (.ci/run does)"
    store = open_store(tmp_path / "s")
    load_reference_graphs(store)
    _ingest(store, make_parsed())
    out = tmp_path / "all.ttl"
    export_store(store, "turtle", out)
    r = subprocess.run(["rapper", "-i", "turtle", "-c", str(out)], check=False, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert f"returned {len(union_triples(store))} triples" in r.stderr
    back = {q.triple for q in ox.parse(path=str(out), format=ox.RdfFormat.TURTLE)}
    assert back == set(union_triples(store))


def test_trig_export_keeps_named_graphs(tmp_path):
    store = open_store(tmp_path / "s")
    _ingest(store, make_parsed())
    data = export_store(store, "trig")
    graphs = {q.graph_name for q in ox.parse(data, format=ox.RdfFormat.TRIG)}
    assert graphs == {graph_iri(make_parsed().source.name), system_graph_iri("shared")}


def test_shared_entities_appear_once_in_the_union(tmp_path):
    store = open_store(tmp_path / "s")
    load_reference_graphs(store)
    _ingest(store, make_parsed("a.txt", "aa" * 32))
    _ingest(store, make_parsed("b.txt", "bb" * 32))
    rows = list(run_query(store, 'SELECT ?u WHERE { ?u ff:unitCode "578002" }'))
    assert len(rows) == 1
    rows = list(run_query(store, 'SELECT ?c WHERE { ?c skos:notation "210" }'))
    assert len(rows) == 1  # stated by the code list and by both documents
    rows = list(run_query(store, "SELECT ?l WHERE { ?l a ff:BudgetLine ; ff:subjectCode/skos:notation \"2101202\" }"))
    assert len(rows) == 2  # one line per document
