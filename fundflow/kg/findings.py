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

from collections import Counter
from collections.abc import Iterator
from importlib import resources
from typing import TYPE_CHECKING

import pyoxigraph as ox

from fundflow.checks.reconcile import reconcile
from fundflow.checks.rules import Finding, rule_counts
from fundflow.core.model import ParsedDocument
from fundflow.kg import vocab
from fundflow.kg.iris import document_iri, graph_iri
from fundflow.kg.store import select

if TYPE_CHECKING:
    import rdflib

SH = "http://www.w3.org/ns/shacl#"
FF = vocab.FF_NS
XSD_DEC = ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal")


def _sh(name: str) -> ox.NamedNode:
    return ox.NamedNode(SH + name)


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
        add(vocab.FF("status"), ox.Literal(f.status))
        if f.measure != "yuan":
            add(vocab.FF("measure"), ox.Literal(f.measure))
        for name, value in (("expectedAmount", f.expected), ("actualAmount", f.actual), ("difference", f.difference)):
            if value is not None:
                add(vocab.FF(name), ox.Literal(format(value, "f"), datatype=XSD_DEC))
        for ref in f.left:
            add(vocab.FF("expectedSource"), ox.Literal(f"{ref.table or ''} {ref}-L{ref.last_line}".strip()))
        for ref in f.right:
            add(vocab.FF("actualSource"), ox.Literal(f"{ref.table or ''} {ref}-L{ref.last_line}".strip()))
    return out


def summary_triples(parsed: ParsedDocument, counts: dict[str, dict[str, int]],
                    base: str = vocab.DEFAULT_BASE) -> list[ox.Triple]:
    """Per rule, how many checks passed, failed and were skipped: one ``ff:RuleSummary`` node each."""
    g, doc, out = findings_graph(parsed, base), document_iri(parsed.source.sha256, base), []
    integer = ox.NamedNode(vocab.PREFIXES["xsd"] + "integer")
    for rule, n in sorted(counts.items()):
        node = ox.NamedNode(f"{g.value}/summary/{rule}")
        out += [ox.Triple(node, ox.NamedNode(vocab.PREFIXES["rdf"] + "type"), vocab.FF("RuleSummary")),
                ox.Triple(node, vocab.FF("rule"), ox.NamedNode(f"{base}rule/{rule}")),
                ox.Triple(node, _sh("focusNode"), doc)]
        out += [ox.Triple(node, vocab.FF(k), ox.Literal(str(v), datatype=integer)) for k, v in sorted(n.items())]
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


SHACL_BATCH = 100_000  # quads of document graphs validated at a time: memory is bounded by this, not by the store


def _described(store: ox.Store, graphs: list[ox.NamedNode | ox.BlankNode | ox.DefaultGraph]) -> tuple[list[str], set[str]]:
    """Graphs → N-Triples lines of the union's description of every subject they state (its triples in every
    graph but findings graphs), with the rdf:type of every IRI they point at and the store's rdfs:subClassOf
    statements; and those subjects."""
    type_ = ox.NamedNode(vocab.PREFIXES["rdf"] + "type")
    subjects: dict[ox.NamedNode | ox.BlankNode | ox.Triple, None] = {}
    for graph in graphs:
        for q in store.quads_for_pattern(None, None, None, graph):
            subjects.setdefault(q.subject)
    lines, objects = set(), set()
    for subject in subjects:
        for q in store.quads_for_pattern(subject, None, None, None):
            if isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value.endswith("/findings"):
                continue
            lines.add(f"{q.subject} {q.predicate} {q.object} .")
            if isinstance(q.object, ox.NamedNode) and q.object not in subjects:
                objects.add(q.object)
    for o in objects:
        lines.update(f"{q.subject} {q.predicate} {q.object} ." for q in store.quads_for_pattern(o, type_, None, None))
    sub_class = ox.NamedNode(vocab.PREFIXES["rdfs"] + "subClassOf")  # a value's class through its superclasses
    lines.update(f"{q.subject} {q.predicate} {q.object} ." for q in store.quads_for_pattern(None, sub_class, None, None))
    return sorted(lines), {str(s) for s in subjects}


def _batches(store: ox.Store) -> Iterator[list[ox.NamedNode | ox.BlankNode | ox.DefaultGraph]]:
    """The store's graphs but findings graphs, a few at a time: first the store's own graphs (reference graphs,
    shared, links …), then the documents' graphs, as many as make ``SHACL_BATCH`` quads."""
    graphs = sorted((g for g in store.named_graphs() if not g.value.endswith("/findings")), key=lambda g: g.value)
    own: list[ox.NamedNode | ox.BlankNode | ox.DefaultGraph] = [g for g in graphs if "/graph/_" in g.value]
    yield [ox.DefaultGraph(), *own]
    batch: list[ox.NamedNode | ox.BlankNode | ox.DefaultGraph] = []
    size = 0
    for g in graphs:
        if g in own:
            continue
        batch.append(g)
        size += sum(1 for _ in store.quads_for_pattern(None, None, None, g))
        if size >= SHACL_BATCH:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def shacl_report(store: ox.Store) -> tuple[bool, str]:
    """pySHACL over the store's graphs (findings graphs excluded) → (conforms, report text).

    The same results as one validation of the union of those graphs, with memory bounded by
    ``SHACL_BATCH``: graphs are validated a few at a time, each subject they state with its whole
    description in the union and the type of every IRI it points at (what ``sh:class`` needs); a
    result counts for the batch that states its focus node, once.
    """
    import rdflib
    from pyshacl import validate

    shapes_text = resources.files("fundflow.ontology").joinpath("shapes.ttl").read_text(encoding="utf-8")
    shapes = rdflib.Graph().parse(data=shapes_text, format="turtle")
    results: set[tuple[str, str, str, str, str]] = set()
    for batch in _batches(store):
        lines, subjects = _described(store, batch)
        if not lines:
            continue
        data = rdflib.Graph().parse(data="\n".join(lines), format="nt")
        _conforms, report, _ = validate(data, shacl_graph=shapes, inference="none", advanced=True)
        results.update(r for r in _results(report) if r[0] in subjects)
    return not results, "\n".join(_shacl_lines(results))


def _results(report: rdflib.Graph) -> Iterator[tuple[str, str, str, str, str]]:
    """A SHACL results graph → (focus node as N-Triples, path, message, value, constraint) per result."""
    q = f"""PREFIX sh: <{SH}> SELECT ?focus ?path ?msg ?value ?shape WHERE {{
      ?r a sh:ValidationResult ; sh:focusNode ?focus . OPTIONAL {{ ?r sh:resultPath ?path }}
      OPTIONAL {{ ?r sh:resultMessage ?msg }} OPTIONAL {{ ?r sh:value ?value }}
      OPTIONAL {{ ?r sh:sourceConstraintComponent ?shape }} }}"""
    for focus, path, msg, value, shape in report.query(q):  # type: ignore[misc]
        yield focus.n3(), str(path), str(msg), str(value), str(shape)


def _shacl_lines(results: set[tuple[str, str, str, str, str]]) -> list[str]:
    """SHACL results → one line per (path, message, value) with its count, the most frequent first."""
    counts = Counter((path, msg, value) for _focus, path, msg, value, _shape in results)
    return [f"  {n} × {path}: {msg} ({value})" for (path, msg, value), n in sorted(counts.items(),
                                                                                 key=lambda kv: (-kv[1], kv[0]))]
