"""Classification tables whose cells are known (grids) → BudgetLines, by what each column means.

``aligned_lines(doc, table, money_unit)``: the columns' roles come from their header paths
(``records.concepts``); each row gives its code — printed in a code column, split over
类/款/项 columns, or fused into the name (``[201]一般公共服务支出``, ``2101501-行政运行``,
``201 一般公共服务支出``) —, its name and one BudgetLine per amount column.  Rows of a table by
unit give the unit's figures; the 合计 row is code "".  Columns no term matches are reported
by their text in one TableIssue and left out; the rest of the table is read.  When a table
prints its 项 but none of their 类 (or 款), the parents' figures are the sums of their
children, kept as ``derived`` lines that point at the children's rows.
"""
from __future__ import annotations

import re
from collections import defaultdict
from decimal import Decimal

from fundflow.core.model import BudgetLine, RawRow, RawTable, SourceDocument, SourceRef, TableIssue
from fundflow.core.normalize import (
    clean_cell,
    compact,
    is_amount,
    is_code,
    is_org_name,
    is_total_label,
    normalize_code,
    parse_amount,
    to_yuan,
)
from fundflow.loaders.titles import kind_scheme
from fundflow.records.concepts import Column, column_roles
from fundflow.records.named_codes import UncodedRow

SCHEMES = {"1": "revenue", "2": "function", "3": "econ_dept", "5": "econ_gov"}
_FUSED = re.compile(r"^[\[［【(（]?\s*(\d{3}(?:\s?\d{2}){0,2})\s*[\]］】)）]?\s*[-－—_:：.、\s]*\s*(\D.*)$")
_EMPTY = ("", "-", "—", "－", "/", "——")


def split_fused(text: str) -> tuple[str, str]:
    """``[201]一般公共服务支出`` / ``2101501-行政运行`` → (code, name); a bare name → ("", name)."""
    t = clean_cell(text)
    m = _FUSED.match(t)
    if m and is_code(m.group(1)):
        return normalize_code(m.group(1)), compact(m.group(2))
    return "", compact(t)


def _label(row: RawRow, roles: tuple[Column, ...], role: str) -> str:
    return "".join(clean_cell(row.cells[i]) for i, c in enumerate(roles) if c.role == role and i < len(row.cells))


def _key(row: RawRow, roles: tuple[Column, ...]) -> tuple[str, str, str | None] | None:
    """A row → (code or "" for 合计, name, unit name or None); None for a row that is no classification row."""
    code, name = _label(row, roles, "code"), _label(row, roles, "name")
    unit = _label(row, roles, "unit") or None
    label = _label(row, roles, "label")
    if any(is_total_label(t) for t in (code, name, label, unit or "") if t):
        return "", "合计", None
    if code and not is_code(code):
        fused, rest = split_fused(code)
        code, name = (fused, name or rest) if fused else ("", name or compact(code))
    if not code and name:
        code, name = split_fused(name)
    if code and is_code(code):
        return normalize_code(code), compact(name), None
    if unit and is_org_name(unit):
        return "", "合计", compact(unit)
    return None


def _named(row: RawRow, roles: tuple[Column, ...]) -> tuple[None, str, str | None] | None:
    """A row of a table without codes → (None, its printed name, None) when it names something."""
    name = compact(_label(row, roles, "name") or _label(row, roles, "label") or _label(row, roles, "code"))
    return (None, name, None) if name and not is_amount(name) else None


def _amount(text: str) -> Decimal | None:
    t = clean_cell(text)
    if t in _EMPTY:
        return None
    if not is_amount(t):
        raise ValueError(t)
    return parse_amount(t)


def code_scheme(code: str, kind: str | None) -> str:
    """A subject code's scheme by its first digit; a line printed without a code (合计) takes its table kind's."""
    return SCHEMES.get(code[:1], "function") if code else kind_scheme(kind)


def names_function_subjects(kind: str | None) -> bool:
    """Whether a table of this kind that prints no codes names function subjects, coded later from the names
    (revenue tables name sources of money, economic tables economic items: neither is coded so)."""
    return kind_scheme(kind) == "function" and kind != "revenue"


def _understood(doc: SourceDocument, table: RawTable, roles: tuple[Column, ...]) -> list[TableIssue]:
    unknown = [c.text or f"column {i + 1}" for i, c in enumerate(roles) if c.role == "unknown"]
    if not unknown:
        return []
    return [TableIssue(table.label, "column", f"{table.label} {table.title}: column(s) not understood, left out: "
                       + ", ".join(repr(u) for u in unknown), doc.ref(table.first_line, table.first_line, table.label))]


def aligned_lines(doc: SourceDocument, table: RawTable, money_unit: str | None
                  ) -> list[BudgetLine | TableIssue | UncodedRow]:
    """A classification table with known columns → BudgetLines (yuan) and TableIssues."""
    roles = column_roles(table.columns, revenue=table.kind == "revenue")
    amounts = [i for i, c in enumerate(roles) if c.role == "amount"]
    if not amounts:
        return []
    unit_money = table.money_unit or money_unit
    out: list[BudgetLine | TableIssue | UncodedRow] = list(_understood(doc, table, roles))
    keys: list[tuple[str | None, str, str | None] | None] = [_key(row, roles) for row in table.rows]
    # a table that prints no code at all names its rows: their codes are recovered later
    # from the document's code book (records.named_codes), never guessed here
    by_name = names_function_subjects(table.kind) and not any(k and k[0] for k in keys)
    for row, key in zip(table.rows, keys):
        if key is None and by_name:
            key = _named(row, roles)
        if key is None:
            continue
        code, name, unit = key
        ref = doc.ref(row.first_line, row.last_line, table.label)
        sums: dict[str, Decimal] = defaultdict(Decimal)
        try:
            for i in amounts:
                value = _amount(row.cells[i]) if i < len(row.cells) else None
                if value is not None:
                    sums[roles[i].token] += value  # parts of one group without a subtotal column add up
        except ValueError as bad:
            out.append(TableIssue(table.label, "unreadable", f"cannot read amount {bad} in {table.label} row "
                                  f"{code or unit or name}", ref))
            continue
        if code is None:
            if sums:
                out.append(UncodedRow(table.label, table.kind or "", name, tuple(
                    (t.partition("/")[0], t.partition("/")[2] or None, to_yuan(v, unit_money)) for t, v in sums.items()),
                    ref, unit))
            continue
        for token, value in sums.items():
            amount_type, _, fund = token.partition("/")
            out.append(BudgetLine(table.label, table.kind or "", code, code_scheme(code, table.kind), name,
                                  amount_type, to_yuan(value, unit_money), ref, fund or None, unit_name=unit))
    return out + derived_parents([b for b in out if isinstance(b, BudgetLine)])


def derived_parents(lines: list[BudgetLine]) -> list[BudgetLine]:
    """项 (or 款) lines whose 类 (or 款) the table does not print → the parents' lines as sums, ``derived``.

    Only for function codes of one table and unit; a parent printed anywhere in the table is
    never derived.  The parent's provenance spans its children's rows.
    """
    printed = {(b.unit_name, b.code) for b in lines}
    out: list[BudgetLine] = []
    for width in (5, 3):
        groups: dict[tuple, list[BudgetLine]] = defaultdict(list)
        for b in lines + out:
            if b.code_scheme == "function" and len(b.code) > width and len(b.code) in (5, 7) \
                    and (b.unit_name, b.code[:width]) not in printed:
                if len(b.code) == 7 and width == 3 and (b.unit_name, b.code[:5]) in printed | {(x.unit_name, x.code) for x in out}:
                    continue  # the 款 (printed or derived) stands for its 项
                groups[(b.unit_name, b.code[:width], b.amount_type, b.fund_type)].append(b)
        for (_unit, code, amount_type, fund), kids in groups.items():
            first = min(kids, key=lambda b: b.ref.first_line)
            last = max(kids, key=lambda b: b.ref.last_line)
            ref = SourceRef(first.ref.document, first.ref.sha256, first.ref.first_line, last.ref.last_line,
                            first.ref.table, first.ref.page)
            out.append(BudgetLine(first.table, first.table_kind, code, "function", "", amount_type,
                                  sum((k.amount for k in kids), Decimal(0)), ref, fund, unit_name=first.unit_name,
                                  derived=True))
    return out
