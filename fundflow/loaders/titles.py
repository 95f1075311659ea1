"""Recognising table titles, numbers and money units from printed wording.

The wording is data (``data/table_kinds.csv``): a new province's title is a
new row there, not new code.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from fundflow.core.normalize import compact
from fundflow.core.resources import read_csv

# Page furniture some converters put before a line: "<PDF_KEY>" and a 32-digit hex key.
PDF_KEY = re.compile(r"^(?:<PDF_KEY>)?[0-9a-f]{32}")
_SENTENCE = re.compile(r"[，。；：《》、]|详见|见附件|包括")
_NUMBER = re.compile(r"(?:部门公开|公开)?表\s*(\d{1,2})(?!\d)|公开\s*(\d{1,2})\s*表")
_MONEY = re.compile(r"(?:金额)?单位\s*[:：]\s*(万元|元|千元|亿元)")


@dataclass(frozen=True)
class TableKind:
    kind: str
    doc_kind: str
    pattern: re.Pattern[str]
    label_en: str


@lru_cache(maxsize=1)
def table_kinds() -> tuple[TableKind, ...]:
    """The catalogue of table kinds, in matching order (specific first)."""
    return tuple(TableKind(r["kind"], r["doc_kind"], re.compile(r["title_pattern"]), r["label_en"])
                 for r in read_csv("table_kinds.csv"))


def match_title(line: str) -> str | None:
    """A line that is a table title → its kind; prose or anything else → None.

    A title is short, has no sentence punctuation and ends with 表 (optionally
    followed by a qualifier in brackets, a table number or a money unit).
    """
    t = compact(line).lstrip("\f")
    t = PDF_KEY.sub("", t)
    t = re.sub(r"^#+", "", t)
    t = re.sub(r"(?:单位[:：](?:万元|元))$", "", t)
    t = re.sub(r"(?:部门公开|公开)?表\d{1,2}$|公开\d{1,2}表$", "", t)
    if not t or len(t) > 40 or _SENTENCE.search(t):
        return None
    if not re.search(r"表(?:[（(][^）)]{1,12}[）)])?$|项目经费情况说明$", t):
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
