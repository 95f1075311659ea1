"""A web page → its lines and tables (loaders.html.page) and positioned text → lines."""
from __future__ import annotations

import lxml.html
from hypothesis import given, settings
from hypothesis import strategies as st

from fundflow.core.errors import DocumentError
from fundflow.loaders.document import read_document
from fundflow.loaders.html.page import HtmlTable, read_page, table_grid
from fundflow.loaders.html.positioned import Fragment, render_fragments


def _page(body: str):
    return read_page(lxml.html.document_fromstring(f"<html><head><title>T</title></head><body>{body}</body></html>"))


def _table(markup: str) -> HtmlTable:
    return table_grid(lxml.html.fragment_fromstring(markup))


def test_rowspan_and_colspan_cover_their_positions():
    grid = _table("<table><tr><th rowspan=2>科目编码</th><th colspan=2>基本支出</th><th rowspan=2>项目支出</th></tr>"
                  "<tr><th>人员经费</th><th>公用经费</th></tr>"
                  "<tr><td>208</td><td>1.00</td><td>2.00</td><td>3.00</td></tr></table>")
    assert grid.rows == (("科目编码", "基本支出", None, "项目支出"),
                         (None, "人员经费", "公用经费", None),
                         ("208", "1.00", "2.00", "3.00"))
    assert sorted(grid.spans) == [(0, 0, 2, 1), (0, 1, 1, 2), (0, 3, 2, 1)]


def test_a_span_is_cut_at_the_table_edge_and_rowspan_0_runs_to_the_end():
    grid = _table("<table><tr><td rowspan=0>A</td><td>1</td></tr><tr><td>2</td></tr><tr><td rowspan=9>3</td></tr></table>")
    assert grid.rows == (("A", "1"), (None, "2"), (None, "3"))
    assert (0, 0, 3, 1) in grid.spans and not any(r == 2 and n > 1 for r, _c, n, _w in grid.spans)


def test_short_rows_are_filled_and_lines_in_a_cell_kept():
    grid = _table("<table><tr><td>项目<br>名称</td><td>合计</td><td>备注</td></tr><tr><td>x</td></tr></table>")
    assert grid.rows == (("项目\n名称", "合计", "备注"), ("x", "", ""))


def test_hidden_rows_scripts_and_styles_are_not_read():
    page = _page("<style>p{color:red}</style><script>var a = '1.00万元';</script>"
                 "<p>收入1.00万元</p><p style='display:none'>支出9.99万元</p>"
                 "<table><tr><td>合计</td><td>1.00</td></tr><tr style='display:none'><td>x</td><td>2.00</td></tr>"
                 "<tr><td>其他</td><td>3.00</td></tr></table>")
    assert page.items[0] == "收入1.00万元"
    assert page.items[1] == HtmlTable((("合计", "1.00"), ("其他", "3.00")), ())
    assert page.figures == 3  # 1.00万元 and two figure cells


def test_blocks_make_lines_and_inline_text_joins():
    page = _page("<div>2026年<span>部门</span><b>预算</b></div><p>第一行<br>第二行</p><ul><li>一</li><li>二</li></ul>")
    assert page.items == ["2026年部门预算", "第一行", "第二行", "一", "二"]
    assert page.title == "T"


def test_a_layout_table_is_read_as_text_and_the_data_table_inside_as_a_grid():
    page = _page("<table><tr><td>导航</td><td><table><tr><td>合计</td><td>1.00</td></tr><tr><td>其他</td><td>2.00</td>"
                 "</tr></table></td></tr></table><table><tr><td>标题</td><td>日期</td></tr><tr><td>a</td><td>b</td></tr>"
                 "</table>")
    grids = [i for i in page.items if isinstance(i, HtmlTable)]
    assert len(grids) == 1 and grids[0].rows[0] == ("合计", "1.00")
    assert "导航" in page.items and "标题" in page.items and "日期" in page.items  # tables with no number: text


def test_figures_inside_links_do_not_count_and_pictures_are_told_from_icons():
    page = _page("<a href='/a'>2025年预算1,000.00万元</a><a href='/'><img src='logo.png' width='800'></a>"
                 "<img src='icon.gif' width='16' height='16'><p><img src='scan1.jpg'></p>"
                 "<footer><img src='badge.png'></footer>")
    assert page.figures == 0
    assert page.links == [("2025年预算1,000.00万元", "/a"), ("", "/")]
    assert page.pictures == 1  # scan1.jpg: not in a link, not an icon, not in the footer


def test_positioned_text_is_placed_in_the_reading_order():
    page = _page("<p>前言</p><div style='position:relative'>"
                 "<div style='position:absolute;left:200px;top:10px'>1.00</div>"
                 "<div style='position:absolute;left:0px;top:10px'>合计</div>"
                 "<div style='position:absolute;left:0px;top:40px'>其他</div></div><p>结尾</p>")
    assert page.items[0] == "前言" and page.items[-1] == "结尾"
    assert [line.split() for line in page.items[1:-1]] == [["合计", "1.00"], ["其他"]]


def test_fragments_of_one_word_join_and_columns_keep_their_place():
    frags = [Fragment(0, 0, 10, "项目"), Fragment(0, 20, 10, "支出"), Fragment(0, 100, 10, "12.50"),
             Fragment(20, 0, 10, "合计"), Fragment(21, 100, 10, "99.00")]
    lines = render_fragments(frags)
    assert lines[0].split() == ["项目支出", "12.50"]  # 项目 ends where 支出 begins: one word
    assert lines[1].split() == ["合计", "99.00"]  # tops one pixel apart: one line
    assert lines[0].index("12.50") == lines[1].index("99.00") == 20  # left 100px in half-em (5px) steps


_PIECES = ["<table>", "</table>", "<tr>", "</tr>", "<td rowspan='2'>", "<td colspan='0'>", "<td colspan='x'>", "<td>",
           "</td>", "<th rowspan='-3'>", "<p>", "</p>", "<br>", "<a href='a.pdf'>", "</a>", "<img src='s.jpg'>",
           "<div style='position:absolute;left:10px;top:5px'>", "</div>", "<script>", "</script>", "<!--", "-->",
           "合计", "1,234.50", "万元", "2026年部门预算", "&nbsp;", "&#0;", "<", ">", "\n", "\x00"]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=60))
def test_any_markup_reads_or_fails_in_one_line(tmp_path_factory, pieces):
    path = tmp_path_factory.mktemp("html") / "page.html"
    path.write_text("<html><body>" + "".join(pieces), encoding="utf-8")
    try:
        doc = read_document(path)
    except DocumentError as err:
        assert "\n" not in str(err) and "page.html" in str(err)  # noqa: PT017 — either a table or one line
    else:
        assert doc.format == "html" and all(len(set(map(len, g.rows))) <= 1 for g in doc.grids)
