"""``pdftotext -layout`` text (columns aligned with blanks) → RawTables (layout loader 'layout').

Tables start at a recognised title (``收支预算总表``, ``公开 01 表：收支预算总表``,
``一、2018 年度…收支预算总表``) that is followed by a unit line (``单位：万元``,
``编制部门：X``); a table of contents has titles but no unit lines, so it is
skipped.  The number comes from the title line or a number-only line near it
(``公开 01 表``, across a page break).  Header lines run to the first body row;
body rows are grouped and aligned by ``layout_rows``.

``LayoutLoader().parse(doc) -> Iterator[RawTable]``; nothing is raised for
odd text: what cannot be read as a table is left out of the rows.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import ClassVar

from fundflow.core.model import RawTable, SourceDocument
from fundflow.core.normalize import clean_cell, compact, is_amount
from fundflow.core.terms import is_field_label
from fundflow.loaders import titles
from fundflow.loaders.grid.cells import is_number_row
from fundflow.loaders.layout.rows import is_anchor, lines_to_rows, starts_body
from fundflow.loaders.layout.scale import page_leaves
from fundflow.loaders.layout.summary import summary_rows
from fundflow.loaders.layout.text import (
    clean_line,
    header_leaves,
    header_paths,
    header_pieces,
    is_furniture,
    line_to_pieces,
)
from fundflow.loaders.tablehead import label_bare_total
from fundflow.loaders.titles import NUMBER_PREFIX, kinds_where, read_title

_NUMBER_ONLY = re.compile(r"^(?:(?:部门公开|公开)?表\d{1,2}|公开\d{1,2}表)[：:]?$")
_UNIT_NAME = re.compile(r"(?:单位名称|编制部门|编制单位|部门名称|预算单位|部门)\s*[:：]\s*(\S+)")
_PROSE = re.compile(r"[，。；]")
_NOTE = re.compile(r"^(?:注|说明)\s*[:：.．0-9]|^[:：]“")
_EMPTY = re.compile(r"(?:此|本)表为空|无数据")
_HEADING = re.compile(r"(?:说明|情况|概况|目录)$")
_PART = re.compile(r"^第[一二三四五六七八九十]+部分")
_NO_HEADER = kinds_where("performance")
_BARE_TOTAL = kinds_where(bare_total=True)
_UNALIGNED = kinds_where("summary")


@dataclass
class _Start:
    kind: str
    title: str
    number: str | None
    first: int  # index of the first line of the table (its number line, if any)
    body: int  # index of the first line after title, number and unit lines
    money_unit: str | None
    unit_name: str | None


def _unit_name(text: str) -> str | None:
    m = _UNIT_NAME.search(text.replace("部 门", "部门"))
    return m.group(1) if m and not titles.money_unit(m.group(0)) else None


class _Doc:
    """The cleaned lines of a document with the look-ups the segmenter needs."""

    def __init__(self, doc: SourceDocument):
        self.raw = doc.lines
        self.text = [clean_line(t) for t in doc.lines]

    def content(self, i: int) -> bool:
        t = self.text[i]
        return bool(t.strip()) and not is_furniture(t)

    def next_content(self, i: int, limit: int) -> list[int]:
        out: list[int] = []
        j = i
        while j < len(self.text) and len(out) < limit:
            if self.content(j):
                out.append(j)
            j += 1
        return out


def _find_start(d: _Doc, i: int) -> _Start | None:
    """A table starting at line index ``i`` (its title line), or None."""
    found, span = read_title(d.text[i]), 1
    if not found and i + 1 < len(d.text) and d.content(i) and d.content(i + 1) \
            and len(compact(d.text[i + 1])) <= 12 and not _PROSE.search(d.text[i]) \
            and (not read_title(d.text[i + 1]) or NUMBER_PREFIX.match(compact(d.text[i]))):
        found, span = read_title(d.text[i] + d.text[i + 1]), 2  # a title wrapped onto a second line
    if not found:
        return None
    if span == 1 and i > 0 and d.content(i - 1) and titles.title_kind(found[0]) in _NO_HEADER \
            and not _PROSE.search(d.text[i - 1]) and not read_title(d.text[i - 1]) and "  " not in d.text[i - 1].strip() \
            and not _NUMBER_ONLY.match(compact(d.text[i - 1])) \
            and (whole := read_title(d.text[i - 1].strip() + d.text[i].strip())):
        found = whole  # a form's title wrapped from the line above (``301007_某局_机场公安综`` / ``合修缮改造项目绩效目标表``)
    title, number = found
    money, unit_name, body = titles.money_unit(d.text[i]), None, i + span
    for j in d.next_content(i + span, 4):
        t = d.text[j]
        if read_title(t) and not _NUMBER_ONLY.match(compact(t)):
            break
        mu, un, num = titles.money_unit(t) or _bare_unit(t), _unit_name(t), _NUMBER_ONLY.match(compact(t))
        if not (mu or un or num):
            break
        money, unit_name = money or mu, unit_name or un
        number = number or (titles.table_number(t) if num else None)
        body = j + 1
    if not money and not unit_name and not _form_follows(d, title, body):
        return None  # a table of contents entry or a title quoted in prose
    first = i
    if number is None:
        back = [j for j in range(i - 1, max(-1, i - 10), -1) if d.content(j)][:1]
        if back and _NUMBER_ONLY.match(compact(d.text[back[0]])):
            number, first = titles.table_number(d.text[back[0]]), back[0]
    return _Start(titles.title_kind(title) or "", title, number, first, body, money, unit_name)


_BARE_UNIT = re.compile(r"(?:^|\s{2,})(万元|元)$")


def _bare_unit(text: str) -> str | None:
    """A line under a title that ends in the money unit alone, apart (``606-某局      万元``)."""
    m = _BARE_UNIT.search(text.strip())
    return m.group(1) if m else None


def _form_follows(d: _Doc, title: str, body: int) -> bool:
    """A performance form (one project's 绩效目标表) needs no unit line: its title is followed by the
    form's field labels (``资金总额：``, ``项目名称``) rather than by prose or another title."""
    if titles.title_kind(title) not in _NO_HEADER:
        return False
    return any(is_field_label(compact(d.text[j]).split("：")[0].split(":")[0]) for j in d.next_content(body, 3))


def _stops(text: str) -> bool:
    """A line that ends a table body: a note, prose, or the next part of the document."""
    t = text.strip()
    c = compact(t)
    if _NOTE.match(c) or _PART.match(c):
        return True
    return len(c) >= 20 and bool(_PROSE.search(c)) and "  " not in t


def _page_end(d: _Doc, idx: list[int]) -> int:
    """How many of the content lines ``idx`` belong to the table: once rows have
    begun, a new page that opens with a heading or prose starts something else."""
    rows_seen = False
    for k, j in enumerate(idx):
        page_break = k > 0 and any("\f" in t for t in d.raw[idx[k - 1] + 1:j + 1])
        anchor = is_anchor(line_to_pieces(d.text[j]))
        if page_break and rows_seen and not anchor:
            after = [d.text[i] for i in idx[k:k + 3]]
            if _HEADING.search(compact(d.text[j])) or any(_stops(t) for t in after):
                return k
        rows_seen = rows_seen or anchor
    return len(idx)


def _split_header(d: _Doc, start: _Start, end: int) -> tuple[list[int], list[int]]:
    """Content line indexes of a table → (header lines, body lines)."""
    idx = [j for j in range(start.body, end) if d.content(j)]
    idx = idx[:_page_end(d, idx)]
    cut = len(idx) if start.kind not in _NO_HEADER else 0
    for k, j in enumerate(idx):
        if _stops(d.text[j]):
            idx, cut = idx[:k], min(cut, k)
            break
        if k < cut and starts_body(line_to_pieces(d.text[j])):
            cut = k
    return idx[:cut] if start.kind not in _NO_HEADER else [], idx[cut:]


def _table(d: _Doc, doc: SourceDocument, start: _Start, end: int) -> RawTable:
    """The lines [start.first, end) → one RawTable."""
    head_idx, body_idx = _split_header(d, start, end)
    header = [d.text[j] for j in head_idx]  # leading blanks kept: they give the columns' x-positions
    repeated = {compact(h) for h in header} | {compact(d.text[j]) for j in range(start.first, start.body)}
    lines = [(j + 1, line_to_pieces(d.text[j], j + 1)) for j in body_idx
             if compact(d.text[j]) not in repeated and not _EMPTY.search(d.text[j])]
    head_pieces = [header_pieces(d.text[j], j + 1) for j in head_idx]
    leaves = header_leaves(head_pieces)
    coded = sum(1 for _, ps in lines if ps and ps[0].text[:1].isdigit()) * 2 > len(lines) > 0
    rows = summary_rows([line_to_pieces(d.text[j], j + 1) for j in head_idx], lines) \
        if start.kind in _UNALIGNED else None
    if rows is None:
        aligned_ok = start.kind not in _UNALIGNED
        scaled = page_leaves(_pages(d, lines), leaves) if aligned_ok else None
        rows = lines_to_rows(lines, leaves, coded, aligned_ok, scaled)
    rows = label_bare_total(header, rows) if start.kind in _BARE_TOTAL else rows
    rows = [r for r in rows if not is_number_row(r.cells)]  # ** ** 1 2 3 … numbers the columns: no data
    last = max([r.last_line for r in rows] + [j + 1 for j in head_idx] + [start.body])
    figured = [r for r in rows if any(is_amount(clean_cell(c)) for c in r.cells)]
    paths = header_paths(head_pieces, leaves) if leaves and figured and all(r.aligned for r in figured) else ()
    return RawTable(start.kind or None, start.number, start.title, start.money_unit, tuple(header),
                    tuple(rows), start.first + 1, last, unit_name=start.unit_name, header_paths=paths)


def _pages(d: _Doc, lines: list[tuple[int, list]]) -> list[list[tuple[int, list]]]:
    """Body lines (1-based numbers) → runs of lines on one page (split at form feeds)."""
    pages: list[list[tuple[int, list]]] = []
    prev = None
    for no, pieces in lines:
        if not pages or any("\f" in t for t in d.raw[prev:no]):
            pages.append([])
        pages[-1].append((no, pieces))
        prev = no
    return pages


def _merge(a: RawTable, b: RawTable) -> RawTable:
    """Two parts of one table (title repeated on the next page) → one table."""
    return RawTable(a.kind, a.number, a.title, a.money_unit or b.money_unit, a.header, a.rows + b.rows,
                    a.first_line, b.last_line, unit_name=a.unit_name or b.unit_name)


class LayoutLoader:
    """pdftotext -layout text: tables whose columns are aligned with runs of blanks."""

    name: ClassVar[str] = "layout"

    def detect(self, doc: SourceDocument) -> float:
        """Share of lines with wide blank gaps between cells, form feeds, no tabs → [0, 1]."""
        lines = [t for t in doc.lines if t.strip()]
        if not lines:
            return 0.0
        wide = sum(1 for t in lines if re.search(r"\S {3,}\S", t)) / len(lines)
        tabbed = sum(1 for t in lines if "\t" in t) / len(lines)
        feeds = any("\f" in t for t in doc.lines)
        if tabbed > 0.05 or wide < 0.05:
            return 0.0
        return round(min(1.0, 0.6 * min(1.0, wide / 0.3) + (0.4 if feeds else 0.0)), 3)

    def parse(self, doc: SourceDocument) -> Iterator[RawTable]:
        d = _Doc(doc)
        starts = [s for i in range(len(d.text)) if d.content(i) for s in [_find_start(d, i)] if s]
        starts = [s for k, s in enumerate(starts) if k == 0 or s.first >= starts[k - 1].body]
        previous: RawTable | None = None
        for k, start in enumerate(starts):
            end = starts[k + 1].first if k + 1 < len(starts) else len(d.text)
            table = _table(d, doc, start, end)
            if previous and (table.kind, table.number, table.title) == (previous.kind, previous.number, previous.title):
                previous = _merge(previous, table)
                continue
            if previous:
                yield previous
            previous = table
        if previous:
            yield previous
