"""Local names and values → IRIs and literals: the namespaces and term helpers shared by the RDF stages.

Terms are pyoxigraph ``NamedNode``s; ``FF("Project")`` → ``ff:Project``.  ``ff:`` is
closed: ``FF`` makes only the terms ``ontology/fundflow.ttl`` declares (gives a type),
and raises ``UndeclaredTerm`` for any other name, so a misspelt name (``amout``)
fails where it is written (at import, for a module-level term) instead of minting
a term no query reads.  The prefix table is also handed to SPARQL queries and
serialisers so that bundled and user queries may omit the usual PREFIX lines.
"""
from __future__ import annotations

import difflib
from decimal import Decimal
from functools import cache
from importlib import resources

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


class UndeclaredTerm(LookupError):
    """A name the ontology does not declare was asked of a closed namespace."""


@cache
def declared_terms() -> frozenset[str]:
    """Local names of the ``ff:`` terms ``ontology/fundflow.ttl`` declares: every subject given an ``rdf:type``."""
    data = resources.files("fundflow.ontology").joinpath("fundflow.ttl").read_bytes()
    rdf_type = PREFIXES["rdf"] + "type"
    return frozenset(q.subject.value[len(FF_NS):] for q in ox.parse(data, format=ox.RdfFormat.TURTLE)
                     if q.predicate.value == rdf_type and isinstance(q.subject, ox.NamedNode)
                     and q.subject.value.startswith(FF_NS))


class ClosedNamespace(Namespace):
    """A namespace whose terms are listed: ``FF("amount")`` → ``ff:amount``, a name not listed → ``UndeclaredTerm``."""

    def __init__(self, iri: str, prefix: str):
        super().__init__(iri)
        self.prefix = prefix

    def __contains__(self, local: object) -> bool:
        return local in declared_terms()

    def __call__(self, local: str) -> ox.NamedNode:
        if local not in self:
            near = difflib.get_close_matches(local, sorted(declared_terms()), n=1)
            hint = f" (did you mean {self.prefix}:{near[0]}?)" if near else ""
            raise UndeclaredTerm(f"{self.prefix}:{local} is not declared in ontology/fundflow.ttl{hint}: "
                                 "declare it there, with its rdfs:label, before using it")
        return super().__call__(local)


FF = ClosedNamespace(FF_NS, "ff")
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
