"""The flow graph → conservation findings per period (money in and out of each node), with both sides and their lines.

``check_flows(fg) -> list[Finding]`` on a typed ``FlowGraph`` (``analysis.flows``):

- F01 — at each organisation with a printed expenditure (its 支出总表 合计): the money
  flowing in (money out to its units and projects + its own spending) equals that total.
  More in than printed means money attributed to it that its own tables do not give it;
  less means part of its expenditure is in no flow (a project not listed).
- F02 — at every node: no more money flows out than flows in; at a treasury, per level of
  government above its own, what it passes on equals what it receives.
- F03 — a department's 合计 equals the sum of its units' (the hierarchy is counted once).

Each period apart (a year's budget, a year's final accounts); tolerance is the rounding
of the printed figures, half a step (0.01 万元) per term.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from fundflow.analysis.flows import LEVELS, FlowEdge, FlowGraph, OrgTotal, Period
from fundflow.checks.rules import Finding, catalogue, wan_label
from fundflow.core.model import SourceRef
from fundflow.core.normalize import step_of, terms_tolerance

ZERO = Decimal(0)
STEP = step_of("万元")
MAX_REFS = 12




def _refs(edges: Iterable[FlowEdge]) -> tuple[SourceRef, ...]:
    refs = sorted({e.ref for e in edges if e.ref}, key=lambda r: (r.document, r.first_line, r.last_line))
    return tuple(refs[:MAX_REFS])


def _finding(rule: str, document: str, what: str, expected: Decimal, actual: Decimal, n_terms: int,
             left: tuple[SourceRef, ...], right: tuple[SourceRef, ...], why: str = "") -> Finding:
    """``held`` when ``expected`` and ``actual`` agree within rounding, else ``violated`` (saying ``why``)."""
    tol = terms_tolerance(STEP, n_terms)
    diff = actual - expected
    held = abs(diff) <= tol
    msg = f"{what}: printed {wan_label(expected)}, flows {wan_label(actual)} (difference {wan_label(diff)})"
    msg += f"; {why}" if why and not held else ""
    return Finding(rule, document, "held" if held else "violated", catalogue()[rule].severity, msg, expected, actual,
                   diff, tol, left, right)


def _money(fg: FlowGraph) -> tuple[dict, dict]:
    """(node, period) → edges in and edges out (money edges only: code links say what a project pays for)."""
    into: dict[tuple[str, Period], list[FlowEdge]] = defaultdict(list)
    out: dict[tuple[str, Period], list[FlowEdge]] = defaultdict(list)
    for e in fg.edges:
        if e.level is not None:
            into[e.target, e.period].append(e)
            out[e.source, e.period].append(e)
    return into, out


def _at_total(fg: FlowGraph, t: OrgTotal, into: list[FlowEdge], out: list[FlowEdge]) -> Finding:
    got = sum((e.amount for e in into), ZERO)
    spent_out = sum((e.amount for e in out), ZERO)
    what = (f"{fg.label(t.org)} {t.period.label}: money in (flows: {len(into)}; out to units and projects "
            f"{wan_label(spent_out)}, own spending {wan_label(got - spent_out)}) = its printed expenditure")
    why = ("more flows in than it spends: money attributed to it that its own tables give to another unit?"
           if got > t.amount else "part of its expenditure is in no flow (projects not listed)")
    return _finding("F01", t.document, what, t.amount, got, len(into), (t.ref,) if t.ref else (), _refs(into), why)


def _at_node(fg: FlowGraph, node: str, period: Period, into: list[FlowEdge], out: list[FlowEdge]) -> list[Finding]:
    n = fg.nodes.get(node)
    if n is None or n.role in ("project", "code"):
        return []
    doc = next((e.document for e in into + out), "")
    if n.role != "treasury":
        got, gone = sum((e.amount for e in into), ZERO), sum((e.amount for e in out), ZERO)
        # an inequality: out below in is the organisation's own spending, and holds
        f = _finding("F02", doc, f"{n.label} {period.label}: money out ≤ money in", got, max(gone, got),
                     len(into) + len(out), _refs(into), _refs(out))
        return [f]
    found = []
    for level in LEVELS[:LEVELS.index(n.level)] if n.level in LEVELS else ():
        came = [e for e in into if e.level == level]
        went = [e for e in out if e.level == level]
        f = _finding("F02", doc, f"{n.label} {period.label}: {level} money passed on = money received",
                     sum((e.amount for e in came), ZERO), sum((e.amount for e in went), ZERO), len(came) + len(went),
                     _refs(came), _refs(went))
        found.append(f)
    return found


def _hierarchy(fg: FlowGraph) -> list[Finding]:
    """F03: each department's printed 合计 vs the sum of its units' printed totals, per period."""
    units: dict[tuple[str, Period], list[OrgTotal]] = defaultdict(list)
    for t in fg.totals:
        parent = fg.nodes[t.org].parent if t.org in fg.nodes else None
        if parent:
            units[parent, t.period].append(t)
    out = []
    for t in fg.totals:
        mine = units.get((t.org, t.period))
        if not mine:
            continue
        names = "、".join(fg.label(u.org) for u in mine)
        f = _finding("F03", t.document, f"{fg.label(t.org)} {t.period.label}: 合计 = Σ its units ({names})",
                     t.amount, sum((u.amount for u in mine), ZERO), len(mine),
                     (t.ref,) if t.ref else (), tuple(u.ref for u in mine if u.ref))
        out.append(f)
    return out


def check_flows(fg: FlowGraph, include_held: bool = False) -> list[Finding]:
    """The flow graph → conservation findings (F01–F03), in a stable order; held checks only with ``include_held``."""
    into, out = _money(fg)
    found = [_at_total(fg, t, into.get((t.org, t.period), []), out.get((t.org, t.period), [])) for t in fg.totals]
    for node, period in sorted(set(into) | set(out), key=lambda k: (k[1], k[0])):
        found += _at_node(fg, node, period, into.get((node, period), []), out.get((node, period), []))
    found += _hierarchy(fg)
    return [f for f in found if include_held or f.status != "held"]
