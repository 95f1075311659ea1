"""Store → a DCAT catalog (DCAT-AP 3.0.0) of what it holds, and the files the catalog points at.

``build_catalog(store, base)`` → ``rdflib.Graph``: one ``dcat:Catalog`` with one
``dcat:Dataset`` per source document plus one for the whole graph; each has
Turtle, TriG and CSV ``dcat:Distribution``s whose download URLs are
``{base}exports/…`` (the layout written by ``write_distributions``).
``conformance(graph)`` checks the catalog against the bundled DCAT-AP 3.0.0
SHACL shapes (``ontology/dcat-ap-3.0.0-shacl.ttl``, published by the EU's SEMIC).
Controlled vocabularies are those DCAT-AP recommends: EU data themes,
languages and file types, IANA media types.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import pyoxigraph as ox
import rdflib
from rdflib import RDF, RDFS, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, SKOS, XSD

from fundflow.kg import vocab
from fundflow.kg.export import export_store
from fundflow.kg.iris import graph_iri, key, system_graph_iri
from fundflow.kg.query import load_query
from fundflow.kg.store import select
from fundflow.outputs.frames import solutions_to_rows
from fundflow.outputs.sheets import rows_to_csv

DEFAULT_PUBLIC_BASE = "https://w3id.org/fundflow/"
DEFAULT_LICENSE = "https://creativecommons.org/licenses/by/4.0/"
EU = "http://publications.europa.eu/resource/authority/"
IANA = "https://www.iana.org/assignments/media-types/"
ORG = rdflib.Namespace(vocab.PREFIXES["org"])

# distribution kind → (file suffix, IANA media type, EU file type, label)
KINDS = {
    "turtle": (".ttl", "text/turtle", "RDF_TURTLE", "Turtle"),
    "trig": (".trig", "application/trig", "RDF_TRIG", "TriG"),
    "csv": (".csv", "text/csv", "CSV", "CSV"),
}
KIND_ZH = {"Budget": "预算", "FinalAccounts": "决算"}
SCOPE_ZH = {"department": "部门", "unit": "单位"}

DOCUMENTS = """
SELECT ?d ?file ?year ?kind ?title ?scope ?sha ?pub ?pubName ?region ?regionName WHERE {
  ?d a ff:Document ; ff:fileName ?file ; ff:sha256 ?sha .
  OPTIONAL { ?d ff:fiscalYear ?year } OPTIONAL { ?d ff:documentKind ?kind }
  OPTIONAL { ?d dct:title ?title } OPTIONAL { ?d ff:scope ?scope }
  OPTIONAL { ?d dct:publisher ?pub OPTIONAL { ?pub rdfs:label ?pubName } }
  OPTIONAL { ?d ff:region ?region OPTIONAL { ?region rdfs:label ?regionName } }
} ORDER BY ?file"""


@dataclass(frozen=True)
class DocInfo:
    """What the catalog says about one source document (read from its ``ff:Document`` node)."""

    file: str
    sha256: str
    year: str | None
    kind: str  # "Budget" | "FinalAccounts"
    scope: str | None
    title: str | None
    publisher: str | None
    publisher_name: str | None
    region: str | None
    region_name: str | None

    @property
    def stem(self) -> str:
        return Path(self.file).stem

    def heading(self) -> str:
        """``沈阳市医疗保障局 2024年单位预算`` — built from the metadata, since printed titles are often a section heading."""
        who = self.publisher_name or self.file
        return f"{who} {self.year or '?'}年{SCOPE_ZH.get(self.scope or '', '部门')}{KIND_ZH.get(self.kind, '预算')}"


def documents(store: ox.Store) -> list[DocInfo]:
    """Every ``ff:Document`` of the store → ``DocInfo`` (one per file name, first wins)."""
    out: dict[str, DocInfo] = {}
    for row in select(store, DOCUMENTS, use_default_graph_as_union=True, prefixes=vocab.PREFIXES):
        def val(name: str, row=row) -> str | None:
            return row[name].value if row[name] is not None else None
        kind = (val("kind") or "").rsplit("#", 1)[-1] or "Budget"
        file, sha = row["file"].value, row["sha"].value  # bound in every solution (not OPTIONAL)
        out.setdefault(file, DocInfo(file, sha, val("year"), kind, val("scope"), val("title"),
                                     val("pub"), val("pubName"), val("region"), val("regionName")))
    return list(out.values())


class CatalogBuilder:
    """Accumulates the catalog graph; one method per DCAT class."""

    def __init__(self, base: str, id_base: str, license_iri: str, when: dt.date):
        self.g = rdflib.Graph()
        for prefix, iri in {**vocab.PREFIXES, "foaf": str(FOAF)}.items():
            self.g.bind(prefix, iri)
        self.base, self.id_base, self.when = base.rstrip("/") + "/", id_base, Literal(when.isoformat(), datatype=XSD.date)
        self.license = self.typed(URIRef(license_iri), DCTERMS.LicenseDocument)
        self.language = self.typed(URIRef(f"{EU}language/ZHO"), DCTERMS.LinguisticSystem)
        self.standard = self.typed(URIRef(vocab.FF_NS), DCTERMS.Standard)
        self.g.add((self.standard, DCTERMS.title, Literal("fundflow ontology", lang="en")))
        self.csv_standard = self.typed(URIRef("https://www.rfc-editor.org/rfc/rfc4180"), DCTERMS.Standard)
        self.themes = [self.concept(f"{EU}data-theme/{c}", f"{EU}data-theme", label)
                       for c, label in (("GOVE", "Government and public sector"), ("ECON", "Economy and finance"))]

    def typed(self, node: URIRef, cls: URIRef) -> URIRef:
        self.g.add((node, RDF.type, cls))
        return node

    def concept(self, iri: str, scheme: str, label: str) -> URIRef:
        node = self.typed(URIRef(iri), SKOS.Concept)
        self.g.add((node, SKOS.inScheme, URIRef(scheme)))
        self.g.add((node, SKOS.prefLabel, Literal(label, lang="en")))
        return node

    def agent(self, iri: str, name: str) -> URIRef:
        node = self.typed(URIRef(iri), FOAF.Agent)
        self.g.add((node, RDF.type, ORG.Organization))
        self.g.add((node, FOAF.name, Literal(name, lang="zh")))
        return node

    def distribution(self, dataset: URIRef, kind: str, path: str, title: str) -> None:
        suffix, mime, filetype, label = KINDS[kind]
        node = self.typed(URIRef(f"{dataset}/{kind}"), DCAT.Distribution)
        url = self.typed(URIRef(f"{self.base}exports/{path}{suffix}"), RDFS.Resource)
        self.g.add((dataset, DCAT.distribution, node))
        for p, o in ((DCAT.accessURL, url), (DCAT.downloadURL, url), (DCTERMS.license, self.license),
                     (DCTERMS.conformsTo, self.csv_standard if kind == "csv" else self.standard), (DCTERMS.title, Literal(f"{title} ({label})", lang="zh")),
                     (DCAT.mediaType, self.typed(URIRef(IANA + mime), DCTERMS.MediaType)),
                     (DCTERMS.format, self.typed(URIRef(f"{EU}file-type/{filetype}"), DCTERMS.MediaTypeOrExtent)),
                     (DCTERMS.issued, self.when), (DCTERMS.modified, self.when)):
            self.g.add((node, p, o))

    def dataset(self, catalog: URIRef, local: str, title: str, description: str) -> URIRef:
        node = self.typed(URIRef(f"{self.id_base}dataset/{local}"), DCAT.Dataset)
        self.g.add((catalog, DCAT.dataset, node))
        for p, o in ((DCTERMS.title, Literal(title, lang="zh")), (DCTERMS.description, Literal(description, lang="zh")),
                     (DCTERMS.identifier, Literal(local)), (DCTERMS.language, self.language),
                     (DCTERMS.issued, self.when), (DCTERMS.modified, self.when), (DCTERMS.conformsTo, self.standard),
                     *((DCAT.theme, t) for t in self.themes)):
            self.g.add((node, p, o))
        return node

    def period(self, dataset: URIRef, year: str) -> None:
        """``dct:temporal``: the fiscal year, which in China is the calendar year."""
        node = self.typed(URIRef(f"{self.id_base}period/{year}"), DCTERMS.PeriodOfTime)
        self.g.add((node, DCAT.startDate, Literal(f"{year}-01-01", datatype=XSD.date)))
        self.g.add((node, DCAT.endDate, Literal(f"{year}-12-31", datatype=XSD.date)))
        self.g.add((dataset, DCTERMS.temporal, node))

    def document(self, catalog: URIRef, doc: DocInfo) -> None:
        title = doc.heading()
        description = (f"{title}公开文件（{doc.file}，SHA-256 {doc.sha256}）中的收支表、项目、绩效指标，"
                       f"以 fundflow 本体表示的资金流向知识图谱；每个数字可追溯到原文的表和行。"
                       + (f"原文标题：{doc.title}。" if doc.title else ""))
        node = self.dataset(catalog, f"document/{key(doc.file)}", title, description)
        # the ff:Document node and the named graph the data lives in (what `fundflow push` sends)
        for related in (f"{self.id_base}document/{doc.sha256}", graph_iri(doc.file, self.id_base).value):
            self.g.add((node, DCTERMS.relation, self.typed(URIRef(related), RDFS.Resource)))
        for word in filter(None, (KIND_ZH.get(doc.kind), f"{SCOPE_ZH.get(doc.scope or '', '部门')}{KIND_ZH.get(doc.kind)}",
                                  doc.region_name, doc.publisher_name, "资金流向")):
            self.g.add((node, DCAT.keyword, Literal(word, lang="zh")))
        if doc.publisher:
            self.g.add((node, DCTERMS.publisher, self.agent(doc.publisher, doc.publisher_name or doc.file)))
        if doc.region:
            self.g.add((node, DCTERMS.spatial, self.typed(URIRef(doc.region), DCTERMS.Location)))
            if doc.region_name:
                self.g.add((URIRef(doc.region), SKOS.prefLabel, Literal(doc.region_name, lang="zh")))
        if doc.year:
            self.period(node, doc.year)
        for kind in KINDS:
            self.distribution(node, kind, f"documents/{doc.stem}", title)


def build_catalog(store: ox.Store, base: str = DEFAULT_PUBLIC_BASE, id_base: str = vocab.DEFAULT_BASE,
                  license_iri: str = DEFAULT_LICENSE, publisher: str = "fundflow",
                  when: dt.date | None = None) -> rdflib.Graph:
    """The DCAT catalog of ``store`` → rdflib Graph (datasets: each document + the whole graph)."""
    b = CatalogBuilder(base, id_base, license_iri, when or dt.date.today())
    catalog = b.typed(URIRef(f"{id_base}catalog"), DCAT.Catalog)
    docs = documents(store)
    years = sorted({d.year for d in docs if d.year})
    for p, o in ((DCTERMS.title, Literal("fundflow 财政资金流向知识图谱目录", lang="zh")),
                 (DCTERMS.title, Literal("fundflow catalog of public funding flows", lang="en")),
                 (DCTERMS.description, Literal("部门预算、单位预算与部门决算公开文件转换成的资金流向知识图谱（RDF）数据集目录。", lang="zh")),
                 (DCTERMS.publisher, b.agent(f"{id_base}agent/{key(publisher)}", publisher)),
                 (DCTERMS.language, b.language), (DCTERMS.license, b.license), (DCTERMS.modified, b.when),
                 (DCTERMS.issued, b.when), (FOAF.homepage, b.typed(URIRef(base), FOAF.Document))):
        b.g.add((catalog, p, o))
    for doc in docs:
        b.document(catalog, doc)
    span = f"{years[0]}–{years[-1]}年" if years else ""
    whole = b.dataset(catalog, "all", f"fundflow 资金流向知识图谱（全部 {len(docs)} 份文件 {span}）",
                      f"全部 {len(docs)} 份公开文件的资金流向知识图谱，含本体和科目代码表；TriG 版每份文件一个命名图。")
    b.g.add((whole, DCTERMS.publisher, URIRef(f"{id_base}agent/{key(publisher)}")))
    for doc in docs:
        b.g.add((whole, DCTERMS.hasPart, URIRef(f"{id_base}dataset/document/{key(doc.file)}")))
    for kind, name, title in (("turtle", "fundflow", "fundflow"), ("trig", "fundflow", "fundflow"),
                              ("csv", "projects", "fundflow 项目表")):
        b.distribution(whole, kind, name, title)
    return b.g


def write_distributions(store: ox.Store, out_dir: Path, id_base: str = vocab.DEFAULT_BASE) -> list[Path]:
    """The files the catalog points at, under ``out_dir`` → paths written.

    ``fundflow.ttl`` / ``fundflow.trig`` / ``projects.csv`` for the whole store;
    ``documents/{stem}.ttl|.trig|.csv`` per document (its graph, plus the shared
    facts and code lists in the CSV's query).
    """
    written = [out_dir / "fundflow.ttl", out_dir / "fundflow.trig", out_dir / "projects.csv"]
    export_store(store, "turtle", written[0])
    export_store(store, "trig", written[1])
    written[2].write_bytes(_csv(store, "projects", None))
    (out_dir / "documents").mkdir(parents=True, exist_ok=True)
    shared = [system_graph_iri(n, id_base) for n in ("shared", "codes")]
    for doc in documents(store):
        g = graph_iri(doc.file, id_base)
        quads = list(store.quads_for_pattern(None, None, None, g))
        stem = out_dir / "documents" / doc.stem
        ox.serialize([q.triple for q in quads], f"{stem}.ttl", ox.RdfFormat.TURTLE, prefixes=vocab.PREFIXES)
        ox.serialize(quads, f"{stem}.trig", ox.RdfFormat.TRIG, prefixes=vocab.PREFIXES)
        Path(f"{stem}.csv").write_bytes(_csv(store, "budget-lines", [g, *shared]))
        written += [Path(f"{stem}{s}") for s in (".ttl", ".trig", ".csv")]
    return written


def _csv(store: ox.Store, query: str, graphs: list[ox.NamedNode] | None) -> bytes:
    """A bundled query's results as CSV for spreadsheets (UTF-8 with BOM, text quoted) over ``graphs`` (None: all)."""
    text = load_query(query)
    if graphs is None:
        results = store.query(text, use_default_graph_as_union=True, prefixes=vocab.PREFIXES)
    else:
        chosen: list[ox.NamedNode | ox.BlankNode | ox.DefaultGraph] = list(graphs)
        results = store.query(text, default_graph=chosen, prefixes=vocab.PREFIXES)
    return rows_to_csv(*solutions_to_rows(results))


def conformance(graph: rdflib.Graph) -> tuple[bool, str]:
    """Validate a catalog against the DCAT-AP 3.0.0 shapes → (conforms, pySHACL report text)."""
    import pyshacl

    shapes = resources.files("fundflow.ontology").joinpath("dcat-ap-3.0.0-shacl.ttl").read_text(encoding="utf-8")
    conforms, _graph, text = pyshacl.validate(graph, shacl_graph=rdflib.Graph().parse(data=shapes, format="turtle"))
    return bool(conforms), text


def write_catalog(store: ox.Store, output: Path, base: str = DEFAULT_PUBLIC_BASE, files: bool = False,
                  **options) -> list[Path]:
    """Write the catalog as Turtle to ``output`` (and, with ``files``, its distributions next to it) → paths."""
    output.parent.mkdir(parents=True, exist_ok=True)
    written = write_distributions(store, output.parent) if files else []
    build_catalog(store, base, **options).serialize(output, format="turtle", encoding="utf-8")
    return [*written, output]


def publish_step(store: ox.Store, out_dir: Path, echo) -> None:
    """``fundflow demo``: exports/catalog.ttl and every file it points at (fundflow.trig, documents/…)."""
    written = write_catalog(store, out_dir / "catalog.ttl", files=True)
    echo(f"wrote {out_dir / 'catalog.ttl'} and {len(written) - 1} distribution files")
