"""The corpus generator: the same seed writes the same files, every document is distinct, and a store
ingested from it (on two processes) holds every project, total and year each document states."""
from __future__ import annotations

from decimal import Decimal

import pyoxigraph as ox
from support.corpus import write_corpus
from support.render import LAYOUTS

from fundflow.kg.ingest import ingest_paths
from fundflow.kg.query import load_query, run_query

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


def _findings(store: ox.Store) -> list[tuple[str, ...]]:
    rows = run_query(store, load_query("findings"))
    names = [v.value for v in rows.variables]
    return [tuple(s[n].value if s[n] is not None else "" for n in names) for s in rows]


def test_each_finding_of_a_store_of_many_documents_appears_once(tmp_path):
    corpus = write_corpus(tmp_path / "docs", 3, seed=5)
    together = ox.Store(str(tmp_path / "all"))
    ingest_paths(together, [g.path for g in corpus], report=lambda _m: None, jobs=1)
    rows = _findings(together)
    alone: list[tuple[str, ...]] = []
    for i, g in enumerate(corpus):
        one = ox.Store(str(tmp_path / f"one-{i}"))
        ingest_paths(one, [g.path], report=lambda _m: None, jobs=1)
        alone += _findings(one)
    # A store of three documents holds each one's findings, once each (not once per document stored).
    assert sorted(rows) == sorted(alone) and len(rows) == len(set(rows))
    # The generator prints no revenue table (表2), so each document's summary ↔ revenue check of R07 is
    # skipped: one such row per document, named by its rule.
    for g in corpus:
        assert "收入预算总表" not in g.path.read_text(encoding="utf-8")
        r07 = [r for r in rows if r[0] == g.path.name and r[1] == "R07" and "revenue" in r[5]]
        assert len(r07) == 1 and r07[0][2] == "表1 ↔ 表2 ↔ 表3 totals" and r07[0][3] == "skipped", r07
