"""A ``Disclosure`` printed as text the way each converter prints it.

    render(doc, layout, quirks) -> str

layouts:
  ``stream``  plain ``pdftotext``: cells joined by single blanks, empty cells dropped,
              every line followed by a blank line; optionally long names wrapped over
              lines, numbers broken across lines (``243,49`` / ``2.11``), narrow
              column headers printed one character per line, form feeds at page starts.
  ``layout``  ``pdftotext -layout``: columns aligned by character position (CJK glyphs
              take one slot), amounts right-aligned, codes split into 类/款/项
              (``210   12   02``), form feeds, page numbers, a table continued on the
              next page with its header repeated.
  ``tabbed``  one row per line, cells separated by tabs, empty cells kept, ``#`` headings,
              a table split over pages with title and header repeated.
  ``cells``   one cell per tab-indented line, rows separated by blank lines.
"""
from __future__ import annotations

from dataclasses import dataclass

from support.docmodel import Disclosure
from support.tables import ORDINALS, Table, disclosure_tables

LAYOUTS = ("stream", "layout", "tabbed", "cells")


@dataclass(frozen=True)
class Quirks:
    unit: str = "万元"  # money unit of every table: 万元 or 元
    wrap: bool = False  # stream: long names wrapped over lines
    break_numbers: bool = False  # stream: numbers of 表9 broken across lines
    vertical: bool = False  # stream: headers of narrow columns one character per line
    feeds: bool = True  # stream/layout: form feed at each page start
    split_codes: bool = True  # layout: codes printed as 类/款/项 columns
    page_break: int = 0  # layout/tabbed: body rows of 表3 before a page break (0 = none)
    headings: bool = False  # tabbed: titles as ``#`` headings
    ocr: bool = False  # tabbed: OCR blanks in amounts (``1, 681. 43``)
    codes: bool = True  # False: 表3/表5 print no code column, only names (类 ``一、`` 款 ``（一）`` 项 bare)


def render(doc: Disclosure, layout: str, quirks: Quirks = Quirks()) -> str:
    """Disclosure → the whole document text in ``layout`` (one of LAYOUTS)."""
    tables = disclosure_tables(doc, quirks.unit, ocr=quirks.ocr and layout == "tabbed")
    if not quirks.codes:
        tables = [uncoded(t) for t in tables]
    printer = {"stream": _stream, "layout": _layout, "tabbed": _tabbed, "cells": _cells}[layout]
    lines = [doc.unit, f"{doc.year}年单位预算", "", "第一部分 单位概况", "",
             "一、主要职责", "", "负责本市医疗保障经办服务工作。", ""]
    for t in tables:
        lines += printer(doc, t, quirks)
    return "\n".join(lines) + "\n"


def uncoded(t: Table) -> Table:
    """表3/表5 as a table that prints names only: the code column dropped, 类 with ``一、``,
    款 with ``（一）``, 项 with their bare name, each numbered in printed order."""
    if t.number not in (3, 5):
        return t
    rows, lei, kuan = [], 0, 0
    for code, name, *amounts in t.rows:
        if len(code) == 3:
            lei, kuan = lei + 1, 0
            name = f"{ORDINALS[lei - 1]}、{name}"
        elif len(code) == 5:
            kuan += 1
            name = f"（{ORDINALS[kuan - 1]}）{name}"
        rows.append((name, *amounts))
    return Table(t.number, t.title, tuple(r[1:] for r in t.head), tuple(rows))


# ---------------------------------------------------------------- stream


def _stream(doc: Disclosure, t: Table, q: Quirks) -> list[str]:
    out = [("\f" if q.feeds else "") + t.title, f"表 {t.number}", f"单位：{q.unit}"]
    for row in t.head:
        out += _stream_head(t, row, q)
    if t.perf:
        out += _stream_perf(t)
    else:
        for row in t.rows:
            out += _stream_row(t, row, q)
    return [x for line in out for x in (line, "")]  # pdftotext puts a blank line after each line


def _stream_head(t: Table, row: tuple[str, ...], q: Quirks) -> list[str]:
    labels = [c for c in row if c]
    if q.vertical and t.number in (7, 9):
        # narrow columns: a label wider than its column is printed one glyph per line
        out: list[str] = []
        for c in labels:
            out += list(c) if len(c) >= 4 else [c]
        return out
    return [" ".join(labels)] if labels else []


def _stream_row(t: Table, row: tuple[str, ...], q: Quirks) -> list[str]:
    cells = [c for c in row if c]
    texts = [c for c in cells if not _is_amount(c)]
    figures = [c for c in cells if _is_amount(c)]
    if q.break_numbers and t.number == 9:
        out = _wrap(texts[0], 7) if q.wrap else texts[:1]
        for f in figures:
            out += [f[:-4], f[-4:]] if len(f) >= 7 else [f]
        return out
    name = texts[-1] if texts else ""
    if q.wrap and len(name) > 14:
        return [*texts[:-1], *_wrap(name, 14), " ".join(figures)]
    return [" ".join(cells)]


def _stream_perf(t: Table) -> list[str]:
    out: list[str] = []
    for row in t.rows:
        if row[0] == "绩效指标":
            out += ["绩效指标", " ".join(row[1:])]
        elif row[0]:
            out.append(" ".join(c for c in row if c))
        else:
            out += [c for c in row[1:3] if c]  # level-1/2 names above the indicator line
            out.append(" ".join(c for c in row[3:] if c))
    return out


def _wrap(text: str, width: int) -> list[str]:
    return [text[i:i + width] for i in range(0, len(text), width)]


def _is_amount(cell: str) -> bool:
    return _is_figure(cell) and "." in cell


def _is_figure(cell: str) -> bool:
    return bool(cell) and cell.replace(",", "").replace(".", "").replace(" ", "").isdigit()


# ---------------------------------------------------------------- -layout


def _code_text(code: str, split: bool) -> str:
    if not split or len(code) < 5:
        return code
    parts = [code[:3], code[3:5], code[5:7]]
    return "   ".join(p for p in parts if p)


def _layout(doc: Disclosure, t: Table, q: Quirks) -> list[str]:
    rows = [(_code_text(r[0], q.split_codes), *r[1:]) if t.coded else r for r in t.rows]
    head = list(t.head)
    if t.coded and q.split_codes:
        head.append(("类   款   项",) + ("",) * (len(head[0]) - 1))
    widths = [max(len(c) for c in col) for col in zip(*head, *rows)] if (head or rows) else []
    starts, pos = [], 0
    for w in widths:
        starts.append(pos)
        pos += w + 4
    page_width = max(pos, 60)
    feed = "\f" if q.feeds else ""
    title = [f"{feed}表 {t.number}", "", " " * ((page_width - len(t.title)) // 2) + t.title,
             f"单位名称：{doc.unit}".ljust(page_width - 8) + f"单位：{q.unit}", ""]
    head_lines = [_layout_line(r, starts, widths, centre=True) for r in head]
    body = [_layout_line(r, starts, widths) for r in rows]
    if q.page_break and t.number == 3 and len(body) > q.page_break:
        page_no = " " * (page_width // 2) + str(t.number + 2)
        body = body[:q.page_break] + [page_no, *[feed + h if i == 0 else h for i, h in enumerate(head_lines)]] \
            + body[q.page_break:]
    return title + head_lines + body + [""]


def _layout_line(row: tuple[str, ...], starts: list[int], widths: list[int], centre: bool = False) -> str:
    line = ""
    for cell, start, width in zip(row, starts, widths):
        if not cell:
            continue
        if centre:
            at = start + max(0, (width - len(cell)) // 2)
        elif _is_amount(cell):  # amounts right-aligned, codes and counts not
            at = start + width - len(cell)
        else:
            at = start
        line = line.ljust(at) + cell if len(line) < at or not line else line + "  " + cell
    return line.rstrip()


# ---------------------------------------------------------------- tabbed


def _tabbed(doc: Disclosure, t: Table, q: Quirks) -> list[str]:
    opening = [("# " if q.headings else "") + t.title, "", f"表{t.number}", "", f"单位名称：{doc.unit}", "",
               f"单位：{q.unit}", ""]
    head = ["\t".join(r) for r in t.head]
    body = ["\t".join(r) for r in t.rows]
    if q.page_break and t.number == 3 and len(body) > q.page_break:
        body = body[:q.page_break] + ["", *opening, *head] + body[q.page_break:]
    return opening + head + body + [""]


# ---------------------------------------------------------------- one cell per line


def _cells(doc: Disclosure, t: Table, q: Quirks) -> list[str]:
    out = [f"\t表{t.number}", "", f"\t{t.title}", "", f"\t单位：{q.unit}", ""]
    for row in t.head:  # a spreadsheet prints every cell of the header grid, merged ones empty
        out += [f"\t{c}" for c in row] + [""]
    for row in t.rows:
        out += [f"\t{c or '　'}" for c in row] + [""]
    return out
