"""Tab-separated (markdown-ish) tables → RawTables (layout loader 'tabbed').

Documents converted to text with one table row per line and cells separated
by tabs, empty cells kept (``208\\t社会保障和就业支出\\t91.95\\t\\t``).  Tables
open with a title (possibly a ``#`` heading), a ``表N`` line, ``单位名称：X``
and ``单位：万元``; a table the converter could not read is printed as
``[illegible]``.  A table continued on the next page repeats title, number
and header: the parts are joined into one RawTable.

    SourceDocument --TabbedLoader.parse--> RawTable (aligned rows, cells as printed)
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import ClassVar

from fundflow.core.model import RawRow, RawTable, SourceDocument
from fundflow.core.normalize import clean_cell, compact
from fundflow.loaders import tablehead as th
from fundflow.loaders.titles import kinds_where, match_title, money_unit, table_number

PERFORMANCE_KINDS = kinds_where("performance")
_ILLEGIBLE = re.compile(r"^\[(?:illegible|unreadable|无法识别)\]$", re.IGNORECASE)
_LOOKAHEAD = 8  # non-blank lines after a title in which its number/unit/header must appear


@dataclass
class _Part:
    """One printed piece of a table (a page's worth), before joining."""

    kind: str | None
    title: str
    first_line: int
    number: str | None = None
    money_unit: str | None = None
    unit_name: str | None = None
    illegible: bool = False
    lines: list[tuple[int, str]] = field(default_factory=list)  # tab lines (line no, text)
    last_line: int = 0


def split_cells(line: str) -> list[str]:
    """A tab line → its cells, blanks around each removed, empty cells kept as ""."""
    return [clean_cell(c) for c in line.rstrip("\r\n").split("\t")]


def _title_at(lines: tuple[str, ...], i: int) -> str | None:
    """Line ``i`` (0-based) → its table kind when it is a table title confirmed
    by what follows (a number line, unit lines, a header or ``[illegible]``)."""
    line = lines[i]
    if "\t" in line:
        return None
    kind = match_title(line)
    if kind is None:
        return None
    seen = 0
    for nxt in lines[i + 1:]:
        if not nxt.strip():
            continue
        seen += 1
        if seen > _LOOKAHEAD or ("\t" not in nxt and match_title(nxt)):
            return None
        if ("\t" in nxt or th.is_number_line(nxt) or th.unit_name(nxt) or money_unit(nxt)
                or _ILLEGIBLE.match(compact(nxt))):
            return kind
    return None


def _previous_number(lines: tuple[str, ...], i: int) -> str | None:
    """A number line printed just before the title (``表 1`` then the title)."""
    for j in range(i - 1, max(-1, i - 3), -1):
        if lines[j].strip():
            return table_number(th.strip_heading(lines[j])) if th.is_number_line(lines[j]) else None
    return None


def _read_part(lines: tuple[str, ...], start: int, end: int, kind: str) -> _Part:
    """Lines ``start`` (the title) .. ``end`` (exclusive) → a _Part."""
    title_line = th.strip_heading(lines[start])
    part = _Part(kind, compact(title_line), start + 1, last_line=start + 1)
    part.number = table_number(title_line) or _previous_number(lines, start)
    part.money_unit = money_unit(title_line)
    for k in range(start + 1, end):
        line = lines[k]
        if "\t" in line:
            part.lines.append((k + 1, line))
            part.last_line = k + 1
            continue
        text = compact(line)
        if not text:
            continue
        if _ILLEGIBLE.match(text):
            part.illegible, part.last_line = True, k + 1
        elif part.number is None and th.is_number_line(line):
            part.number = table_number(th.strip_heading(line))
        elif part.unit_name is None and th.unit_name(line):
            part.unit_name = th.unit_name(line)
        if part.money_unit is None and money_unit(line):
            part.money_unit = money_unit(line)
    return part


def _parts(doc: SourceDocument) -> list[_Part]:
    """The document → table parts in reading order (one per printed title)."""
    lines = doc.lines
    starts = [(i, k) for i in range(len(lines)) if (k := _title_at(lines, i))]
    return [_read_part(lines, i, starts[n + 1][0] if n + 1 < len(starts) else len(lines), k)
            for n, (i, k) in enumerate(starts)]


def _same_table(a: _Part, b: _Part) -> bool:
    """b continues a: same kind and number (or same title when unnumbered)."""
    return a.kind == b.kind and (a.number == b.number if a.number or b.number else a.title == b.title)


def _split_header(part: _Part) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """A part's tab lines → (header lines, body lines).

    Performance tables print their header-ish lines (项目名称, 主管部门 …) as
    rows, so they have no separate header.
    """
    if part.kind in PERFORMANCE_KINDS:
        return [], part.lines
    for n, (_, line) in enumerate(part.lines):
        if th.looks_like_body(split_cells(line)):
            return part.lines[:n], part.lines[n:]
    return part.lines, []


def _width(header: list[tuple[int, str]], body: list[tuple[int, str]]) -> int:
    """Number of leaf columns: the widest header line, else the usual row width."""
    if header:
        return max(len(split_cells(line)) for _, line in header)
    counts = Counter(len(split_cells(line)) for _, line in body)
    return counts.most_common(1)[0][0] if counts else 0


def fit_row(cells: list[str], width: int) -> list[str]:
    """Cells of a row → cells lined up with ``width`` leaf columns where the
    surplus is only blank: a leading empty cell (a row indented by one tab)
    and trailing empty cells (a trailing tab) are dropped."""
    if width and len(cells) > width and cells[0] == "":
        cells = cells[1:]
    while width and len(cells) > width and cells[-1] == "":
        cells = cells[:-1]
    return cells


def _to_table(parts: list[_Part]) -> RawTable:
    """Parts of one table → a RawTable (header of the first part, rows of all)."""
    first = parts[0]
    header: list[tuple[int, str]] = []
    rows: list[RawRow] = []
    for n, part in enumerate(parts):
        head, body = _split_header(part)
        if n == 0:
            header = head
        width = _width(header or head, body)
        for line_no, line in body:
            cells = fit_row(split_cells(line), width)
            if any(cells):
                rows.append(RawRow(tuple(cells), line_no, line_no, aligned=not width or len(cells) == width))
    illegible = not rows and any(p.illegible for p in parts)
    return RawTable(first.kind, first.number or next((p.number for p in parts if p.number), None), first.title,
                    next((p.money_unit for p in parts if p.money_unit), None),
                    tuple(line for _, line in header), tuple(rows), first.first_line,
                    max(p.last_line for p in parts), illegible=illegible,
                    unit_name=next((p.unit_name for p in parts if p.unit_name), None))


class TabbedLoader:
    """Tab-separated tables, one printed row per line."""

    name: ClassVar[str] = "tabbed"

    def detect(self, doc: SourceDocument) -> float:
        """Confidence: many lines of ≥2 tab-separated cells with figures,
        few lines of a single tab-indented cell (that is the 'cells' layout)."""
        single, multi = th.tab_line_counts(doc.lines)
        if multi == 0:
            return 0.0
        return round(min(1.0, multi / 20) * multi / (multi + single), 3)

    def parse(self, doc: SourceDocument) -> Iterator[RawTable]:
        """The document → one RawTable per table (page continuations joined)."""
        group: list[_Part] = []
        for part in _parts(doc):
            if group and not _same_table(group[-1], part):
                yield _to_table(group)
                group = []
            group.append(part)
        if group:
            yield _to_table(group)
