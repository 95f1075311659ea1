"""Grids of cells (ruled PDF tables, HTML tables, XLSX sheets) → RawTables.

A grid knows its cells, so nothing has to be guessed about columns: what is left is to
find each table's title, number, money unit and unit name in the lines printed above it,
to tell its header rows from its body, to name each column by the header cells above it
(``基本支出/人员经费``: merged header cells cover their columns) and to join a table that
continues over pages (no title of its own, the same columns, the header repeated or not).
Every body row is ``aligned``: one cell per column, empty cells kept as "".
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import ClassVar

from fundflow.core.model import Grid, RawRow, RawTable, SourceDocument
from fundflow.core.normalize import compact, is_amount
from fundflow.core.resources import read_csv
from fundflow.loaders.grid.cells import Cells, header_depth, is_number_row
from fundflow.loaders.grid.preamble import Preamble, is_caption, lines_above, read_preamble, running_lines
from fundflow.loaders.titles import kinds_where, money_unit


@dataclass
class _Table:
    pre: Preamble
    columns: tuple[str, ...]
    header: tuple[str, ...]
    rows: list[RawRow] = field(default_factory=list)
    first: int = 0
    last: int = 0
    page: int | None = None

    def to_raw(self) -> RawTable:
        return RawTable(self.pre.kind, self.pre.number, self.pre.title or "", self.pre.money_unit, self.header,
                        tuple(self.rows), self.first, self.last, unit_name=self.pre.unit_name, columns=self.columns)


def _continues(prev: _Table | None, pre: Preamble, cells: Cells) -> bool:
    """A grid with no title of its own and the width of the table before it goes on with that table
    (so does one under the same title and number, a title repeated on every page)."""
    if prev is None or cells.width != len(prev.columns):
        return False
    return not pre.title or (pre.title, pre.number) == (prev.pre.title, prev.pre.number)


def _repeated_header(prev: _Table, cells: Cells) -> int:
    """The header rows a continued grid repeats (0 when it goes straight on with the body)."""
    depth = header_depth(cells)
    return depth if depth and cells.columns(depth) == prev.columns else 0


def _drop_repeats(prev: _Table, rows: list[RawRow]) -> list[RawRow]:
    """Rows at the top of a continued grid that repeat its title block (``511-退役军人事务局
    单位：万元``) or its header (``项 目 | 预算数``) where the header was not told apart."""
    words = {compact(w) for c in prev.columns for w in c.split("/")} | {""}
    while rows and (any(money_unit(c) for c in rows[0].cells)
                    or all(compact(c) in words for c in rows[0].cells)):
        rows.pop(0)
    return rows


@lru_cache(maxsize=1)
def _terms() -> frozenset[str]:
    return frozenset(compact(r["term"]) for r in read_csv("column_terms.csv")) | \
        frozenset(compact(r["printed"]) for r in read_csv("three_costs_items.csv"))


def _whole_label(text: str) -> bool:
    """A label complete by itself: it is, or begins with, a term of the column vocabulary
    (``一般公共预算``, ``上年结转结余``); a fragment (``险基金管理中心``) does not."""
    t = re.sub(r"^(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[）)]|\d+[、.])", "", compact(text))
    return t in _terms() or any(len(term) >= 4 and t.startswith(term) for term in _terms())


def _join_split_row(prev: _Table, rows: list[RawRow]) -> list[RawRow]:
    """Text-only rows at the top of a continued grid finish the row the page break cut
    (``无锡市社会保`` / ``险基金管理中心``): their texts are appended to that row's cells.  A row
    whose text is a whole label of its own (``上年结转结余`` with a blank amount) is a row."""
    rows = _drop_repeats(prev, rows)
    while rows and prev.rows and not any(is_amount(c) for c in rows[0].cells) \
            and not any(_whole_label(c) for c in rows[0].cells if compact(c)):
        last, top = prev.rows[-1], rows.pop(0)
        cells = tuple(a + b if not is_amount(a) else a for a, b in zip(last.cells, top.cells))
        prev.rows[-1] = RawRow(cells, last.first_line, top.last_line, aligned=True)
    return rows


def _body(cells: Cells, start: int, grid: Grid) -> list[RawRow]:
    out = []
    for r in range(start, cells.height):
        row = cells.body_row(r)
        if not any(row) or is_number_row(row):
            continue
        first, last = grid.lines[r]
        out.append(RawRow(tuple(row), first, last, aligned=True))
    return out


def _caption_rows(cells: Cells) -> int:
    """Leading rows of a grid that hold its title block (a number, a title, the unit, the money unit)."""
    n = 0
    while n < min(cells.height, 4):
        filled = [t for t in cells.row_texts(n) if t]
        if not filled or len(filled) > 2 or not all(is_caption(t) for t in filled):
            break
        n += 1
    return n


def grids_to_tables(doc: SourceDocument) -> list[RawTable]:
    """Every grid of ``doc`` → the tables they make, in order (continued grids joined)."""
    tables: list[_Table] = []
    prev_end = 0
    furniture = running_lines(doc)
    for grid in doc.grids:
        cells = Cells(grid)
        captions = _caption_rows(cells)
        pre = read_preamble(lines_above(doc, prev_end, grid.first_line, furniture)
                            + [(grid.lines[r][0], " ".join(cells.row_texts(r))) for r in range(captions)])
        cells.drop_top(captions)
        grid = Grid(grid.rows[captions:], grid.lines[captions:], grid.page, grid.spans)
        prev = tables[-1] if tables else None
        if _continues(prev, pre, cells):
            assert prev is not None
            prev.rows.extend(_join_split_row(prev, _body(cells, _repeated_header(prev, cells), grid)))
            prev.last = grid.last_line
        else:
            depth = header_depth(cells)
            table = _Table(pre, cells.columns(depth), cells.header_lines(depth), first=pre.first or grid.first_line,
                           last=grid.last_line, page=grid.page)
            table.rows = _body(cells, depth, grid)
            tables.append(table)
        prev_end = grid.last_line
    return [t.to_raw() for t in tables]


def misaligned(tables: list[RawTable]) -> float:
    """The share of a document's printed figures that stand in a column with no header above it.

    Ruled tables whose drawn cells do not follow their text (lines drawn per cell piece, text
    sitting across them) read as figures under no header; the text of such a PDF reads better
    by its blanks.  Tables of labelled fields (绩效目标表) have no header row and are left out.
    """
    figures = misplaced = 0
    for t in tables:
        if not any(t.columns) or t.kind in kinds_where("performance"):
            continue
        for row in t.rows:
            for i, c in enumerate(row.cells):
                if is_amount(c) and ("." in c or "," in c):
                    figures += 1
                    misplaced += not (i < len(t.columns) and t.columns[i])
    return misplaced / figures if figures else 0.0


class GridLoader:
    """The loader of documents whose format marks out its tables' cells."""

    name: ClassVar[str] = "grid"

    def detect(self, doc: SourceDocument) -> float:
        return 1.0 if doc.grids else 0.0

    def parse(self, doc: SourceDocument) -> Iterator[RawTable]:
        yield from grids_to_tables(doc)
