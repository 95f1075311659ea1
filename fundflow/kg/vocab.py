"""Local names and values → IRIs and literals: the namespaces and term helpers shared by the RDF stages.

Terms are pyoxigraph ``NamedNode``s; ``FF("Project")`` → ``ff:Project``.  The
prefix table is also handed to SPARQL queries and serialisers so that bundled
and user queries may omit the usual PREFIX lines.
"""
from __future__ import annotations

from decimal import Decimal

import pyoxigraph as ox

FF_NS = "https://w3id.org/fundflow#"
DEFAULT_BASE = "https://w3id.org/fundflow/id/"

PREFIXES: dict[str, str] = {
    "ff": FF_NS,
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "prov": "http://www.w3.org/ns/prov#",
    "org": "http://www.w3.org/ns/org#",
    "qb": "http://purl.org/linked-data/cube#",
    "dct": "http://purl.org/dc/terms/",
    "dcat": "http://www.w3.org/ns/dcat#",
    "sh": "http://www.w3.org/ns/shacl#",
}


class Namespace:
    """``Namespace(iri)("term")`` → ``NamedNode(iri + "term")``."""

    def __init__(self, iri: str):
        self.iri = iri

    def __call__(self, local: str) -> ox.NamedNode:
        return ox.NamedNode(self.iri + local)


FF = Namespace(FF_NS)
RDF = Namespace(PREFIXES["rdf"])
RDFS = Namespace(PREFIXES["rdfs"])
XSD = Namespace(PREFIXES["xsd"])
SKOS = Namespace(PREFIXES["skos"])
PROV = Namespace(PREFIXES["prov"])
ORG = Namespace(PREFIXES["org"])
QB = Namespace(PREFIXES["qb"])
DCT = Namespace(PREFIXES["dct"])
OWL = Namespace(PREFIXES["owl"])

A = RDF("type")


def decimal(value: Decimal) -> ox.Literal:
    """Exact ``xsd:decimal`` literal (``Decimal("1245240000.00")`` stays as printed)."""
    text = format(value, "f")
    return ox.Literal(text, datatype=XSD("decimal"))


def integer(value: int) -> ox.Literal:
    return ox.Literal(str(int(value)), datatype=XSD("integer"))


def boolean(value: bool) -> ox.Literal:
    return ox.Literal("true" if value else "false", datatype=XSD("boolean"))


def year(value: int) -> ox.Literal:
    return ox.Literal(f"{int(value):04d}", datatype=XSD("gYear"))


def zh(text: str) -> ox.Literal:
    return ox.Literal(text, language="zh")


def en(text: str) -> ox.Literal:
    return ox.Literal(text, language="en")


def text(value: str) -> ox.Literal:
    return ox.Literal(value)


# Code scheme of a BudgetLine → (IRI path segment, ConceptScheme term).
CODE_SCHEMES: dict[str, tuple[str, str]] = {
    "function": ("function", "FunctionClassification"),
    "econ_dept": ("econ-dept", "EconomicClassificationDepartment"),
    "econ_gov": ("econ-gov", "EconomicClassificationGovernment"),
}
