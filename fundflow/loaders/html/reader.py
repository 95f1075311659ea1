"""A saved web page → SourceDocument: ``read_html(path, data)``.

The page is parsed with lxml's HTML parser (libxml2: fast, forgiving with the broken
markup government sites publish, and well kept).  Its title is the first line, then its
text lines and tables in reading order (``page.py``); each data table is also a ``Grid``
(rowspan/colspan kept as spans) for the grid loader, and its rows are lines of the
document (cells joined by tabs) so that records point at them.

A page that prints no figures is not a disclosure, and the reader says what it is instead
(``DocumentError``): a page of scanned pictures, a page of links (an index, a list of the
years' disclosures, an attachment to download), or a page with nothing to read.
"""
from __future__ import annotations

import hashlib
import re
from pathlib import Path
from urllib.parse import unquote, urlparse

from fundflow.core.errors import DocumentError
from fundflow.core.model import Grid, SourceDocument
from fundflow.loaders.encoding import decode_text
from fundflow.loaders.html.page import HtmlTable, Page, read_page

_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
_ATTACHMENT = re.compile(r"\.(?:pdf|xlsx?|docx?|wps|et|rar|zip|7z|ofd)$", re.IGNORECASE)
_BUDGET_LINK = re.compile(r"预\s*算|决\s*算")
_MIN_FIGURES = 2


def _parse(text: str, name: str):
    import lxml.etree
    import lxml.html

    try:
        return lxml.html.document_fromstring(_XML_DECLARATION.sub("", text))
    except (lxml.etree.ParserError, ValueError) as err:
        raise DocumentError(f"the web page cannot be parsed ({err})", file=name,
                            hint="save the page again from the browser (as 'Web page, complete')") from None


def _attachments(page: Page) -> list[str]:
    """The documents a page links to for download: their link texts (else their file names)."""
    out = []
    for text, href in page.links:
        path = unquote(urlparse(href).path)
        if _ATTACHMENT.search(path) or _ATTACHMENT.search(text):
            out.append(text or path.rsplit("/", 1)[-1])
    return list(dict.fromkeys(out))


def _not_a_disclosure(page: Page, name: str) -> DocumentError:
    """A page with no figures → the error saying what it is."""
    attachments = _attachments(page)
    budget_links = sorted((t for t, _h in page.links if _BUDGET_LINK.search(t)),
                          key=lambda t: not re.search(r"20\d{2}", t))  # a year's disclosure first
    if page.pictures and not attachments and len(budget_links) < 3:
        return DocumentError(f"holds only images ({page.pictures} scanned picture{'s' * (page.pictures > 1)}), "
                             "no text to read", file=name,
                             hint="run OCR on the pictures, or find the disclosure as PDF, XLSX or a page with text")
    if attachments or budget_links:
        shown = "、".join((attachments or budget_links)[:3])
        what = "attachment" if attachments else "link"
        return DocumentError("a web page listing links, not a disclosure (it prints no figures)", file=name,
                             hint=f"download the disclosure it links to and read that ({what}: {shown})")
    return DocumentError("not a budget disclosure: the web page prints no figures and no budget tables", file=name,
                         hint="give a 部门预算/单位预算/部门决算 disclosure (PDF, XLSX, HTML or text)")


def _assemble(page: Page) -> tuple[list[str], list[Grid]]:
    lines: list[str] = [page.title] if page.title else []
    grids: list[Grid] = []
    for item in page.items:
        if isinstance(item, HtmlTable):
            first = len(lines) + 1
            lines.extend("\t".join(c or "" for c in row).replace("\n", " ") for row in item.rows)
            grids.append(Grid(item.rows, tuple((first + i, first + i) for i in range(len(item.rows))), None, item.spans))
        else:
            lines.append(item)
    return lines, grids


def read_html(path: Path, data: bytes) -> SourceDocument:
    """The path and bytes of a web page → SourceDocument (title and text lines, tables as grids).

    Raises ``DocumentError`` when the page cannot be parsed or prints no figures.
    """
    text, encoding = decode_text(data, path.name)
    page = read_page(_parse(text, path.name))
    if page.figures < _MIN_FIGURES:
        raise _not_a_disclosure(page, path.name)
    lines, grids = _assemble(page)
    return SourceDocument(str(path), path.name, hashlib.sha256(data).hexdigest(), encoding, tuple(lines), "html",
                          tuple(grids))
