"""The rule catalogue (``data/rules.csv``) and a document's records → a ``Checker`` collecting ``Finding``s.

``reconcile(parsed) -> list[Finding]`` evaluates every rule of the catalogue
(``data/rules.csv``) on one document; ``reconcile_across(docs)`` the rules
that need two documents.  A rule that holds yields nothing (or a ``held``
finding with ``include_held=True``); one that cannot be evaluated (table
illegible or missing) yields a ``skipped`` finding, never a pass.  Records
marked ``ambiguous`` are never evidence of a discrepancy.

Tolerance is the rounding of the printed figures: half the printed step
(``core.normalize.step_of``: 0.01 万元 = 100 yuan, 0.01 元 in 元 tables) for each
term and for the total (``terms_tolerance``).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

from fundflow.core.model import ParsedDocument, SourceRef, TableIssue
from fundflow.core.normalize import in_wan, step_of
from fundflow.core.resources import read_csv


@dataclass(frozen=True)
class Rule:
    """One row of the rule catalogue."""

    id: str
    label: str
    severity: str  # Violation | Warning | Info (as sh:resultSeverity)
    category: str
    scope: str  # within | cross
    tolerance: str  # terms | printed | exact
    description: str


@dataclass(frozen=True)
class Finding:
    """The outcome of one rule on one set of figures.

    ``expected`` is the side the document prints as the total (or the table
    figure a statement should match), ``actual`` the recomputed side;
    ``left``/``right`` are the lines of each side.
    """

    rule: str
    document: str
    status: str  # violated | skipped | held
    severity: str
    message: str
    expected: Decimal | None = None
    actual: Decimal | None = None
    difference: Decimal | None = None
    tolerance: Decimal | None = None
    left: tuple[SourceRef, ...] = ()
    right: tuple[SourceRef, ...] = ()
    measure: str = "yuan"  # what expected / actual count: "yuan", or "%" for percentage rules

    @property
    def failed(self) -> bool:
        return self.status == "violated" and self.severity != "Info"


# The words a report uses: a check's outcome, and a rule's severity (as sh:resultSeverity, lower case).
STATUS = {"violated": "failed", "held": "passed", "skipped": "skipped"}
SEVERITIES = ("violation", "warning", "info")


def rule_counts(findings: Iterable[Finding]) -> dict[str, dict[str, int]]:
    """Findings (held ones included) → rule id → {"passed", "failed", "skipped"} counts."""
    out: dict[str, dict[str, int]] = {}
    for f in findings:
        counts = out.setdefault(f.rule, {"passed": 0, "failed": 0, "skipped": 0})
        counts[STATUS[f.status]] += 1
    return out


@lru_cache(maxsize=1)
def catalogue() -> dict[str, Rule]:
    """The rule catalogue (``data/rules.csv``) by id."""
    return {r["id"]: Rule(**r) for r in read_csv("rules.csv")}


@dataclass
class Checker:
    """Builds the findings of one document: ``compare`` is the one place that decides."""

    parsed: ParsedDocument
    out: list[Finding] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.parsed.source.name

    def undecided(self, table: str) -> bool:
        """True when the records stage could not place some numbers of ``table`` (its figures are incomplete)."""
        return any(i.kind == "ambiguous" and i.table == table for i in self.parsed.of(TableIssue))

    def table_step(self, label: str | None) -> Decimal:
        for t in self.parsed.tables:
            if t.label == label:
                return step_of(t.money_unit or self.parsed.meta.money_unit)
        return step_of(self.parsed.meta.money_unit)

    def skip(self, rule: str, message: str, refs: Iterable[SourceRef] = ()) -> None:
        self.out.append(Finding(rule, self.name, "skipped", catalogue()[rule].severity, message, left=tuple(refs)))

    def flag(self, rule: str, message: str, left: Iterable[SourceRef] = (), right: Iterable[SourceRef] = ()) -> None:
        self.out.append(Finding(rule, self.name, "violated", catalogue()[rule].severity, message,
                                left=tuple(left), right=tuple(right)))

    def compare(self, rule: str, what: str, expected: Decimal, actual: Decimal, tol: Decimal,
                left: Iterable[SourceRef], right: Iterable[SourceRef], ambiguous: bool = False,
                unit: str = "万元") -> bool:
        """Record whether ``expected ≈ actual`` within ``tol``; True when it holds."""
        diff = actual - expected
        holds = abs(diff) <= tol
        status = "held" if holds else ("skipped" if ambiguous else "violated")
        fmt = wan_label if unit == "万元" else (lambda x: f"{x}{unit}")
        msg = f"{what}: printed {fmt(expected)}, recomputed {fmt(actual)} (difference {fmt(diff)})"
        if ambiguous and not holds:
            msg += "; not evidence: a figure's column placement is ambiguous"
        self.out.append(Finding(rule, self.name, status, catalogue()[rule].severity, msg, expected, actual, diff,
                                tol, tuple(left), tuple(right), "%" if unit == "%" else "yuan"))
        return holds


def wan_label(amount: Decimal) -> str:
    """Yuan → a short 万元 string for messages."""
    return f"{in_wan(amount)} 万元"
