"""JSON-LD export with the compact @context: read back by rdflib and by pyld, triple for triple."""
import json

import pyoxigraph as ox
import pytest
import rdflib
from pyld import jsonld

from fundflow.kg.export import export_store, union_triples
from fundflow.kg.iris import graph_iri
from fundflow.kg.jsonld import build_context, shipped_context, triples_to_jsonld


def _nt_set(triples) -> set[str]:
    return {f"{t.subject} {t.predicate} {t.object} ." for t in triples}


@pytest.fixture(scope="module")
def store(samples_store_dir):
    return ox.Store.read_only(str(samples_store_dir))


def test_shipped_context_is_the_one_the_ontology_gives():
    assert shipped_context() == build_context(), "the ontology changed: run `python -m fundflow.kg.jsonld`"


def test_rdflib_reads_back_every_triple(store):
    doc = export_store(store, "jsonld")
    assert len(doc) < len(ox.serialize(union_triples(store), None, ox.RdfFormat.JSON_LD)) / 2
    back = rdflib.Graph().parse(data=doc, format="json-ld")
    expected = rdflib.Graph().parse(data="\n".join(_nt_set(union_triples(store))), format="nt")
    assert len(back) == len(expected) > 30000
    assert set(back) == set(expected)  # no blank nodes: equal sets of triples


def test_pyld_expands_one_document_to_its_triples(store):
    graph = graph_iri("shenyang-center-2024-budget.txt")
    triples = [q.triple for q in store.quads_for_pattern(None, None, None, graph)]
    doc = triples_to_jsonld(triples)
    nquads = jsonld.to_rdf(json.loads(json.dumps(doc)), {"format": "application/n-quads"})
    got = {line for line in nquads.splitlines() if line}
    assert got == _nt_set(triples)


def test_projects_read_as_plain_terms(store):
    doc = json.loads(export_store(store, "jsonld"))
    assert doc["@context"]["amount"] == {"@id": "ff:amount", "@type": "xsd:decimal"}
    project = next(n for n in doc["@graph"] if n.get("@type") == "ff:Project"
                   and n.get("label", {}).get("zh") == "提前下达中央财政城乡居民基本医疗保险补助中央直达资金")
    assert project["amount"] == "1245240000"  # 124,524.00 万元 as printed in 表9 (canonical decimal)
    assert project["fundingLevel"] == "ff:Central" and project["implementingUnit"].startswith("id:unit/")
