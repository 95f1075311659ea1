"""Plain ``pdftotext`` (non -layout) output → RawTables (layout loader 'stream').

Table cells are separated by single spaces, empty cells are dropped, long
cells wrap over lines and numbers in narrow columns break across lines.
``parse`` cuts the document into table blocks at recognised titles, reads
number / money unit / unit name from the lines next to the title, then hands
the body to ``streamrows`` (money tables) or ``streamperf`` (performance
tables).  Rows are never interpreted here.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from typing import ClassVar

from fundflow.core.model import RawTable, SourceDocument
from fundflow.core.normalize import compact
from fundflow.loaders.stream.codes import code_levels, pair_codes, split_codes
from fundflow.loaders.stream.perf import perf_to_rows
from fundflow.loaders.stream.rows import body_start, header_after_total, lines_to_rows
from fundflow.loaders.stream.text import STRICT_AMOUNT, Line, doc_to_lines
from fundflow.loaders.tablehead import label_bare_total
from fundflow.loaders.titles import match_title, money_unit, read_title, table_number

FAMILIES = {
    "summary": "lines", "appropriation_summary": "lines", "three_costs": "lines", "operating_costs": "lines",
    "projects": "projects", "procurement": "projects", "debt": "projects", "purchase_services": "projects",
    "special_funds": "projects",
    "unit_performance": "perf", "project_performance": "perf", "unit_self_eval": "perf", "project_self_eval": "perf",
}
_NUMBER_LINE = re.compile(r"^(?:(?:部门公开|公开)?表\d{1,2}|公开\d{1,2}表)(?:(?:金额)?单位[:：].*)?$")
_NUMBER_PREFIX = re.compile(r"^(?:(?:部门公开|公开)?表\d{1,2}|公开\d{1,2}表)[：:]")
_YEAR_LINE = re.compile(r"^[(（]?\d{4}年度?[)）]?$")
_UNIT_NAME = re.compile(r"(?:单位名称|编制部门|编制单位|部门)\s*[:：]\s*(\S+)")
_SECTION = re.compile(r"^第[一二三四五六七八九十]+部分")
_PROSE = re.compile(r"[，。；]")


def _is_number_line(text: str) -> bool:
    return bool(_NUMBER_LINE.match(compact(text)))


def _preamble(lines: list[Line], i: int, end: int) -> tuple[int, str | None, str | None, str | None]:
    """Lines after the title at ``i`` → (first body index, number, money unit, unit name)."""
    number = table_number(lines[i].text) if re.search(r"表\s*\d|\d\s*表", lines[i].text) else None
    unit, name = money_unit(lines[i].text), None
    j = i + 1
    while j < end and j <= i + 4:
        t = lines[j].text
        m = _UNIT_NAME.search(t)
        if _is_number_line(t) or _YEAR_LINE.match(compact(t)) or money_unit(t) or (m and len(compact(t)) < 40):
            number = number or (table_number(t) if _is_number_line(t) else None)
            unit = unit or money_unit(t)
            name = name or (m.group(1) if m else None)
            j += 1
        else:
            break
    return j, number, unit, name


def _block_end(lines: list[Line], start: int, stop: int, family: str) -> int:
    """End (exclusive) of a table block: the next title, a section heading or prose."""
    for j in range(start, stop):
        t = lines[j].text
        if _SECTION.match(t):
            return j
        if family != "perf" and len(t) >= 20 and _PROSE.search(t) and not re.match(r"^(?:备\s*注|注)", t):
            return j
    return stop


def _title_at(lines: list[Line], i: int) -> tuple[str, str | None, int] | None:
    """A title starting at ``lines[i]`` → (title, number printed on it, lines it spans).

    Titles may carry an ordinal or a number prefix (``一、2018 年度…收支预算总表``,
    ``公开 01 表：收支预算总表``) and may wrap onto a short second line.
    """
    found = read_title(lines[i].text)
    if found:
        return found[0], found[1], 1
    if i + 1 < len(lines) and len(compact(lines[i + 1].text)) <= 12 and not _PROSE.search(lines[i].text) \
            and (not read_title(lines[i + 1].text) or _NUMBER_PREFIX.match(compact(lines[i].text))):
        found = read_title(lines[i].text + lines[i + 1].text)
        if found:
            return found[0], found[1], 2
    return None


def _starts(lines: list[Line]) -> list[tuple[int, str, str | None, int]]:
    """(index, title, number, span) of every table title; a title followed by
    neither a number, a money unit nor a unit name (a table of contents entry)
    is left out unless a number line precedes it or a body (not another title
    or a part heading) follows it."""
    out: list[tuple[int, str, str | None, int]] = []
    i = 0
    while i < len(lines):
        found = _title_at(lines, i)
        if not found:
            i += 1
            continue
        title, number, span = found
        _body, num, unit, name = _preamble(lines, i + span - 1, len(lines))
        before = i > 0 and _is_number_line(lines[i - 1].text)
        nxt = lines[i + span].text if i + span < len(lines) else ""
        listed = not nxt or _SECTION.match(nxt) or _title_at(lines, i + span)
        if number or num or unit or name or before or money_unit(lines[i].text) or not listed:
            out.append((i, title, number, span))
        i += span
    return out


def segment(doc: SourceDocument) -> Iterator[RawTable]:
    """SourceDocument → RawTables, one per title (continuations not merged yet)."""
    lines = doc_to_lines(doc)
    starts = _starts(lines)
    for n, (i, title, printed, span) in enumerate(starts):
        stop = starts[n + 1][0] if n + 1 < len(starts) else len(lines)
        if n + 1 < len(starts) and stop - 1 > i and _is_number_line(lines[stop - 1].text):
            stop -= 1  # the next table's number printed above its title
        kind = match_title(title.replace("、", ""))
        family = FAMILIES.get(kind or "", "classification")
        body, number, unit, name = _preamble(lines, i + span - 1, stop)
        number = printed or number
        if number is None and i > 0 and _is_number_line(lines[i - 1].text):
            number = table_number(lines[i - 1].text)
        end = _block_end(lines, body, stop, family)
        yield _table(lines, i, body, end, kind, number, unit, name, family, title)


def _table(lines: list[Line], i: int, body: int, end: int, kind: str | None, number: str | None,
           unit: str | None, name: str | None, family: str, title: str) -> RawTable:
    part = lines[body:end]
    if family == "perf":
        header, rows = perf_to_rows(part)
    else:
        levels = code_levels([ln.text for ln in part]) if family == "classification" else 0
        part = split_codes(part, levels)
        k = body_start(part, family, levels > 0)
        extra = header_after_total(part, k) if k < len(part) else 0
        header = [ln.text for ln in part[:k] + part[k + 1:k + 1 + extra]]
        rows = lines_to_rows(part[k:k + 1] + part[k + 1 + extra:], family)
        rows = label_bare_total(header, pair_codes(rows)) if family == "classification" else rows
    last = max([lines[end - 1].no if end > i else lines[i].no] + [r.last_line for r in rows])
    illegible = any("[illegible]" in ln.text for ln in part) and not rows
    return RawTable(kind, number, title, unit, tuple(header), tuple(rows),
                    lines[i].no, last, illegible, name)


def merge_continued(tables: Iterator[RawTable]) -> Iterator[RawTable]:
    """Join a table continued under a repeated title (same kind and number)."""
    prev: RawTable | None = None
    for t in tables:
        if prev and t.kind and t.kind == prev.kind and t.number and t.number == prev.number:
            prev = replace(prev, rows=prev.rows + t.rows, last_line=t.last_line,
                           money_unit=prev.money_unit or t.money_unit, unit_name=prev.unit_name or t.unit_name)
            continue
        if prev:
            yield prev
        prev = t
    if prev:
        yield prev


def layout_scores(doc: SourceDocument) -> tuple[int, float, float, int]:
    """(titles, share of tab lines, share of lines with 2+ inner spaces, single-space amount lines)."""
    text = [ln for ln in doc.lines if ln.strip()]
    n = max(len(text), 1)
    titles = sum(1 for ln in text if read_title(ln))
    tabs = sum(1 for ln in text if "\t" in ln) / n
    spaced = sum(1 for ln in text if re.search(r"\S {2,}\S", ln.strip())) / n
    # plain pdftotext prints many cells alone on their line: an amount anywhere counts
    amounts = sum(1 for ln in text if "  " not in ln.strip() and "\t" not in ln
                  and any(STRICT_AMOUNT.match(c) for c in ln.split()))
    return titles, tabs, spaced, amounts


class StreamLoader:
    """pdftotext stream text: single-space cells, wrapped cells, broken numbers."""

    name: ClassVar[str] = "stream"

    def detect(self, doc: SourceDocument) -> float:
        """Confidence that ``doc`` is stream text; ~0 for tabbed, one-cell and -layout text."""
        titles, tabs, spaced, amounts = layout_scores(doc)
        if titles < 2 or tabs > 0.05 or spaced > 0.15 or amounts < 5:
            return 0.0
        if spaced > 0.05 and sum(ln.count("\f") for ln in doc.lines) > 2:
            return 0.1  # form feeds and aligned gaps: rather -layout text
        return min(0.95, 0.5 + 0.05 * titles + 0.01 * amounts)

    def parse(self, doc: SourceDocument) -> Iterator[RawTable]:
        """SourceDocument → RawTables (see the module docstring)."""
        return merge_continued(segment(doc))
