"""Findings → triples in the store and back; the store → its SHACL validation report.

``findings_graph_triples(parsed)`` gives a document's findings graph
(``{document graph}/findings``) with one ``sh:ValidationResult`` per finding:
``sh:resultMessage``, ``sh:resultSeverity``, ``sh:sourceConstraint`` (the rule
IRI ``{base}rule/R04``, whose label and description the store's rules graph
states once), ``sh:focusNode`` (the document), ``ff:expectedAmount``,
``ff:actualAmount``, ``ff:difference`` (xsd:decimal yuan), ``ff:status`` and the
lines of both sides.  ``read_findings(store)`` reads them back with SPARQL;
``shacl_report(store)`` runs pySHACL with ``ontology/shapes.ttl`` over the
document graphs.
"""
from __future__ import annotations

from importlib import resources

import pyoxigraph as ox

from fundflow.checks.reconcile import reconcile
from fundflow.checks.rules import Finding, rule_counts
from fundflow.core.model import ParsedDocument
from fundflow.kg import vocab
from fundflow.kg.iris import document_iri, graph_iri
from fundflow.kg.store import select

SH = "http://www.w3.org/ns/shacl#"
FF = vocab.FF_NS
XSD_DEC = ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal")


def _sh(name: str) -> ox.NamedNode:
    return ox.NamedNode(SH + name)


def _ff(name: str) -> ox.NamedNode:
    return ox.NamedNode(FF + name)


def findings_graph(parsed: ParsedDocument, base: str = vocab.DEFAULT_BASE) -> ox.NamedNode:
    return findings_graph_of(graph_iri(parsed.source.name, base))


def findings_graph_of(graph: ox.NamedNode) -> ox.NamedNode:
    """The findings graph that goes with a document's graph."""
    return ox.NamedNode(graph.value + "/findings")


def findings_to_triples(parsed: ParsedDocument, findings: list[Finding],
                        base: str = vocab.DEFAULT_BASE) -> list[ox.Triple]:
    """Findings of one document → triples (IRIs from the document graph and the finding's position)."""
    doc = document_iri(parsed.source.sha256, base)
    g = findings_graph(parsed, base)
    out: list[ox.Triple] = []
    for i, f in enumerate(findings):
        node = ox.NamedNode(f"{g.value}/{f.rule}/{i}")
        def add(p, o, n=node) -> None:
            out.append(ox.Triple(n, p, o))
        add(ox.NamedNode(vocab.PREFIXES["rdf"] + "type"), _sh("ValidationResult"))
        add(_sh("resultMessage"), ox.Literal(f.message))
        add(_sh("resultSeverity"), _sh(f.severity if f.status == "violated" else "Info"))
        add(_sh("sourceConstraint"), ox.NamedNode(f"{base}rule/{f.rule}"))
        add(_sh("focusNode"), doc)
        add(_ff("status"), ox.Literal(f.status))
        if f.measure != "yuan":
            add(_ff("measure"), ox.Literal(f.measure))
        for name, value in (("expectedAmount", f.expected), ("actualAmount", f.actual), ("difference", f.difference)):
            if value is not None:
                add(_ff(name), ox.Literal(format(value, "f"), datatype=XSD_DEC))
        for ref in f.left:
            add(_ff("expectedSource"), ox.Literal(f"{ref.table or ''} {ref}-L{ref.last_line}".strip()))
        for ref in f.right:
            add(_ff("actualSource"), ox.Literal(f"{ref.table or ''} {ref}-L{ref.last_line}".strip()))
    return out


def summary_triples(parsed: ParsedDocument, counts: dict[str, dict[str, int]],
                    base: str = vocab.DEFAULT_BASE) -> list[ox.Triple]:
    """Per rule, how many checks passed, failed and were skipped: one ``ff:RuleSummary`` node each."""
    g, doc, out = findings_graph(parsed, base), document_iri(parsed.source.sha256, base), []
    integer = ox.NamedNode(vocab.PREFIXES["xsd"] + "integer")
    for rule, n in sorted(counts.items()):
        node = ox.NamedNode(f"{g.value}/summary/{rule}")
        out += [ox.Triple(node, ox.NamedNode(vocab.PREFIXES["rdf"] + "type"), _ff("RuleSummary")),
                ox.Triple(node, _ff("rule"), ox.NamedNode(f"{base}rule/{rule}")), ox.Triple(node, _sh("focusNode"), doc)]
        out += [ox.Triple(node, _ff(k), ox.Literal(str(v), datatype=integer)) for k, v in sorted(n.items())]
    return out


def findings_graph_triples(parsed: ParsedDocument, base: str = vocab.DEFAULT_BASE) -> tuple[ox.NamedNode, list]:
    """Reconcile a parsed document → (its findings graph, the triples of its findings and per-rule counts)."""
    checked = reconcile(parsed, include_held=True)
    findings = [f for f in checked if f.status != "held"]
    triples = findings_to_triples(parsed, findings, base) + summary_triples(parsed, rule_counts(checked), base)
    return findings_graph(parsed, base), triples


FINDINGS_QUERY = f"""PREFIX sh: <{SH}> PREFIX ff: <{FF}>
SELECT ?g ?rule ?status ?message ?expected ?actual ?difference ?left ?right ?unit ?measure WHERE {{
  GRAPH ?g {{ ?r a sh:ValidationResult ; sh:sourceConstraint ?rule ; sh:resultMessage ?message ; ff:status ?status ;
               sh:focusNode ?d .
    OPTIONAL {{ ?r ff:expectedAmount ?expected }} OPTIONAL {{ ?r ff:actualAmount ?actual }}
    OPTIONAL {{ ?r ff:difference ?difference }} OPTIONAL {{ ?r ff:measure ?measure }}
    OPTIONAL {{ SELECT ?r (GROUP_CONCAT(?e; separator="|") AS ?left) WHERE {{ ?r ff:expectedSource ?e }} GROUP BY ?r }}
    OPTIONAL {{ SELECT ?r (GROUP_CONCAT(?a; separator="|") AS ?right) WHERE {{ ?r ff:actualSource ?a }} GROUP BY ?r }} }}
  OPTIONAL {{ ?d ff:moneyUnit ?unit }} }} ORDER BY ?g ?rule ?message"""
SUMMARY_QUERY = f"""PREFIX sh: <{SH}> PREFIX ff: <{FF}>
SELECT ?g ?rule ?passed ?failed ?skipped WHERE {{ GRAPH ?g {{ ?s a ff:RuleSummary ; ff:rule ?rule ;
  ff:passed ?passed ; ff:failed ?failed ; ff:skipped ?skipped }} }} ORDER BY ?g ?rule"""


def _document(graph: str) -> str:
    return graph.rsplit("/findings", 1)[0].rsplit("/", 1)[-1]


def read_findings(store: ox.Store) -> list[dict[str, str]]:
    """All findings in the store → rows (document, rule id, status word, message, yuan amounts, both sides' refs)."""
    rows = []
    for sol in select(store, FINDINGS_QUERY, use_default_graph_as_union=True):
        row = {k: (sol[k].value if sol[k] is not None else "") for k in
               ("g", "rule", "status", "message", "expected", "actual", "difference", "left", "right", "unit",
                "measure")}
        row["document"] = _document(row.pop("g"))
        row["rule"] = row["rule"].rsplit("/", 1)[-1]
        rows.append(row)
    return rows


def read_rule_counts(store: ox.Store) -> dict[tuple[str, str], dict[str, int]]:
    """(document, rule id) → {"passed", "failed", "skipped"} as counted at ingest."""
    return {(_document(s["g"].value), s["rule"].value.rsplit("/", 1)[-1]):
            {k: int(s[k].value) for k in ("passed", "failed", "skipped")} for s in select(store, SUMMARY_QUERY)}


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
