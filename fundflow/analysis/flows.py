"""The typed flow graph (nodes, edges, periods) → the one contract that trace, map, Sankey, exports and checks read.

A ``FlowGraph`` holds typed ``FlowNode``s (treasury, department, unit, project,
code), typed ``FlowEdge``s (one movement of money of one fiscal year and one
phase, budget or final accounts, from one document) and the organisations'
printed expenditure totals (``OrgTotal``).  Nothing here reads the store
(``outputs.flowgraph`` builds the graph from it) and nothing adds figures of two
periods: ``combined`` sums edges only within one period, and ``to_networkx``
refuses a graph of more than one.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

import networkx as nx

from fundflow.core.errors import FundflowError
from fundflow.core.model import SourceRef
from fundflow.core.normalize import step_of
from fundflow.core.printable import printable

ZERO = Decimal(0)
ROLES = ("treasury", "department", "unit", "project", "code")
ORG_ROLES = ("department", "unit")
LEVELS = ("Central", "Provincial", "Municipal", "County")
LEVEL_KEYS = {"Central": "central", "Provincial": "provincial", "Municipal": "municipal", "County": "county"}
PHASES = {"budget": "预算", "final": "决算"}
UNATTRIBUTED = "unattributed"  # printed project expenditure no listed project carries: its level is not printed


@dataclass(frozen=True, order=True)
class Period:
    """A fiscal year and a phase: ``budget`` (预算) or ``final`` (决算); figures of two periods never add up."""

    year: int
    phase: str = "budget"

    def __post_init__(self) -> None:
        if self.phase not in PHASES:
            raise ValueError(f"phase must be one of {sorted(PHASES)}, not {self.phase!r}")

    @property
    def key(self) -> str:
        """``"2024-budget"``: a stable key for pages and JSON."""
        return f"{self.year}-{self.phase}"

    @property
    def label(self) -> str:
        """``"2024年预算"``."""
        return f"{self.year}年{PHASES[self.phase]}"


@dataclass(frozen=True)
class FlowNode:
    """A node of the flow graph.

    ``level``: the government level of a treasury, or of an organisation's region.
    ``parent``: the department a unit belongs to.  Projects carry their own
    ``period``, ``amount``, funding ``funding_level`` and 直达 / 提前下达 flags.
    """

    id: str
    label: str
    role: str
    level: str | None = None
    region: str | None = None
    unit_code: str | None = None
    parent: str | None = None
    period: Period | None = None
    amount: Decimal | None = None
    funding_level: str | None = None
    direct: bool = False
    advance: bool = False
    purpose: str | None = None
    code: str | None = None

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ValueError(f"flow node {self.id!r}: role must be one of {ROLES}, not {self.role!r}")


@dataclass(frozen=True)
class FlowEdge:
    """One movement of money of one period, as one document states it.

    ``level`` is the government level the money comes from (None on project → code
    edges, which say what a project pays for); ``recipient`` the organisation whose
    money it is (the unit at the end of the chain); ``inferred`` marks a subject
    code inferred from sums; ``fund_type`` the fund (``GeneralPublicBudget`` …) where
    the document's columns say it.
    """

    source: str
    target: str
    amount: Decimal
    period: Period
    level: str | None = None
    direct: bool = False
    advance: bool = False
    inferred: bool = False
    document: str = ""
    recipient: str | None = None
    project: str | None = None
    ref: SourceRef | None = None
    fund_type: str | None = None


@dataclass(frozen=True)
class OrgTotal:
    """An organisation's printed expenditure of one period (支出总表 合计): total, basic and project parts."""

    org: str
    period: Period
    amount: Decimal
    document: str
    ref: SourceRef | None = None
    basic: Decimal | None = None
    projects: Decimal | None = None
    money_unit: str | None = None  # as its document prints amounts (万元 / 元): the rounding of its figures


@dataclass(frozen=True)
class Link:
    """Edges of one period between the same two nodes, summed (what a map or Sankey draws)."""

    source: str
    target: str
    period: Period
    amount: Decimal
    level: str | None
    direct: bool
    inferred: bool
    refs: tuple[SourceRef, ...] = ()


@dataclass(frozen=True)
class FlowGraph:
    """Typed nodes, edges and printed totals; ``notes`` say which figures were not counted twice and why."""

    nodes: dict[str, FlowNode] = field(default_factory=dict)
    edges: tuple[FlowEdge, ...] = ()
    totals: tuple[OrgTotal, ...] = ()
    notes: tuple[str, ...] = ()

    def periods(self) -> list[Period]:
        """The periods that have flows or totals, oldest first."""
        return sorted({e.period for e in self.edges} | {t.period for t in self.totals})

    def label(self, node: str) -> str:
        """The node's name as shown (control and bidi characters made visible: names come from documents)."""
        n = self.nodes.get(node)
        return printable(n.label if n else node)

    def role(self, node: str) -> str | None:
        n = self.nodes.get(node)
        return n.role if n else None

    def used_nodes(self) -> set[str]:
        return {e.source for e in self.edges} | {e.target for e in self.edges}

    def _with(self, edges: Iterable[FlowEdge], totals: Iterable[OrgTotal] | None = None) -> FlowGraph:
        edges = tuple(edges)
        used = {e.source for e in edges} | {e.target for e in edges}
        totals = tuple(self.totals if totals is None else totals)
        keep = used | {t.org for t in totals}
        keep |= {p for n in keep if n in self.nodes and (p := self.nodes[n].parent)}
        return FlowGraph({k: v for k, v in self.nodes.items() if k in keep}, edges, totals, self.notes)

    def select(self, period: Period | None = None, year: int | None = None, phase: str | None = None,
               level: str | None = None, direct_only: bool = False, purpose: str | None = None) -> FlowGraph:
        """The flows of one period / year / phase / funding level, 直达资金 only, or of projects whose purpose
        contains ``purpose``.  A project's code edges stay while the project does."""
        def when(p: Period) -> bool:
            return ((period is None or p == period) and (year is None or p.year == year)
                    and (phase is None or p.phase == phase))

        def money(e: FlowEdge) -> bool:
            if level and (e.level or "").lower() != level.lower():
                return False
            if direct_only and not e.direct:
                return False
            if purpose:
                proj = self.nodes.get(e.project or "")
                return bool(proj and purpose in (proj.purpose or proj.label))
            return True

        kept = [e for e in self.edges if when(e.period) and (e.level is None or money(e))]
        projects = {e.target for e in kept if e.level is not None and self.role(e.target) == "project"}
        kept = [e for e in kept if e.level is not None or e.source in projects]
        return self._with(kept, [t for t in self.totals if when(t.period)])

    def around(self, match: Callable[[FlowNode], bool]) -> FlowGraph:
        """The flows on paths through the organisations ``match`` accepts (their sources and their spending)."""
        g = nx.DiGraph()
        g.add_edges_from((e.source, e.target) for e in self.edges)
        hits = [n for n, node in self.nodes.items() if node.role in ORG_ROLES and match(node)]
        keep = set(hits)
        for n in hits:
            if n in g:
                keep |= nx.ancestors(g, n) | nx.descendants(g, n)
        edges = [e for e in self.edges if e.source in keep and e.target in keep
                 and (e.recipient is None or e.recipient in keep or self.role(e.target) == "code")]
        return self._with(edges, [t for t in self.totals if t.org in keep])

    def combined(self) -> list[Link]:
        """Edges summed per (period, source, target); level kept when all agree, direct when all are."""
        groups: dict[tuple[Period, str, str], list[FlowEdge]] = defaultdict(list)
        for e in self.edges:
            groups[e.period, e.source, e.target].append(e)
        out = []
        for (period, a, b), es in groups.items():
            levels = {e.level for e in es}
            refs = tuple(dict.fromkeys(e.ref for e in es if e.ref))
            out.append(Link(a, b, period, sum((e.amount for e in es), ZERO), levels.pop() if len(levels) == 1 else None,
                            all(e.direct for e in es), any(e.inferred for e in es), refs))
        return sorted(out, key=lambda x: (x.period, -x.amount, self.label(x.source), self.label(x.target)))

    def to_networkx(self) -> nx.DiGraph:
        """One period's flows → ``nx.DiGraph`` (edges summed; node attributes from ``FlowNode``).

        Raises ``FundflowError`` when the graph holds more than one period: years are never summed.
        """
        periods = self.periods()
        if len(periods) > 1:
            raise FundflowError(f"flows of {len(periods)} periods ({', '.join(p.label for p in periods)}) "
                                "cannot be drawn as one", hint="choose one with --year")
        g = nx.DiGraph(period=periods[0] if periods else None)
        for n in self.used_nodes():
            node = self.nodes.get(n) or FlowNode(n, n, "unit")
            g.add_node(n, node=node, role=node.role, label=node.label)
        for link in self.combined():
            g.add_edge(link.source, link.target, link=link, amount=link.amount)
        return g


# ---------------------------------------------------------------- unit splits


@dataclass
class UnitSplit:
    """An organisation's expenditure of one period by the level of government its money comes from (yuan).

    ``total`` is printed; central and provincial (and county above a district) are the
    projects that name them; ``unattributed`` is printed project expenditure (项目支出)
    that no listed project accounts for, so no level can be read for it (a 决算 that
    lists only its evaluated projects); the rest is the organisation's own government's.
    ``by_level`` holds the four levels and ``unattributed``: its values add up to ``total``.
    """

    org: str
    unit_code: str | None
    label: str
    period: Period
    total: Decimal
    own_level: str = "Municipal"
    by_level: dict[str, Decimal] = field(default_factory=dict)
    direct: dict[str, Decimal] = field(default_factory=dict)
    advance: Decimal = ZERO
    document: str = ""
    role: str = "unit"

    @property
    def year(self) -> int:
        return self.period.year

    def shares(self) -> dict[str, Decimal]:
        """Share of the total per level (0–1, 4 decimals)."""
        return {k: (v / self.total).quantize(Decimal("0.0001")) if self.total else ZERO
                for k, v in self.by_level.items()}

    @property
    def direct_total(self) -> Decimal:
        return sum(self.direct.values(), ZERO)

    def share_of(self, amount: Decimal) -> Decimal:
        return (amount / self.total).quantize(Decimal("0.0001")) if self.total else ZERO


def counted_totals(fg: FlowGraph) -> list[OrgTotal]:
    """The totals a sum may add: per period, units; a department only when none of its units has a total.

    A department's 合计 is the sum of its units, so adding both counts the money twice.
    """
    with_units = {(fg.nodes[t.org].parent, t.period) for t in fg.totals
                  if t.org in fg.nodes and fg.nodes[t.org].parent}
    return [t for t in fg.totals if (t.org, t.period) not in with_units]


def _unlisted(t: OrgTotal, listed: Decimal) -> Decimal:
    """Printed 项目支出 beyond the projects that carry money to ``t.org`` (0 when the projects cover it)."""
    if t.projects is None or t.projects - listed <= step_of(t.money_unit):
        return ZERO
    return t.projects - listed


def unit_splits(fg: FlowGraph) -> list[UnitSplit]:
    """Each counted organisation × period → ``UnitSplit`` (see ``counted_totals``).

    Money of a level is what the projects naming that level carry; printed project
    expenditure that no listed project carries is ``unattributed``, never the own
    government's: a document that lists a tenth of its projects says nothing of the
    level of the rest.
    """
    spent: dict[tuple[str, Period], dict[tuple[str, bool], Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    advance: dict[tuple[str, Period], Decimal] = defaultdict(Decimal)
    for e in fg.edges:
        if e.level is None or fg.role(e.target) != "project":
            continue
        owner = e.recipient or e.source
        parent = fg.nodes[owner].parent if owner in fg.nodes else None
        for org in {o for o in (owner, parent) if o is not None}:
            spent[org, e.period][e.level, e.direct] += e.amount
            advance[org, e.period] += e.amount if e.advance else ZERO
    out = []
    for t in counted_totals(fg):
        node = fg.nodes.get(t.org) or FlowNode(t.org, t.org, "unit")
        own = node.level if node.level in LEVEL_KEYS else "Municipal"
        s = UnitSplit(t.org, node.unit_code, fg.label(t.org), t.period, t.amount, own, document=t.document, role=node.role,
                      advance=advance.get((t.org, t.period), ZERO))
        amounts = spent.get((t.org, t.period), {})
        for lvl, key in LEVEL_KEYS.items():
            s.by_level[key] = sum((a for (lv, _d), a in amounts.items() if lv == lvl), ZERO)
            s.direct[key] = sum((a for (lv, d), a in amounts.items() if lv == lvl and d), ZERO)
        s.by_level[UNATTRIBUTED] = _unlisted(t, sum(amounts.values(), ZERO))
        s.by_level[LEVEL_KEYS[own]] = s.total - sum((v for k, v in s.by_level.items() if k != LEVEL_KEYS[own]), ZERO)
        s.direct = {k: v for k, v in s.direct.items() if k in ("central", "provincial") or v}
        out.append(s)
    return sorted(out, key=lambda s: (s.period, s.unit_code or "", s.label))
