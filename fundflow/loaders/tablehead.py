"""The lines around a table title → what they say (unit name, notes, header or body), shared by the tab and cell layouts.

A table opens with a title (``收支预算总表``), a number line (``表1``,
``部门公开表7``), optionally ``单位名称：X`` and a money unit line
(``单位：万元``).  These helpers read one line each; nothing here raises.
"""
from __future__ import annotations

import re

from fundflow.core.normalize import clean_cell, compact, is_amount, is_code, is_total_label

_NUMBER_ONLY = re.compile(r"^(?:部门公开|公开)?表\d{1,2}$|^公开\d{1,2}表$")
_UNIT_NAME = re.compile(r"^(?:单位名称|编制部门|部门名称|部门|编制单位)[:：]\s*(\S.*)$")
_NOTE = re.compile(r"^(?:注|备注|说明)\s*\d?\s*[:：]|^无此项预算")
_HEADING = re.compile(r"^\s*#+\s*")


def strip_heading(line: str) -> str:
    """``'## 收入预算总表'`` → ``'收入预算总表'`` (markdown heading marks removed)."""
    return _HEADING.sub("", line)


def is_number_line(line: str) -> bool:
    """True for a line that is only a table number: ``表1``, ``部门公开表 7``, ``公开 01 表``."""
    return bool(_NUMBER_ONLY.match(compact(strip_heading(line))))


def unit_name(line: str) -> str | None:
    """``单位名称：抚顺市医疗保障事务服务中心`` → the name; other lines → None."""
    m = _UNIT_NAME.match(clean_cell(strip_heading(line)))
    if not m:
        return None
    # "单位：万元" is a money unit, not a unit name.
    name = re.sub(r"\s*(?:金额)?单位\s*[:：]\s*(?:万元|元|千元|亿元)\s*$", "", m.group(1)).strip()
    return name if name and name not in ("万元", "元", "千元", "亿元") else None


def is_note(text: str) -> bool:
    """A footnote printed under a table (``备注：无此项预算，为空表``, ``注：…``)."""
    return bool(_NOTE.match(compact(text)))


def is_figure(text: str) -> bool:
    """An amount as a body row prints it: with a decimal point or thousands comma."""
    t = clean_cell(text)
    return is_amount(t) and ("." in t or "," in t or "，" in t or "．" in t)


def looks_like_body(cells: list[str]) -> bool:
    """Cells of one printed row → True when they are data, not header labels.

    Data rows carry a figure, start with a classification code followed by a
    name, or are a total row whose other cells are mostly empty.
    """
    filled = [c for c in cells if clean_cell(c)]
    if any(is_figure(c) for c in filled):
        return True
    if len(filled) >= 2 and is_code(filled[0]) and not is_amount(filled[1]):
        return True
    totals = [c for c in filled if is_total_label(c)]
    return bool(totals) and all(is_total_label(c) or is_amount(c) for c in filled)


def label_bare_total(header: list[str] | tuple[str, ...], rows: list) -> list:
    """Rows of a table whose only body is one row of amounts under a ``合计 | 基本支出 | …``
    header (Jiangsu 公开03表 支出预算总表) → that row labelled ``合计`` so it reads
    as the table's total row; other tables' rows are returned unchanged.

    ``rows`` are RawRows; an aligned row gets ``["", "合计", …]`` (code and name
    columns in front of the header's columns), an unaligned one ``["合计", …]``.
    """
    head = compact("".join(header))
    if len(rows) != 1 or "合计" not in head or "编码" in head or "科目" in head:
        return rows
    cells = [clean_cell(c) for c in rows[0].cells]
    if not cells or not all(is_amount(c) or not c for c in cells) or not any(is_figure(c) for c in cells):
        return rows
    front = ("", "合计") if rows[0].aligned else ("合计",)
    return [type(rows[0])(front + tuple(rows[0].cells), rows[0].first_line, rows[0].last_line, rows[0].aligned)]


def tab_line_counts(lines: tuple[str, ...] | list[str]) -> tuple[int, int]:
    """Document lines → (lines that are one tab-indented cell, lines of ≥2 tabs with a printed figure).

    The 'cells' and 'tabbed' loaders tell their layouts apart by these two counts."""
    single = multi = 0
    for line in lines:
        tabs = line.count("\t")
        if line.startswith("\t") and tabs == 1:
            single += 1
        elif tabs >= 2 and any(is_figure(c) for c in line.split("\t")):
            multi += 1
    return single, multi
