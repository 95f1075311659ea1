"""Tree-shaped 政府采购 tables (category → project/subject → item rows).

``read_tree(rows, tol) -> (items, problem)``: item rows name an 采购组织形式
(wording in ``data/procurement_terms.csv``); a row with an amount and no such
wording is a project/subject subtotal over the items below it; ``一、货物 A``
rows are category subtotals.  Every subtotal must equal the sum of its parts,
else ``problem`` says which does not and no items are returned.

Project names wrapped over several lines come apart in the text: a piece
printed on a row of its own or run into an item row may belong to the group
above or below.  Such groups keep ``project=None`` — a name is never pieced
together by guess.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from fundflow.records.procurement_terms import category_of, term


@dataclass
class TreeItem:
    name: str
    amount: Decimal
    first: int
    last: int
    category: str | None
    project: str | None = None


@dataclass
class _Group:
    amount: Decimal | None  # None: items printed without a subtotal row
    project: str | None
    items: list[TreeItem] = field(default_factory=list)
    clean: bool = True


@dataclass
class _State:
    total: Decimal | None = None
    category: str | None = None
    categories: list[tuple[str, Decimal, list[_Group]]] = field(default_factory=list)
    groups: list[_Group] = field(default_factory=list)
    open: bool = False  # a group (subtotal row) is open for item rows
    pending: bool = False  # a loose name piece may start the next group's project


def read_tree(rows: list, tol: Decimal) -> tuple[list[TreeItem], str | None]:
    """Body rows (``procurement.Row``) → (items with category and project, problem or None)."""
    st = _State()
    for r in rows:
        if not r.amounts:
            _loose_piece(st, bool(r.texts))
        elif r.is_total:
            st.total = r.amounts[0]
        elif r.texts and (category := category_of(r.texts[0])):
            st.category = category
            st.categories.append((category, r.amounts[0], []))
            st.open = False
            _loose_piece(st, len(r.texts) > 1)
        elif any(term(t, "method") for t in r.texts):
            _item(st, r, term)
        else:
            _subtotal(st, r)
    problem = _check(st, tol)
    if problem:
        return [], problem
    items = []
    for g in st.groups:
        if any(not it.name for it in g.items):
            return [], "an item row without a name"
        for it in g.items:
            it.project = g.project if g.clean else None
            items.append(it)
    return items, None


def _loose_piece(st: _State, present: bool) -> None:
    if present:
        st.pending = True
        if st.groups:
            st.groups[-1].clean = False


def _item(st: _State, r, term) -> None:
    """An item row: its name is the text just before the 采购组织形式; texts before that are loose pieces."""
    at = next(i for i, t in enumerate(r.texts) if term(t, "method"))
    if not st.open:
        st.open = True
        st.groups.append(_Group(None, None, clean=False))  # items printed without a subtotal row
        _attach(st, st.groups[-1])
    if at > 1:
        _loose_piece(st, True)
    elif at == 1:
        st.pending = False
    name = r.texts[at - 1] if at else ""
    st.groups[-1].items.append(TreeItem(name, r.amounts[0], r.raw.first_line, r.raw.last_line, st.category))


def _subtotal(st: _State, r) -> None:
    """A project/subject row: two names start a project; one name continues the project above."""
    if len(r.texts) >= 2 and not st.pending:
        group = _Group(r.amounts[0], r.texts[0])
    elif len(r.texts) == 1 and not st.pending and st.groups:
        prev = st.groups[-1]
        group = _Group(r.amounts[0], prev.project, clean=prev.clean)
    else:
        group = _Group(r.amounts[0], None, clean=False)
    st.pending, st.open = False, True
    st.groups.append(group)
    _attach(st, group)


def _attach(st: _State, group: _Group) -> None:
    if st.categories:
        st.categories[-1][2].append(group)


def _check(st: _State, tol: Decimal) -> str | None:
    """Each subtotal = Σ its items, each category = Σ its subtotals, 合计 = Σ categories (or Σ items)."""
    subtotal: dict[int, Decimal] = {}
    for g in st.groups:
        items = sum((i.amount for i in g.items), Decimal(0))
        subtotal[id(g)] = items if g.amount is None else g.amount
        g.amount = subtotal[id(g)]
        if not g.items or abs(items - g.amount) > tol * len(g.items):
            return f"the items below a subtotal of {g.amount} yuan do not add up to it"
    for name, amount, groups in st.categories:
        if abs(sum((subtotal[id(g)] for g in groups), Decimal(0)) - amount) > tol * max(1, len(groups)):
            return f"the rows under {name} do not add up to its {amount} yuan"
    if st.total is not None:
        parts = [a for _, a, _ in st.categories] if st.categories else [subtotal[id(g)] for g in st.groups]
        if abs(sum(parts, Decimal(0)) - st.total) > tol * max(1, len(parts)):
            return f"the rows add up to {sum(parts, Decimal(0))} yuan, the 合计 row says {st.total}"
    return None
