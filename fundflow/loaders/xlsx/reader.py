"""An Excel workbook (.xlsx) → SourceDocument: ``read_xlsx(path, data)``.

Every visible sheet is read with openpyxl, cells as they are displayed: a number with the
decimals of its number format (``1681.4`` formatted ``0.00`` is ``1681.40``), a number
stored as text as its text (``'1,681.43``, read as a number downstream), a date as
``2026-01-31``, a formula as the value last computed.  A sheet may hold several tables:
it is cut at blank rows and at title rows (a table title, a number ``表3``, a money unit or
``单位名称：…`` standing alone in its row), which become lines of the document; the rows
between them form a grid each, the merged cells inside as spans.  A sheet is a page, so a
record points at ``file.xlsx:p2:L40`` (sheet 2).  Raises ``DocumentError`` when the workbook
cannot be opened or holds no cells.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

from fundflow.core.errors import DocumentError
from fundflow.core.model import Grid, SourceDocument
from fundflow.loaders.grid.preamble import is_caption
from fundflow.loaders.tablehead import is_note

_DECIMALS = re.compile(r"0\.(0+)")
_MAX_FLOAT_DECIMALS = 6
_PROSE = re.compile(r"[，。；！？]")


def _number_text(value: float, number_format: str) -> str:
    """A number cell as displayed: the decimals its format asks for (``0.00``), a percentage
    as ``5.00%``; with no decimals asked, the number as stored (floats' binary noise rounded off)."""
    fmt = (number_format or "General").split(";")[0]
    percent = "%" in fmt
    d = Decimal(value) if isinstance(value, int) else Decimal(repr(float(value)))
    if percent:
        d *= 100
    m = _DECIMALS.search(fmt)
    if m:
        d = d.quantize(Decimal(1).scaleb(-len(m.group(1))))
    elif d == d.to_integral_value():
        d = d.to_integral_value()
    elif d.as_tuple().exponent < -_MAX_FLOAT_DECIMALS:  # type: ignore[operator]
        d = d.quantize(Decimal(1).scaleb(-_MAX_FLOAT_DECIMALS)).normalize()
    return f"{d:f}" + ("%" if percent else "")


def cell_text(cell: Any) -> str:
    """An openpyxl cell → its text as the sheet shows it ("" for an empty cell)."""
    value = cell.value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        return _number_text(value, cell.number_format)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value).replace("\r\n", "\n").strip()


def _open(path: Path, data: bytes):
    import openpyxl

    try:
        return openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as err:
        raise DocumentError(f"the workbook cannot be opened ({type(err).__name__})", file=path.name,
                            hint="check that it opens in a spreadsheet program and save it again as .xlsx") from None


def _sheet_rows(ws: Any) -> tuple[list[list[str | None]], dict[tuple[int, int], tuple[int, int]]]:
    """A sheet → its visible rows of cell texts (None where a merged cell covers) and, per merged
    cell, its top-left (row, column) → (rows, columns) spanned, in visible-row/column indices."""
    rows_hidden = {r for r, d in ws.row_dimensions.items() if d.hidden}
    cols_hidden = {c for c, d in ws.column_dimensions.items() if d.hidden}
    from openpyxl.utils import column_index_from_string

    hidden_cols = {column_index_from_string(c) for c in cols_hidden}
    rows = [r for r in range(1, (ws.max_row or 0) + 1) if r not in rows_hidden]
    cols = [c for c in range(1, (ws.max_column or 0) + 1) if c not in hidden_cols]
    row_at = {r: i for i, r in enumerate(rows)}
    col_at = {c: i for i, c in enumerate(cols)}
    covered: set[tuple[int, int]] = set()
    merges: dict[tuple[int, int], tuple[int, int]] = {}
    for rng in ws.merged_cells.ranges:
        inside = [(row_at[r], col_at[c]) for r in range(rng.min_row, rng.max_row + 1) if r in row_at
                  for c in range(rng.min_col, rng.max_col + 1) if c in col_at]
        if not inside:
            continue
        top = min(inside)
        merges[top] = (max(r for r, _c in inside) - top[0] + 1, max(c for _r, c in inside) - top[1] + 1)
        covered.update(p for p in inside if p != top)
    out = []
    for i, r in enumerate(rows):
        out.append([None if (i, j) in covered else cell_text(ws.cell(row=r, column=c)) for j, c in enumerate(cols)])
    return out, merges


def _filled(row: list[str | None]) -> list[str]:
    return [c for c in row if c]


def _is_line(row: list[str | None]) -> bool:
    """A row that is a line of text, not a table row: a title, a number, a money unit or
    unit name line, or a note standing alone (one or two cells filled), or a sentence of prose
    filling a row by itself."""
    filled = _filled(row)
    if len(filled) == 1 and _PROSE.search(filled[0]):
        return True
    return 0 < len(filled) <= 2 and all(is_caption(t) or is_note(t) for t in filled)


def _blocks(rows: list[list[str | None]]) -> list[tuple[str, int, int]]:
    """Rows of a sheet → ("line" | "grid", first row, last row + 1) blocks: blank rows and
    title rows cut the sheet into tables."""
    out: list[tuple[str, int, int]] = []
    start = None
    for i, row in enumerate([*rows, []]):
        blank = not _filled(row)
        if (blank or _is_line(row)) and start is not None:
            out.append(("grid", start, i))
            start = None
        if not blank and _is_line(row):
            out.append(("line", i, i + 1))
        elif not blank and start is None:
            start = i
    return out


def _grid(rows: list[list[str | None]], merges: dict, first: int, end: int, line0: int, sheet: int) -> Grid:
    """Rows [first, end) of a sheet → a Grid: its empty edge columns left out, merged cells inside as spans."""
    used = [j for r in range(first, end) for j, c in enumerate(rows[r]) if c or (r, j) in merges]
    lo, hi = (min(used), max(used) + 1) if used else (0, 0)
    spans = []
    for (r, c), (nr, nc) in merges.items():
        if first <= r < end and lo <= c < hi and (nr > 1 or nc > 1):
            spans.append((r - first, c - lo, min(nr, end - r), min(nc, hi - c)))
    cells = tuple(tuple(row[lo:hi]) for row in rows[first:end])
    return Grid(cells, tuple((line0 + i, line0 + i) for i in range(end - first)), sheet, tuple(spans))


def read_xlsx(path: Path, data: bytes) -> SourceDocument:
    """The path and bytes of a workbook → SourceDocument: per visible sheet its title lines and its tables as grids."""
    wb = _open(path, data)
    lines: list[str] = []
    grids: list[Grid] = []
    starts: list[int] = []
    sheets = [ws for ws in wb.worksheets if ws.sheet_state == "visible"]
    for number, ws in enumerate(sheets, start=1):
        starts.append(len(lines) + 1)
        lines.append(ws.title)
        rows, merges = _sheet_rows(ws)
        for kind, first, end in _blocks(rows):
            if kind == "line":
                lines.append("  ".join(_filled(rows[first])))
                continue
            grid = _grid(rows, merges, first, end, len(lines) + 1, number)
            if max((len(r) for r in grid.rows), default=0) < 2:  # one column: lines of text (a cover)
                lines.extend(c for row in grid.rows for c in row if c)
                continue
            lines.extend("\t".join(c or "" for c in row).replace("\n", " ") for row in grid.rows)
            grids.append(grid)
    if not grids and not any(line.strip() for line in lines[len(sheets):]):
        raise DocumentError("the workbook holds no cells", file=path.name, hint="check that it is the right file")
    return SourceDocument(str(path), path.name, hashlib.sha256(data).hexdigest(), "xlsx", tuple(lines), "xlsx",
                          tuple(grids), tuple(starts))
