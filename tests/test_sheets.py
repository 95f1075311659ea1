"""Spreadsheet exports read back as a user's tools read them: openpyxl for XLSX, csv for the CSV.

Figures from the samples, read by hand: Fushun's unit code is printed 071002; Shenyang 2024's
表3 合计 is 243,492.11 万元 (L398) and its project 提前下达中央财政城乡居民基本医疗保险补助中央直达资金
124,524.00 万元.
"""
import csv
import io
from decimal import Decimal

import openpyxl
import pytest
from click.testing import CliRunner

from fundflow.cli.main import cli
from fundflow.outputs.sheets import TABLES


@pytest.fixture(scope="module")
def workbook(samples_store_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("xlsx") / "fundflow.xlsx"
    r = CliRunner().invoke(cli, ["export", "--format", "xlsx", "-o", str(out), "--store", str(samples_store_dir)])
    assert r.exit_code == 0, r.output
    return openpyxl.load_workbook(out)


def _rows(ws):
    header = [c.value for c in ws[1]]
    return header, [dict(zip(header, row)) for row in ws.iter_rows(min_row=2)]


def test_one_sheet_per_table_with_a_frozen_header(workbook):
    assert workbook.sheetnames == list(TABLES)
    assert all(workbook[name].freeze_panes == "A2" for name in TABLES)


def test_codes_are_text_cells(workbook):
    _header, rows = _rows(workbook["projects"])
    fushun = [r for r in rows if r["unitCode"].value == "071002"]
    assert fushun and all(r["unitCode"].data_type == "s" and r["unitCode"].number_format == "@" for r in fushun)
    assert all(r["code"].data_type == "s" for r in rows if r["code"].value)


def test_amounts_are_numbers_in_wan_yuan(workbook):
    header, rows = _rows(workbook["projects"])
    assert "amount（万元）" in header
    cell = next(r["amount（万元）"] for r in rows if r["project"].value == "提前下达中央财政城乡居民基本医疗保险补助中央直达资金")
    assert cell.data_type == "n" and Decimal(str(cell.value)) == Decimal(124524) and "万元" in cell.number_format
    _header, totals = _rows(workbook["totals"])
    spent = [r["amount（万元）"].value for r in totals if r["unitCode"].value == "578002" and r["table"].value == "表3"
             and r["row"].value == "合计" and r["amountType"].value == "Total" and r["fundType"].value is None]
    assert [Decimal(str(v)) for v in spent] == [Decimal("243492.11")]


def test_csv_has_a_bom_and_quotes_text(samples_store_dir):
    r = CliRunner().invoke(cli, ["export", "--format", "csv", "--table", "projects", "--store", str(samples_store_dir)])
    assert r.exit_code == 0
    data = r.stdout_bytes
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), quoting=csv.QUOTE_NONNUMERIC))  # quoted = text, bare = number
    header = rows[0]
    fushun = [dict(zip(header, row)) for row in rows[1:] if row[header.index("unitCode")] == "071002"]
    assert fushun and all(row["amount"] > 0 for row in fushun)
    plain = CliRunner().invoke(cli, ["export", "--format", "csv", "--no-bom", "--store", str(samples_store_dir)])
    assert plain.stdout_bytes.startswith(b'"year"')


def test_unknown_table_is_one_line(samples_store_dir):
    r = CliRunner().invoke(cli, ["export", "--format", "csv", "--table", "nope", "--store", str(samples_store_dir)])
    assert r.exit_code == 2 and "unknown table 'nope'" in r.output and "Traceback" not in r.output
