"""Two-sided summary tables (收支总表, 财政拨款收支总表, 公开01/04表) → TableTotals.

Rows read as label / amount pairs in reading order: ``一、一般公共预算拨款收入
243,392.11 一、一般公共服务支出``.  A label's side (income or expenditure)
comes from its wording, else from its position in the row.
"""
from __future__ import annotations

import re
from functools import lru_cache

from fundflow.core.model import NarrativeFact, RawTable, SourceDocument, TableIssue, TableTotal
from fundflow.core.normalize import clean_cell, compact, is_amount, parse_amount, strip_ordinal, to_yuan
from fundflow.core.resources import read_csv
from fundflow.loaders.titles import kinds_where

SUMMARY_KINDS = kinds_where("summary")
_ROW_NO = re.compile(r"^\d{1,2}$")
# Two labels printed in one cell: "（二）政府性基金预算拨款收入 (二)社会保障和就业支出".
_INNER_ORDINAL = re.compile(r"(?<=[^\s（(、])\s*(?=[（(][一二三四五六七八九十]+[）)]|[一二三四五六七八九十]+、)")
_INCOME = ("收入", "上年结转", "年初", "拨款", "财政专户", "单位资金", "结余资金")
_SPENDING = ("支出", "年终", "年末", "结转下年", "预留机动")


def side_of(label: str, position: int) -> str:
    if "支出" in label or any(w in label for w in _SPENDING[1:]):
        return "expenditure"
    if any(w in label for w in _INCOME):
        return "income"
    return "income" if position == 0 else "expenditure"


def _column_sides(columns: tuple[str, ...]) -> list[str | None]:
    """Per column of a grid, the side its header path names (``支出/项目`` → expenditure), or None."""
    out: list[str | None] = []
    for path in columns:
        top = compact(path.split("/")[0])
        out.append("expenditure" if "支出" in top else "income" if "收入" in top else None)
    return out


def _aligned_pairs(cells: tuple[str, ...], sides: list[str | None], has_row_numbers: bool
                   ) -> list[tuple[str, list[str], str | None]]:
    """An aligned row → [(label, [amounts…], side of the label's column)]: a blank cell keeps its place."""
    merged: list[tuple[str, list[str], str | None]] = []
    for j, cell in enumerate(cells):
        c = clean_cell(cell)
        if not c:
            continue
        side = sides[j] if j < len(sides) else None
        if is_amount(c):
            if merged and not (has_row_numbers and _ROW_NO.match(c) and not merged[-1][1]):
                merged[-1][1].append(c)
        else:
            merged += [(label, amounts, side) for label, amounts in _pairs([cell], has_row_numbers)]
    return merged


def _pairs(cells: list[str], has_row_numbers: bool) -> list[tuple[str, list[str]]]:
    """Cells → [(label, [amount cells…])] in reading order."""
    pairs: list[tuple[str, list[str]]] = []
    split = [part for c in cells for part in (_INNER_ORDINAL.split(c) if not is_amount(c) else [c])]
    for c in split:
        c = clean_cell(c)
        if not c:
            continue
        if has_row_numbers and _ROW_NO.match(c) and (not pairs or not pairs[-1][1]):
            continue  # 行次 column
        if is_amount(c) and pairs:
            pairs[-1][1].append(c)
        elif not is_amount(c):
            pairs.append((c, []))
    return pairs


@lru_cache(maxsize=1)
def _fund_labels() -> tuple[tuple[str, re.Pattern[str]], ...]:
    return tuple((r["column_token"], re.compile(r["keywords"])) for r in read_csv("fund_labels.csv"))


def empty_funds(tables: list[RawTable]) -> frozenset[str]:
    """Funds the summary tables print as a source with no amount → their columns are empty elsewhere.

    (Cross-table identity: an empty 政府性基金 income line means every
    政府性基金 column of the document is zero.)  Column tokens as in
    ``data/fund_labels.csv``.
    """
    printed: set[str] = set()
    nonzero: set[str] = set()
    for table in tables:
        if table.kind not in SUMMARY_KINDS or table.illegible:
            continue
        for row in table.rows:
            for pos, (label, amounts) in enumerate(_pairs(list(row.cells), True)):
                name = strip_ordinal(label)
                if side_of(name, pos) != "income":
                    continue
                for token, pattern in _fund_labels():
                    if pattern.search(name):
                        printed.add(token)
                        if any(is_amount(a) and parse_amount(a) != 0 for a in amounts[:1]):
                            nonzero.add(token)
    return frozenset(printed - nonzero)


def zero_in_narrative(facts: list[NarrativeFact]) -> frozenset[str]:
    """Funds and columns the prose states as 0 (``上缴上级支出 0.00万元``) and never as more."""
    zero: set[str] = set()
    nonzero: set[str] = set()
    for fact in facts:
        for token, pattern in _fund_labels():
            if pattern.search(fact.topic):
                (zero if fact.amount == 0 else nonzero).add(token)
    return frozenset(zero - nonzero)


def table_to_totals(doc: SourceDocument, table: RawTable, money_unit: str | None) -> list[TableTotal | TableIssue]:
    """A summary table → one TableTotal per labelled amount (first amount = 合计 column)."""
    row_numbers = "行次" in compact("".join(table.header)) or any(clean_cell(h) == "行" for h in table.header)
    unit = table.money_unit or money_unit
    out: list[TableTotal | TableIssue] = []
    sides = _column_sides(table.columns) if table.columns else []
    for row in table.rows:
        if row.aligned and any(sides):  # the grid says which side each label stands on
            pairs = _aligned_pairs(row.cells, sides, row_numbers)
        else:
            pairs = [(label, amounts, None) for label, amounts in _pairs(list(row.cells), row_numbers)]
        for pos, (label, amounts, side) in enumerate(pairs):
            name = strip_ordinal(label)
            if not amounts or not name or name in ("项目", "收入", "支出", "栏次"):
                continue
            try:
                value = to_yuan(parse_amount(amounts[0]), unit)
            except ValueError:
                continue
            out.append(TableTotal(table.label, table.kind or "", side or side_of(name, pos), name, value,
                                  doc.ref(row.first_line, row.last_line, table.label)))
    if not out and any(is_amount(clean_cell(c)) for r in table.rows for c in r.cells):
        # amounts printed apart from their labels (a column at a time): reported, not guessed
        out.append(TableIssue(table.label, "unreadable", f"{table.label}: amounts printed apart from their "
                              "labels; no label–amount pair read", doc.ref(table.first_line, table.last_line,
                                                                            table.label)))
    return out
