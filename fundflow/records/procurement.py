"""政府采购 / 政府购买服务 tables → Procurement records.

``table_to_procurement(doc, table, meta_hint)`` reads two shapes:

* flat tables, one row per item: ``[单位名称, 项目名称 | 购买服务项目名称, 指导目录…,
  总计, 本年收入合计, 一般公共预算, …]`` (Liaoning 表14/表15, 公开 tables of the
  same design).  Label columns are named by the header wording
  (``data/procurement_columns.csv``), the fund columns as in project tables.
* tree tables (Jiangsu 公开12表): category rows (``一、货物 A``), project /
  subject rows whose amount is the sum of the item rows below them, item rows
  that name an 采购组织形式.

合计 rows are not items; they check that the items add up.  When they do not,
the table is reported ``unreadable`` and gives no items — nothing is guessed.
"""
from __future__ import annotations

import re
from decimal import Decimal

from fundflow.core.model import Procurement, RawRow, RawTable, SourceDocument, TableIssue
from fundflow.core.normalize import clean_cell, compact, is_amount, parse_amount, to_yuan
from fundflow.records.columns import ColumnSpec, place_row
from fundflow.records.procurement_terms import category_of, label_roles, term
from fundflow.records.procurement_tree import read_tree
from fundflow.records.projects import header_columns

_FILLER = re.compile(r"^[\s　…\.·—\-/*]*$")
_NAME_ROLES = ("item", "project", "category")
_NUMBERED = ("seq", "function")


class Row:
    """A body row: its label texts and its amounts in yuan (in printed order)."""

    def __init__(self, raw: RawRow, money_unit: str | None, numbered: frozenset[int] = frozenset()) -> None:
        self.raw, self.money_unit = raw, money_unit
        # the 序号 and 功能科目 cells of an aligned row are numbers, not amounts
        cells = [c for i, c in enumerate(raw.cells) if not (raw.aligned and i in numbered)]
        self.texts = [clean_cell(c) for c in cells if not is_amount(c) and not _FILLER.match(c)]
        self.amounts = [to_yuan(parse_amount(c), money_unit) for c in cells if is_amount(c)]

    @property
    def is_total(self) -> bool:
        return bool(self.texts) and term(self.texts[0].strip("*"), "total") is not None


def table_to_procurement(doc: SourceDocument, table: RawTable, meta_hint: dict) -> list[Procurement | TableIssue]:
    """One 政府采购 / 政府购买服务 table → its items, or one ``unreadable`` issue.

    An empty table (no amounts, or only a 合计 row) gives no records.
    """
    unit_money = table.money_unit or meta_hint.get("money_unit")
    roles = label_roles(table.header)
    numbered = frozenset(i for i, role in enumerate(roles) if role in _NUMBERED)
    rows = [Row(raw, unit_money, numbered) for raw in table.rows]
    if not any(r.amounts for r in rows):
        return []
    tol = to_yuan(Decimal("0.01"), unit_money)
    tree = "subject" in roles or any(category_of(r.texts[0]) for r in rows if r.texts and r.amounts)
    if tree:
        items, problem = read_tree(rows, tol)
        out = [Procurement(table.label, table.kind or "procurement", it.name, it.amount,
                           doc.ref(it.first, it.last, table.label), project=it.project, category=it.category)
               for it in items]
    else:
        out, problem = _read_flat(doc, table, rows, roles, meta_hint, tol)
    if problem:
        ref = doc.ref(table.first_line, table.last_line, table.label)
        return [TableIssue(table.label, "unreadable", f"{table.label} {table.title}: {problem}", ref)]
    return list[Procurement | TableIssue](out)


def _read_flat(doc, table: RawTable, rows: list[Row], roles: tuple[str, ...], hint: dict,
               tol: Decimal) -> tuple[list[Procurement], str | None]:
    """One item per row with amounts; the 合计 row checks their sum."""
    spec = header_columns(table.header)
    known = [n for n in (table.unit_name, hint.get("unit_name"), hint.get("department")) if n]
    total, out = None, list[Procurement]()
    for r in rows:
        if not r.amounts:
            continue
        if r.is_total:
            total = r.amounts[0]
            continue
        labels = _labels(r, roles, known)
        name = labels.get("item") or labels.get("project")
        if not name:
            return [], f"a row of amounts without a name (line {r.raw.first_line})"
        out.append(Procurement(table.label, table.kind or "procurement", name, r.amounts[0],
                               doc.ref(r.raw.first_line, r.raw.last_line, table.label),
                               project=labels.get("project"), category=labels.get("category"),
                               unit_name=labels.get("unit"), columns=_columns(r, spec)))
    if total is not None and abs(sum((p.amount for p in out), Decimal(0)) - total) > tol * max(1, len(out)):
        return [], f"the items add up to {sum(p.amount for p in out)} yuan, the 合计 row says {total}"
    return out, None


def _labels(r: Row, roles: tuple[str, ...], known: list[str]) -> dict[str, str]:
    """A row's label texts → {role: text}.

    Aligned rows give each label column its cell.  Rows whose empty cells were
    dropped print the labels run together (``沈阳市…中心医保中心业务耗材…``): a
    known unit name in front is split off; the rest is the one name column the
    table has besides unit, function and method, or the item when it has several.
    """
    if r.raw.aligned and roles and len(r.raw.cells) >= len(roles):
        cells = [clean_cell(c) for c in r.raw.cells[:len(roles)]]
        return {role: c for role, c in zip(roles, cells) if c and not _FILLER.match(c)}
    text = "".join(r.texts)
    out: dict[str, str] = {}
    for name in sorted(known, key=len, reverse=True):
        if "unit" in roles and compact(text).startswith(compact(name)) and compact(text) != compact(name):
            out["unit"], text = name, _after(text, name)
            break
    names = [x for x in roles if x in _NAME_ROLES]
    if text:
        out[names[0] if len(names) == 1 else "item"] = text
        if names == ["project"]:
            out["item"] = text
    return out


def _after(text: str, prefix: str) -> str:
    """``text`` without the leading ``prefix`` (blanks inside either ignored)."""
    want, i = len(compact(prefix)), 0
    while i < len(text) and len(compact(text[:i])) < want:
        i += 1
    return clean_cell(text[i:])


def _columns(r: Row, spec: ColumnSpec) -> tuple[tuple[str, Decimal], ...]:
    """The row's amounts by fund column: by position when aligned, else by the identities when they decide."""
    n = len(spec.names)
    if not n:
        return ()
    if r.raw.aligned and len(r.raw.cells) >= n:
        printed = r.raw.cells[-n:]
        return tuple((spec.names[i], to_yuan(parse_amount(c), r.money_unit))
                     for i, c in enumerate(printed) if is_amount(c))
    options = place_row(r.amounts, spec)
    if len(options) != 1:
        return ()
    return tuple((spec.names[c], v) for c, v in zip(options[0], r.amounts))
