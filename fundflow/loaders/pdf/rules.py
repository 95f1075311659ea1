"""The ruling lines of a scanned page, found in its image: ``image_rules(page) -> (horizontal, vertical)``.

A scan read by OCR has words with their positions but no drawn lines: its table rules are
dark pixels.  The page is rendered in grey at ``RESOLUTION`` dpi; a run of dark pixels at
least ``MIN_LENGTH`` inches long along a pixel row is part of a horizontal rule (text
strokes are shorter), runs on neighbouring rows that overlap are one rule, and the same
on the image turned on its side gives the vertical rules.  Each rule is returned as a
pdfplumber line object in the page's coordinates (points), ready for ``find_tables``'
explicit strategy, so a scan's tables are read by their cells like a text PDF's.
"""
from __future__ import annotations

import re
from typing import Any

RESOLUTION = 100  # dpi the page is looked at
MIN_LENGTH = 0.4  # inches: a dark run this long is a rule, not a stroke of a character
DARK = 160  # grey level below which a pixel is ink
_GAP = 2  # pixels: runs this close on neighbouring rows are one rule


def _runs(data: bytes, width: int, height: int, min_len: int) -> list[tuple[int, int, int]]:
    """(row, first, end) of every run of ink at least ``min_len`` pixels long, row by row."""
    run = re.compile(rb"\xff{%d,}" % min_len)
    return [(y, m.start() - y * width, m.end() - y * width)
            for y in range(height) for m in run.finditer(data, y * width, (y + 1) * width)]


def _merge(runs: list[tuple[int, int, int]]) -> list[tuple[float, int, int]]:
    """Runs on neighbouring rows that overlap → one rule each: (middle row, first, end)."""
    open_rules: list[list[int]] = []  # first row, last row, first, end
    for y, x0, x1 in runs:
        for rule in open_rules:
            if y - rule[1] <= _GAP and x0 < rule[3] and x1 > rule[2]:
                rule[1], rule[2], rule[3] = y, min(rule[2], x0), max(rule[3], x1)
                break
        else:
            open_rules.append([y, y, x0, x1])
    return [((r[0] + r[1]) / 2, r[2], r[3]) for r in open_rules]


def _line(x0: float, top: float, x1: float, bottom: float) -> dict[str, Any]:
    return {"object_type": "line", "x0": x0, "x1": x1, "top": top, "bottom": bottom,
            "width": x1 - x0, "height": bottom - top}


def image_rules(page: Any) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """A pdfplumber page → its horizontal and vertical rules found in the rendered image (points)."""
    from PIL import Image

    grey = page.to_image(resolution=RESOLUTION).original.convert("L")
    ink = grey.point(lambda v: 255 if v < DARK else 0)
    sx, sy = float(page.width) / ink.width, float(page.height) / ink.height
    min_len = int(RESOLUTION * MIN_LENGTH)
    across = _merge(_runs(ink.tobytes(), ink.width, ink.height, min_len))
    turned = ink.transpose(Image.Transpose.TRANSPOSE)  # columns become rows
    down = _merge(_runs(turned.tobytes(), turned.width, turned.height, min_len))
    x_off, y_off = float(page.bbox[0]), float(page.bbox[1])
    horizontal = [_line(x_off + x0 * sx, y_off + y * sy, x_off + x1 * sx, y_off + y * sy) for y, x0, x1 in across]
    vertical = [_line(x_off + x * sx, y_off + y0 * sy, x_off + x * sx, y_off + y1 * sy) for x, y0, y1 in down]
    return horizontal, vertical
