"""Web pages read as the tables and text they show: a ``<table>`` as a grid of cells (its
rowspan/colspan as merged cells) read by the grid loader, the text around it as lines.

The pages are built here from the figures of a sample (鞍山 2026 表3 支出预算总表, typed from
data/samples/anshan-center-2026-budget.txt); the records read from the page must equal those
read from the sample's text.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from support.anshan import TABLE3

from fundflow.core.model import BudgetLine, NarrativeFact
from fundflow.records.pipeline import parse_document

ROOT = Path(__file__).resolve().parents[1]
ANSHAN = ROOT / "data" / "samples" / "anshan-center-2026-budget.txt"
ZHENGZHOU = ROOT.parent / "shared" / "corpus" / "cities" / "zhengzhou_tdcbzx_2015_dept_budget_narrative.html"

HEAD = ("<tr><th rowspan='2'>科目编码</th><th rowspan='2'>科目<br>名称</th><th rowspan='2'>合计</th>"
        "<th colspan='3'>基本支出</th><th rowspan='2'>项目支出</th></tr>"
        "<tr><th>小计</th><th>人员经费</th><th>公用经费</th></tr>")


def _rows(lines: list[str]) -> str:
    return "".join("<tr>" + "".join(f"<td>{c}</td>" for c in line.split("|")) + "</tr>" for line in lines)


def _page(tables: str, extra: str = "") -> str:
    return ("<!DOCTYPE html><html><head><meta charset='utf-8'><title>鞍山市医疗保障事务服务中心2026年单位预算-政务公开</title>"
            "</head><body><div class='nav'><a href='/'>首页</a> &gt; <a href='/ys'>预算公开</a></div>"
            "<h1>鞍山市医疗保障事务服务中心2026年单位预算</h1>" + extra + tables +
            "<div class='footer'>主办单位：鞍山市医疗保障局</div></body></html>")


def _table3(body: list[str], caption: bool = True) -> str:
    title = "<p>支出预算总表</p><p>表3</p>" if caption else ""
    return (title + "<p>单位名称：鞍山市医疗保障事务服务中心</p><p style='text-align:right'>单位：万元</p>"
            f"<table border='1'>{HEAD}{_rows(body)}</table>")


def _lines(parsed, table: str = "表3") -> set[tuple]:
    return {(b.code, b.name, b.amount_type, b.amount) for b in parsed.of(BudgetLine) if b.table == table}


@pytest.fixture(scope="module")
def from_text():
    return parse_document(ANSHAN)


def test_a_table_of_a_web_page_reads_as_the_same_records_as_the_text(tmp_path, from_text):
    page = tmp_path / "anshan.html"
    page.write_text(_page(_table3(TABLE3.splitlines())), encoding="utf-8")
    parsed = parse_document(page)
    assert parsed.source.format == "html" and parsed.loader == "grid"
    assert parsed.meta.fiscal_year == 2026 and parsed.meta.kind == "budget" and parsed.meta.scope == "unit"
    (t,) = parsed.tables
    assert (t.kind, t.number, t.money_unit) == ("expenditure", "3", "万元")
    assert t.columns == ("科目编码", "科目名称", "合计", "基本支出/小计", "基本支出/人员经费", "基本支出/公用经费", "项目支出")
    got = _lines(parsed)
    assert got == _lines(from_text)
    assert ("210", "卫生健康支出", "Total", 13099400) in {(c, n, a, int(v)) for c, n, a, v in got}
    # a record points at the document line of its table row, and that line holds its cells
    line = next(b for b in parsed.of(BudgetLine) if b.code == "2101505" and b.amount_type == "Total")
    assert parsed.source.lines[line.ref.first_line - 1].startswith("2101505\t医疗保障政策管理\t68.40")


def test_a_table_split_over_two_with_the_header_repeated_is_joined(tmp_path, from_text):
    rows = TABLE3.splitlines()
    page = tmp_path / "anshan-split.html"
    page.write_text(_page(_table3(rows[:15]) + _table3(rows[15:])), encoding="utf-8")
    parsed = parse_document(page)
    assert len(parsed.tables) == 1 and len(parsed.tables[0].rows) == 20
    assert _lines(parsed) == _lines(from_text)


def test_the_text_around_the_tables_is_read_as_narrative(tmp_path):
    prose = "<p>2026年收入预算1,681.43万元，支出预算1,681.43万元。</p>"
    page = tmp_path / "anshan-prose.html"
    page.write_text(_page(_table3(TABLE3.splitlines()), prose), encoding="utf-8")
    parsed = parse_document(page)
    assert "2026年收入预算1,681.43万元，支出预算1,681.43万元。" in parsed.source.lines
    assert any(f.amount == 16814300 for f in parsed.of(NarrativeFact))


def test_layout_tables_around_the_data_are_read_as_text(tmp_path, from_text):
    inner = _table3(TABLE3.splitlines())
    page = tmp_path / "anshan-layout.html"
    page.write_text(_page(f"<table><tr><td><a href='/'>返回</a></td><td>{inner}</td></tr></table>"), encoding="utf-8")
    parsed = parse_document(page)
    assert len(parsed.source.grids) == 1 and _lines(parsed) == _lines(from_text)


def test_the_narrative_budget_page_of_the_corpus_is_read():
    if not ZHENGZHOU.exists():
        pytest.fail(f"{ZHENGZHOU} is missing: the shared corpus sits beside the project")
    parsed = parse_document(ZHENGZHOU)
    assert parsed.source.format == "html" and not parsed.source.grids
    assert parsed.meta.fiscal_year == 2015 and parsed.meta.kind == "budget"
    # 2015年收入预算共安排国库拨款资金923.1961万元 (four decimals, read by hand)
    assert any(f.amount == 9231961 for f in parsed.of(NarrativeFact))
    assert not any("<" in line for line in parsed.source.lines)  # markup is not text


def test_positioned_text_is_put_back_into_lines_and_read_as_a_table(tmp_path, from_text):
    """A page that places every cell with left/top (as PDF converters write it) reads like the
    same table printed by ``pdftotext -layout``."""
    lefts = [20, 110, 420, 520, 620, 720, 820]  # px; right edges of the figures line up per column
    frags = []

    def put(top: int, left: int, text: str, right: bool = False) -> None:
        x = left + 80 - len(text) * 6 if right else left
        frags.append(f"<div style='position:absolute;left:{x}px;top:{top}px;font-size:12px'>{text}</div>")

    put(10, 300, "支出预算总表")
    put(20, 20, "表3")
    put(30, 20, "单位名称：鞍山市医疗保障事务服务中心")
    put(30, 760, "单位：万元")
    top = 60
    for i, word in enumerate(["科目编码", "科目名称", "合计", "", "基本支出", "", "项目支出"]):
        if word:
            put(top, lefts[i] + 40 - len(word) * 6, word)
    top += 18
    for i, word in ((3, "小计"), (4, "人员经费"), (5, "公用经费")):
        put(top, lefts[i] + 40 - len(word) * 6, word)
    for line in TABLE3.splitlines():
        top += 18
        for i, cell in enumerate(line.split("|")):
            if cell:
                put(top, lefts[i], cell, right=i >= 2)
    page = tmp_path / "positioned.html"
    page.write_text(_page("<div style='position:relative'>" + "".join(frags) + "</div>"), encoding="utf-8")
    parsed = parse_document(page)
    header = next(line for line in parsed.source.lines if "科目编码" in line)
    assert header.split() == ["科目编码", "科目名称", "合计", "基本支出", "项目支出"]
    row = next(line for line in parsed.source.lines if line.lstrip().startswith("2080505"))
    assert row.split() == ["2080505", "机关事业单位基本养老保险缴费支出", "162.26", "162.26", "162.26"]
    assert parsed.loader == "layout" and _lines(parsed) == _lines(from_text)


def test_the_pages_of_a_converted_pdf_stay_apart_and_classes_give_the_font_size(tmp_path):
    """A PDF converted to HTML page by page (one positioned <div> per page, font sizes set by
    style-sheet classes, as pdftohtml writes them): each page's fragments are laid out on their
    own, so page 2's lines never mix into page 1's although both use the same coordinates."""
    pages = []
    for number in range(1, 6):
        frags = "".join(f"<p style='position:absolute;top:{top}px;left:{left}px' class='ft1'>{text}</p>"
                        for top, left, text in ((40, 100, f"第{number}页标题"), (80, 100, f"甲{number}"),
                                                (80, 400, f"{number}00.00")))
        pages.append(f"<div id='page{number}-div' style='position:relative;width:892px;height:1262px'>{frags}</div>")
    style = "<style type='text/css'><!-- .ft1{font-size:13px;font-family:X;color:#000000;} --></style>"
    page = tmp_path / "converted.html"
    page.write_text(_page(style + "".join(pages)), encoding="utf-8")
    from fundflow.loaders.document import read_document

    lines = [line.strip() for line in read_document(page).lines if line.strip()]
    titles = [line for line in lines if line.startswith("第")]
    assert titles == [f"第{n}页标题" for n in range(1, 6)]  # one per page, in page order
    rows = [line.split() for line in lines if line.startswith("甲")]
    assert rows == [[f"甲{n}", f"{n}00.00"] for n in range(1, 6)]
    # 13 px text: the figure at left 400 px starts at column 400 / 6.5 ≈ 62 (at the 16 px default it would be 50)
    row = next(line for line in read_document(page).lines if "甲1" in line)
    assert 60 <= row.index("100.00") <= 64


def test_a_positioned_header_is_centred_over_the_width_it_is_printed_in(tmp_path):
    """A Chinese character is an em wide but one character of text: a header fragment is placed so that
    its text's centre is where it is printed, so the figures under it line up with it as on the page."""
    def p(left: int, top: int, text: str) -> str:
        return f"<p style='position:absolute;top:{top}px;left:{left}px;font-size:12px'>{text}</p>"

    # 一般公共预算 printed over 400–472 px (six 12 px characters): centre 436 px; the figure 7108.06 under it
    # over 415–457 px (seven 6 px characters): centre 436 px
    frags = [p(100, 40, "单位名称"), p(300, 40, "总计"), p(400, 40, "一般公共预算"), p(520, 40, "政府性基金"),
             p(100, 60, "某局"), p(291, 60, "7108.06"), p(415, 60, "7108.06")]
    page = tmp_path / "centred.html"
    page.write_text(_page("<div style='position:relative'>" + "".join(frags) + "</div>"), encoding="utf-8")
    from fundflow.loaders.document import read_document

    lines = read_document(page).lines
    head = next(line for line in lines if "一般公共预算" in line)
    row = next(line for line in lines if "7108.06" in line)
    centre = head.index("一般公共预算") + 2.5
    figure = row.rindex("7108.06") + 3
    assert abs(centre - figure) <= 1, (head, row)
