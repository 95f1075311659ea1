"""Body lines of a column-aligned table → logical rows (``RawRow``).

pdftotext centres a multi-line cell vertically, so the wrapped parts of a name
sit on the lines above and below the line holding the row's numbers (the
*anchor*).  A text-only line is attached to the nearest anchor whose line is
blank at the fragment's x-position; a line that starts a label of its own
(``三、其他资金``, ``专项收入`` under a filled cell) is a row by itself.

``lines_to_rows(lines, leaves, coded, aligned_ok) -> list[RawRow]`` where
``lines`` are ``(line number, pieces)`` of the body.
"""
from __future__ import annotations

import re

from fundflow.core.model import RawRow
from fundflow.core.normalize import compact, is_amount
from fundflow.core.terms import is_field_label
from fundflow.loaders.layout.text import CODE_LEAF, Piece, align, is_code_piece, merge_code

_ORDINAL = re.compile(r"^(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[)）]|\d{1,2}[.．、](?!\d))")
_TOTAL = re.compile(r"^(?:合计|总计|小计)$|^.{0,8}(?:合计|总计)$")
Line = tuple[int, list[Piece]]


def is_total_label(text: str) -> bool:
    return bool(_TOTAL.match(compact(text)))


def is_anchor(pieces: list[Piece]) -> bool:
    """A line that starts a row: it prints an amount, a code or a 合计 label with amounts."""
    if any(is_amount(p.text) for p in pieces) or is_code_piece(pieces[0]):
        return True
    return is_total_label(pieces[0].text) and all(is_amount(p.text) for p in pieces[1:])


def _starts_label(pieces: list[Piece]) -> bool:
    """An enumerated label (``一、…``) or a performance field label (``项目(政策)名称``) starts a row."""
    return any(_ORDINAL.match(p.text) for p in pieces) or is_field_label(pieces[0].text)


def starts_body(pieces: list[Piece]) -> bool:
    """The first body line: a row with numbers, or an enumerated label (``一、…``) of an empty form."""
    return bool(pieces) and (is_anchor(pieces) or bool(_ORDINAL.match(pieces[0].text)))


def _blank_at(line: list[Piece], p: Piece) -> bool:
    return not any(q.start <= p.end and p.start <= q.end for q in line)


def _same_x(line: list[Piece], p: Piece) -> bool:
    return any(abs(q.start - p.start) <= 2 for q in line)


def _near_label(line: list[Piece], p: Piece) -> bool:
    return any(abs(q.start - p.start) <= 4 and not is_amount(q.text) for q in line)


def _home(idx: int, starts: list[int], lines: list[Line], coded: bool) -> int | None:
    """Index of the row-start line a fragment line ``idx`` belongs to, or None (own row)."""
    no, pieces = lines[idx]
    prev = max((s for s in starts if s < idx), default=None)
    nxt = min((s for s in starts if s > idx), default=None)
    for s in reversed([s for s in starts if s < idx and no - lines[s][0] <= 2]):
        if not is_anchor(lines[s][1]) and all(_near_label(lines[s][1], p) for p in pieces):
            return s  # the rest of a label printed on a row of its own (``2.政府性基金预`` / ``算``)
    options = []
    for near in (prev, nxt):
        if near is None or abs(lines[near][0] - no) > 3:
            continue
        if all(_blank_at(lines[near][1], p) for p in pieces):
            options.append((abs(lines[near][0] - no), 0 if near == prev else 1, near))
    if options:
        return min(options)[2]
    if coded and prev is not None and no - lines[prev][0] <= 2 and all(_same_x(lines[prev][1], p) for p in pieces):
        return prev  # a 科目名称 wrapped under itself, top-aligned
    return None


def group_lines(lines: list[Line], coded: bool) -> list[list[Line]]:
    """Body lines → groups of lines, one group per logical row (in order)."""
    starts = [i for i, (_, ps) in enumerate(lines) if is_anchor(ps) or _starts_label(ps)]
    homes: dict[int, list[int]] = {s: [s] for s in starts}
    for i in range(len(lines)):
        if i in homes:
            continue
        home = _home(i, starts, lines, coded)
        if home is None:
            homes[i] = [i]
        else:
            homes[home].append(i)
    return [[lines[i] for i in sorted(members)] for _, members in sorted(homes.items())]


def _cells(group: list[Line]) -> list[Piece]:
    """The pieces of one row → cells: pieces of the same column (overlapping x) joined top-down."""
    cells: list[Piece] = []
    for _, pieces in group:
        for p in merge_code(pieces):
            hit = next((k for k, c in enumerate(cells)
                        if c.line != p.line and c.start - 4 <= p.end and p.start <= c.end + 2
                        and not is_amount(c.text) and not is_amount(p.text)), None)
            if hit is None:
                cells.append(p)
            else:
                c = cells[hit]
                cells[hit] = Piece(c.text + p.text, min(c.start, p.start), max(c.end, p.end), p.line)
    return sorted(cells, key=lambda c: c.start)


def _fix_total(out: list[str], leaves: list[Piece]) -> list[str]:
    """``合计`` printed under the code column → the name column, as other layouts give it."""
    if len(out) > 1 and CODE_LEAF.search(leaves[0].text) and out[0] and not out[1] \
            and not out[0].isdigit():
        return ["", out[0]] + out[2:]
    return out


def lines_to_rows(lines: list[Line], leaves: list[Piece], coded: bool, aligned_ok: bool,
                  page: dict[int, list[Piece]] | None = None) -> list[RawRow]:
    """Body lines → RawRows; aligned with the header leaves when the x-positions allow,
    else with the leaves of the row's page (``page``: line number → leaves at that page's scale)."""
    rows = []
    for group in group_lines(lines, coded):
        cells = _cells(group)
        first, last = group[0][0], group[-1][0]
        placed = align(cells, leaves) if aligned_ok and leaves else None
        if placed is None and aligned_ok and page and first in page:
            placed = align(cells, page[first])
        if placed is not None:
            rows.append(RawRow(tuple(_fix_total(placed, leaves)), first, last, aligned=True))
        else:
            rows.append(RawRow(tuple(c.text for c in cells), first, last))
    return rows
