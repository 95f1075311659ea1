"""A parsed document's records → triples, record by record (``records_to_triples``).

``DocumentMapper`` turns the records of one ``ParsedDocument`` into triples,
one method per record type; all IRIs come from the minting functions of
``fundflow.kg.iris``.
"""
from __future__ import annotations

import re
from collections.abc import Iterable

import pyoxigraph as ox

from fundflow.analysis.attribution import attribute_projects
from fundflow.core.model import (
    BudgetLine,
    DocumentMeta,
    Indicator,
    NarrativeFact,
    ParsedDocument,
    Procurement,
    Project,
    Record,
    SourceRef,
    TableIssue,
    TableTotal,
    ThreeCosts,
    UnitInfo,
)
from fundflow.core.regions import CENTRAL, level_of, parent_of, region6, regions
from fundflow.kg import vocab as v
from fundflow.kg.iris import (
    code_iri,
    department_iri,
    document_iri,
    edition_iri,
    key,
    project_iri,
    record_iri,
    region_iri,
    unit_iri,
)
from fundflow.kg.vocab import FF, A

_TERM = re.compile(r"^[A-Za-z][A-Za-z0-9]*$")


class DocumentMapper:
    """Accumulates the triples of one document; one method per record type."""

    def __init__(self, parsed: ParsedDocument, base: str):
        self.p, self.base = parsed, base
        self.out: list[ox.Triple] = []
        self.meta: DocumentMeta = parsed.meta
        self.sha = parsed.source.sha256
        self.doc = document_iri(self.sha, base)
        self.region = region6(self.meta.region_code)
        self.year = self.meta.fiscal_year
        self.units = {u.code: u for u in self.meta.units if u.code} | {u.name: u for u in self.meta.units}
        self.dept = department_iri(self.meta.department, base) if self.meta.department else None
        self.projects: dict[str, ox.NamedNode] = {}
        # projects the document's by-unit table gives to another unit than its project table
        self.attributed = attribute_projects(parsed)

    def project_unit(self, r: Project, i: int) -> ox.NamedNode | None:
        """The unit a project belongs to: as the by-unit table settles it, else as the project table prints it."""
        name, code = self.attributed.get(i, (r.unit_name, r.unit_code))
        return self.unit(code, name)

    def add(self, s, p, o) -> None:
        if o is not None:
            self.out.append(ox.Triple(s, p, o))

    def node(self, kind: str, pos: int | str) -> ox.NamedNode:
        return record_iri(kind, self.sha, pos, self.base)

    def source(self, subject: ox.NamedNode, ref: SourceRef | None, pos: int | str) -> None:
        """``subject prov:wasDerivedFrom [ff:document, ff:table, ff:firstLine, ff:lastLine, ff:page]``."""
        ref = ref or SourceRef(self.p.source.name, self.sha, 1, max(1, len(self.p.source.lines)))
        src = self.node("source", pos)
        self.add(subject, v.PROV("wasDerivedFrom"), src)
        self.add(src, A, FF("SourceSpan"))
        self.add(src, FF("document"), self.doc)
        self.add(src, FF("table"), v.text(ref.table) if ref.table else None)
        self.add(src, FF("firstLine"), v.integer(ref.first_line))
        self.add(src, FF("lastLine"), v.integer(ref.last_line))
        self.add(src, FF("page"), v.integer(ref.page) if ref.page else None)

    def term(self, local: str | None) -> ox.NamedNode | None:
        return FF(local) if local and _TERM.match(local) else None

    def unit(self, code: str | None, name: str | None) -> ox.NamedNode | None:
        """The unit a record names (or the document's own unit), minting its node on first use."""
        info = self.units.get(code or "") or self.units.get(name or "")
        if info is None and (code or name):
            info = UnitInfo(name or code or "", code or None)
            self.units[code or name or ""] = info
            self.map_unit(info)
        if info is None:
            if len(self.meta.units) != 1:
                return self.dept
            info = self.meta.units[0]
        return self.dept if self.is_department(info) else unit_iri(info, self.region, self.base)

    def is_department(self, u: UnitInfo) -> bool:
        """A "unit" printed with the department's own name and no code is the department itself."""
        return self.dept is not None and not u.code and " ".join(u.name.split()) == " ".join(
            (self.meta.department or "").split())

    # -- document, organisations, regions

    def map_meta(self) -> None:
        m, d = self.meta, self.doc
        self.add(d, A, FF("Document"))
        self.add(d, v.DCT("title"), v.zh(m.title) if m.title else None)
        self.add(d, FF("fiscalYear"), v.year(m.fiscal_year) if m.fiscal_year else None)
        self.add(d, FF("documentKind"), FF("FinalAccounts" if m.kind == "final_accounts" else "Budget"))
        self.add(d, FF("sha256"), v.text(self.sha))
        self.add(d, FF("fileName"), v.text(self.p.source.name))
        self.add(d, FF("scope"), v.text(m.scope) if m.scope else None)
        self.add(d, FF("moneyUnit"), v.text(m.money_unit) if m.money_unit else None)
        self.add(d, FF("loader"), v.text(self.p.loader))
        self.add(d, FF("readByOcr"), v.boolean(True) if self.p.source.ocr else None)
        self.source(d, m.ref, "meta")
        if self.region:
            self.map_region(self.region, m.region)
            self.add(d, FF("region"), region_iri(self.region, self.base))
        if self.dept and m.department:
            self.add(self.dept, A, FF("Department"))
            self.add(self.dept, v.RDFS("label"), v.zh(m.department))
            self.add(self.dept, FF("region"), region_iri(self.region, self.base) if self.region else None)
            self.source(self.dept, m.ref, "meta-department")
        publisher = self.dept or (unit_iri(m.units[0], self.region, self.base) if m.units else None)
        self.add(d, v.DCT("publisher"), publisher)
        for u in m.units:
            self.map_unit(u)

    def map_region(self, code: str, name: str | None) -> None:
        r = region_iri(code, self.base)
        level = level_of(code)
        known = regions().get(code)
        self.add(r, A, FF("Region"))
        self.add(r, FF("adminCode"), v.text(code))
        self.add(r, FF("level"), FF(level))
        label = name or (known.display_name if known else None)
        self.add(r, v.RDFS("label"), v.zh(label) if label else None)
        parent = parent_of(code)
        if parent and parent != CENTRAL:
            self.add(r, FF("partOf"), region_iri(parent, self.base))
            self.map_region(parent, None)

    def map_unit(self, u: UnitInfo) -> None:
        if self.is_department(u):
            return
        node = unit_iri(u, self.region, self.base)
        self.add(node, A, FF("Unit"))
        self.add(node, v.RDFS("label"), v.zh(u.name) if u.name else None)
        self.add(node, FF("unitCode"), v.text(u.code) if u.code else None)
        reg = region6(u.region_code) or self.region
        if reg:
            self.map_region(reg, self.meta.region if reg == self.region else None)
            self.add(node, FF("region"), region_iri(reg, self.base))
        if self.dept and node != self.dept:
            self.add(node, v.ORG("subOrganizationOf"), self.dept)
        self.source(node, self.meta.ref, f"unit-{key(u.code or u.name)}")

    # -- codes

    def code(self, scheme: str, notation: str, name: str | None) -> ox.NamedNode | None:
        """The concept of a printed code (+ its printed name for this fiscal year); None if no code."""
        if not notation or scheme not in v.CODE_SCHEMES:
            return None
        c = code_iri(scheme, notation, self.base)
        self.concept(scheme, notation)
        if name:
            self.add(c, v.SKOS("altLabel"), v.zh(name))
            if self.year:
                ed = edition_iri(c, self.year)
                self.add(c, FF("editionLabel"), ed)
                self.add(ed, A, FF("EditionLabel"))
                self.add(ed, FF("fiscalYear"), v.year(self.year))
                self.add(ed, v.RDFS("label"), v.zh(name))
        return c

    def concept(self, scheme: str, notation: str) -> None:
        """Concept with notation, scheme and its ``skos:broader`` chain (7 → 5 → 3 digits)."""
        c = code_iri(scheme, notation, self.base)
        self.add(c, A, v.SKOS("Concept"))
        self.add(c, v.SKOS("notation"), v.text(notation))
        self.add(c, v.SKOS("inScheme"), FF(v.CODE_SCHEMES[scheme][1]))
        parent = notation[:-2] if len(notation) in (5, 7) else None
        if parent:
            self.add(c, v.SKOS("broader"), code_iri(scheme, parent, self.base))
            self.concept(scheme, parent)

    # -- records

    def budget_line(self, r: BudgetLine, i: int) -> None:
        n = self.node("line", i)
        self.add(n, A, FF("BudgetLine"))
        self.add(n, v.RDFS("label"), v.zh(r.name) if r.name else None)
        self.add(n, FF("unit"), self.unit(r.unit_code, r.unit_name))
        self.add(n, FF("subjectCode"), self.code(r.code_scheme, r.code, r.name))
        self.add(n, FF("codeScheme"), FF(v.CODE_SCHEMES[r.code_scheme][1]) if r.code_scheme in v.CODE_SCHEMES else None)
        self.add(n, FF("amountType"), self.term(r.amount_type))
        self.add(n, FF("fundType"), self.term(r.fund_type))
        self.add(n, FF("amount"), v.decimal(r.amount))
        self.add(n, FF("fiscalYear"), v.year(self.year) if self.year else None)
        self.add(n, FF("table"), v.text(r.table))
        self.add(n, FF("tableKind"), v.text(r.table_kind) if r.table_kind else None)
        self.add(n, FF("ambiguous"), v.boolean(True) if r.ambiguous else None)
        self.add(n, FF("derived"), v.boolean(True) if r.derived else None)
        self.add(n, FF("subjectCodeInferred"), v.boolean(True) if r.code_inferred else None)
        self.add(n, FF("isTotalRow"), v.boolean(True) if not r.code else None)
        self.source(n, r.ref, i)

    def project(self, r: Project, i: int) -> None:
        unit = self.project_unit(r, i)
        n = project_iri(r.name, unit or self.doc, self.year, self.meta.kind, self.base)
        if n in self.projects.values():  # the same name twice in one table: keep both rows apart
            n = project_iri(r.name, unit or self.doc, self.year, self.meta.kind, self.base, repeat=i)
        self.projects.setdefault(" ".join(r.name.split()), n)
        dept = department_iri(r.department, self.base) if r.department else self.dept
        self.add(n, A, FF("Project"))
        self.add(n, v.RDFS("label"), v.zh(r.name))
        self.add(n, FF("fiscalYear"), v.year(self.year) if self.year else None)
        self.add(n, FF("implementingUnit"), unit)
        self.add(n, FF("competentDepartment"), dept)
        self.add(n, FF("amount"), v.decimal(r.amount))
        self.add(n, FF("executedAmount"), v.decimal(r.executed_amount) if r.executed_amount is not None else None)
        self.add(n, FF("table"), v.text(r.table))
        self.add(n, FF("description"), v.zh(r.description) if r.description else None)
        self.add(n, FF("labelDerived"), v.boolean(True) if r.label_derived else None)
        self.add(n, FF("unitFromByUnitTable"), v.boolean(True) if i in self.attributed else None)
        self.add(n, FF("subjectCode"), self.code("function", r.subject_code, None) if r.subject_code else None)
        for j, (label, amount) in enumerate(r.columns):
            col = self.node("column", f"{i}-{j}")
            self.add(n, FF("columnAmount"), col)
            self.add(col, A, FF("ColumnAmount"))
            self.add(col, v.RDFS("label"), v.zh(label))
            self.add(col, FF("amount"), v.decimal(amount))
        self.source(n, r.ref, i)
        if r.prose_ref:  # the same project stated in the 说明: a second source span
            self.source(n, r.prose_ref, f"{i}-prose")

    def indicator(self, r: Indicator, i: int) -> None:
        n = self.node("indicator", i)
        self.add(n, A, FF("Indicator"))
        self.add(n, v.RDFS("label"), v.zh(r.name))
        for prop, value in (("level1", r.level1), ("level2", r.level2), ("deadline", r.deadline)):
            self.add(n, FF(prop), v.zh(value) if value else None)
        for prop, value in (("operator", r.operator), ("measureUnit", r.measure_unit)):
            self.add(n, FF(prop), v.text(value) if value else None)
        for prop, text in (("targetText", r.target_text), ("actualText", r.actual_text)):
            self.add(n, FF(prop), v.zh(text) if text else None)
        for prop, num in (("targetValue", r.target_value), ("actualValue", r.actual_value),
                          ("weight", r.weight), ("score", r.score)):
            self.add(n, FF(prop), v.decimal(num) if num is not None else None)
        self.add(n, FF("table"), v.text(r.table))
        self.add(n, FF("fiscalYear"), v.year(self.year) if self.year else None)
        owner = self.indicator_owner(r)
        self.add(n, FF("indicatorOf"), owner)
        self.add(owner, FF("hasIndicator"), n)
        self.source(n, r.ref, i)

    def indicator_owner(self, r: Indicator) -> ox.NamedNode | None:
        """The project the indicator belongs to (by name in this document) or the unit as a whole."""
        unit = self.unit(None, r.unit_name)
        if not r.project:
            return unit
        key = " ".join(r.project.split())
        if key not in self.projects:
            self.projects[key] = project_iri(r.project, unit or self.doc, self.year, self.meta.kind, self.base)
            self.add(self.projects[key], A, FF("Project"))
            self.add(self.projects[key], v.RDFS("label"), v.zh(r.project))
            self.add(self.projects[key], FF("implementingUnit"), unit)
            self.source(self.projects[key], r.ref, f"{r.ref.first_line}-project")
        return self.projects[key]

    def table_total(self, r: TableTotal, i: int) -> None:
        n = self.node("total", i)
        self.add(n, A, FF("TableTotal"))
        self.add(n, v.RDFS("label"), v.zh(r.label))
        self.add(n, FF("side"), v.text(r.side))
        self.add(n, FF("amountType"), self.term(r.column))
        self.add(n, FF("column"), v.text(r.column))
        self.add(n, FF("amount"), v.decimal(r.amount))
        self.add(n, FF("table"), v.text(r.table))
        self.add(n, FF("tableKind"), v.text(r.table_kind) if r.table_kind else None)
        self.add(n, FF("unit"), self.unit(None, None))
        self.add(n, FF("fiscalYear"), v.year(self.year) if self.year else None)
        self.source(n, r.ref, i)

    def three_costs(self, r: ThreeCosts, i: int) -> None:
        n = self.node("threecosts", i)
        self.add(n, A, FF("ThreeCosts"))
        self.add(n, FF("item"), v.text(r.item))
        self.add(n, FF("basis"), v.text(r.basis))
        self.add(n, FF("fiscalYear"), v.year(r.year) if r.year else None)
        self.add(n, FF("amount"), v.decimal(r.amount))
        self.add(n, FF("table"), v.text(r.table))
        self.add(n, FF("unit"), self.unit(None, r.unit_name))
        self.source(n, r.ref, i)

    def procurement(self, r: Procurement, i: int) -> None:
        """A 政府采购 / 政府购买服务 item, linked to its project when the document has one of that name and unit."""
        n = self.node("procurement", i)
        unit = self.unit(None, r.unit_name)
        self.add(n, A, FF("ProcurementItem"))
        self.add(n, v.RDFS("label"), v.zh(r.item))
        self.add(n, FF("procurementKind"), v.text(r.kind))
        self.add(n, FF("amount"), v.decimal(r.amount))
        self.add(n, FF("procurementCategory"), v.zh(r.category) if r.category else None)
        if r.project:
            iri = project_iri(r.project, unit or self.doc, self.year, self.meta.kind, self.base)
            self.add(n, FF("project"), iri if iri in self.projects.values() else None)
            self.add(n, FF("projectName"), v.zh(r.project))
        self.add(n, FF("unit"), unit)
        self.add(n, FF("fiscalYear"), v.year(self.year) if self.year else None)
        self.add(n, FF("table"), v.text(r.table))
        self.source(n, r.ref, i)

    def narrative(self, r: NarrativeFact, i: int) -> None:
        n = self.node("fact", i)
        self.add(n, A, FF("NarrativeFact"))
        self.add(n, FF("topic"), v.text(r.topic))
        self.add(n, FF("amount"), v.decimal(r.amount))
        self.add(n, FF("printedUnit"), v.text(r.printed_unit))
        self.add(n, v.RDFS("comment"), v.zh(r.text))
        self.source(n, r.ref, i)

    def record(self, r: Record, i: int) -> None:
        """The record at position ``i`` → its triples, by its class (prose changes and shares have none)."""
        if isinstance(r, BudgetLine):
            self.budget_line(r, i)
        elif isinstance(r, Project):
            self.project(r, i)
        elif isinstance(r, Indicator):
            self.indicator(r, i)
        elif isinstance(r, TableTotal):
            self.table_total(r, i)
        elif isinstance(r, ThreeCosts):
            self.three_costs(r, i)
        elif isinstance(r, NarrativeFact):
            self.narrative(r, i)
        elif isinstance(r, TableIssue):
            self.issue(r, i)
        elif isinstance(r, Procurement):
            self.procurement(r, i)

    def issue(self, r: TableIssue, i: int) -> None:
        n = self.node("issue", i)
        self.add(n, A, FF("TableIssue"))
        self.add(n, FF("issueKind"), v.text(r.kind))
        self.add(n, v.RDFS("comment"), v.zh(r.message))
        self.add(n, FF("table"), v.text(r.table))
        self.add(n, FF("document"), self.doc)
        self.source(n, r.ref, i)


def project_nodes(parsed: ParsedDocument, base: str = v.DEFAULT_BASE) -> list[tuple[int, ox.NamedNode, ox.NamedNode | None]]:
    """(record position, project IRI, implementing unit IRI) of each Project record, as ``records_to_triples`` mints them."""
    m, seen, out = DocumentMapper(parsed, base), set(), []
    for i, r in enumerate(parsed.records):
        if isinstance(r, Project):
            unit = m.project_unit(r, i)
            n = project_iri(r.name, unit or m.doc, m.year, m.meta.kind, base)
            if n in seen:
                n = project_iri(r.name, unit or m.doc, m.year, m.meta.kind, base, repeat=i)
            seen.add(n)
            out.append((i, n, unit))
    return out


def records_to_triples(parsed: ParsedDocument, base: str = v.DEFAULT_BASE) -> list[ox.Triple]:
    """A parsed document → its triples (duplicates removed, order stable).

    Projects are mapped before indicators so that an indicator finds its project
    by name.  Prose changes and shares are not mapped.
    """
    m = DocumentMapper(parsed, base)
    m.map_meta()
    order = sorted(range(len(parsed.records)), key=lambda k: not isinstance(parsed.records[k], Project))
    for i in order:
        m.record(parsed.records[i], i)
    return list(dict.fromkeys(m.out))


def records_to_graph(parsed: ParsedDocument, base: str = v.DEFAULT_BASE):
    """A parsed document → ``rdflib.Graph`` (for SHACL and rdflib tooling)."""
    return triples_to_rdflib(records_to_triples(parsed, base))


def triples_to_rdflib(triples: Iterable[ox.Triple]):
    """pyoxigraph triples → ``rdflib.Graph`` (through N-Triples, exact literals kept)."""
    import rdflib

    data = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
    assert data is not None  # no output file: the bytes are returned
    return rdflib.Graph().parse(data=data.decode("utf-8"), format="nt")
