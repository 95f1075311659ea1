"""SHACL over a store a few graphs at a time reports what one validation of the whole union reports.

The store is the five samples, then a second document graph states one of their projects again
with another amount (as two documents of one unit and year can): the union holds two
``ff:amount`` values for that project, a ``sh:maxCount 1`` breach that no single graph shows.
"""
import shutil
from decimal import Decimal
from importlib import resources

import pyoxigraph as ox
import pytest
import rdflib
from pyshacl import validate

from fundflow.kg import findings
from fundflow.kg.findings import shacl_report

FF = "https://w3id.org/fundflow#"


def _union_report(store: ox.Store) -> set[str]:
    """The oracle: pySHACL over the union of every graph but the findings graphs, as one graph."""
    data = rdflib.Graph()
    nt = "\n".join(f"{q.subject} {q.predicate} {q.object} ." for q in store
                   if not (isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value.endswith("/findings")))
    data.parse(data=nt, format="nt")
    shapes = resources.files("fundflow.ontology").joinpath("shapes.ttl").read_text(encoding="utf-8")
    _c, report, _t = validate(data, shacl_graph=rdflib.Graph().parse(data=shapes, format="turtle"),
                              inference="none", advanced=True)
    q = """PREFIX sh: <http://www.w3.org/ns/shacl#> SELECT ?path ?msg ?value (COUNT(?r) AS ?n) WHERE {
      ?r a sh:ValidationResult . OPTIONAL { ?r sh:resultPath ?path } OPTIONAL { ?r sh:resultMessage ?msg }
      OPTIONAL { ?r sh:value ?value } } GROUP BY ?path ?msg ?value"""
    return {f"  {row.n} × {row.path}: {row.msg} ({row.value})" for row in report.query(q)}


@pytest.fixture
def store(samples_store_dir, tmp_path):
    where = tmp_path / "store"
    shutil.copytree(samples_store_dir, where, ignore=shutil.ignore_patterns("snapshots", "LOCK*"))
    s = ox.Store(str(where))
    yield s
    del s


def _a_project(store: ox.Store) -> ox.NamedNode:
    q = f"SELECT ?p WHERE {{ GRAPH ?g {{ ?p a <{FF}Project> }} }} ORDER BY ?p LIMIT 1"
    return next(iter(store.query(q)))["p"]


@pytest.mark.parametrize("batch", [1, 10 ** 9])
def test_the_samples_conform_batched_as_whole(store, monkeypatch, batch):
    """Units typed in the shared graph, their class org:Organization stated in the ontology's graph:
    a batch of one document still sees both, so ``sh:class`` holds."""
    monkeypatch.setattr(findings, "SHACL_BATCH", batch)
    conforms, text = shacl_report(store)
    assert conforms, text
    assert _union_report(store) == set()


@pytest.mark.parametrize("batch", [1, 10 ** 9])
def test_a_breach_across_two_graphs_is_found_once(store, monkeypatch, batch):
    project = _a_project(store)
    other = ox.NamedNode("https://w3id.org/fundflow/id/graph/zz-republished-budget.txt")
    amount = ox.Literal(str(Decimal("1.00")), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal"))
    store.add(ox.Quad(project, ox.NamedNode(FF + "amount"), amount, other))
    monkeypatch.setattr(findings, "SHACL_BATCH", batch)
    conforms, text = shacl_report(store)
    assert not conforms
    lines = set(text.splitlines())
    assert lines == _union_report(store)
    assert lines == {f"  1 × {FF}amount: More than 1 values on {project}->ff:amount (None)"}
