"""Store → tables for spreadsheets: CSV that Excel opens right, and an XLSX workbook.

The tables are the bundled queries of ``TABLES`` (``kg/queries/NAME.rq``), read
as plain values (``frames.solutions_to_rows``), except ``flows``, which is read from
the typed flow graph that trace, map and Sankey read (``flowtable.flow_table``).  ``write_csv`` writes UTF-8 with
a BOM (so Excel does not show 乱码), every text value quoted (codes such as
``071002`` are text), amounts as exact yuan decimals.  ``write_xlsx`` writes one
sheet per table: amounts as numbers in 万元 (shown ``243,492.11 万元``, the unit also in
the header), codes and names as text cells, the header row frozen and filtered.
"""
from __future__ import annotations

from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from fundflow.core.errors import FundflowError
from fundflow.kg.query import load_query, run_query
from fundflow.kg.query import money_columns as query_money_columns
from fundflow.outputs.flowtable import flow_table
from fundflow.outputs.frames import solutions_to_rows

WAN = Decimal(10000)
# The tables every spreadsheet export holds, in sheet order.
TABLES = ("projects", "budget-lines", "totals", "three-costs", "indicators", "procurement", "flows",
          "findings", "tables-not-read", "documents", "units")


@cache
def money_columns(name: str) -> frozenset[str]:
    """The columns of a bundled query that hold yuan amounts (its ``# 万元: a b`` line)."""
    return query_money_columns(load_query(name))


def table_rows(store: ox.Store, name: str) -> tuple[list[str], list[dict[str, Any]]]:
    """A table of the store → (columns, rows of plain values): a bundled query, or for ``flows`` the flow graph."""
    if name == "flows":
        return flow_table(store)
    return solutions_to_rows(run_query(store, load_query(name)))


def _csv_cell(value: Any) -> str:
    """One CSV field: text (and true/false) quoted, so imports that honour quoting keep codes as text; numbers bare."""
    if isinstance(value, bool):
        value = "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace('"', '""') + '"'
    if isinstance(value, Decimal):
        return format(value, "f")
    return "" if value is None else str(value)


def rows_to_csv(columns: list[str], rows: list[dict[str, Any]], bom: bool = True) -> bytes:
    """Rows → CSV bytes (RFC 4180): UTF-8 with a BOM unless ``bom`` is false, CRLF line ends."""
    lines = [",".join(_csv_cell(c) for c in columns)]
    lines += [",".join(_csv_cell(row[c]) for c in columns) for row in rows]
    return (b"\xef\xbb\xbf" if bom else b"") + ("\r\n".join(lines) + "\r\n").encode("utf-8")


def write_csv(store: ox.Store, name: str, output: str | Path | None, bom: bool = True) -> bytes | None:
    """One table as CSV to ``output`` (None: return the bytes).  Raises ``FundflowError`` for an unknown table."""
    if name not in TABLES:
        raise FundflowError(f"unknown table {name!r}", hint=f"choose one of: {', '.join(TABLES)}")
    data = rows_to_csv(*table_rows(store, name), bom=bom)
    if output is None:
        return data
    _write(Path(output), data)
    return None


def _write(path: Path, data: bytes) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    except OSError as err:
        raise FundflowError(f"cannot write: {err.strerror or err}", file=str(path)) from None


def write_xlsx(store: ox.Store, output: str | Path, tables: tuple[str, ...] = TABLES) -> Path:
    """Every table as a sheet of one workbook → the path written.  Raises ``FundflowError`` when unwritable."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for name in tables:
        columns, rows = table_rows(store, name)
        _sheet(book.create_sheet(name), columns, rows, money_columns(name))
    path = Path(output)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        book.save(path)
    except OSError as err:
        raise FundflowError(f"cannot write: {err.strerror or err}", file=str(path)) from None
    return path


MONEY_FORMAT = '#,##0.00" 万元"'
TEXT_FORMAT = "@"


def _sheet(ws, columns: list[str], rows: list[dict[str, Any]], money: frozenset[str]) -> None:
    """Fill one sheet: header (amount columns say 万元), typed cells, frozen and filtered header row."""
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    ws.append([f"{c}（万元）" if c in money else c for c in columns])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for r, row in enumerate(rows, start=2):
        for c, col in enumerate(columns, start=1):
            value = row[col]
            cell = ws.cell(row=r, column=c)
            if isinstance(value, Decimal) and col in money:
                cell.value, cell.number_format = value / WAN, MONEY_FORMAT  # exact: openpyxl writes str(Decimal)
            elif isinstance(value, str):
                cell.value, cell.number_format = value, TEXT_FORMAT
            else:
                cell.value = value
    ws.freeze_panes = "A2"
    if rows:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{len(rows) + 1}"
    for c, col in enumerate(columns, start=1):
        longest = max([len(str(col)) + 4] + [len(str(row[col] or "")) for row in rows[:200]])
        ws.column_dimensions[get_column_letter(c)].width = min(60, max(8, longest * 1.6))
