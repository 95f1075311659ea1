"""Triples → compact JSON-LD with the fundflow ``@context`` (shipped as ``ontology/context.jsonld``).

``build_context()`` derives the context from the ontology: every ``ff:`` property
is a term of its local name (``amount``, ``implementingUnit``), object properties
take IRIs (``"@type": "@id"``), datatype properties with a range coerce their
values (``amount`` → ``xsd:decimal``, so ``"1245240000.00"`` needs no value
object); labels are language maps (``{"zh": …, "en": …}``); prefixes cover the
W3C vocabularies and ``id:`` the instance base.  ``triples_to_jsonld(triples)``
writes one node object per subject under ``@graph``; a value that does not fit
its term's definition is written under the prefixed IRI (``ff:amount``) as a
value object, so nothing is lost or changed: expanding the output gives back
exactly the input triples.  ``python -m fundflow.kg.jsonld`` rewrites the
shipped context file from the ontology.
"""
from __future__ import annotations

import json
from collections import defaultdict
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from fundflow.kg.vocab import DEFAULT_BASE, FF_NS, PREFIXES

RDF_TYPE = PREFIXES["rdf"] + "type"
XSD_STRING = PREFIXES["xsd"] + "string"
LANG_STRING = PREFIXES["rdf"] + "langString"
# W3C terms the graph uses, with how their values are written
STANDARD_TERMS = {
    "label": ("rdfs:label", "@language"), "comment": ("rdfs:comment", "@language"),
    "prefLabel": ("skos:prefLabel", "@language"), "altLabel": ("skos:altLabel", "@language"),
    "notation": ("skos:notation", None), "broader": ("skos:broader", "@id"), "inScheme": ("skos:inScheme", "@id"),
    "topConceptOf": ("skos:topConceptOf", "@id"), "wasDerivedFrom": ("prov:wasDerivedFrom", "@id"),
    "subOrganizationOf": ("org:subOrganizationOf", "@id"), "sameAs": ("owl:sameAs", "@id"),
    "title": ("dct:title", None), "publisher": ("dct:publisher", "@id"),
    "resultMessage": ("sh:resultMessage", None), "resultSeverity": ("sh:resultSeverity", "@id"),
    "focusNode": ("sh:focusNode", "@id"), "sourceConstraint": ("sh:sourceConstraint", "@id"),
}


def _ontology_properties() -> list[tuple[str, str, str | None]]:
    """(local name, kind, range IRI) of every ff: property declared in ``ontology/fundflow.ttl``."""
    owl = PREFIXES["owl"]
    text = resources.files("fundflow.ontology").joinpath("fundflow.ttl").read_bytes()
    quads = list(ox.parse(text, format=ox.RdfFormat.TURTLE))
    kinds = {q.subject.value: q.object.value.rsplit("#", 1)[-1] for q in quads
             if q.predicate.value == RDF_TYPE and q.object.value in (owl + "ObjectProperty", owl + "DatatypeProperty")}
    ranges = {q.subject.value: q.object.value for q in quads if q.predicate.value == PREFIXES["rdfs"] + "range"}
    return sorted((iri[len(FF_NS):], kind, ranges.get(iri)) for iri, kind in kinds.items() if iri.startswith(FF_NS))


def build_context(base: str = DEFAULT_BASE) -> dict[str, Any]:
    """The ``@context`` object: prefixes, ``id:`` → ``base``, one term per ontology and W3C property."""
    ctx: dict[str, Any] = {"@version": 1.1, **PREFIXES, "id": base}
    for local, kind, rng in _ontology_properties():
        term: dict[str, Any] = {"@id": f"ff:{local}"}
        if kind == "ObjectProperty":
            term["@type"] = "@id"
        elif rng and rng.startswith(PREFIXES["xsd"]) and rng != XSD_STRING:
            term["@type"] = "xsd:" + rng[len(PREFIXES["xsd"]):]
        ctx[local] = term
    for name, (iri, how) in STANDARD_TERMS.items():
        if name in ctx:
            continue
        term = {"@id": iri}
        if how == "@id":
            term["@type"] = "@id"
        elif how == "@language":
            term["@container"] = "@language"
        ctx[name] = term
    return ctx


@cache
def shipped_context() -> dict[str, Any]:
    """The context file shipped with the package (``ontology/context.jsonld``)."""
    text = resources.files("fundflow.ontology").joinpath("context.jsonld").read_text(encoding="utf-8")
    return json.loads(text)["@context"]


class Compactor:
    """Writes terms and values against one context (the inverse of JSON-LD expansion for what it writes)."""

    def __init__(self, context: dict[str, Any]):
        self.prefixes = sorted(((k, v) for k, v in context.items() if isinstance(v, str) and v[-1:] in "#/"),
                               key=lambda kv: -len(kv[1]))
        self.terms: dict[str, tuple[str, dict[str, Any]]] = {}
        for name, term in context.items():
            if isinstance(term, dict) and "@id" in term:
                self.terms[self.expand(term["@id"])] = (name, term)

    def expand(self, compact: str) -> str:
        prefix, _, local = compact.partition(":")
        for name, iri in self.prefixes:
            if name == prefix:
                return iri + local
        return compact

    def iri(self, iri: str) -> str:
        """An IRI as a compact IRI (``ff:Central``, ``id:unit/…``) where a prefix fits."""
        for name, ns in self.prefixes:
            if iri.startswith(ns) and len(iri) > len(ns) and not iri[len(ns):].startswith("//"):
                return f"{name}:{iri[len(ns):]}"
        return iri

    def node_ref(self, term: ox.NamedNode | ox.BlankNode) -> str:
        return f"_:{term.value}" if isinstance(term, ox.BlankNode) else self.iri(term.value)

    def fits(self, definition: dict[str, Any], obj: Any) -> bool:
        """Whether ``obj`` can be written as a bare value of a term with this definition."""
        if definition.get("@type") == "@id":
            return not isinstance(obj, ox.Literal)
        if definition.get("@container") == "@language":
            return isinstance(obj, ox.Literal) and obj.language is not None
        if "@type" in definition:
            return isinstance(obj, ox.Literal) and obj.datatype.value == self.expand(definition["@type"])
        return False

    def bare(self, definition: dict[str, Any], obj: Any) -> Any:
        if definition.get("@type") == "@id":
            return self.node_ref(obj)
        return obj.value

    def value_object(self, obj: Any) -> Any:
        """A value without coercion: IRI → {"@id"}, plain string as is, typed/lang literal → value object."""
        if not isinstance(obj, ox.Literal):
            return {"@id": self.node_ref(obj)}
        if obj.language:
            return {"@value": obj.value, "@language": obj.language}
        if obj.datatype.value == XSD_STRING:
            return obj.value
        return {"@value": obj.value, "@type": self.iri(obj.datatype.value)}

    def properties(self, node: dict[str, Any], predicate: str, objects: list[Any]) -> None:
        """Add ``predicate``'s objects to ``node`` under its term when they all fit, else under the prefixed IRI."""
        name, definition = self.terms.get(predicate, (None, {}))
        objects = sorted(objects, key=str)
        if name and all(self.fits(definition, o) for o in objects):
            if definition.get("@container") == "@language":
                by_lang: dict[str, list[str]] = defaultdict(list)
                for o in objects:
                    by_lang[o.language].append(o.value)
                node[name] = {lang: v[0] if len(v) == 1 else v for lang, v in sorted(by_lang.items())}
                return
            values = [self.bare(definition, o) for o in objects]
        else:
            name, values = self.iri(predicate), [self.value_object(o) for o in objects]
        node[name] = values[0] if len(values) == 1 else values


def triples_to_jsonld(triples: list[ox.Triple], context: dict[str, Any] | None = None,
                      context_ref: str | None = None) -> dict[str, Any]:
    """Triples → a compact JSON-LD document ``{"@context": …, "@graph": [node, …]}``.

    ``context`` defaults to the shipped one and is embedded; ``context_ref``
    (a URL) is written instead of the embedded context when given.
    """
    ctx = context or shipped_context()
    c = Compactor(ctx)
    by_subject: dict[Any, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
    for t in triples:
        by_subject[t.subject][t.predicate.value].append(t.object)
    graph = []
    for subject in sorted(by_subject, key=str):
        node: dict[str, Any] = {"@id": c.node_ref(subject)}
        props = by_subject[subject]
        types = props.pop(RDF_TYPE, [])
        if types and all(not isinstance(o, ox.Literal) for o in types):
            kinds = sorted(c.node_ref(o) for o in types)
            node["@type"] = kinds[0] if len(kinds) == 1 else kinds
        elif types:
            props[RDF_TYPE] = types
        for predicate in sorted(props):
            c.properties(node, predicate, props[predicate])
        graph.append(node)
    return {"@context": context_ref or ctx, "@graph": graph}


def write_context(path: Path) -> None:
    """Write the context built from the ontology to ``path`` (the shipped file)."""
    path.write_text(json.dumps({"@context": build_context()}, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    write_context(Path(str(resources.files("fundflow.ontology").joinpath("context.jsonld"))))
