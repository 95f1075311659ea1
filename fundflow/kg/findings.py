"""Reconciliation findings in the store, and SHACL validation of the store.

``findings_graph_triples(parsed)`` gives a document's findings graph
(``{document graph}/findings``) with one ``sh:ValidationResult`` per finding:
``sh:resultMessage``, ``sh:resultSeverity``, ``sh:sourceConstraint`` (the rule
IRI ``{base}rule/R04``), ``sh:focusNode`` (the document), ``ff:expectedAmount``,
``ff:actualAmount``, ``ff:difference`` (xsd:decimal yuan), ``ff:status`` and the
lines of both sides.  ``read_findings(store)`` reads them back with SPARQL;
``shacl_report(store)`` runs pySHACL with ``ontology/shapes.ttl`` over the
document graphs.
"""
from __future__ import annotations

from decimal import Decimal
from importlib import resources

import pyoxigraph as ox

from fundflow.checks.reconcile import reconcile
from fundflow.checks.rules import Finding, catalogue
from fundflow.core.model import ParsedDocument
from fundflow.kg import vocab
from fundflow.kg.iris import document_iri, graph_iri

SH = "http://www.w3.org/ns/shacl#"
FF = vocab.FF_NS
XSD_DEC = ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal")


def _sh(name: str) -> ox.NamedNode:
    return ox.NamedNode(SH + name)


def _ff(name: str) -> ox.NamedNode:
    return ox.NamedNode(FF + name)


def findings_graph(parsed: ParsedDocument, base: str = vocab.DEFAULT_BASE) -> ox.NamedNode:
    return ox.NamedNode(graph_iri(parsed.source.name, base).value + "/findings")


def findings_to_triples(parsed: ParsedDocument, findings: list[Finding],
                        base: str = vocab.DEFAULT_BASE) -> list[ox.Triple]:
    """Findings of one document → triples (IRIs from the document graph and the finding's position)."""
    doc = document_iri(parsed.source.sha256, base)
    g = findings_graph(parsed, base)
    out: list[ox.Triple] = []
    for i, f in enumerate(findings):
        node = ox.NamedNode(f"{g.value}/{f.rule}/{i}")
        add = lambda p, o, n=node: out.append(ox.Triple(n, p, o))
        add(ox.NamedNode(vocab.PREFIXES["rdf"] + "type"), _sh("ValidationResult"))
        add(_sh("resultMessage"), ox.Literal(f.message))
        add(_sh("resultSeverity"), _sh(f.severity if f.status == "violated" else "Info"))
        add(_sh("sourceConstraint"), ox.NamedNode(f"{base}rule/{f.rule}"))
        add(_sh("focusNode"), doc)
        add(_ff("status"), ox.Literal(f.status))
        for name, value in (("expectedAmount", f.expected), ("actualAmount", f.actual), ("difference", f.difference)):
            if value is not None:
                add(_ff(name), ox.Literal(format(value, "f"), datatype=XSD_DEC))
        for ref in f.left:
            add(_ff("expectedSource"), ox.Literal(f"{ref.table or ''} {ref}-L{ref.last_line}".strip()))
        for ref in f.right:
            add(_ff("actualSource"), ox.Literal(f"{ref.table or ''} {ref}-L{ref.last_line}".strip()))
    for rule in catalogue().values():
        r = ox.NamedNode(f"{base}rule/{rule.id}")
        out.append(ox.Triple(r, ox.NamedNode(vocab.PREFIXES["rdfs"] + "label"), ox.Literal(rule.label)))
        out.append(ox.Triple(r, ox.NamedNode(vocab.PREFIXES["rdfs"] + "comment"), ox.Literal(rule.description)))
    return out


def findings_graph_triples(parsed: ParsedDocument, base: str = vocab.DEFAULT_BASE) -> tuple[ox.NamedNode, list]:
    """Reconcile a parsed document → (its findings graph, the triples of its findings)."""
    findings = reconcile(parsed)
    return findings_graph(parsed, base), list(findings_to_triples(parsed, findings, base))


FINDINGS_QUERY = f"""PREFIX sh: <{SH}> PREFIX ff: <{FF}> PREFIX dct: <http://purl.org/dc/terms/>
SELECT ?g ?rule ?status ?severity ?message ?expected ?actual ?difference WHERE {{
  GRAPH ?g {{ ?r a sh:ValidationResult ; sh:sourceConstraint ?rule ; sh:resultSeverity ?severity ;
               sh:resultMessage ?message ; ff:status ?status .
    OPTIONAL {{ ?r ff:expectedAmount ?expected }} OPTIONAL {{ ?r ff:actualAmount ?actual }}
    OPTIONAL {{ ?r ff:difference ?difference }} }} }} ORDER BY ?g ?rule ?message"""


def read_findings(store: ox.Store) -> list[dict[str, str]]:
    """All findings in the store → rows (document, rule, status, severity, message, amounts)."""
    rows = []
    for sol in store.query(FINDINGS_QUERY):
        row = {k: (sol[k].value if sol[k] is not None else "") for k in
               ("g", "rule", "status", "severity", "message", "expected", "actual", "difference")}
        row["document"] = row.pop("g").rsplit("/findings", 1)[0].rsplit("/", 1)[-1]
        row["rule"] = row["rule"].rsplit("/", 1)[-1]
        row["severity"] = row["severity"].rsplit("#", 1)[-1]
        rows.append(row)
    return rows


def shacl_report(store: ox.Store) -> tuple[bool, str]:
    """pySHACL over the union of the store's graphs (findings graphs excluded) → (conforms, report text)."""
    import rdflib
    from pyshacl import validate

    data = rdflib.Graph()
    for graph in store.named_graphs():
        if isinstance(graph, ox.NamedNode) and graph.value.endswith("/findings"):
            continue
        nt = "\n".join(f"{q.subject} {q.predicate} {q.object} ." for q in store.quads_for_pattern(None, None, None, graph))
        data.parse(data=nt, format="nt")
    shapes = resources.files("fundflow.ontology").joinpath("shapes.ttl").read_text(encoding="utf-8")
    conforms, results, _ = validate(data, shacl_graph=rdflib.Graph().parse(data=shapes, format="turtle"),
                                    inference="none", advanced=True)
    return bool(conforms), "\n".join(_shacl_lines(results))


def _shacl_lines(results) -> list[str]:
    """The SHACL results graph → one line per (path, message, value) with its count."""
    q = f"""PREFIX sh: <{SH}> SELECT ?path ?msg ?value (COUNT(?r) AS ?n) WHERE {{
      ?r a sh:ValidationResult . OPTIONAL {{ ?r sh:resultPath ?path }} OPTIONAL {{ ?r sh:resultMessage ?msg }}
      OPTIONAL {{ ?r sh:value ?value }} }} GROUP BY ?path ?msg ?value ORDER BY DESC(?n)"""
    return [f"  {row.n} × {row.path}: {row.msg} ({row.value})" for row in results.query(q)]


def failed(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """Rows that are findings (violated, not Info)."""
    return [r for r in rows if r["status"] == "violated" and r["severity"] != "Info"]


def as_decimal(text: str) -> Decimal | None:
    return Decimal(text) if text else None
