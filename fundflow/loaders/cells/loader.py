"""A document printed one table cell per line → RawTables (layout loader 'cells').

Documents exported from a spreadsheet or HTML print every cell on its own
tab-indented line (``\\t6,894.75　``); rows are usually separated by blank
lines, but some rows are broken by blank lines and some run into the next.
Empty cells appear as ``\\t``, ``\\t　`` or ``\\t `` — or not at all.  Long
cells continue over lines that are not tab-indented.  Tables open with a
number line (``部门公开表7``) then the title (``部门支出总表``) and
``单位：万元``; multi-level headers print one label per line.

    SourceDocument --CellsLoader.parse--> RawTable (rows rebuilt from cells)

Row rebuilding (``cellrows.cells_to_rows``) closes a row at a blank line once
it holds as many cells as the header has leaf columns; the header tells the
width.  Rows with exactly that many cells are ``aligned``.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from typing import ClassVar

from fundflow.core.model import RawTable, SourceDocument
from fundflow.core.normalize import clean_cell, compact
from fundflow.loaders import tablehead as th
from fundflow.loaders.cells.rows import Item, cells_to_rows, split_header
from fundflow.loaders.titles import match_title, money_unit, table_number

_SECTION = re.compile(r"^第[一二三四五六七八九十]+部分")
_PRELUDE = 30  # lines after a title in which its money unit is looked for
_TITLE_GAP = 8  # lines between a number line and its title


def line_items(line: str, line_no: int) -> list[Item]:
    """One physical line → items: ``("cell", text)`` per tab-separated cell,
    ``("text", text)`` for a line that is not tab-indented (a cell's
    continuation), ``("break", "")`` for a blank line; fillers (``　``) → []."""
    if "\t" in line:
        pieces = line.rstrip("\r\n").split("\t")
        if not pieces[0].strip():
            pieces = pieces[1:]  # the indentation, not a cell
        return [Item("cell", clean_cell(p), line_no) for p in pieces]
    if not line.strip(" \r\n"):
        return [Item("break", "", line_no)]
    text = clean_cell(line)
    return [Item("text", text, line_no)] if text else []


def _title_after(lines: tuple[str, ...], i: int) -> int | None:
    """Index of the title line following the number line ``i``, or None."""
    for j in range(i + 1, min(len(lines), i + 1 + _TITLE_GAP)):
        text = clean_cell(lines[j])
        if not text:
            continue
        if money_unit(text) or th.is_number_line(text) or "\t" in text.strip("\t"):
            return None
        return j
    return None


def _anchors(lines: tuple[str, ...]) -> list[tuple[int, int]]:
    """(first line index, title line index) of every table, in order."""
    found: list[tuple[int, int]] = []
    for i, line in enumerate(lines):
        if found and i <= found[-1][1]:
            continue
        if th.is_number_line(line):
            title = _title_after(lines, i)
            if title is not None:
                found.append((i, title))
        elif match_title(line) and any(money_unit(x) for x in lines[i + 1:i + 1 + _PRELUDE // 2]):
            found.append((i, i))
    return found


def _body_end(lines: tuple[str, ...], start: int, end: int) -> int:
    """Where the table region stops: a section heading (``第三部分 …``) or
    prose — three lines in a row that are not tab-indented."""
    run: list[int] = []
    for k in range(start, end):
        line = lines[k]
        if "\t" in line:
            run = []
        elif clean_cell(line):
            if _SECTION.match(clean_cell(line)):
                return k
            run.append(k)
            if len(run) >= 3:
                return run[0]
    return end


def _prelude_end(lines: tuple[str, ...], title: int, end: int) -> tuple[int, str | None, str | None]:
    """After the title: (index where the header starts, money unit, unit name)."""
    unit, name, start = None, None, title + 1
    for k in range(title + 1, min(end, title + 1 + _PRELUDE)):
        text = clean_cell(lines[k])
        if money_unit(text):
            unit, start = money_unit(text), k + 1
            break
        name = name or th.unit_name(text)
    return start, unit, name


def _table(doc: SourceDocument, first: int, title: int, end: int) -> RawTable:
    """Lines ``first`` (number line) .. ``end`` (exclusive) → one RawTable."""
    lines = doc.lines
    start, unit, name = _prelude_end(lines, title, end)
    stop = _body_end(lines, start, end)
    items = [it for k in range(start, stop) for it in line_items(lines[k], k + 1)]
    header, body, width, header_end = split_header(items)
    code_column = any("编码" in compact(h) or "科目" in compact(h) for h in header)
    rows = cells_to_rows(body, width, code_column)
    title_text = clean_cell(lines[title])
    number = table_number(clean_cell(lines[first])) if first != title else table_number(title_text)
    last = max([r.last_line for r in rows] + [header_end, title + 1])
    illegible = not rows and any(compact(lines[k]).lower() == "[illegible]" for k in range(start, stop))
    return RawTable(match_title(title_text), number, compact(title_text), unit, tuple(header), tuple(rows),
                    first + 1, last, illegible=illegible, unit_name=name)


class CellsLoader:
    """One cell per tab-indented line, rows separated by blank lines."""

    name: ClassVar[str] = "cells"

    def detect(self, doc: SourceDocument) -> float:
        """Confidence: many single-cell tab lines, few multi-cell tab rows."""
        single, multi = th.tab_line_counts(doc.lines)
        if single < 20:
            return 0.0
        return round(min(1.0, single / 200) * single / (single + 10 * multi), 3)

    def parse(self, doc: SourceDocument) -> Iterator[RawTable]:
        """The document → one RawTable per numbered table."""
        anchors = _anchors(doc.lines)
        for n, (first, title) in enumerate(anchors):
            end = anchors[n + 1][0] if n + 1 < len(anchors) else len(doc.lines)
            yield _table(doc, first, title, end)
