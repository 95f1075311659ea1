"""A stream of one-cell lines → table rows (the 'cells' layout).

    items (cell / text / break, with line numbers) --split_header--> header, body, width
    body --cells_to_rows--> RawRows

A row closes at a blank line once it holds ``width`` cells (the header's leaf
columns), or once it holds as many cells from its first figure on as a full
row does (rows whose leading cells — unit, name — were lost).  A
classification code followed by a name always opens a new row.  A line that
is not tab-indented continues the cell before it while the row is open.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from fundflow.core.model import RawRow
from fundflow.core.normalize import is_amount, is_code
from fundflow.loaders import tablehead as th

_NEXT_ITEM = re.compile(r"^[二三四五六七八九十]+、")


@dataclass(frozen=True)
class Item:
    """One token of the cell stream: ``kind`` is cell | text | break."""

    kind: str
    text: str
    line: int


def _groups(items: list[Item]) -> list[list[Item]]:
    """Items → runs of cells/texts between blank lines."""
    groups: list[list[Item]] = [[]]
    for it in items:
        if it.kind == "break":
            if groups[-1]:
                groups.append([])
        else:
            groups[-1].append(it)
    return [g for g in groups if g]


def split_header(items: list[Item]) -> tuple[list[str], list[Item], int, int]:
    """Items after the title → (header lines, body items, leaf column count,
    last line of the header or 0).

    Header lines are the header's blank-separated groups, cells joined by tabs
    (empty cells kept, so the leaf columns can be counted like a tab table).
    """
    header: list[list[Item]] = []
    body_from = None
    for group in _groups(items):
        texts = [it.text for it in group]
        if not any(texts) and not header:
            continue  # filler between the money unit and the header
        # A lone code or an all-empty group after the header is a row broken by blank lines.
        if th.looks_like_body(texts) or (header and (not any(texts) or is_code(texts[0]))):
            body_from = group[0]
            break
        header.append(group)
    width = max((len(g) for g in header), default=0)
    lines = ["\t".join(it.text for it in g) for g in header]
    body = items[items.index(body_from):] if body_from is not None else []
    return lines, body, width, max((g[-1].line for g in header), default=0)


class _Row:
    """A row being rebuilt: cells with their line numbers."""

    def __init__(self) -> None:
        self.cells: list[str] = []
        self.lines: list[int] = []
        self.closed = False

    def add(self, text: str, line: int) -> None:
        self.cells.append(text)
        self.lines.append(line)

    def extend_last(self, text: str, line: int) -> None:
        self.cells[-1] += text
        self.lines.append(line)

    def tail(self) -> int:
        """Cells from the first figure on (0 when there is none)."""
        for n, c in enumerate(self.cells):
            if th.is_figure(c):
                return len(self.cells) - n
        return 0


def _opens_row(body: list[Item], n: int, row: _Row, code_column: bool) -> bool:
    """True when cell ``n`` is a classification code starting the next row."""
    if not code_column or len(row.cells) < 2 or not is_code(body[n].text):
        return False
    following = next((it.text for it in body[n + 1:] if it.kind != "break" and it.text), "")
    return bool(following) and not is_amount(following) and not is_code(following)


def _continues(row: _Row, text: str) -> bool:
    """A cell printed on its own line that goes on the previous cell's
    enumeration (``一、… 二、…``) of a long description."""
    if not row.cells or not _NEXT_ITEM.match(text):
        return False
    prev = row.cells[-1]
    return "一、" in prev[1:] and not is_amount(prev)


def cells_to_rows(body: list[Item], width: int, code_column: bool) -> list[RawRow]:
    """Body items → RawRows (all-empty rows and footnotes dropped)."""
    rows: list[_Row] = []
    full_tail = 0
    for n, it in enumerate(body):
        row = rows[-1] if rows else None
        if it.kind == "break":
            if row and not row.closed and (len(row.cells) >= width or (full_tail and row.tail() >= full_tail)):
                row.closed = True
                if not full_tail and len(row.cells) == width and row.tail():
                    full_tail = row.tail()
            continue
        if it.kind == "text" and row and not row.closed and row.cells:
            row.extend_last(it.text, it.line)
            continue
        if row and not row.closed and _continues(row, it.text):
            row.extend_last(it.text, it.line)
            continue
        if row is None or row.closed or _opens_row(body, n, row, code_column):
            row = _Row()
            rows.append(row)
        row.add(it.text, it.line)
    return [r for r in (_finish(row, width) for row in rows) if r is not None]


def _finish(row: _Row, width: int) -> RawRow | None:
    """A rebuilt row → RawRow; surplus trailing empty cells beyond ``width``
    are dropped; a row with nothing in it or only a footnote → None."""
    cells = list(row.cells)
    while width and len(cells) > width and cells[-1] == "":
        cells.pop()
    filled = [c for c in cells if c]
    if not filled or (len(filled) == 1 and th.is_note(filled[0])):
        return None
    return RawRow(tuple(cells), min(row.lines), max(row.lines), aligned=bool(width) and len(cells) == width)
