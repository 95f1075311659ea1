"""Printed wording → table titles, kinds, numbers and money units (``data/table_kinds.csv``).

The wording is data (``data/table_kinds.csv``): a new province's title is a
new row there, not new code.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

from fundflow.core.normalize import compact
from fundflow.core.resources import read_csv

# Page furniture some converters put before a line: "<PDF_KEY>" and a 32-digit hex key.
PDF_KEY = re.compile(r"^(?:<PDF_KEY>)?[0-9a-f]{32}")
_SENTENCE = re.compile(r"[，。；：《》、]|详见|见附件|包括")
_NUMBER = re.compile(r"(?:部门公开|公开)?表\s*(\d{1,2})(?!\d)|公开\s*(\d{1,2})\s*表")
NUMBER_PREFIX = re.compile(r"^(?:(?:部门公开|公开)?表\d{1,2}|公开\d{1,2}表)[：:]?")
_NUMBER_SUFFIX = re.compile(r"(?:(?:部门公开|公开)?表\d{1,2}|公开\d{1,2}表)$")
_ORDINAL = re.compile(r"^(?:[一二三四五六七八九十]+、|\d{1,2}[.．、](?!\d))")
_MONEY = re.compile(r"(?:金额)?单位\s*[:：]\s*(万元|元|千元|亿元)")


@dataclass(frozen=True)
class TableKind:
    """A kind of table: its title wording, which records reader reads it, which funds its figures cover
    (``all`` or only ``appropriation`` money), whether a lone row of amounts is its 合计 row, and the
    code scheme of its subject rows (``function``, ``econ_dept``, ``econ_gov``; "" for tables of no subjects)."""

    kind: str
    doc_kind: str
    pattern: re.Pattern[str]
    label_en: str
    reader: str
    funds: str
    bare_total: bool
    scheme: str


@lru_cache(maxsize=1)
def table_kinds() -> tuple[TableKind, ...]:
    """The catalogue of table kinds, in matching order (specific first)."""
    return tuple(TableKind(r["kind"], r["doc_kind"], re.compile(r["title_pattern"]), r["label_en"], r["reader"],
                           r["funds"], r["bare_total"] == "yes", r["scheme"]) for r in read_csv("table_kinds.csv"))


@cache
def kinds_where(reader: str | None = None, funds: str | None = None, doc_kind: str | None = None,
                bare_total: bool | None = None) -> frozenset[str]:
    """The kinds of table read by ``reader`` / covering ``funds`` / of ``doc_kind`` / with a bare total row."""
    return frozenset(k.kind for k in table_kinds() if (reader is None or k.reader == reader)
                     and (funds is None or k.funds == funds) and (doc_kind is None or k.doc_kind == doc_kind)
                     and (bare_total is None or k.bare_total == bare_total))


@cache
def kind_scheme(kind: str | None) -> str:
    """The code scheme of a table kind's subject rows; ``function`` for a table of no known kind."""
    return next((k.scheme for k in table_kinds() if k.kind == kind and k.scheme), "function")


def title_form(line: str) -> str | None:
    """A line shaped like a table title → its text (page keys, headings, a trailing number or
    money unit removed); prose or anything else → None.

    A title is short, has no sentence punctuation and ends with 表 (optionally followed by a
    qualifier in brackets), whatever the table is: its kind is decided apart (``match_title``).
    """
    t = compact(line).lstrip("\f")
    t = PDF_KEY.sub("", t)
    t = re.sub(r"^#+", "", t)
    t = re.sub(r"(?:单位[:：](?:万元|元))$", "", t)
    t = re.sub(r"(?:部门公开|公开)?表\d{1,2}$|公开\d{1,2}表$", "", t)
    if not t or len(t) > 60 or _SENTENCE.search(t):
        return None
    if not re.search(r"表(?:[（(][^）)]{1,12}[）)])?$|项目经费情况说明$", t):
        return None
    return t


def match_title(line: str) -> str | None:
    """A line that is a table title → its kind (``data/table_kinds.csv``); anything else → None."""
    t = title_form(line)
    if t is None:
        return None
    for k in table_kinds():
        if k.pattern.search(t):
            return k.kind
    return None


def table_number(line: str) -> str | None:
    """``表 1`` / ``部门公开表3`` / ``公开 01 表`` / ``表16 单位：万元`` → ``'1'``, ``'3'``, ``'01'``, ``'16'``."""
    m = _NUMBER.search(compact(line).replace("公开", "公开 ") if "公开" in line else line.replace(" ", ""))
    if not m:
        return None
    return m.group(1) or m.group(2)


def money_unit(line: str) -> str | None:
    """``单位：万元`` / ``单位:元`` / ``金额单位：万元`` → the unit; else None."""
    m = _MONEY.search(compact(line))
    return m.group(1) if m else None


def read_title(text: str, any_kind: bool = False) -> tuple[str, str | None] | None:
    """A cleaned line → (title text, number printed on it) when it reads as a table title
    of a known kind (or of any kind with ``any_kind``)."""
    t = compact(text)
    number = None
    m = NUMBER_PREFIX.match(t)
    if m:
        number, t = table_number(m.group(0)), t[m.end():]
    elif suffix := _NUMBER_SUFFIX.search(t):
        number = table_number(suffix.group(0))
    t = _ORDINAL.sub("", t)
    if not t or len(t) > 60 or not (title_form(t.replace("、", "")) if any_kind else title_kind(t)):
        return None
    return t, number


def title_kind(title: str) -> str | None:
    """A title (its ordinal and number removed) → its kind, or None."""
    return match_title(title.replace("、", ""))
