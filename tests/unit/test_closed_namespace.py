"""``ff:`` is closed: only terms ``ontology/fundflow.ttl`` declares can be made or written anywhere.

Terms are gathered from what ships — the bundled queries (parsed as SPARQL, so a term written
as a full IRI counts too), the SHACL shapes, the JSON-LD context, the SPARQL of the HTML
templates and of the Python modules — and each must be declared with a Chinese and an
English label.  A query that says ``ff:amout`` fails here, naming the file.
"""
import json
import re
from importlib import resources
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.paths import Path as PropertyPath
from rdflib.plugins.sparql import algebra, parser

import fundflow
from fundflow.kg import vocab
from fundflow.kg.vocab import FF, FF_NS, PREFIXES, UndeclaredTerm, declared_terms

PACKAGE = Path(fundflow.__file__).parent
QUERIES = sorted((PACKAGE / "kg" / "queries").glob("*.rq"))
# ff:term in running text: SPARQL held in Python strings and HTML pages, FF("term") in code
WRITTEN = re.compile(r"\bff:([A-Za-z][A-Za-z0-9_]*)|\bFF\(\"([A-Za-z][A-Za-z0-9_]*)\"\)")


def _walk(node) -> set[str]:
    """Every ``ff:`` local name in a translated SPARQL algebra (nested CompValues, lists, sets, terms)."""
    if isinstance(node, rdflib.URIRef):
        return {node[len(FF_NS):]} if node.startswith(FF_NS) else set()
    if isinstance(node, dict):
        node = list(node.values())
    elif isinstance(node, PropertyPath):  # ff:implementingUnit/rdfs:label, ff:partOf+
        node = list(vars(node).values())
    if isinstance(node, list | tuple | set | frozenset):
        return set().union(*(_walk(n) for n in node)) if node else set()
    return set()


def query_terms(text: str) -> set[str]:
    """A SPARQL query (the PREFIX lines may be left out, as for bundled queries) → the ff: names it uses."""
    parsed = parser.parseQuery(text)
    return _walk(algebra.translateQuery(parsed, initNs={k: rdflib.Namespace(v) for k, v in PREFIXES.items()}).algebra)


def turtle_terms(data: bytes) -> set[str]:
    return {t.value[len(FF_NS):] for q in ox.parse(data, format=ox.RdfFormat.TURTLE)
            for t in (q.subject, q.predicate, q.object) if isinstance(t, ox.NamedNode) and t.value.startswith(FF_NS)}


def context_terms(context: dict) -> set[str]:
    ids = [v if isinstance(v, str) else v.get("@id", "") if isinstance(v, dict) else ""
           for k, v in context.items() if k != "ff"]
    return {i.removeprefix("ff:") for i in ids if i.startswith("ff:")} | {
        i[len(FF_NS):] for i in ids if i.startswith(FF_NS)}


def written_terms(text: str) -> set[str]:
    return {a or b for a, b in WRITTEN.findall(text)} - {""}


def _undeclared(terms: set[str]) -> list[str]:
    return sorted(terms - declared_terms())


def test_an_undeclared_name_raises_and_names_the_nearest_term():
    with pytest.raises(UndeclaredTerm, match=r"ff:amout is not declared .*did you mean ff:amount\?"):
        FF("amout")
    with pytest.raises(UndeclaredTerm, match="ff:Projects"):
        vocab.FF("Projects")
    assert FF("amount") == ox.NamedNode(FF_NS + "amount") and "amount" in FF and "amout" not in FF


def test_the_declared_list_is_read_from_the_ontology():
    data = resources.files("fundflow.ontology").joinpath("fundflow.ttl").read_bytes()
    assert declared_terms() == turtle_terms(data) - {""}
    assert {"BudgetLine", "amount", "Central", "Total", "GeneralPublicBudget", "RuleSummary"} <= declared_terms()


def test_every_declared_term_has_a_chinese_and_an_english_label():
    g = rdflib.Graph().parse(data=resources.files("fundflow.ontology").joinpath("fundflow.ttl").read_text(
        encoding="utf-8"), format="turtle")
    missing = []
    for local in sorted(declared_terms()):
        langs = {label.language for label in g.objects(rdflib.URIRef(FF_NS + local), rdflib.RDFS.label)}
        if not {"zh", "en"} <= langs:
            missing.append(local)
    assert missing == []


@pytest.mark.parametrize("path", QUERIES, ids=lambda p: p.name)
def test_bundled_query_uses_only_declared_terms(path):
    text = path.read_text(encoding="utf-8")
    terms = query_terms(text)
    assert terms >= written_terms(text), f"{path.name}: the parse lost a term the text shows"
    assert _undeclared(terms) == [], path.name


def test_shapes_use_only_declared_terms():
    terms = turtle_terms(resources.files("fundflow.ontology").joinpath("shapes.ttl").read_bytes())
    assert {"SourceSpan", "firstLine", "issueKind"} <= terms
    assert _undeclared(terms) == []


def test_jsonld_context_uses_only_declared_terms():
    context = json.loads(resources.files("fundflow.ontology").joinpath("context.jsonld").read_text(
        encoding="utf-8"))["@context"]
    terms = context_terms(context)
    assert {"amount", "implementingUnit", "expectedAmount"} <= terms
    assert _undeclared(terms) == []


@pytest.mark.parametrize("path", [*sorted((PACKAGE / "data").glob("*.html")), *sorted(PACKAGE.rglob("*.py"))],
                         ids=lambda p: str(p.relative_to(PACKAGE)))
def test_templates_and_modules_use_only_declared_terms(path):
    assert _undeclared(written_terms(path.read_text(encoding="utf-8"))) == [], path.name


def test_a_misspelt_term_is_caught_in_every_form():
    """The gatherers above find a misspelling however it is written, so the tests fail on one."""
    assert _undeclared(query_terms("SELECT ?a WHERE { ?p a ff:Project ; ff:amout ?a }")) == ["amout"]
    assert _undeclared(query_terms(f"SELECT ?a WHERE {{ ?p <{FF_NS}amout> ?a }}")) == ["amout"]
    assert _undeclared(query_terms("SELECT ?u WHERE { ?p ff:implementingUnit/ff:labl ?u }")) == ["labl"]
    assert _undeclared(query_terms("ASK { ?p ff:amount ?a FILTER(?a > 0 && EXISTS { ?p ff:amout ?b }) }")) == [
        "amout"]
    assert _undeclared(turtle_terms(b"@prefix ff: <https://w3id.org/fundflow#> . ff:x ff:amout 1 .")) == [
        "amout", "x"]
    assert _undeclared(context_terms({"ff": FF_NS, "amout": {"@id": "ff:amout"}})) == ["amout"]
    assert _undeclared(written_terms('q = "?p ff:amout ?a"; t = FF("Projekt")')) == ["Projekt", "amout"]
