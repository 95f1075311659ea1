"""The corpus generator: the same seed writes the same files, every document is distinct, and a store
ingested from it (on two processes) holds every project, total and year each document states."""
from __future__ import annotations

from decimal import Decimal

import pyoxigraph as ox
from support.corpus import write_corpus
from support.render import LAYOUTS

from fundflow.kg.ingest import ingest_paths

PROJECTS = """PREFIX ff: <https://w3id.org/fundflow#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX prov: <http://www.w3.org/ns/prov#>
SELECT ?file ?name ?amount ?year WHERE {
  ?p a ff:Project ; rdfs:label ?name ; ff:amount ?amount ; ff:fiscalYear ?year ; prov:wasDerivedFrom ?src .
  ?src ff:document/ff:fileName ?file }"""
INCOME = """PREFIX ff: <https://w3id.org/fundflow#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?file ?amount WHERE { GRAPH ?g { ?d a ff:Document ; ff:fileName ?file .
  ?t a ff:TableTotal ; rdfs:label ?label ; ff:amount ?amount . FILTER(STR(?label) = "收入总计") } }"""


def test_the_same_seed_writes_the_same_files(tmp_path):
    a = write_corpus(tmp_path / "a", 6, seed=3)
    b = write_corpus(tmp_path / "b", 6, seed=3)
    c = write_corpus(tmp_path / "c", 6, seed=4)
    assert [g.path.read_bytes() for g in a] == [g.path.read_bytes() for g in b]
    assert [g.path.read_bytes() for g in a] != [g.path.read_bytes() for g in c]
    assert {g.layout for g in a} == set(LAYOUTS)


def test_the_identities_hold_in_every_generated_document(tmp_path):
    for g in write_corpus(tmp_path, 40, seed=1):
        total, *lei = [r for r in g.doc.function_rows if len(r.code) in (0, 3)]
        assert total.amounts == tuple(sum(c) for c in zip(*(r.amounts for r in lei)))
        for r in g.doc.function_rows:
            everything, basic, personnel, public, project = r.amounts
            assert everything == basic + project and basic == personnel + public
        assert sum(a for _, a in g.doc.projects) == total.amounts[4]
        assert g.doc.econ_rows[0].amounts[0] == total.amounts[1]  # 表6 合计 = 基本支出


def test_a_store_of_the_corpus_holds_what_each_document_states(tmp_path):
    corpus = write_corpus(tmp_path / "docs", 8, seed=11)
    store, messages = ox.Store(str(tmp_path / "s")), []
    summary = ingest_paths(store, [g.path for g in corpus], report=messages.append, jobs=2)
    assert len(summary.ok) == 8 and not messages  # no failure, no document taken for a copy of another
    stored: dict[str, set] = {}
    for row in store.query(PROJECTS, use_default_graph_as_union=True):
        stored.setdefault(row["file"].value, set()).add((row["name"].value, Decimal(row["amount"].value),
                                                         int(row["year"].value)))
    income = {row["file"].value: Decimal(row["amount"].value) for row in store.query(INCOME)}
    for g in corpus:
        assert stored.get(g.path.name, set()) == {(n, a, g.doc.year) for n, a in g.doc.projects}, g.path.name
        assert income[g.path.name] == g.doc.total.amounts[0], g.path.name
