"""Run the checks: ``reconcile(parsed) -> [Finding]`` for one document's records,
``reconcile_across(docs)`` for the rules between documents (budget vs final accounts).

Findings whose rule held are dropped unless ``include_held``.  Nothing here raises
for odd records: a rule that cannot be evaluated is a ``skipped`` finding.
"""
from __future__ import annotations

from collections.abc import Iterable

from fundflow.checks import attribution, narrative, tables
from fundflow.checks.rules import Checker, Finding
from fundflow.checks.tables import budget_vs_final
from fundflow.core.model import ParsedDocument


def reconcile(parsed: ParsedDocument, include_held: bool = False) -> list[Finding]:
    """One document's records → the findings of every within-document rule."""
    checker = Checker(parsed)
    for check in tables.CHECKS + narrative.CHECKS + attribution.CHECKS:
        check(checker)
    return [f for f in checker.out if include_held or f.status != "held"]


def reconcile_across(docs: Iterable[ParsedDocument], include_held: bool = False) -> list[Finding]:
    """Several documents → findings of the cross-document rules (budget vs final accounts, X1)."""
    out = budget_vs_final(list(docs))
    return [f for f in out if include_held or f.status != "held"]
