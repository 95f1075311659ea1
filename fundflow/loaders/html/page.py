"""A parsed web page (lxml) → what it shows, in reading order: ``read_page(root) -> Page``.

Text outside tables becomes lines, one per block (``<p>``, ``<div>``, ``<br>``, a list item
…); a ``<table>`` of data (no table inside it, two rows and two columns at least, a number
in a cell) becomes a grid of cells with its rowspan/colspan as spans; the cells of layout
tables are read as blocks of text.  Absolutely positioned text fragments (``style="position:
absolute; left:…; top:…"``) are put back into lines by their coordinates
(``positioned.py``).  ``Page`` also counts what a disclosure needs and a page of links or
scans lacks: figures outside links, the links, the pictures standing alone as content.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from fundflow.core.normalize import is_amount
from fundflow.loaders.html.positioned import Fragment, class_sizes, fragment_of, render_fragments
from fundflow.loaders.tablehead import is_figure

_SKIP = frozenset({"script", "style", "noscript", "template", "head", "select", "option", "button", "iframe",
                   "object", "embed", "svg", "textarea", "input", "map", "area"})
_BLOCK = frozenset({"address", "article", "aside", "blockquote", "body", "center", "dd", "details", "dialog", "div",
                    "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5",
                    "h6", "header", "hr", "li", "main", "nav", "ol", "p", "section", "summary", "table", "tbody",
                    "thead", "tfoot", "tr", "td", "th", "ul", "caption", "br", "html"})
_FURNITURE = frozenset({"header", "footer", "nav"})
_HIDDEN = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_SPACE = re.compile(r"[ \t\r\n\f\v\xa0\u3000\u2002\u2003\u2009\ufeff]+")
_MONEY = re.compile(r"\d[\d,，]*(?:\.\d+)?\s*(?:万元|千元|亿元|元)")
_SMALL = 100  # pixels: a picture narrower or lower than this is an icon, not a scanned page
_MAX_SPAN = 1000


@dataclass(frozen=True)
class HtmlTable:
    """A ``<table>`` as a grid: rows of cell texts (None where a merged cell covers) and the spans."""

    rows: tuple[tuple[str | None, ...], ...]
    spans: tuple[tuple[int, int, int, int], ...]


@dataclass
class Page:
    """What a web page shows: its title, its lines and tables in order, and what they hold."""

    title: str = ""
    items: list[str | HtmlTable] = field(default_factory=list)
    figures: int = 0  # amounts printed outside links (in the text, in table cells)
    links: list[tuple[str, str]] = field(default_factory=list)  # (text, href)
    pictures: int = 0  # pictures standing alone as content (not icons, logos or links)


def _tag(el: Any) -> str | None:
    return el.tag.lower() if isinstance(el.tag, str) else None


def _hidden(el: Any) -> bool:
    return el.get("hidden") is not None or bool(_HIDDEN.search(el.get("style") or ""))


def _px(value: str | None) -> float | None:
    m = re.match(r"\s*(\d+(?:\.\d+)?)\s*(?:px)?\s*$", value or "")
    return float(m.group(1)) if m else None


def _size(el: Any, name: str) -> float | None:
    m = re.search(rf"(?<![-\w]){name}\s*:\s*(\d+(?:\.\d+)?)px", el.get("style") or "", re.IGNORECASE)
    return float(m.group(1)) if m else _px(el.get(name))


def _is_picture(el: Any, in_link: bool, in_furniture: bool) -> bool:
    """An ``<img>`` that is content (a scanned page), not an icon, a logo or a link."""
    if in_link or in_furniture or not el.get("src"):
        return False
    sizes = [s for s in (_size(el, "width"), _size(el, "height")) if s is not None]
    return not any(s < _SMALL for s in sizes)


def _leaf(table: Any) -> bool:
    return not any(True for _ in table.iter("table") if _ is not table)


def _rows(table: Any) -> list[Any]:
    return [tr for tr in table.iter("tr") if not _hidden(tr)]


def _cell_text(el: Any) -> str:
    """A cell's text, its lines (``<br>``, ``<p>``, ``<div>``) joined with "\n"."""
    parts: list[str] = []

    def walk(node: Any) -> None:
        tag = _tag(node)
        if tag in _SKIP or (tag and _hidden(node)):
            return
        if tag in ("br", "p", "div", "li"):
            parts.append("\n")
        if node.text and tag is not None:
            parts.append(node.text)
        for child in node:
            walk(child)
            if child.tail:
                parts.append(child.tail)

    walk(el)
    return "\n".join(_SPACE.sub(" ", line).strip() for line in "".join(parts).split("\n")).strip("\n")


def _span(value: str | None, limit: int) -> int:
    try:
        n = int(str(value).strip())
    except (TypeError, ValueError):
        return 1
    return limit if n == 0 else max(1, min(n, limit, _MAX_SPAN))


def table_grid(table: Any) -> HtmlTable:
    """A ``<table>`` element → its grid: every ``<td>``/``<th>`` at its position, a cell with
    rowspan/colspan covering the positions below and right of it (None there, and a span)."""
    trs = _rows(table)
    cells: dict[tuple[int, int], str | None] = {}
    spans = []
    for r, tr in enumerate(trs):
        c = 0
        for td in (x for x in tr if _tag(x) in ("td", "th") and not _hidden(x)):
            while (r, c) in cells:
                c += 1
            nrows, ncols = _span(td.get("rowspan"), len(trs) - r), _span(td.get("colspan"), _MAX_SPAN)
            for i in range(nrows):
                for j in range(ncols):
                    cells.setdefault((r + i, c + j), None)
            cells[(r, c)] = _cell_text(td)
            if nrows > 1 or ncols > 1:
                spans.append((r, c, nrows, ncols))
            c += ncols
    width = max((c + 1 for _r, c in cells), default=0)
    rows = tuple(tuple(cells.get((r, c), "") for c in range(width)) for r in range(len(trs)))
    return HtmlTable(rows, tuple(spans))


def _is_data(table: Any) -> bool:
    """A table of data, not of layout: no table inside, two rows and two columns, a number in a cell."""
    if not _leaf(table):
        return False
    trs = _rows(table)
    if len(trs) < 2 or max((len([x for x in tr if _tag(x) in ("td", "th")]) for tr in trs), default=0) < 2:
        return False
    return any(is_amount(_cell_text(td)) for tr in trs for td in tr if _tag(td) in ("td", "th"))


class _Reader:
    def __init__(self, sizes: dict[str, float] | None = None) -> None:
        self.page = Page()
        self.sizes = sizes or {}  # font size by style-sheet class
        self.buf: list[tuple[str, bool]] = []  # text pieces of the current line, each with "inside a link"
        # positioned fragments by their parent element (the element itself is the key: an lxml proxy's id() is
        # reused once the proxy is freed, which merged the pages of a converted PDF)
        self.groups: dict[Any, list[Fragment]] = {}
        self.slots: dict[Any, int] = {}  # positioned group → the index of its place in items

    def flush(self) -> None:
        text = _SPACE.sub(" ", "".join(t for t, _ in self.buf)).strip()
        if text:
            own = "".join(t for t, linked in self.buf if not linked)
            self.page.figures += len(_MONEY.findall(own))
            self.page.items.append(text)
        self.buf = []

    def add(self, text: str | None, in_link: bool) -> None:
        if text:
            self.buf.append((text, in_link))

    def walk(self, el: Any, in_link: bool = False, in_furniture: bool = False) -> None:
        tag = _tag(el)
        if tag is None or tag in _SKIP or _hidden(el):
            return
        if (frag := fragment_of(el, self.sizes)) is not None:
            self._positioned(el, frag)
            return
        if tag == "table" and _is_data(el):
            self.flush()
            self._table(el)
            return
        if tag == "pre":
            self.flush()
            self.page.items.extend(line.rstrip() for line in el.text_content().split("\n") if line.strip())
            return
        in_link = in_link or (tag == "a" and el.get("href") is not None)
        in_furniture = in_furniture or tag in _FURNITURE
        if tag == "a" and el.get("href"):
            self.page.links.append((_SPACE.sub(" ", el.text_content()).strip(), el.get("href")))
        if tag == "img":
            self.page.pictures += _is_picture(el, in_link, in_furniture)
        if tag in _BLOCK:
            self.flush()
        self.add(el.text, in_link)
        for child in el:
            self.walk(child, in_link, in_furniture)
            self.add(child.tail, in_link)
        if tag in _BLOCK:
            self.flush()

    def _table(self, el: Any) -> None:
        caption = next((c for c in el if _tag(c) == "caption"), None)
        if caption is not None:
            self.add(caption.text_content(), False)
            self.flush()
        grid = table_grid(el)
        self.page.figures += sum(1 for row in grid.rows for c in row if c and is_figure(c))
        self.page.items.append(grid)

    def _positioned(self, el: Any, frag: Fragment) -> None:
        key = el.getparent()
        if key not in self.groups:
            self.flush()
            self.groups[key] = []
            self.slots[key] = len(self.page.items)
            self.page.items.append("")  # its place in reading order, filled in at the end
        self.groups[key].append(frag)

    def finish(self) -> Page:
        self.flush()
        for key in sorted(self.slots, key=self.slots.get, reverse=True):  # type: ignore[arg-type]
            lines = render_fragments(self.groups[key])
            self.page.figures += sum(1 for line in lines for w in line.split() if is_figure(w))
            i = self.slots[key]
            self.page.items[i:i + 1] = lines
        return self.page


def read_page(root: Any) -> Page:
    """An lxml HTML document → its ``Page`` (title, lines and tables in order, figures, links, pictures)."""
    reader = _Reader(class_sizes("\n".join(s.text or "" for s in root.iter("style"))))
    title = root.find(".//title")
    reader.page.title = _SPACE.sub(" ", title.text_content()).strip() if title is not None else ""
    body = root.find(".//body")
    reader.walk(body if body is not None else root)
    return reader.finish()
