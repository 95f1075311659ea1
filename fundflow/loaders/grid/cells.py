"""A Grid → its cells with merged cells resolved: header rows, column names, body rows.

``Cells(grid)`` joins each cell's lines (``一般公共预`` / ``算`` → ``一般公共预算``) and knows
which merged cell covers each position.  ``header_depth`` counts the header rows (up to the
first row that reads as data), ``columns(depth)`` names each column by the header cells above
it from the top (``基本支出/人员经费``), ``body_row(r)`` gives a row with one cell per column.
"""
from __future__ import annotations

import re

from fundflow.core.model import Grid
from fundflow.core.normalize import cell_text, compact, is_amount
from fundflow.loaders.tablehead import looks_like_body

_MAX_HEADER = 6
_COLUMN_NUMBER = re.compile(r"^(?:\d{1,2}|[*＊]+|栏次|行次|[甲乙丙丁])$")


def is_number_row(cells: list[str] | tuple[str, ...]) -> bool:
    """``** ** 1 2 3 …`` / ``栏次 1 2 3``: the row that numbers the columns, not data."""
    filled = [compact(c) for c in cells if compact(c)]
    digits = [int(c) for c in filled if c.isdigit()]
    return (len(digits) >= 2 and all(_COLUMN_NUMBER.match(c) for c in filled)
            and digits == list(range(digits[0], digits[0] + len(digits))))


class Cells:
    """The cell texts of one grid and, for each covered position, the cell that covers it."""

    def __init__(self, grid: Grid):
        self.text = [[cell_text(c) if c is not None else None for c in row] for row in grid.rows]
        self.height = len(self.text)
        self.width = max((len(r) for r in self.text), default=0)
        for row in self.text:
            row.extend([""] * (self.width - len(row)))
        self.origin: dict[tuple[int, int], tuple[int, int]] = {}
        for r0, c0, nrows, ncols in grid.spans:
            for r in range(r0, min(self.height, r0 + nrows)):
                for c in range(c0, min(self.width, c0 + ncols)):
                    if (r, c) != (r0, c0):
                        self.origin[(r, c)] = (r0, c0)

    def drop_top(self, n: int) -> None:
        """Forget the first n rows (a title block printed inside the grid's frame)."""
        if n:
            self.text = self.text[n:]
            self.height -= n
            self.origin = {(r - n, c): (r0 - n, c0) for (r, c), (r0, c0) in self.origin.items() if r >= n and r0 >= n}

    def covering(self, r: int, c: int) -> tuple[str, bool]:
        """The text at (r, c) and whether it belongs to a merged cell reaching down from above."""
        own = self.text[r][c]
        if own is not None:
            return own, False
        r0, c0 = self.origin.get((r, c), (r, c))
        text = self.text[r0][c0] if (r0, c0) != (r, c) else ""
        return text or "", c0 == c and r0 < r

    def row_texts(self, r: int) -> list[str]:
        return [self.text[r][c] or "" for c in range(self.width)]

    def columns(self, depth: int) -> tuple[str, ...]:
        """Each column's header path: the texts of the header cells above it, top to bottom, joined by '/'."""
        out = []
        for c in range(self.width):
            parts: list[str] = []
            for r in range(depth):
                if is_number_row(self.row_texts(r)):
                    continue
                text = compact(self.covering(r, c)[0])
                if text and (not parts or parts[-1] != text):
                    parts.append(text)
            out.append("/".join(parts))
        return tuple(out)

    def header_lines(self, depth: int) -> tuple[str, ...]:
        """The header rows as printed lines (cells joined by blanks), for wording-based readers."""
        return tuple(" ".join(t for t in self.row_texts(r) if t) for r in range(depth)
                     if not is_number_row(self.row_texts(r)))

    def body_row(self, r: int) -> list[str]:
        """Row r, one cell per column: a label merged down over several rows is repeated in each,
        a cell covered from the left is empty, an amount is never repeated."""
        out = []
        for c in range(self.width):
            text, from_above = self.covering(r, c)
            if self.text[r][c] is None and not (from_above and not is_amount(text)):
                text = ""
            out.append(text)
        return out


def header_depth(cells: Cells) -> int:
    """The number of header rows: those before the first row that reads as data (0 when the first does)."""
    for r in range(min(cells.height, _MAX_HEADER + 1)):
        row = cells.row_texts(r)
        if is_number_row(row):
            continue
        if looks_like_body(row):
            return r
    return 0 if cells.height > _MAX_HEADER else cells.height
