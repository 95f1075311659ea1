"""Records → RDF triples; the only module that mints instance IRIs.

``records_to_triples(parsed, base)`` maps every record of a ``ParsedDocument``
to pyoxigraph ``Triple``s following the data contract of the ontology
(``ontology/fundflow.ttl``).  IRIs are deterministic functions of stable keys
(document sha256, unit code + region, code notation, project name + unit +
year, record position), so re-ingesting a document yields the same IRIs.
"""
from __future__ import annotations

from urllib.parse import quote

import pyoxigraph as ox

from fundflow.core.model import UnitInfo
from fundflow.core.regions import region6
from fundflow.kg import vocab as v

# ------------------------------------------------------------------ IRIs


def key(text: str) -> str:
    """A name as an IRI path segment (UTF-8 percent-encoded, whitespace collapsed)."""
    return quote(" ".join(text.split()), safe="")


def graph_iri(file_name: str, base: str = v.DEFAULT_BASE) -> ox.NamedNode:
    """Named graph of a source document, keyed on its file name (a changed file replaces it)."""
    return ox.NamedNode(f"{base}graph/{key(file_name)}")


def system_graph_iri(name: str, base: str = v.DEFAULT_BASE) -> ox.NamedNode:
    """A graph of the store's own → ``{base}graph/_{name}``: the reference graphs ("ontology", "codes", "rules")
    and the graphs that span documents ("shared", "links")."""
    return ox.NamedNode(f"{base}graph/_{name}")


def document_iri(sha256: str, base: str = v.DEFAULT_BASE) -> ox.NamedNode:
    return ox.NamedNode(f"{base}document/{sha256}")


def code_iri(scheme: str, notation: str, base: str = v.DEFAULT_BASE) -> ox.NamedNode:
    """``("function", "2101202")`` → ``{base}code/function/2101202``; KeyError for an unknown scheme."""
    return ox.NamedNode(f"{base}code/{v.CODE_SCHEMES[scheme][0]}/{notation}")


def region_iri(code: str, base: str = v.DEFAULT_BASE) -> ox.NamedNode:
    return ox.NamedNode(f"{base}region/{code}")


def unit_iri(unit: UnitInfo, region: str | None, base: str = v.DEFAULT_BASE) -> ox.NamedNode:
    """A budget unit: by region + unit code when printed (codes repeat across regions), else by name."""
    reg = region6(unit.region_code) or region
    if unit.code:
        return ox.NamedNode(f"{base}unit/{reg}-{unit.code}" if reg else f"{base}unit/{unit.code}")
    return ox.NamedNode(f"{base}unit/name/{key(unit.name)}")


def department_iri(name: str, base: str = v.DEFAULT_BASE) -> ox.NamedNode:
    return ox.NamedNode(f"{base}department/{key(name)}")


def project_iri(name: str, unit: ox.NamedNode, year: int | None, kind: str, base: str = v.DEFAULT_BASE,
                repeat: int | None = None) -> ox.NamedNode:
    """A project by document kind + year + implementing unit + name (budget and 决算 stay apart).

    ``repeat`` tells apart a second row of the same name in one document (its record position).
    """
    unit_local = unit.value[len(base):] if unit.value.startswith(base) else key(unit.value)
    tail = f"/{repeat}" if repeat is not None else ""
    return ox.NamedNode(f"{base}project/{kind}/{year or 'unknown'}/{unit_local}/{key(name)}{tail}")


def record_iri(kind: str, sha256: str, position: int | str, base: str = v.DEFAULT_BASE) -> ox.NamedNode:
    """A record of a document by its kind and position: ``{base}line/{sha256[:16]}-12``."""
    return ox.NamedNode(f"{base}{kind}/{sha256[:16]}-{position}")


def edition_iri(concept: ox.NamedNode, year: int | str) -> ox.NamedNode:
    """The name a code concept was printed with in one fiscal year (``…/label/2018``)."""
    return ox.NamedNode(f"{concept.value}/label/{year}")


def treasury_iri(region_code: str, base: str = v.DEFAULT_BASE) -> ox.NamedNode:
    """The treasury (财政) of a government by its region code: ``{base}treasury/210000`` = 辽宁省财政."""
    return ox.NamedNode(f"{base}treasury/{region_code}")


SHARED_KINDS = ("unit/", "department/", "region/", "code/", "project/", "treasury/")


def is_shared(triple: ox.Triple, base: str = v.DEFAULT_BASE) -> bool:
    """True for a fact about an entity several documents may describe (unit, department, region, code, project).

    Such triples are kept once in a shared graph: the store's union of graphs
    would otherwise repeat them once per document and multiply query rows.
    Provenance links stay with the document.
    """
    def shared_node(term) -> bool:
        value = term.value if isinstance(term, ox.NamedNode) else ""
        return value.startswith(base) and value[len(base):].startswith(SHARED_KINDS)

    obj = triple.object
    # A link from a shared entity to a node of one document (its indicator, its
    # budget line) belongs to that document: it must go when the document changes.
    own_object = isinstance(obj, ox.BlankNode) or (
        isinstance(obj, ox.NamedNode) and obj.value.startswith(base) and not shared_node(obj))
    return shared_node(triple.subject) and triple.predicate != v.PROV("wasDerivedFrom") and not own_object
