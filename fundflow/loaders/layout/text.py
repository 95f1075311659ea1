"""Lines of column-aligned text (``pdftotext -layout``) → pieces and their columns.

A physical line is cut into *pieces* at runs of two or more blanks; each piece
keeps its character span.  pdftotext places every glyph, CJK included, in one
character slot of its grid, so the character index (not the display width) is
the x-position that lines up between header and body.

``line_to_pieces(text) -> list[Piece]``; ``header_leaves(lines) -> list[Piece]``
(the lowest header cells, one per leaf column); ``align(cells, leaves)`` places
a row's pieces into the leaf columns or returns None when it cannot tell.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from fundflow.core.normalize import compact, is_amount
from fundflow.loaders.titles import PDF_KEY

_GAP = re.compile(r"\S+(?: \S+)*")
_CJK = re.compile(r"[\u3400-\u9fff]")
_CODE_HEAD = re.compile(r"^\d{3}$")
_CODE_PART = re.compile(r"^\d{2}$")
_WHOLE_CODE = re.compile(r"^(?:\d{3}|\d{5}|\d{7})$")
# A page number alone on its line: "14", "- 3 -", "第 2 页", "2/10".
_PAGE_NO = re.compile(r"^(?:[-—–]?\s*\d{1,4}\s*[-—–]?|第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d+\s*页)?|\d{1,4}\s*/\s*\d{1,4})$")
TEXT_LEAF = re.compile(r"名称|科目|编码|代码|^[类款项目]+$|^项目$")
CODE_LEAF = re.compile(r"^[类款项目]+$|编码|代码|编号")


@dataclass(frozen=True)
class Piece:
    """A cell fragment: its text and character span [start, end) on its line (fractional once rescaled)."""

    text: str
    start: float
    end: float
    line: int = 0

    @property
    def center(self) -> float:
        return (self.start + self.end - 1) / 2


def clean_line(text: str) -> str:
    """Raw line → line without form feeds, page-key prefixes and trailing blanks."""
    t = text.replace("\f", "").rstrip()
    return PDF_KEY.sub(lambda m: " " * len(m.group(0)), t)


def is_furniture(text: str) -> bool:
    """True for page furniture: a page number alone on a line."""
    return bool(_PAGE_NO.match(text.strip()))


def _split_amounts(p: Piece) -> list[Piece]:
    """Split ``371,514,655.00 一、一般公共服务支出`` (one blank between cells)."""
    tokens = [(m.group(0), p.start + m.start()) for m in re.finditer(r"\S+", p.text)]
    if len(tokens) < 2 or not any(is_amount(t) and ("." in t or "," in t) for t, _ in tokens):
        return [p]
    if not any(_CJK.search(t) for t, _ in tokens):
        return [p]
    out: list[Piece] = []
    for text, start in tokens:
        kind = is_amount(text)
        if out and not kind and not is_amount(out[-1].text):
            prev = out[-1]
            cut = int(prev.start - p.start)  # pieces read off a line: whole character positions
            out[-1] = Piece(p.text[cut:int(start - p.start) + len(text)], prev.start, start + len(text), p.line)
        else:
            out.append(Piece(text, start, start + len(text), p.line))
    return out


def _join_spaced(pieces: list[Piece]) -> list[Piece]:
    """Letter-spaced words (``合   计``, ``金   额``) → one piece."""
    out: list[Piece] = []
    for p in pieces:
        if (out and len(p.text) == 1 and _CJK.match(p.text) and len(out[-1].text) <= 2
                and _CJK.match(out[-1].text[-1]) and p.start - out[-1].end <= 3
                and len(compact(out[-1].text)) == len(out[-1].text)):
            prev = out[-1]
            out[-1] = Piece(prev.text + p.text, prev.start, p.end, p.line)
        else:
            out.append(p)
    return out


def line_to_pieces(text: str, line_no: int = 0) -> list[Piece]:
    """A cleaned line → its pieces, left to right."""
    raw = [Piece(m.group(0), m.start(), m.end(), line_no) for m in _GAP.finditer(text)]
    pieces = [q for p in raw for q in _split_amounts(p)]
    return _join_spaced(pieces)


_CELL_BLANK = re.compile(r"(?<=[\u3400-\u9fff）)]) (?=[\u3400-\u9fff（(])")


def header_pieces(text: str, line_no: int = 0) -> list[Piece]:
    """A header line → its pieces, cut also at a single blank between Chinese characters: Chinese
    wording has no blanks, so one there is the gap between two cells printed close together
    (``国有资本经营 财政专户管理``); letter-spaced words (``合 计``) are joined again."""
    out: list[Piece] = []
    for p in line_to_pieces(text, line_no):
        start = 0
        for m in _CELL_BLANK.finditer(p.text):
            out.append(Piece(p.text[start:m.start()], p.start + start, p.start + m.start(), p.line))
            start = m.end()
        out.append(Piece(p.text[start:], p.start + start, p.end, p.line))
    return _join_spaced(out)


def merge_code(pieces: list[Piece]) -> list[Piece]:
    """Leading ``201   13   01`` pieces → one code piece ``2011301``."""
    if len(pieces) < 2 or not _CODE_HEAD.match(pieces[0].text):
        return pieces
    n = 1
    while n < len(pieces) and n < 3 and _CODE_PART.match(pieces[n].text):
        n += 1
    if n == 1:
        return pieces
    head = pieces[:n]
    return [Piece("".join(p.text for p in head), head[0].start, head[-1].end, head[0].line)] + pieces[n:]


def is_code_piece(p: Piece) -> bool:
    return bool(_WHOLE_CODE.match(p.text))


def header_leaves(rows: list[list[Piece]]) -> list[Piece]:
    """Header lines' pieces → the leaf cells (nothing printed below them), left to right.

    Code sub-columns (类/款/项, 科目编码) are merged into one leaf, as the body
    prints one code cell for them.
    """
    leaves: list[Piece] = []
    for i, row in enumerate(rows):
        below = [q for r in rows[i + 1:] for q in r]
        leaves.extend(p for p in row if not any(q.start < p.end and p.start < q.end for q in below))
    leaves.sort(key=lambda p: p.center)
    codes = [p for p in leaves if CODE_LEAF.search(p.text)]
    if len(codes) > 1:
        span = Piece("".join(p.text for p in codes), min(p.start for p in codes), max(p.end for p in codes))
        leaves = [p for p in leaves if p not in codes]
        leaves.append(span)
        leaves.sort(key=lambda p: p.center)
    return leaves


def header_paths(rows: list[list[Piece]], leaves: list[Piece]) -> tuple[str, ...]:
    """Header lines' pieces and their leaf cells → each leaf column's header path (``基本支出/人员经费``).

    A piece above a leaf that covers no other leaf is part of the leaf's own cell, its text
    wrapped inside the cell (``一般公共预`` / ``算拨款收入``): the parts are joined top down.  A
    piece that covers several leaves is a heading over them (``基本支出`` over 人员经费 and
    公用经费) and is a step of the path.
    """
    def over(p: Piece, leaf: Piece) -> bool:
        return p.start < leaf.end and leaf.start < p.end

    out = []
    for leaf in leaves:
        groups: list[Piece] = []
        own: list[Piece] = []
        for row in rows:
            for p in row:
                if p is leaf or not over(p, leaf) or p.line > leaf.line:
                    continue
                covers = sum(1 for other in leaves if over(p, other))
                (own if covers <= 1 else groups).append(p)
        cell = "".join(p.text for p in sorted(own, key=lambda p: p.line)) + leaf.text
        if not leaf.line:  # code sub-columns merged into one leaf (类/款/项): their own text
            groups, cell = [], leaf.text
        out.append("/".join([*(compact(p.text) for p in sorted(groups, key=lambda p: p.line)), compact(cell)]))
    return tuple(out)


def _cost(p: Piece, leaf: Piece, money: bool) -> float:
    if money and TEXT_LEAF.search(leaf.text):
        return float("inf")  # an amount never sits under 科目名称 / 编码
    if money:
        return abs(p.center - leaf.center)
    # Text is left-aligned under a centred header: its start counts as much as its centre.
    return min(abs(p.center - leaf.center), abs(p.start - leaf.start), max(0, leaf.start - p.start))


def align(cells: list[Piece], leaves: list[Piece]) -> list[str] | None:
    """Place ``cells`` into ``leaves`` keeping their order (least total distance).

    Returns one string per leaf ("" where nothing was printed), or None when
    the row has more cells than leaves or an amount would land away from its
    nearest leaf (the x-positions do not tell its column).
    """
    n, m = len(cells), len(leaves)
    if n == 0 or n > m:
        return None
    inf = float("inf")
    # A leading 3/5/7-digit number is the row's code, not an amount.
    money = [is_amount(c.text) and not (k == 0 and is_code_piece(c)) for k, c in enumerate(cells)]
    best = [[inf] * (m + 1) for _ in range(n + 1)]
    choice = [[-1] * (m + 1) for _ in range(n + 1)]
    for j in range(m + 1):
        best[0][j] = 0.0
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            keep, take = best[i][j - 1], best[i - 1][j - 1] + _cost(cells[i - 1], leaves[j - 1], money[i - 1])
            best[i][j], choice[i][j] = (take, 1) if take <= keep else (keep, 0)
    if best[n][m] == inf:
        return None
    out = [""] * m
    i, j = n, m
    while i > 0:
        if choice[i][j] == 1:
            out[j - 1] = cells[i - 1].text
            cell = cells[i - 1]
            if money[i - 1] and _cost(cell, leaves[j - 1], True) > abs(cell.center - leaves[_nearest(cell, leaves)].center) + 3:
                return None
            i -= 1
        j -= 1
    return out


def _nearest(p: Piece, leaves: list[Piece]) -> int:
    return min(range(len(leaves)), key=lambda k: abs(p.center - leaves[k].center))
