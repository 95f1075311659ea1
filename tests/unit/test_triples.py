"""records_to_triples: provenance on every record node, deterministic IRIs, exact amounts, codes."""
from __future__ import annotations

from decimal import Decimal

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import graph_diff, isomorphic, to_isomorphic

from fundflow.core.regions import region6
from fundflow.kg.iris import code_iri, graph_iri
from fundflow.kg.mapper import records_to_graph, records_to_triples
from fundflow.kg.vocab import FF, PREFIXES
from tests.conftest import make_parsed

FFN = rdflib.Namespace(PREFIXES["ff"])
PROV = rdflib.Namespace(PREFIXES["prov"])
SKOS = rdflib.Namespace(PREFIXES["skos"])
RECORD_CLASSES = ("BudgetLine", "Project", "Indicator", "TableTotal", "ThreeCosts", "NarrativeFact", "TableIssue",
                  "Document", "Unit", "Department")


def _diff(a: rdflib.Graph, b: rdflib.Graph) -> str:
    _, only_a, only_b = graph_diff(to_isomorphic(a), to_isomorphic(b))
    return f"only first: {sorted(only_a)[:5]}\nonly second: {sorted(only_b)[:5]}"


def test_every_record_node_has_a_source_span(parsed):
    g = records_to_graph(parsed)
    nodes = [s for cls in RECORD_CLASSES for s in g.subjects(rdflib.RDF.type, FFN[cls])]
    assert len(nodes) >= 13
    doc = next(g.subjects(rdflib.RDF.type, FFN.Document))
    for node in nodes:
        src = g.value(node, PROV.wasDerivedFrom)
        assert src is not None, node
        assert g.value(src, FFN.document) == doc
        first, last = g.value(src, FFN.firstLine), g.value(src, FFN.lastLine)
        assert first.datatype == rdflib.XSD.integer and int(first) <= int(last)


def test_iris_are_deterministic_across_runs():
    a, b = records_to_graph(make_parsed()), records_to_graph(make_parsed())
    assert isomorphic(a, b), _diff(a, b)
    assert set(a) == set(b)  # no blank nodes: the very same triples


def test_amounts_are_exact_decimals_in_yuan(parsed):
    triples = records_to_triples(parsed)
    amounts = {t.object.value for t in triples if t.predicate == FF("amount")}
    assert "1245240000.00" in amounts and "1000.5" in amounts
    dt = {t.object.datatype.value for t in triples if t.predicate == FF("amount")}
    assert dt == {PREFIXES["xsd"] + "decimal"}


def test_sparql_numeric_filter_matches_project_amount(parsed):
    store = ox.Store()
    store.extend(ox.Quad(t.subject, t.predicate, t.object) for t in records_to_triples(parsed))
    rows = list(store.query("PREFIX ff: <https://w3id.org/fundflow#> SELECT ?p WHERE "
                            "{ ?p a ff:Project ; ff:amount ?a . FILTER(?a = 1245240000) }"))
    assert len(rows) == 1


def test_codes_nest_and_carry_printed_name_per_year(parsed):
    g = records_to_graph(parsed)
    c = rdflib.URIRef(code_iri("function", "2101202").value)
    assert str(g.value(c, SKOS.notation)) == "2101202"
    kuan = g.value(c, SKOS.broader)
    assert str(g.value(kuan, SKOS.notation)) == "21012"
    assert str(g.value(g.value(kuan, SKOS.broader), SKOS.notation)) == "210"
    edition = g.value(c, FFN.editionLabel)
    assert str(g.value(edition, FFN.fiscalYear)) == "2024"
    assert str(g.value(edition, rdflib.RDFS.label)) == "财政对城乡居民基本医疗保险基金的补助"
    assert (None, SKOS.prefLabel, None) not in g  # names of the reference lists live in their own graph


def test_indicator_links_to_its_project_and_unit(parsed):
    g = records_to_graph(parsed)
    ind = {str(g.value(i, rdflib.RDFS.label)): i for i in g.subjects(rdflib.RDF.type, FFN.Indicator)}
    project = g.value(ind["城乡居民基本医疗保险参保补助人数"], FFN.indicatorOf)
    assert (project, rdflib.RDF.type, FFN.Project) in g and (project, FFN.hasIndicator, None) in g
    assert str(g.value(ind["城乡居民基本医疗保险参保补助人数"], FFN.operator)) == ">="
    unit = g.value(ind["群众满意度"], FFN.indicatorOf)
    assert str(g.value(unit, FFN.unitCode)) == "578002"


def test_units_shared_across_documents():
    a = records_to_triples(make_parsed("a.txt", "aa" * 32))
    b = records_to_triples(make_parsed("b.txt", "bb" * 32))
    units = [{t.subject for t in ts if t.predicate == FF("unitCode")} for ts in (a, b)]
    assert units[0] == units[1] and len(units[0]) == 1


def test_unit_region_department_and_document_facts(parsed):
    g = records_to_graph(parsed)
    unit = next(g.subjects(FFN.unitCode, rdflib.Literal("578002")))
    region = g.value(unit, FFN.region)
    assert str(g.value(region, FFN.adminCode)) == "210100" and g.value(region, FFN.level) == FFN.Municipal
    assert str(g.value(g.value(region, FFN.partOf), FFN.adminCode)) == "210000"
    dept = g.value(unit, rdflib.URIRef(PREFIXES["org"] + "subOrganizationOf"))
    assert (dept, rdflib.RDF.type, FFN.Department) in g
    doc = next(g.subjects(rdflib.RDF.type, FFN.Document))
    assert g.value(doc, FFN.documentKind) == FFN.Budget
    assert g.value(doc, FFN.fiscalYear).datatype == rdflib.XSD.gYear


def test_final_accounts_project_has_executed_amount(parsed):
    g = records_to_graph(parsed)
    p = next(g.subjects(rdflib.RDFS.label, rdflib.Literal("医疗保障事务服务工作专项经费", lang="zh")))
    assert Decimal(str(g.value(p, FFN.executedAmount))) == Decimal(1150000)
    assert g.value(p, FFN.subjectCodeInferred) is None  # the printed code is not inferred


@pytest.mark.parametrize(("given", "expected"),
                         [("210100000", "210100"), ("210100", "210100"), ("2101", None), (None, None)])
def test_region6(given, expected):
    assert region6(given) == expected


def test_graph_keyed_on_file_name():
    assert graph_iri("a b.txt").value.endswith("graph/a%20b.txt")
