"""Header leaves and a continuation page printed at another scale → the column positions on that page.

A table continued on the next page without its header may be printed at a
different character scale (another font size, or pdftotext's grid fitted to
other content), so the header's x-positions no longer line up with that
page's numbers.  Where the page's own amounts fall into as many x-clusters
as the header has amount columns, the header's leaves are mapped onto the
page: amount column *i* of the header is the *i*-th cluster of the page, and
a linear map of x (fitted on the clusters) carries the other leaves along.

``page_leaves(pages, leaves) -> {line number: leaves}`` for the lines of
pages after the first whose clusters match; pages that do not are left out
(their rows are placed with the header's own leaves, or left unaligned).
"""
from __future__ import annotations

from fundflow.core.normalize import is_amount
from fundflow.loaders.layout.text import TEXT_LEAF, Piece, is_code_piece, merge_code

Line = tuple[int, list[Piece]]
_GAP = 2  # right edges of one column differ by at most this many characters


def _amount_pieces(lines: list[Line]) -> list[Piece]:
    out: list[Piece] = []
    for _, pieces in lines:
        merged = merge_code(pieces)
        out.extend(p for k, p in enumerate(merged) if is_amount(p.text) and not (k == 0 and is_code_piece(p)))
    return out


def _clusters(pieces: list[Piece]) -> list[list[Piece]]:
    """Amount pieces → groups of right-aligned pieces (right edges within ``_GAP``), left to right."""
    groups: list[list[Piece]] = []
    for p in sorted(pieces, key=lambda p: p.end):
        if groups and p.end - groups[-1][-1].end <= _GAP:
            groups[-1].append(p)
        else:
            groups.append([p])
    return groups


def _fit(page: list[float], head: list[float]) -> tuple[float, float] | None:
    """x on the page → x in the header: ``head ≈ a·page + b`` (through the left margin for one column)."""
    if len(page) == 1:
        return (head[0] / page[0], 0.0) if page[0] > 0 else None
    n = len(page)
    mp, mh = sum(page) / n, sum(head) / n
    var = sum((p - mp) ** 2 for p in page)
    if var == 0:
        return None
    a = sum((p - mp) * (h - mh) for p, h in zip(page, head)) / var
    return (a, mh - a * mp) if a > 0 else None


def rescaled_leaves(lines: list[Line], leaves: list[Piece]) -> list[Piece] | None:
    """One page's body lines and the header leaves → the leaves at that page's scale, or None."""
    money = [leaf for leaf in leaves if not TEXT_LEAF.search(leaf.text)]
    clusters = _clusters(_amount_pieces(lines))
    if not money or len(clusters) != len(money):
        return None
    centers = [sum(p.center for p in c) / len(c) for c in clusters]
    fit = _fit(centers, [leaf.center for leaf in money])
    if fit is None:
        return None
    a, b = fit
    return [Piece(leaf.text, (leaf.start - b) / a, (leaf.end - b) / a, leaf.line) for leaf in leaves]


def page_leaves(pages: list[list[Line]], leaves: list[Piece]) -> dict[int, list[Piece]]:
    """Body lines split at page breaks → {line number: that page's leaves} for continuation pages."""
    out: dict[int, list[Piece]] = {}
    for page in pages[1:]:
        scaled = rescaled_leaves(page, leaves) if leaves else None
        if scaled is not None:
            out.update({no: scaled for no, _ in page})
    return out
