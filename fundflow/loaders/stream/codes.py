"""Codes printed apart from their rows in stream classification tables → codes paired with their rows.

Plain pdftotext writes a text block at a time; where a table's code column
forms its own block, a run of codes is printed before or after the names and
amounts of the rows they belong to:

* ``30102 津贴补贴 6,372.51 | 30103 | 30108 奖金 180.14 | 机关…缴费 1,064.46``:
  a code left at the end of a row (``30103``), then a coded row and rows
  without a code; the codes go to the rows in order.
* ``科学技术支出 … | 科技条件与服务 … | 206 | 20605 | 2060503 | 2080501 行政…``:
  rows without a code, then the run of their codes.

``split_codes(lines)`` first joins codes printed in 类/款/项 cells
(``201`` ``13`` ``01`` → ``2011301``) when the header has those columns.
Codes are paired only when the run and the rows count the same; otherwise the
rows stay as read (the records stage reports what it cannot place).
"""
from __future__ import annotations

import re

from fundflow.core.model import RawRow
from fundflow.core.normalize import compact
from fundflow.loaders.stream.text import FRAGMENT, Line

_CODE = re.compile(r"^(?:\d{3}(?:\d{2}){0,2}|\d{6})$")
_LEVEL_WORDS = ("类", "款", "项")


def code_levels(header: list[str]) -> int:
    """Header lines → how many 类/款/项 code cells a row prints (0 when codes are whole)."""
    words = [compact(h) for h in header]
    joined = "".join(words)
    if "类" not in words and "类款" not in joined:
        return 0
    return 3 if "项" in words or "类款项" in joined else 2


def split_codes(lines: list[Line], levels: int) -> list[Line]:
    """Body lines → lines where 类/款/项 pieces printed one after another are one code.

    ``201`` ``13`` ``01`` (each alone on a line or on one line) → ``2011301``:
    a 3-digit 类 piece opens a code and up to ``levels - 1`` two-digit pieces
    right after it (nothing else between) join it.  A line left empty is dropped;
    with ``levels`` < 2 the lines are returned unchanged.
    """
    if levels < 2:
        return lines
    toks = [line.text.split() for line in lines]
    at: tuple[int, int] | None = None  # (line, token) of the code being built
    parts = 0
    for n, row in enumerate(toks):
        k = 0
        while k < len(row):
            tok = row[k]
            if at and 0 < parts < levels and re.fullmatch(r"\d{2}", tok):
                toks[at[0]][at[1]] += tok
                parts += 1
                del row[k]
                continue
            at, parts = ((n, k), 1) if re.fullmatch(r"\d{3}", tok) else (None, 0)
            k += 1
    return [Line(line.no, " ".join(t), line.gap) for line, t in zip(lines, toks) if t]


def pair_codes(rows: list[RawRow]) -> list[RawRow]:
    """Rows of a classification table → rows with codes printed apart put back in front.

    Returns the rows unchanged where a run of codes and the rows without one do
    not count the same.
    """
    out = list(rows)
    i = 0
    while i < len(out):
        run = _trailing_codes(out[i])
        if run:
            out, i = _place_run(out, i, run)
        i += 1
    return out


def _trailing_codes(row: RawRow) -> list[str]:
    """Codes printed after a row's amounts (``['206', '20605']``); [] when none."""
    cells = list(row.cells)
    k = len(cells)
    while k > 1 and _CODE.match(cells[k - 1]):
        k -= 1
    has_amount = any(FRAGMENT.match(c) and not _CODE.match(c) for c in cells[:k])
    return cells[k:] if has_amount and k < len(cells) else []


def _codeless(row: RawRow) -> bool:
    first = row.cells[0] if row.cells else ""
    return bool(first) and not FRAGMENT.match(first) and not re.match(r"^(?:合计|总计)", compact(first))


def _place_run(rows: list[RawRow], i: int, run: list[str]) -> tuple[list[RawRow], int]:
    """Give the codes left at the end of ``rows[i]`` to the rows they belong to."""
    before = 0
    while before < i + 1 and _codeless(rows[i - before]):
        before += 1
    if before == len(run):  # rows without a code, then their codes
        owners = range(i - before + 1, i + 1)
        fixed = [_with_code(rows[j], c, rows[i].last_line, len(run) if j == i else 0) for j, c in zip(owners, run)]
        return rows[:i - before + 1] + fixed + rows[i + 1:], i
    after = i + 1
    if after < len(rows) and _CODE.match(rows[after].cells[0]):
        codes = run + [rows[after].cells[0]]
        names = [RawRow(rows[after].cells[1:], rows[after].first_line, rows[after].last_line)]
        names += [r for r in rows[after + 1:after + len(codes)] if _codeless(r)]
        if len(names) == len(codes):  # codes first, then rows without one
            cut = RawRow(rows[i].cells[:-len(run)], rows[i].first_line, rows[i].last_line)
            fixed = [_with_code(r, c, rows[i].first_line) for r, c in zip(names, codes)]
            return rows[:i] + [cut] + fixed + rows[after + len(codes):], i + len(codes)
    return rows, i


def _with_code(row: RawRow, code: str, code_line: int, drop: int = 0) -> RawRow:
    """``row`` with ``code`` in front (its last ``drop`` cells left out); the line
    span grows to the line the code run was printed on or ended at."""
    cells = row.cells[:len(row.cells) - drop] if drop else row.cells
    first, last = min(row.first_line, code_line), max(row.last_line, code_line)
    return RawRow((code,) + tuple(cells), first, last, row.aligned)
