"""Rows that print a 类/款/项 name and no code → BudgetLines with the function code recovered from the name.

``九、卫生健康支出`` / ``行政事业单位医疗`` / ``卫生健康支出-行政事业单位医疗-事业单位医疗``: the
code comes from a code book — the document's own printed code–name pairs (any table that
prints both) and the shipped reference list of the document's edition
(``data/code_names.csv``) — and from the row's place in the hierarchy: a 款 belongs to the
类 above it, a 项 to the 款 above it, a name path names its parents, and no code is given
twice in one table.  Generic names (``行政运行``, ``其他…支出``) are thus resolved only
through their parent; a name the book does not hold, or one that several codes fit, is left
uncoded and reported.  Recovered codes are ``BudgetLine.code_inferred``: never printed.

``resolve_names(names, book) -> [Resolved]`` works on one table's rows in order;
``uncoded_to_lines(rows, book)`` turns the rows grid classification readers kept aside
(``UncodedRow``) into BudgetLines and TableIssues (text tables without a grid:
``classification.coded_by_names``); ``summary_lines(totals, book)`` does the
same for the expenditure side of summary tables (表1/表4), whose lines are named, not coded.
"""
from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from fundflow.core.model import BudgetLine, SourceRef, TableIssue, TableTotal
from fundflow.core.normalize import is_total_label, strip_ordinal
from fundflow.core.resources import read_csv

_PATH_SEP = re.compile(r"\s*[-－—–/>＞→]+\s*")


def name_key(name: str) -> str:
    """A printed name → the form names are compared in (NFKC, no blanks, no brackets or 、)."""
    return re.sub(r"[\s（）()、]", "", unicodedata.normalize("NFKC", name))


@dataclass(frozen=True)
class UncodedRow:
    """A classification row printed with a name and no code, kept aside until the document's
    code book is known; ``amounts``: (amount type, fund or None, yuan) per amount column."""

    table: str
    table_kind: str
    name: str
    amounts: tuple[tuple[str, str | None, Decimal], ...]
    ref: SourceRef
    unit_name: str | None = None


@dataclass(frozen=True)
class Resolved:
    name: str  # the leaf name, ordinal stripped
    code: str | None
    reason: str  # "" when coded; else why not


class CodeBook:
    """Name key → function codes, from the document's printed pairs and the edition's list."""

    def __init__(self, pairs: Iterable[tuple[str, str]], other_editions: Iterable[tuple[str, str]] = ()):
        self.codes: dict[str, set[str]] = defaultdict(set)
        self.elsewhere: dict[str, set[str]] = defaultdict(set)  # names of other editions: reported, not used
        for target, source in ((self.codes, pairs), (self.elsewhere, other_editions)):
            for code, name in source:
                if name and len(code) in (3, 5, 7) and code.isdigit():
                    target[name_key(name)].add(code)

    def lookup(self, name: str) -> set[str]:
        return self.codes.get(name_key(name), set())


@lru_cache(maxsize=8)
def _reference(year: int | None) -> tuple[tuple[str, str], ...]:
    """Function code–name pairs of the edition in force in ``year`` (all editions when unknown)."""
    out = []
    for r in read_csv("code_names.csv"):
        if r["scheme"] != "function":
            continue
        start, until = int(r["valid_from"] or 0), int(r["valid_until"] or 9999)
        if year is None or start <= year <= until:
            out.append((r["code"], r["name"]))
    return tuple(out)


@lru_cache(maxsize=1)
def _reference_names() -> frozenset[str]:
    return frozenset(name_key(n) for _c, n in _reference(None))


def is_subject_name(text: str) -> bool:
    """``（二）公立医院`` → True: the name of a function 类/款/项 of some edition (so a row that
    prints it is a classification row, even when it ends like an organisation's name)."""
    return name_key(strip_ordinal(text)) in _reference_names()


def code_book(year: int | None, lines: Iterable[BudgetLine]) -> CodeBook:
    """The document's printed function code–name pairs plus the reference list of its year."""
    printed = [(b.code, b.name) for b in lines
               if b.code and b.code_scheme == "function" and not b.code_inferred and not b.derived]
    current = set(_reference(year))
    return CodeBook(printed + sorted(current), [p for p in _reference(None) if p not in current])


def _fits(code: str, context: dict[int, str | None]) -> bool:
    if len(code) == 3:
        return True
    return code[:len(code) - 2] == context[len(code) - 2]


def _resolve_path(parts: list[str], book: CodeBook) -> str | None:
    parent: str | None = None
    for part in parts:
        cands = [c for c in book.lookup(part)
                 if (parent is None and len(c) == 3) or (parent is not None and c[:-2] == parent and len(c) > 3)]
        if len(cands) != 1:
            return None
        parent = cands[0]
    return parent


def _elsewhere(name: str, book: CodeBook) -> str:
    other = sorted(book.elsewhere.get(name_key(name), ()))
    if other:
        return f"it is the name of {', '.join(other)} in another edition than the document's year"
    return "its name is in no code list of the document or its edition"


def resolve_names(names: Sequence[str], book: CodeBook) -> list[Resolved]:
    """One table's row names, in printed order → a code (or why none) per row.

    A single name takes the one code of the book that fits the rows above it (a 类 always
    fits; a 款 only under the current 类, a 项 only under the current 款) and that the table
    has not used yet.  A name path (``类名-款名-项名``) is resolved part by part from its 类.
    After a name that cannot be placed, the current 款 is forgotten, so no 项 below an
    unknown row is put under an earlier 款.
    """
    context: dict[int, str | None] = {3: None, 5: None}
    used: set[str] = set()
    out: list[Resolved] = []
    for raw in names:
        name = strip_ordinal(raw)
        parts = [p for p in _PATH_SEP.split(name) if p]
        leaf = parts[-1] if parts else name
        if len(parts) > 1 and len(parts) <= 3:
            code = _resolve_path(parts, book)
            reason = "" if code else "its name path matches no single chain of codes"
        else:
            known = book.lookup(leaf)
            fits = sorted(c for c in known - used if _fits(c, context))
            code = fits[0] if len(fits) == 1 else None
            reason = ("" if code else
                      f"{len(fits)} codes fit its name and place ({', '.join(fits)})" if len(fits) > 1 else
                      "no code of its place in the hierarchy has this name" if known else
                      _elsewhere(leaf, book))
        if code in used:
            code, reason = None, f"code {code} is already given to another row of the table"
        if code:
            used.add(code)
            if len(code) == 3:
                context = {3: code, 5: None}
            elif len(code) == 5:
                context = {3: code[:3], 5: code}
            else:
                context = {3: code[:3], 5: code[:5]}
        else:
            context = {3: context[3], 5: None}
        out.append(Resolved(leaf, code, reason))
    return out


def _issue(table: str, name: str, reason: str, ref: SourceRef) -> TableIssue:
    return TableIssue(table, "uncoded", f"{table} row {name!r} prints no code and none was recovered: {reason}", ref)


def uncoded_to_lines(rows: Sequence[UncodedRow], book: CodeBook) -> list[BudgetLine | TableIssue]:
    """The name-only rows of classification tables → BudgetLines with inferred codes, else TableIssues."""
    by_table: dict[tuple[str, str | None], list[UncodedRow]] = defaultdict(list)
    for r in rows:
        by_table[(r.table, r.unit_name)].append(r)
    out: list[BudgetLine | TableIssue] = []
    for group in by_table.values():
        for row, res in zip(group, resolve_names([r.name for r in group], book)):
            if not res.code:
                out.append(_issue(row.table, res.name, res.reason, row.ref))
                continue
            for amount_type, fund, value in row.amounts:
                out.append(BudgetLine(row.table, row.table_kind, res.code, "function", res.name, amount_type,
                                      value, row.ref, fund, unit_name=row.unit_name,
                                      code_inferred=True))
    return out


_SPENT = ("本年支出合计", "支出合计", "合计")  # Σ this year's spending lines (Σ 类)
_GRAND = ("支出总计", "总计")  # the same plus what is carried forward, when something is


def summary_lines(totals: Sequence[TableTotal], book: CodeBook) -> list[BudgetLine | TableIssue]:
    """Labelled lines of summary tables (their expenditure side) named as classification rows →
    BudgetLines (Total, inferred code), and the side's total as the 合计 line (code "") the
    类 lines add up to.

    Labels no code list holds (本年支出合计, 结转下年 …) are not classification rows; one that
    sits between two recovered rows and is not a total is reported as uncoded.  The 合计 line
    is the printed 本年支出合计 (支出合计, 合计); else the 支出总计 (总计) when no other line
    of the side prints an amount (nothing is carried forward); and only when every line
    between the first and the last 类 was given a code (else Σ 类 would leave out a row).
    """
    by_table: dict[str, list[TableTotal]] = defaultdict(list)
    for t in totals:
        by_table[t.table].append(t)
    out: list[BudgetLine | TableIssue] = []
    for table_totals in by_table.values():
        group = [t for t in table_totals if not is_total_label(t.label)]
        resolved = resolve_names([t.label for t in group], book)
        coded = [i for i, r in enumerate(resolved) if r.code]
        if not coded:
            continue
        complete = True
        for i, (t, res) in enumerate(zip(group, resolved)):
            if res.code:
                out.append(BudgetLine(t.table, t.table_kind, res.code, "function", res.name, "Total", t.amount,
                                      t.ref, code_inferred=True))
            elif coded[0] < i < coded[-1] and "合计" not in t.label and "总计" not in t.label:
                out.append(_issue(t.table, res.name, res.reason, t.ref))
                complete = False
        head = _side_total(table_totals, {id(group[i]) for i in coded})
        if complete and head is not None:
            out.append(BudgetLine(head.table, head.table_kind, "", "function", "合计", "Total", head.amount, head.ref))
    return out


def _side_total(totals: Sequence[TableTotal], coded: set[int]) -> TableTotal | None:
    """The printed total of a summary table's expenditure side that Σ its 类 lines make (see
    ``summary_lines``), or None."""
    keyed = [(name_key(t.label), t) for t in totals]
    for label in _SPENT:
        for k, t in keyed:
            if k == label:
                return t
    others = [t for k, t in keyed if id(t) not in coded and k not in _GRAND and t.amount]
    if others:
        return None
    for label in _GRAND:
        for k, t in keyed:
            if k == label:
                return t
    return None
