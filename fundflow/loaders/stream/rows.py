"""Lines of money tables in stream text → logical rows.

``body_start(lines, family)`` finds where the header ends;
``lines_to_rows(lines, family)`` groups the body's physical lines into
logical rows and reassembles wrapped names and broken numbers.

Families: ``classification`` (a row starts at a code, 合计 or a unit),
``projects`` (a row starts at a name after the previous row's amounts),
``lines`` (two-sided summary tables: one printed line per row).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from fundflow.core.model import RawRow
from fundflow.core.terms import is_header_word
from fundflow.loaders.stream.text import (
    FRAGMENT,
    STRICT_AMOUNT,
    Line,
    glue_number,
    is_cjk_edge,
    is_numeric,
    split_cells,
)

_CODE = re.compile(r"^(?:\d{3}(?:\d{2}){0,2}|\d{6})$")
_TOTAL = re.compile(r"^(?:合计|总计)|合计$")
_ORDINAL = re.compile(r"^(?:\d{1,2}\s+)?(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[)）]|\d{1,2}、)")
_HEADER_WORD = re.compile(r"^(?:金额|预算数|小计|本年预算|预算金额|年初预算数)$")
NOTE = re.compile(r"^(?:备\s*注|注)\s*[:：]|^说明\s*[:：]")


@dataclass
class _Row:
    cells: list[str] = field(default_factory=list)
    first: int = 0
    last: int = 0

    def has_amount(self) -> bool:
        return any(STRICT_AMOUNT.match(c) or (FRAGMENT.match(c) and not _CODE.match(c)) for c in self.cells[1:])


def _starts_total(cells: list[str]) -> bool:
    return bool(cells) and bool(_TOTAL.search(cells[0]))


def _numbers_follow(lines: list[Line], i: int) -> bool:
    """The total row at ``lines[i]`` carries amounts (on its line, the next, or
    after header labels printed between the label and its amount)."""
    cells = split_cells(lines[i].text)
    if any(FRAGMENT.match(c) for c in cells[1:]):
        return True
    return i + 1 < len(lines) and bool(FRAGMENT.match(split_cells(lines[i + 1 + header_after_total(lines, i)].text)[0]))


def header_after_total(lines: list[Line], i: int) -> int:
    """How many header label lines (``金额``) plain pdftotext printed between the
    total label at ``lines[i]`` and its first amount (0 when none)."""
    k = i + 1
    while k < len(lines) - 1 and k <= i + 2 and _HEADER_WORD.match(lines[k].text):
        k += 1
    return k - i - 1 if k < len(lines) and FRAGMENT.match(split_cells(lines[k].text)[0]) else 0


def body_start(lines: list[Line], family: str, named: bool = False) -> int:
    """Index of the first body line of a table block (``len(lines)`` when none).

    With ``named`` (a table whose codes are printed in 类/款 cells, apart from
    their rows) a name alone on its line followed by amounts also starts the body.
    """
    for i, line in enumerate(lines):
        cells = split_cells(line.text)
        if NOTE.match(line.text):
            return i
        if _starts_total(cells) and _numbers_follow(lines, i):
            return i
        if family == "classification" and (_code_start(lines, i) or (named and _named_amounts(lines, i))):
            return i
        if family == "projects" and any(STRICT_AMOUNT.match(c) for c in cells[1:]):
            return _name_start(lines, i)
        if family == "lines" and not line.text.startswith("栏次") and (_ORDINAL.match(line.text) or any(STRICT_AMOUNT.match(c) for c in cells)):
            return i
    return len(lines)


def _named_amounts(lines: list[Line], i: int) -> bool:
    cells = split_cells(lines[i].text)
    return len(cells) == 1 and _is_text(cells[0]) and not _HEADER_WORD.match(cells[0]) \
        and i + 1 < len(lines) and bool(STRICT_AMOUNT.match(split_cells(lines[i + 1].text)[0]))


def _name_start(lines: list[Line], i: int) -> int:
    """Index of the first line of the project row whose amounts are on ``lines[i]``
    (a table without a 合计 row): the name may be wrapped over up to three lines
    above its amounts; header wording (``一般公``, ``项目名称``) is not a name."""
    j = i
    while j > 0 and j > i - 3 and is_numeric(split_cells(lines[j].text)[0]):
        above = split_cells(lines[j - 1].text)
        if any(is_numeric(c) for c in above) or all(is_header_word(c) for c in above):
            break
        j -= 1
    return j


def _code_start(lines: list[Line], i: int) -> bool:
    """``lines[i]`` starts with a code followed by a name (same or next line), not a number fragment."""
    cells = split_cells(lines[i].text)
    if not _CODE.match(cells[0]):
        return False
    if len(cells) > 1:
        return _is_text(cells[1])
    nxt = split_cells(lines[i + 1].text) if i + 1 < len(lines) else []
    return bool(nxt) and _is_text(nxt[0]) and not _starts_total(nxt)


def _new_row(row: _Row, cells: list[str], family: str, code: bool) -> bool:
    if not row.cells:
        return True
    if family == "lines":
        return True
    if _starts_total(cells):
        return True
    if family == "classification" and code:
        return True
    return not is_numeric(cells[0]) and row.has_amount()


def _add(row: _Row, cells: list[str], line: Line) -> None:
    """Append a line's cells, joining a wrapped name onto the last text cell."""
    if row.cells and cells and not row.has_amount() and _is_text(row.cells[-1]) and _is_text(cells[0]):
        cjk = is_cjk_edge(row.cells[-1], cells[0]) or (not row.cells[-1].isascii() and not cells[0].isascii())
        sep = "" if cjk else " "
        row.cells[-1] = row.cells[-1] + sep + cells.pop(0)
    row.cells.extend(cells)
    row.first = row.first or line.no
    row.last = line.no


def _is_text(cell: str) -> bool:
    return not is_numeric(cell) and not _CODE.match(cell)


def lines_to_rows(lines: list[Line], family: str) -> list[RawRow]:
    """Body lines of a money table → RawRows (cells as printed, numbers glued)."""
    rows: list[_Row] = []
    row = _Row()
    for i, line in enumerate(lines):
        if NOTE.match(line.text):
            break
        cells = split_cells(line.text)
        if row.cells and glue_number(row.cells[-1], cells[0]):
            row.cells[-1] += cells.pop(0)
            row.last = line.no
            if not cells:
                continue
        if cells and _new_row(row, cells, family, _code_start(lines, i)) and (row.cells or not rows):
            if row.cells:
                rows.append(row)
            row = _Row()
        _add(row, cells, line)
    if row.cells:
        rows.append(row)
    return [RawRow(tuple(r.cells), r.first, r.last) for r in rows]
