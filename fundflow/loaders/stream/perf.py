"""Lines of performance tables (绩效目标表, 绩效自评表) in stream text → their rows.

``perf_to_rows(lines) -> (header lines, rows)``.  A table holds blocks that
start at ``项目(政策)名称 X`` / ``部门（单位）名称 X``: info lines (one row each,
``["主管部门", A, "实施单位", B]``), then the indicator header, then
indicator rows.  An indicator row ends at a line whose last cell is a
deadline (``2024-12``) or a score tail (``100% 3.8 3.8`` / ``36.0% 4.5 1.62 √``);
the lines before it since the previous row are level cells and the wrapped
indicator name, put in front of the row's cells.  Words of the level
catalogue are data: ``data/perf_terms.csv``.
"""
from __future__ import annotations

import re
from functools import lru_cache

from fundflow.core.model import RawRow
from fundflow.core.normalize import compact
from fundflow.core.resources import read_csv
from fundflow.loaders.stream.text import Line, is_cjk_edge, is_numeric, split_cells

_DEADLINE = re.compile(r"^(?:\d{4}-\d{1,2}|\d{4}\.\d{1,2}|\d{4}年(?:\d{1,2}月)?(?:底|末|前)?|年底|年末)$")
_NUM = re.compile(r"^\d+(?:\.\d+)?$")
_DEGREE = re.compile(r"^\d+(?:\.\d+)?%?$")


@lru_cache(maxsize=1)
def terms() -> dict[str, str]:
    """Catalogue of performance-table words → role (level1, level2, block, label, …)."""
    return {r["term"]: r["role"] for r in read_csv("perf_terms.csv")}


def role(text: str) -> str | None:
    return terms().get(compact(text))


def _level_prefix(text: str) -> bool:
    t = compact(text)
    return len(t) >= 2 and any(k.startswith(t) and r.startswith("level") for k, r in terms().items())


def _starts_with(text: str, roles: tuple[str, ...]) -> str | None:
    t = compact(text)
    best = [k for k, r in terms().items() if r in roles and t.startswith(compact(k))]
    return max(best, key=len) if best else None


def is_terminal(cells: list[str]) -> bool:
    """A line that ends an indicator row: deadline last, or a score tail."""
    tail = cells[:-1] if cells and cells[-1] == "√" else cells
    if tail and _DEADLINE.match(tail[-1]):
        return True
    return len(tail) >= 3 and bool(_DEGREE.match(tail[-3]) and _NUM.match(tail[-2]) and _NUM.match(tail[-1]))


def _info_cells(text: str) -> list[str]:
    """An info line → cells, a leading catalogue label split off (``部门（单位）名称 578002 X``)."""
    label = _starts_with(text, ("block", "label", "summary"))
    if label:
        rest = text.strip()[len(label):].strip() if text.strip().startswith(label) else ""
        if rest:
            return [label] + split_cells(rest)
    return split_cells(text)


def _join_ok(last: str, last_line: str, line: Line, blocky: bool) -> bool:
    """Does a one-cell line continue the previous pending cell?"""
    if role(line.text) == "starter" or _starts_with(line.text, ("starter",)):
        return False
    if _level_prefix(last + line.text):  # 服务对象满意度 + 指标, 履职 + 效能
        return True
    if role(last) or last.endswith("指标"):
        return False
    if blocky:
        return not line.gap
    return len(compact(last_line)) >= 5 and len(compact(line.text)) <= len(compact(last_line)) + 1


def _group(pending: list[Line], blocky: bool) -> list[tuple[str, int, int]]:
    """Pending lines → (cell, first line, last line): levels apart, wrapped names joined."""
    groups: list[tuple[str, int, int]] = []
    last_line = ""
    for line in pending:
        cells = split_cells(line.text, prose=True)
        if len(cells) == 1 and groups and _join_ok(groups[-1][0], last_line, line, blocky):
            prev, first, _ = groups[-1]
            sep = "" if is_cjk_edge(prev, cells[0]) or not (prev[-1].isascii() and cells[0][0].isascii()) else " "
            groups[-1] = (prev + sep + cells[0], first, line.no)
        else:
            groups.extend((c, line.no, line.no) for c in cells)
        last_line = line.text
    return groups


def _split_levels(groups: list[tuple[str, int, int]]) -> tuple[list[tuple[str, int, int]], list[tuple[str, int, int]]]:
    """Level cells with no indicator of their own become rows; the rest a prefix."""
    rows: list[tuple[str, int, int]] = []
    keep: list[tuple[str, int, int]] = []
    for g in groups:
        r = role(g[0])
        if r == "level1":
            rows += keep
            keep = [g]
        elif r == "level2":
            if keep and role(keep[-1][0]) != "level1":
                rows += keep
                keep = []
            keep.append(g)
        else:
            keep.append(g)
    return rows, keep


class _PerfState:
    """Walks the lines of one performance table, collecting header and rows."""

    def __init__(self, lines: list[Line]) -> None:
        self.lines = lines
        self.blocky = sum(not ln.gap for ln in lines) > len(lines) * 2 // 5
        self.header: list[str] = []
        self.rows: list[RawRow] = []
        self.pending: list[Line] = []
        self.section = "info"
        self.reasons = 0
        self.in_reason = False

    def emit(self, cells: list[str], first: int, last: int) -> None:
        self.rows.append(RawRow(tuple(cells), first, last))

    def flush(self) -> None:
        self.emit_pending([])

    def emit_pending(self, cells: list[str], line: Line | None = None) -> None:
        """Pending lines (+ the terminal line's cells) → level rows and one indicator row."""
        lv_rows, keep = _split_levels(_group(self.pending, self.blocky))
        for text, first, last in lv_rows:
            self.emit([text], first, last)
        if keep or cells:
            first = keep[0][1] if keep else line.no if line else 0
            last = line.no if line else keep[-1][2]
            self.emit([k[0] for k in keep] + cells, first, last)
        self.pending = []

    def info(self, line: Line) -> None:
        cells = _info_cells(line.text)
        last = self.rows[-1] if self.rows else None
        if last and len(cells) == 1 and not is_numeric(cells[0]) and not role(cells[0]) and not is_numeric(last.cells[-1]):
            wrapped = not line.gap if self.blocky else len(last.cells[-1]) >= 30 or not line.gap
            if len(last.cells) == 1 and role(last.cells[0]) == "label":
                self.rows[-1] = RawRow(last.cells + (cells[0],), last.first_line, line.no)
                return
            if wrapped:
                self.rows[-1] = RawRow(last.cells[:-1] + (last.cells[-1] + cells[0],), last.first_line, line.no)
                return
        self.emit(cells, line.no, line.no)

    def indicator(self, i: int, line: Line) -> None:
        cells = split_cells(line.text)
        if self._reason(i, line):
            return
        if role(cells[0]) == "summary" or _starts_with(line.text, ("summary",)):
            self.flush()
            self.emit(_info_cells(line.text), line.no, line.no)
        elif is_terminal(cells):
            self.emit_pending(cells, line)
            self.reasons = 2 if cells[-1] == "√" else 0
        else:
            self.pending.append(line)

    def _reason(self, i: int, line: Line) -> bool:
        """Text after a missed target (``√``): 原因/改进措施 blocks kept as cells of that row."""
        if not self.rows or not (self.reasons or self.in_reason):
            return False
        last = self.rows[-1]
        if line.gap and self.reasons and self._block_len(i) >= 3:
            self.rows[-1] = RawRow(last.cells + (line.text,), last.first_line, line.no)
            self.reasons -= 1
            self.in_reason = True
            return True
        if not line.gap and self.in_reason:
            self.rows[-1] = RawRow(last.cells[:-1] + (last.cells[-1] + line.text,), last.first_line, line.no)
            return True
        self.reasons, self.in_reason = 0, False
        return False

    def _block_len(self, i: int) -> int:
        n = 1
        while i + n < len(self.lines) and not self.lines[i + n].gap:
            n += 1
        return n


def perf_to_rows(lines: list[Line]) -> tuple[list[str], list[RawRow]]:
    """Body lines of a performance table → (indicator header lines, rows)."""
    st = _PerfState(lines)
    seen_header = skipped = False
    for i, line in enumerate(lines):
        t = compact(line.text)
        if _starts_with(line.text, ("block",)):
            st.flush()
            st.section, st.reasons = "info", 0
        if st.section != "ind" and ("三级指标" in t or t in ("一级", "一级指标")):
            st.section = "hdr"
        if st.section == "hdr":
            first = split_cells(line.text)[0]
            if not (_level_prefix(first) or is_terminal(split_cells(line.text))):
                if not seen_header:
                    st.header.append(line.text)
                continue
            seen_header, st.section = True, "ind"
        if t in ("绩效指标", "年度绩效指标", "绩效") or (t == "指标" and (st.section == "info" or skipped)):
            skipped = t == "绩效"
            continue
        skipped = False
        if st.section == "info":
            st.info(line)
        else:
            st.indicator(i, line)
    st.flush()
    return st.header, st.rows
