"""Table issue kinds are one list: the records stage can only make those, and the SHACL shapes allow exactly those."""
from importlib import resources

import pytest
import rdflib

from fundflow.core.model import ISSUE_KINDS, SourceRef, TableIssue


def _shape_kinds() -> list[str]:
    shapes = rdflib.Graph().parse(data=resources.files("fundflow.ontology").joinpath("shapes.ttl").read_text("utf-8"),
                                  format="turtle")
    q = """PREFIX sh: <http://www.w3.org/ns/shacl#> PREFIX ff: <https://w3id.org/fundflow#>
    SELECT ?kind WHERE { ?p sh:path ff:issueKind ; sh:in/rdf:rest*/rdf:first ?kind }"""
    return [str(row.kind) for row in shapes.query(q)]


def test_the_shapes_allow_every_issue_kind_and_no_other():
    assert sorted(_shape_kinds()) == sorted(ISSUE_KINDS)


def test_an_issue_of_an_unknown_kind_cannot_be_made():
    ref = SourceRef("a.txt", "ab" * 32, 3, 3)
    assert TableIssue("表1", "column", "表1: column(s) not understood", ref).kind == "column"
    with pytest.raises(ValueError, match="unknown table issue kind 'colum'"):
        TableIssue("表1", "colum", "表1: column(s) not understood", ref)
