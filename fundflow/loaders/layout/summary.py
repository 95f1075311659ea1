"""Two-sided summary tables in column-aligned text → rows of label / amount cells.

A summary table (收支总表, 财政拨款收支总表) prints side by side *blocks* of a
label column and its amount column(s): ``项目名称 金额 | 功能科目名称 金额 |
项目名称 金额``.  pdftotext centres a wrapped label around its amount, so the
amount can sit on a line of its own between the two halves of its label, next
to another block's label (``三、单位预留机动经`` / ``三、国防支出  3,990.40`` /
``费``).  Reading order alone would give 3,990.40 to 三、国防支出; the header's
x-positions give each piece to its own block, and within a block an amount to
the label printed around it.

``summary_rows(header_lines, lines) -> list[RawRow] | None``: None when the
header does not show at least two label/amount blocks (the caller then
groups lines as for any other table).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TypeGuard

from fundflow.core.model import RawRow
from fundflow.core.normalize import compact, is_amount
from fundflow.loaders.layout.text import Piece

_LABEL_HEAD = re.compile(r"项目|名称|科目")
_ORDINAL = re.compile(r"^(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[)）]|\d{1,2}[.．、](?!\d))")
_TOTAL = re.compile(r"(?:合计|总计|小计)$")
Line = tuple[int, list[Piece]]


@dataclass
class _Block:
    label: Piece
    columns: list[Piece]
    left: float = float("-inf")  # a label piece starting at or after this x belongs here
    # (labels are left-aligned, so they start left of a centred header word but right
    # of the previous block's amount column)


@dataclass
class _Entry:
    block: int
    label: list[str]
    first: int  # physical line numbers
    last: int
    last_idx: int  # index in the body lines of the label's last piece
    amounts: list[str] = field(default_factory=list)
    amount_on_start: bool = False


def header_blocks(header_lines: list[list[Piece]]) -> list[_Block] | None:
    """Header pieces → label/amount blocks left to right, or None for fewer than two."""
    rows = [r for r in header_lines if any(_LABEL_HEAD.search(p.text) for p in r)]
    pieces: list[Piece] = []
    for p in sorted((p for r in rows for p in r), key=lambda p: p.start):
        if not any(q.start < p.end and p.start < q.end for q in pieces):
            pieces.append(p)
    blocks: list[_Block] = []
    for p in pieces:
        if _LABEL_HEAD.search(p.text):
            blocks.append(_Block(p, []))
        elif blocks:
            blocks[-1].columns.append(p)
    if len(blocks) < 2 or any(not b.columns for b in blocks):
        return None
    for k in range(1, len(blocks)):
        blocks[k].left = blocks[k - 1].columns[-1].end
    return blocks


def _text_block(p: Piece, blocks: list[_Block]) -> int:
    return max(k for k, b in enumerate(blocks) if k == 0 or p.start >= b.left)


def _amount_block(p: Piece, blocks: list[_Block]) -> int:
    cols = [(abs(p.center - c.center), k) for k, b in enumerate(blocks) for c in b.columns]
    return min(cols)[1]


def _continues(prev: _Entry | None, text: str, idx: int) -> TypeGuard[_Entry]:
    """A label piece is the wrapped rest of the block's previous label: no ordinal of its
    own, within two lines, short next to the label's first piece, and that first line
    held no amount (a label printed on its amount's line is a whole label)."""
    if prev is None or not prev.label or prev.amount_on_start or idx - prev.last_idx > 2:
        return False
    t = compact(text)
    head = compact(prev.label[0])
    if _ORDINAL.match(t) or _TOTAL.search(t) or _TOTAL.search(head):
        return False
    return 2 * len(t) <= len(head)


def _block_entries(k: int, lines: list[list[Piece]], nos: list[int]) -> list[_Entry]:
    """One block's pieces per body line → its labels with their amounts."""
    out: list[_Entry] = []
    for idx, pieces in enumerate(lines):
        no = nos[idx]
        texts = [p for p in pieces if not is_amount(p.text)]
        amounts = [p.text for p in pieces if is_amount(p.text)]
        touched: _Entry | None = None
        for p in texts:
            prev = out[-1] if out else None
            if _continues(prev, p.text, idx):
                prev.label.append(p.text)
                prev.last, prev.last_idx = max(prev.last, no), idx
                touched = prev
            else:
                touched = _Entry(k, [p.text], no, no, idx, amount_on_start=bool(amounts))
                out.append(touched)
        if not amounts:
            continue
        prev = out[-1] if out else None
        if touched is None and prev is not None and not prev.amounts and idx - prev.last_idx <= 1:
            touched = prev  # the amount between the two halves of a wrapped label
        if touched is None:
            touched = _Entry(k, [], no, no, idx)
            out.append(touched)
        touched.amounts.extend(amounts)
        touched.first, touched.last = min(touched.first, no), max(touched.last, no)
    return out


def summary_rows(header_lines: list[list[Piece]], lines: list[Line]) -> list[RawRow] | None:
    """Header pieces and body lines of a summary table → rows of ``label, amount…`` cells
    in block order; None when the header shows no label/amount blocks."""
    blocks = header_blocks(header_lines)
    if blocks is None or not lines:
        return None
    nos = [no for no, _ in lines]
    per_block: list[list[list[Piece]]] = [[[] for _ in lines] for _ in blocks]
    for idx, (_, pieces) in enumerate(lines):
        for p in pieces:
            k = _amount_block(p, blocks) if is_amount(p.text) else _text_block(p, blocks)
            per_block[k][idx].append(p)
    entries = [e for k in range(len(blocks)) for e in _block_entries(k, per_block[k], nos)]
    return [_row(group) for group in _overlapping(entries)]


def _overlapping(entries: list[_Entry]) -> list[list[_Entry]]:
    """Entries → groups whose line spans overlap (one printed row), top to bottom."""
    groups: list[list[_Entry]] = []
    for e in sorted(entries, key=lambda e: (e.first, e.block)):
        if groups and e.first <= max(g.last for g in groups[-1]):
            groups[-1].append(e)
        else:
            groups.append([e])
    return groups


def _row(group: list[_Entry]) -> RawRow:
    cells: list[str] = []
    for e in sorted(group, key=lambda e: (e.block, e.first)):
        if e.label:
            cells.append("".join(e.label))
        cells.extend(e.amounts)
    return RawRow(tuple(cells), min(e.first for e in group), max(e.last for e in group))
