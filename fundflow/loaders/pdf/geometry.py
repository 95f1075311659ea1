"""One PDF page (pdfplumber) → its ruled tables as cells and its other text as lines.

``page_content(page) -> PageContent``: the tables pdfplumber finds from the page's ruling
lines and rectangles, each as rows of cell texts (``None`` where a merged cell covers) with
the merged cells' spans, and the text lines outside the tables, all with their vertical
position so that they can be put back in reading order (``PageContent.items``).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

_TOL = 2.0  # points: cell edges closer than this are one edge


@dataclass(frozen=True)
class TableCells:
    top: float
    rows: tuple[tuple[str | None, ...], ...]
    spans: tuple[tuple[int, int, int, int], ...]  # (row, column, rows spanned, columns spanned)


@dataclass
class PageContent:
    has_text: bool
    tables: list[TableCells] = field(default_factory=list)
    lines: list[tuple[float, str]] = field(default_factory=list)

    def items(self) -> list[str | TableCells]:
        """Text lines and tables in reading order (top to bottom)."""
        tagged = [(top, 0, text) for top, text in self.lines] + [(t.top, 1, t) for t in self.tables]
        return [item for _top, _k, item in sorted(tagged, key=lambda x: (x[0], x[1]))]


def _edges(values: list[float]) -> list[float]:
    """Cell coordinates → the distinct edges (coordinates within _TOL merged)."""
    out: list[float] = []
    for v in sorted(values):
        if not out or v - out[-1] > _TOL:
            out.append(v)
    return out


def _span(lo: float, hi: float, edges: list[float]) -> tuple[int, int]:
    """A cell's extent → (first grid index, number of grid steps it covers)."""
    first = min(range(len(edges)), key=lambda i: abs(edges[i] - lo))
    last = min(range(len(edges)), key=lambda i: abs(edges[i] - hi))
    return first, max(1, last - first)


def _cells(table: Any) -> TableCells:
    """A pdfplumber Table → its cell texts by grid position and the merged cells' spans."""
    texts = table.extract()
    boxes = [(r, c, box) for r, row in enumerate(table.rows) for c, box in enumerate(row.cells) if box is not None]
    xs = _edges([b[0] for *_, b in boxes] + [b[2] for *_, b in boxes])
    ys = _edges([b[1] for *_, b in boxes] + [b[3] for *_, b in boxes])
    spans = []
    for r, c, (x0, top, x1, bottom) in boxes:
        _col, ncols = _span(x0, x1, xs)
        _row, nrows = _span(top, bottom, ys)
        if ncols > 1 or nrows > 1:
            spans.append((r, c, nrows, ncols))
    rows = tuple(tuple(None if t is None else t.strip() for t in row) for row in texts)
    return TableCells(table.bbox[1], rows, tuple(spans))


def _outside(boxes: list[tuple[float, float, float, float]]):
    def keep(obj: dict) -> bool:
        cx, cy = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
        return not any(x0 <= cx <= x1 and top <= cy <= bottom for x0, top, x1, bottom in boxes)
    return keep


def page_content(page: Any, scanned: bool = False) -> PageContent:
    """A pdfplumber page → its tables (ruled) and the text lines around them.

    ``scanned``: the page is an image with a text layer read by OCR, whose ruling lines are
    pixels, not drawn lines: they are found in the image (``pdf.rules.image_rules``).
    """
    if not page.chars:
        return PageContent(has_text=False)
    settings = None
    if scanned and not page.edges:
        from fundflow.loaders.pdf.rules import image_rules

        horizontal, vertical = image_rules(page)
        if horizontal and vertical:
            settings = {"vertical_strategy": "explicit", "horizontal_strategy": "explicit",
                        "explicit_vertical_lines": vertical, "explicit_horizontal_lines": horizontal}
    found = page.find_tables(settings) if settings else page.find_tables()
    tables = [t for t in found if len(t.rows) >= 1 and len(t.columns) >= 2]
    content = PageContent(has_text=True, tables=[_cells(t) for t in tables])
    rest = page.filter(_outside([t.bbox for t in tables])) if tables else page
    for line in rest.extract_text_lines(strip=True):
        if line["text"].strip():
            content.lines.append((line["top"], line["text"]))
    return content
