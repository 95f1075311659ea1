"""Excel workbooks read as the tables their sheets hold: several tables per sheet (cut at blank
rows and title rows), merged header cells as merged cells, numbers stored as text read as
numbers.  The workbooks are built here with openpyxl from the figures of the 鞍山 2026 sample
(表3 支出预算总表 and 表5 一般公共预算支出表, typed by hand); the records read from the
workbook must equal those read from the sample's text.
"""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from support.anshan import TABLE3

from fundflow.core.errors import DocumentError
from fundflow.core.model import BudgetLine, NarrativeFact
from fundflow.loaders.document import read_document
from fundflow.records.pipeline import parse_document

ANSHAN = Path(__file__).resolve().parents[1] / "data" / "samples" / "anshan-center-2026-budget.txt"
UNIT = "鞍山市医疗保障事务服务中心"


def _lines(parsed, table: str) -> set[tuple]:
    return {(b.code, b.name, b.amount_type, b.amount) for b in parsed.of(BudgetLine) if b.table == table}


@pytest.fixture(scope="module")
def from_text():
    return parse_document(ANSHAN)


def _body(ws, first_row: int, as_text: bool) -> int:
    """The 20 body rows of 表3/表5 from ``first_row``: amounts as numbers formatted 0.00, or
    (``as_text``) every other row's amounts stored as text, as some exports write them."""
    r = first_row
    for k, line in enumerate(TABLE3.splitlines()):
        cells = line.split("|")
        ws.cell(r, 1, cells[0] or None)
        ws.cell(r, 2, cells[1])
        for j, amount in enumerate(cells[2:], start=3):
            if not amount:
                continue
            if as_text and k % 2:
                ws.cell(r, j, amount)  # "1,681.43" as a string cell
            else:
                ws.cell(r, j, float(amount.replace(",", ""))).number_format = "#,##0.00"
        r += 1
    return r


def _titles(ws, row: int, title: str, number: str) -> int:
    ws.cell(row, 1, title)
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=7)
    ws.cell(row + 1, 1, number)
    ws.cell(row + 2, 1, f"单位名称：{UNIT}")
    ws.cell(row + 2, 7, "单位：万元")
    return row + 3


def _table3(ws, row: int, as_text: bool = False) -> int:
    row = _titles(ws, row, "支出预算总表", "表3")
    for col, word in ((1, "科目编码"), (2, "科目名称"), (3, "合计"), (4, "基本支出"), (7, "项目支出")):
        ws.cell(row, col, word)
    for col in (1, 2, 3, 7):
        ws.merge_cells(start_row=row, start_column=col, end_row=row + 1, end_column=col)
    ws.merge_cells(start_row=row, start_column=4, end_row=row, end_column=6)
    for col, word in ((4, "小计"), (5, "人员经费"), (6, "公用经费")):
        ws.cell(row + 1, col, word)
    return _body(ws, row + 2, as_text)


def _table5(ws, row: int) -> int:
    row = _titles(ws, row, "一般公共预算支出表", "表5")
    ws.cell(row, 1, "科目编码")
    ws.cell(row, 2, "科目名称")
    ws.cell(row, 3, "本年一般公共预算支出")
    ws.merge_cells(start_row=row, start_column=1, end_row=row + 2, end_column=1)
    ws.merge_cells(start_row=row, start_column=2, end_row=row + 2, end_column=2)
    ws.merge_cells(start_row=row, start_column=3, end_row=row, end_column=7)
    ws.cell(row + 1, 3, "合计")
    ws.cell(row + 1, 4, "基本支出")
    ws.cell(row + 1, 7, "项目支出")
    ws.merge_cells(start_row=row + 1, start_column=3, end_row=row + 2, end_column=3)
    ws.merge_cells(start_row=row + 1, start_column=4, end_row=row + 1, end_column=6)
    ws.merge_cells(start_row=row + 1, start_column=7, end_row=row + 2, end_column=7)
    for col, word in ((4, "小计"), (5, "人员经费"), (6, "公用经费")):
        ws.cell(row + 2, col, word)
    return _body(ws, row + 3, as_text=False)


def _workbook(path: Path, as_text: bool = False, blank_between: bool = False) -> Path:
    wb = openpyxl.Workbook()
    cover = wb.active
    cover.title = "封面"
    cover["A1"] = UNIT
    cover["A2"] = "2026年单位预算"
    ws = wb.create_sheet("预算表")
    end = _table3(ws, 1, as_text)
    _table5(ws, end + (1 if blank_between else 0))  # the next table's title row cuts the sheet
    notes = wb.create_sheet("说明")
    notes["A1"] = "2026年收入预算1,681.43万元，支出预算1,681.43万元。"
    wb.save(path)
    return path


@pytest.mark.parametrize(("as_text", "blank_between"), [(False, False), (True, True)])
def test_a_workbook_reads_as_the_same_records_as_the_text(tmp_path, from_text, as_text, blank_between):
    parsed = parse_document(_workbook(tmp_path / "anshan.xlsx", as_text, blank_between))
    assert parsed.source.format == "xlsx" and parsed.loader == "grid"
    assert (parsed.meta.fiscal_year, parsed.meta.kind, parsed.meta.scope) == (2026, "budget", "unit")
    assert [(t.kind, t.number, t.money_unit, len(t.rows)) for t in parsed.tables] == [
        ("expenditure", "3", "万元", 20), ("general_expenditure", "5", "万元", 20)]
    assert parsed.tables[1].columns[2:] == ("本年一般公共预算支出/合计", "本年一般公共预算支出/基本支出/小计",
                                            "本年一般公共预算支出/基本支出/人员经费", "本年一般公共预算支出/基本支出/公用经费",
                                            "本年一般公共预算支出/项目支出")
    for table in ("表3", "表5"):
        assert _lines(parsed, table) == _lines(from_text, table), table
    assert any(f.amount == Decimal(16814300) for f in parsed.of(NarrativeFact))


def test_a_record_points_at_its_sheet_and_row(tmp_path):
    parsed = parse_document(_workbook(tmp_path / "anshan.xlsx"))
    line = next(b for b in parsed.of(BudgetLine) if b.table == "表3" and b.code == "2101505" and b.amount_type == "Total")
    assert line.ref.page == 2  # sheet 2, 预算表
    assert parsed.source.lines[line.ref.first_line - 1] == "2101505\t医疗保障政策管理\t68.40\t\t\t\t68.40"


def test_cells_read_as_displayed(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    values = [(1681.4, "0.00", "1681.40"), (0.1 + 0.2, "General", "0.3"), (2080505, "General", "2080505"),
              (12.0, "General", "12"), (0.055, "0.0%", "5.5%"), ("1,681.43", None, "1,681.43"),
              (" 74.70 ", None, "74.70"), (1234.5, "#,##0.00_ ;[Red]-#,##0.00 ", "1234.50")]
    for r, (value, fmt, _shown) in enumerate(values, start=1):
        ws.cell(r, 1, "x")
        cell = ws.cell(r, 2, value)
        if fmt:
            cell.number_format = fmt
    wb.save(tmp_path / "cells.xlsx")
    doc = read_document(tmp_path / "cells.xlsx")
    assert [row[1] for row in doc.grids[0].rows] == [shown for _v, _f, shown in values]


def test_hidden_rows_and_sheets_are_not_read(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    for r, (name, amount) in enumerate([("合计", 3.0), ("草稿", 99.0), ("其他", 3.0)], start=1):
        ws.cell(r, 1, name)
        ws.cell(r, 2, amount)
    ws.row_dimensions[2].hidden = True
    hidden = wb.create_sheet("底稿")
    hidden["A1"] = "不公开"
    hidden.sheet_state = "hidden"
    wb.save(tmp_path / "hidden.xlsx")
    doc = read_document(tmp_path / "hidden.xlsx")
    assert doc.grids[0].rows == (("合计", "3"), ("其他", "3")) and "不公开" not in doc.lines


def test_a_broken_workbook_is_a_one_line_error(tmp_path):
    data = _workbook(tmp_path / "a.xlsx").read_bytes()
    (tmp_path / "cut.xlsx").write_bytes(data[: len(data) // 2])
    with pytest.raises(DocumentError) as err:
        read_document(tmp_path / "cut.xlsx")
    assert str(err.value).startswith("cut.xlsx: the workbook cannot be opened") and "\n" not in str(err.value)
