"""Text tables (``pdftotext -layout``) whose header wording is in no row of data/header_maps.csv are read
by what their columns' headers mean.

The header of 泉州市公安局 2026 收入预算总表 wraps the text of most cells over two or three
lines (``一般公共预`` / ``算拨款收入``, ``政府性基金`` / ``预算拨款收`` / ``入``); joined, its
wording matched no row of header_maps.csv and the whole table was dropped as unrecognised.
Figures read by hand from the PDF's 收入预算总表.
"""
from __future__ import annotations

import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest

from fundflow.core.model import BudgetLine, TableIssue
from fundflow.loaders.layout.text import header_leaves, header_paths, line_to_pieces
from fundflow.records.pipeline import parse_document

CITIES = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "cities"
WAN = Decimal(10000)


def test_a_cell_wrapped_over_lines_is_one_column_and_a_heading_over_columns_a_step_of_their_paths():
    # 合计 [0,2) 人员经费 [6,10) 公用经费 [12,16) 算拨款收入 [18,23); 基本支出 [9,13) spans the two below it
    lines = ["         基本支出     一般公共预",
             "合计    人员经费  公用经费  算拨款收入"]
    pieces = [line_to_pieces(t, no) for no, t in enumerate(lines, start=1)]
    leaves = header_leaves(pieces)
    assert header_paths(pieces, leaves) == ("合计", "基本支出/人员经费", "基本支出/公用经费", "一般公共预算拨款收入")


@pytest.fixture(scope="module")
def as_text(tmp_path_factory) -> Path:
    pdf = CITIES / "quanzhou_gaj_2026_dept_budget.pdf"
    if not pdf.is_file() or shutil.which("pdftotext") is None:
        pytest.fail("the shared corpus and poppler's pdftotext are needed (CI installs poppler-utils)")
    out = tmp_path_factory.mktemp("text") / "quanzhou_gaj_2026_dept_budget.txt"
    subprocess.run(["pdftotext", "-layout", str(pdf), str(out)], check=True)
    return out


def test_a_revenue_table_by_unit_with_wrapped_headers_is_read_by_meaning(as_text):
    parsed = parse_document(as_text)
    table = next(t for t in parsed.tables if t.title.endswith("收入预算总表"))
    assert not [i for i in parsed.of(TableIssue) if i.table == table.label and i.kind == "unrecognised"]
    lines = [b for b in parsed.of(BudgetLine) if b.table == table.label]
    rows: dict[int, dict[tuple[str, str | None], Decimal]] = {}
    for b in lines:
        rows.setdefault(b.ref.first_line, {})[(b.amount_type, b.fund_type)] = b.amount
    # 合计 81206.56 69059.36 0.00 … 4547.20 7600.00; 泉州市公安局 58341.63 46941.63 0.00 … 3800.00 7600.00
    want = [{("Total", None): "81206.56", ("CurrentYear", "GeneralPublicBudget"): "69059.36",
             ("Other", None): "4547.20", ("CarryOver", None): "7600.00"},
            {("Total", None): "58341.63", ("CurrentYear", "GeneralPublicBudget"): "46941.63",
             ("Other", None): "3800.00", ("CarryOver", None): "7600.00"}]
    got = [rows[no] for no in sorted(rows)[:2]]
    for row, expected in zip(got, want):
        assert {k: row[k] for k in expected} == {k: Decimal(v) * WAN for k, v in expected.items()}
        assert row[("CurrentYear", "GovernmentFund")] == 0 and row[("Business", None)] == 0


def test_columns_whose_meanings_repeat_are_not_trusted(tmp_path):
    # 湖州市卫生健康委员会 2026 表02 收入预算总表: 本年收入 and 上年结转结余 are printed narrower than the columns
    # they head, so read off the text the columns under them would repeat 小计 and 一般公共预算; the table
    # stays unrecognised rather than counting 一般公共预算 twice
    from fundflow.checks.reconcile import reconcile

    pdf = CITIES / "huzhou_wjw_2026_dept_budget.pdf"
    out = tmp_path / "huzhou_wjw_2026_dept_budget.txt"
    subprocess.run(["pdftotext", "-layout", str(pdf), str(out)], check=True)
    parsed = parse_document(out)
    assert [i.kind for i in parsed.of(TableIssue) if i.table == "表02"] == ["unrecognised"]
    assert not [f for f in reconcile(parsed) if f.rule == "R03" and "表02" in f.message]
