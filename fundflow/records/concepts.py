"""Column headers by meaning: a header path → what the column holds.

``column_roles(columns, revenue)`` maps each column's header path (``基本支出/人员经费``,
``本年收入/一般公共预算``, ``功能分类科目/科目编码``) to a ``Column``: a label role (``code``,
``name``, ``unit``, ``unit_code``, ``project``, ``label``, ``seq``), ``text`` (free text beside
the amounts) or ``amount`` with its token (``Total``, ``Basic``, ``Personnel``,
``CurrentYear/GeneralPublicBudget``, ``Total/GovernmentFund`` …, the amount type and the fund
of the BudgetLine it makes), or ``unknown`` when no term of the vocabulary matches.

Each header cell on the path is matched to the longest term of ``data/column_terms.csv`` it
contains, so wording of a province not seen before mostly works unseen: ``一般公共预算拨款收入``
and ``一般公共预算`` are both the general public budget.  A subtotal under a group is the
group's (``基本支出/小计`` → Basic); a heading over every amount column (``一般公共预算支出``)
is the table's scope and names no column; ``其中：`` marks a part.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from fundflow.core.normalize import compact
from fundflow.core.resources import read_csv

LABEL_KINDS = ("label",)
_OF_WHICH = re.compile(r"^(?:其中|含)[:：]?")


@dataclass(frozen=True)
class Term:
    concept: str
    kind: str  # label | text | fund | amount | total | group | scope
    term: str


@dataclass(frozen=True)
class Column:
    role: str  # code | name | unit | unit_code | project | label | seq | text | amount | unknown
    token: str  # the amount token for role "amount", else ""
    text: str  # the header path as printed

    @property
    def amount_type(self) -> str:
        return self.token.partition("/")[0]

    @property
    def fund(self) -> str | None:
        return self.token.partition("/")[2] or None


@lru_cache(maxsize=1)
def terms() -> tuple[Term, ...]:
    """The vocabulary, longest term first (file order among terms of one length)."""
    rows = [Term(r["concept"], r["kind"], r["term"]) for r in read_csv("column_terms.csv")]
    return tuple(sorted(rows, key=lambda t: -len(t.term)))


def term_of(segment: str) -> Term | None:
    """One header cell → the longest vocabulary term it contains, or None.

    A scope term (``本年支出``) only says where the cell stands; when the cell also names what
    it counts (``本年支出合计``: a 合计), that term is the cell's meaning.  A one-character term
    (``款``, ``项``: the code columns 类/款/项) is the whole cell or nothing: ``专户拨款`` is no 款.
    """
    text = _OF_WHICH.sub("", compact(segment))
    if not text:
        return None
    found = [t for t in terms() if (t.term in text if len(t.term) > 1 else t.term == text)]
    return next((t for t in found if t.kind != "scope"), found[0] if found else None)


def _compose(path: list[Term], revenue: bool) -> str:
    """The terms of one column's path (amount kinds only, top first) → its amount token."""
    leaf, parents = path[-1], path[:-1]
    funds = [p for p in parents if p.kind == "fund"]
    groups = [p for p in parents if p.kind in ("group", "amount")]
    if leaf.kind == "total":
        if not parents:
            return "Total"
        up = parents[-1]
        if up.kind == "fund":
            return f"Total/{up.concept}"
        return _group_token(up.concept, revenue)
    if leaf.kind == "fund":
        base = "CarryOver" if any(g.concept == "CarryOver" for g in groups) else ("CurrentYear" if revenue else "Total")
        return f"{base}/{leaf.concept}"
    token = _group_token(leaf.concept, revenue)
    return f"{token}/{funds[-1].concept}" if funds and "/" not in token else token


def _group_token(concept: str, revenue: bool) -> str:
    if concept == "Appropriation":
        return "Appropriation" if revenue else "Total/FiscalAppropriation"
    return concept


def _scope_prefix(paths: list[list[str]]) -> int:
    """How many leading header cells every amount column shares (a heading over all of them)."""
    if len(paths) < 2:
        return 0
    n = 0
    while all(len(p) > n + 1 and p[n] == paths[0][n] for p in paths):
        n += 1
    return n


def column_roles(columns: tuple[str, ...], revenue: bool = False) -> tuple[Column, ...]:
    """Header paths → the role of each column (``revenue``: fund columns are current-year revenue)."""
    paths = [[s for s in c.split("/") if s] for c in columns]
    matched = [[term_of(s) for s in p] for p in paths]
    amountish = [i for i, m in enumerate(matched) if m and all(t is None or t.kind not in LABEL_KINDS + ("text",)
                                                                  for t in m) and any(t for t in m)]
    cut = _scope_prefix([paths[i] for i in amountish])
    out = []
    for i, (_path, found) in enumerate(zip(paths, matched)):
        labels = [t for t in found if t and t.kind in LABEL_KINDS]
        if labels:
            out.append(Column(labels[-1].concept, "", columns[i]))
            continue
        if found and found[-1] and found[-1].kind == "text":
            out.append(Column("text", "", columns[i]))
            continue
        kept = [t for t in (found[cut:] if i in amountish else found)
                if t and t.kind in ("total", "amount", "group", "fund")]
        out.append(Column("amount", _compose(kept, revenue), columns[i]) if kept else Column("unknown", "", columns[i]))
    return tuple(out)
