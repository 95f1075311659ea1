"""A parsed document → its funding triples: levels, 直达资金 flags, inferred codes, flows.

``funding_triples(parsed, base)`` → pyoxigraph ``Triple``s added to the
document's named graph at ingest:

- on each project: ``ff:fundingLevel``, ``ff:fundingSource`` (a treasury,
  ``ff:FundingSource`` with ``ff:level`` / ``ff:region``), ``ff:isDirectFund``,
  ``ff:isAdvanceAllocation``, ``ff:isCarryOver``, ``ff:purpose`` and an
  ``ff:FundingAssessment`` listing the rule ids that fired;
- ``ff:subjectCode`` + ``ff:subjectCodeInferred true`` where the exact-sum
  inference is unique (else ``ff:candidateSubjectCode``), with an
  ``ff:CodeInference`` node derived from the budget lines it used;
- ``ff:Flow`` nodes along 中央财政 → 省财政 → 市财政 → 主管部门 → 实施单位 → project,
  and the own government's basic expenditure 市财政 → 主管部门 → 实施单位.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

import pyoxigraph as ox

from fundflow.analysis.funding import assess_project, document_region, own_level, treasury
from fundflow.analysis.inference import infer_subject_codes, project_lines
from fundflow.core.model import BudgetLine, DocumentMeta, Funding, ParsedDocument, Project
from fundflow.core.regions import LEVELS, chain, level_of
from fundflow.kg import vocab as v
from fundflow.kg.iris import code_iri, department_iri, key, record_iri, region_iri, treasury_iri
from fundflow.kg.mapper import project_nodes
from fundflow.kg.vocab import FF, A


def treasury_chain(level: str, meta: DocumentMeta) -> list[tuple[str, str, str | None]]:
    """(level, treasury name, region code) from ``level`` down to the document's own government.

    Central money reaches a city through its province; a district of a provincial-level
    city (上海市普陀区) has no municipal step, as its region chain has none.
    """
    own = own_level(meta)
    top, bottom = LEVELS.index(level), max(LEVELS.index(own), LEVELS.index(level))
    code = document_region(meta)
    present = {level_of(c) for c in chain(code)} if code else set(LEVELS)
    return [(lvl, *treasury(lvl, meta)) for lvl in LEVELS[top:bottom + 1] if lvl in present]


class _FundingMapper:
    """Collects the funding triples of one document."""

    def __init__(self, parsed: ParsedDocument, base: str):
        self.p, self.base = parsed, base
        self.out: list[ox.Triple] = []
        self.sha, self.meta, self.year = parsed.source.sha256, parsed.meta, parsed.meta.fiscal_year
        self.dept = department_iri(self.meta.department, base) if self.meta.department else None

    def add(self, s, p, o) -> None:
        if o is not None and s is not None:
            self.out.append(ox.Triple(s, p, o))

    def treasury(self, level: str, name: str, region: str | None) -> ox.NamedNode:
        node = treasury_iri(region or f"name-{key(name)}", self.base)
        self.add(node, A, FF("FundingSource"))
        self.add(node, v.RDFS("label"), v.zh(name))
        self.add(node, FF("level"), FF(level))
        self.add(node, FF("region"), region_iri(region, self.base) if region else None)
        return node

    def funding(self, i: int, node: ox.NamedNode, f: Funding) -> None:
        src = self.treasury(f.source_level, f.source_name, f.source_region)
        self.add(node, FF("fundingLevel"), FF(f.level))
        self.add(node, FF("fundingSource"), src)
        for prop, flag in (("isDirectFund", f.is_direct), ("isAdvanceAllocation", f.is_advance),
                           ("isCarryOver", f.is_carry_over)):
            self.add(node, FF(prop), v.boolean(flag))
        self.add(node, FF("purpose"), v.zh(f.purpose))
        a = record_iri("funding", self.sha, i, self.base)
        self.add(node, FF("fundingAssessment"), a)
        self.add(a, A, FF("FundingAssessment"))
        for rule in f.rules:
            self.add(a, FF("rule"), v.text(rule))
        self.add(a, v.PROV("wasDerivedFrom"), record_iri("source", self.sha, i, self.base))

    def flow(self, pos: str, frm, to, amount, level: str, direct: bool, carried: ox.NamedNode | None,
             src_pos: int | str, fund: str | None = None, recipient: ox.NamedNode | None = None,
             advance: bool = False) -> None:
        n = record_iri("flow", self.sha, pos, self.base)
        self.add(n, A, FF("Flow"))
        self.add(n, FF("from"), frm)
        self.add(n, FF("to"), to)
        self.add(n, FF("amount"), v.decimal(amount))
        self.add(n, FF("fiscalYear"), v.year(self.year) if self.year else None)
        self.add(n, FF("documentKind"), FF("FinalAccounts" if self.meta.kind == "final_accounts" else "Budget"))
        self.add(n, FF("isDirectFund"), v.boolean(direct))
        self.add(n, FF("isAdvanceAllocation"), v.boolean(True) if advance else None)
        self.add(n, FF("fundingLevel"), FF(level))
        self.add(n, FF("fundType"), FF(fund) if fund else None)
        self.add(n, FF("project"), carried)
        self.add(n, FF("recipient"), recipient)
        self.add(n, v.PROV("wasDerivedFrom"), record_iri("source", self.sha, src_pos, self.base))

    def chain_flows(self, pos: str, level: str, ends: list, amount, direct: bool, carried, src_pos,
                    fund: str | None = None, advance: bool = False) -> None:
        """Treasuries of ``level`` down to the own government, then ``ends`` (department, unit, project).

        Every hop names the organisation whose money it is (``ff:recipient``: the last
        organisation of ``ends``), so that a unit's money can be told apart from its department's.
        """
        orgs = [e for e in ends if e is not None and e != carried]
        recipient = orgs[-1] if orgs else None
        hops = [self.treasury(*step) for step in treasury_chain(level, self.meta)]
        hops += [e for e in ends if e is not None]
        hops = [h for k, h in enumerate(hops) if k == 0 or h != hops[k - 1]]
        for k in range(len(hops) - 1):
            self.flow(f"{pos}-{k}", hops[k], hops[k + 1], amount, level, direct, carried, src_pos, fund,
                      recipient, advance)


FUND_TYPES = ("GeneralPublicBudget", "GovernmentFund", "StateCapital", "SpecialAccount", "UnitFunds")


def project_fund(project: Project) -> str | None:
    """The fund a project's money comes from, when its fund columns name exactly one (一般公共预算 …)."""
    funds = {name.rsplit(".", 1)[-1] for name, amount in project.columns if amount}
    funds &= set(FUND_TYPES)
    return funds.pop() if len(funds) == 1 else None


def flow_amount(project: Project, meta: DocumentMeta):
    """The money a project's flows carry: in final accounts what was executed (全年执行数) where the document
    prints it, as the 决算 totals it is checked against are; otherwise its amount (the budget)."""
    if meta.kind == "final_accounts" and project.executed_amount is not None:
        return project.executed_amount
    return project.amount


def _groups(projects: list[tuple[int, Project]], lines: list[BudgetLine]) -> Iterator[tuple[list, list]]:
    """Projects with the budget lines of their unit (all lines when lines name no unit)."""
    by_unit: dict[str, list] = defaultdict(list)
    for i, r in projects:
        by_unit[r.unit_code or ""].append((i, r))
    coded = {b.unit_code for b in lines if b.unit_code}
    for unit, group in by_unit.items():
        if unit in coded or not coded or len(by_unit) == 1:
            yield group, [b for b in lines if not coded or b.unit_code in (unit, None) or len(by_unit) == 1]


def _code_triples(m: _FundingMapper, nodes: dict[int, ox.NamedNode]) -> None:
    records = m.p.records
    lines = [b for b in records if isinstance(b, BudgetLine)]
    projects = [(i, r) for i, r in enumerate(records) if isinstance(r, Project) and i in nodes]
    spending: dict[str, list[tuple[int, BudgetLine]]] = {}  # project-expenditure lines by code, looked up once
    for k, b in enumerate(records):
        if isinstance(b, BudgetLine) and b.amount_type == "ProjectExpenditure":
            spending.setdefault(b.code, []).append((k, b))
    for group, glines in _groups(projects, lines):
        used = project_lines(glines)
        line_pos = {c: [k for k, b in spending.get(c, ()) if b.amount == used[c]] for c in used}
        for (i, _r), inf in zip(group, infer_subject_codes([r for _, r in group], glines)):
            if inf.rule == "printed":
                continue
            node, n = nodes[i], record_iri("inference", m.sha, i, m.base)
            m.add(node, FF("subjectCodeInference"), n)
            m.add(n, A, FF("CodeInference"))
            m.add(n, FF("rule"), v.text(inf.rule))
            for c in inf.candidates:
                m.add(n, FF("candidateSubjectCode"), code_iri("function", c, m.base))
                for k in line_pos.get(c, [])[:1]:
                    m.add(n, v.PROV("wasDerivedFrom"), record_iri("source", m.sha, k, m.base))
            if inf.unique and inf.code:
                m.add(node, FF("subjectCode"), code_iri("function", inf.code, m.base))
                m.add(node, FF("subjectCodeInferred"), v.boolean(True))
            else:
                for c in inf.candidates:
                    m.add(node, FF("candidateSubjectCode"), code_iri("function", c, m.base))


def _basic_flows(m: _FundingMapper) -> None:
    """The own government's basic expenditure (基本支出 of the 支出总表) to each unit.

    One table only (the one that names the most units: a 支出预算按单位分类汇总表
    gives each unit's share, else the 合计 row goes to the document's unit), so
    no amount is counted twice.
    """
    from fundflow.kg.mapper import DocumentMapper

    level, dept = own_level(m.meta), m.meta.department
    lines = [(k, b) for k, b in enumerate(m.p.records)
             if isinstance(b, BudgetLine) and b.code == "" and b.amount_type == "Basic"
             and b.table_kind == "expenditure" and b.amount > 0 and not b.fund_type]
    if not lines:
        return
    tables = dict.fromkeys(b.table for _, b in lines)
    best = max(tables, key=lambda t: len({b.unit_name for _, b in lines if b.table == t and b.unit_name != dept}))
    chosen = [(k, b) for k, b in lines if b.table == best]
    by_unit = [(k, b) for k, b in chosen if b.unit_name and b.unit_name != dept]
    mapper = DocumentMapper(m.p, m.base)
    for k, b in by_unit or chosen[:1]:
        unit = mapper.unit(b.unit_code, b.unit_name)
        ends = [m.dept] + ([unit] if unit is not None and unit != m.dept else [])
        m.chain_flows(f"basic-{k}", level, [e for e in ends if e is not None], b.amount, False, None, k)


def funding_triples(parsed: ParsedDocument, base: str = v.DEFAULT_BASE) -> list[ox.Triple]:
    """A parsed document → its funding triples (see the module docstring); duplicates removed."""
    m = _FundingMapper(parsed, base)
    nodes: dict[int, ox.NamedNode] = {}
    units: dict[str | None, ox.NamedNode] = {}
    for i, node, unit in project_nodes(parsed, base):
        r = parsed.records[i]
        assert isinstance(r, Project)  # project_nodes gives the positions of Projects only
        f = assess_project(r, parsed.meta)
        nodes[i] = node
        if unit is not None:
            units.setdefault(r.unit_code, unit)
        m.funding(i, node, f)
        dept = department_iri(r.department, base) if r.department else m.dept
        m.chain_flows(f"p{i}", f.level, [dept, unit, node], flow_amount(r, parsed.meta), f.is_direct, node, i,
                      project_fund(r), f.is_advance)
    _code_triples(m, nodes)
    _basic_flows(m)
    return list(dict.fromkeys(m.out))
