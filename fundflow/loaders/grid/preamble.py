"""The lines printed above a grid → its title, kind, number, money unit and unit name.

``read_preamble(doc, after, before)`` looks at the few lines between the previous grid
(line ``after``) and this one (line ``before``), nearest first: a title may wrap onto a
second line (``…_机场公安综`` / ``合修缮改造项目绩效目标表``), the number may stand on a line
of its own (``表1``) or lead the title (``表01 2026年…``), an ordinal may lead it
(``一、收支预算总表``), and ``单位名称：X 单位：万元`` may share one line.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from fundflow.core.model import SourceDocument
from fundflow.core.normalize import compact
from fundflow.loaders import tablehead as th
from fundflow.loaders.titles import money_unit, read_title, table_number, title_kind

_WINDOW = 8  # lines above a grid that can belong to its title block
_PROSE = re.compile(r"[，。；：:！？]")
_DOCUMENT_TITLE = re.compile(r"(?:预算|决算)(?:公开|信息公开)?(?:情况说明)?$")
_PAGE_NUMBER = re.compile(r"^[-—－]*\d{1,4}[-—－]*$|^第\d{1,4}页(?:共\d{1,4}页)?$|^\d{1,4}/\d{1,4}$")


@dataclass(frozen=True)
class Preamble:
    title: str | None = None
    kind: str | None = None
    number: str | None = None
    money_unit: str | None = None
    unit_name: str | None = None
    first: int | None = None  # the line the title block starts on


def is_page_number(text: str) -> bool:
    """``19`` / ``- 16 -`` / ``第 3 页`` / ``3/41``: a page number, not part of a title."""
    return bool(_PAGE_NUMBER.match(compact(text)))


def _fragment(text: str) -> bool:
    """A line that may be the first half of a wrapped title: short, no prose, no unit or number line,
    not the document's own title (``…2026年单位预算`` printed above the table's)."""
    t = compact(text)
    return (0 < len(t) <= 40 and not is_page_number(text) and not _DOCUMENT_TITLE.search(t) and not read_title(text, True) and not th.is_number_line(text) and not money_unit(text)
            and not th.unit_name(text) and not _PROSE.search(t))


def _title_at(lines: list[str], i: int) -> tuple[str, str | None, int] | None:
    """A title ending on lines[i] (possibly begun on the line above) → (title, number, lines used)."""
    if i > 0 and _fragment(lines[i - 1]):
        joined = read_title(lines[i - 1] + lines[i], True)
        if joined:
            return joined[0], joined[1], 2
    found = read_title(lines[i], True)
    return (found[0], found[1], 1) if found else None


def is_caption(text: str) -> bool:
    """A line of a title block: a table number, a title, a money unit or a unit name line."""
    return bool(th.is_number_line(text) or read_title(text, True) or money_unit(text) or th.unit_name(text))


def read_preamble(lines: list[tuple[int, str]]) -> Preamble:
    """The numbered lines printed above a grid (nearest last) → what they say of the grid."""
    texts = [t for _n, t in lines]
    title = number = money = unit = None
    first = None
    kind = None
    for i in range(len(texts) - 1, -1, -1):
        text = texts[i]
        money = money or money_unit(text)
        unit = unit or th.unit_name(text)
        if th.is_number_line(text):
            number, first = number or table_number(text), lines[i][0]
            if title:
                break
            continue
        if title is None and (found := _title_at(texts, i)):
            title, own_number, used = found
            kind, number = title_kind(title), number or own_number
            first = lines[i - used + 1][0]
            if number or i == 0:
                break
    return Preamble(title, kind, number, money, unit, first)


def lines_above(doc: SourceDocument, after: int, before: int, furniture: frozenset[str]) -> list[tuple[int, str]]:
    """The (line number, text) of the few lines after line ``after`` and before line ``before``,
    page numbers and running headers (``furniture``) left out."""
    return [(n, doc.lines[n - 1]) for n in range(max(after + 1, before - _WINDOW), before)
            if not is_page_number(doc.lines[n - 1]) and compact(doc.lines[n - 1]) not in furniture]


def running_lines(doc: SourceDocument) -> frozenset[str]:
    """Lines printed on many pages (a running header or footer): on three pages or more and a
    quarter of them.  A table's own caption line (``单位：万元``, ``单位名称：…``) repeated above
    every table is not furniture."""
    pages: dict[str, set[int | None]] = {}
    for n, text in enumerate(doc.lines, start=1):
        if (t := compact(text)) and len(t) <= 60 and not (money_unit(t) or th.unit_name(t)):
            pages.setdefault(t, set()).add(doc.page_of(n))
    total = max(1, len(doc.page_starts))
    return frozenset(t for t, on in pages.items() if len(on) >= 3 and len(on) * 4 >= total)
