"""The format of a file from its first bytes, never its name: ``sniff(data) -> str``.

``pdf`` (``%PDF``), ``xlsx`` (a zip holding ``xl/workbook.xml``), ``docx`` (a zip holding
``word/document.xml``), ``zip`` (another zip), ``ole2`` (an Office 97-2003 file: .xls, .doc),
``image`` (PNG, JPEG, GIF, TIFF), ``html`` (a web page: a doctype or an HTML tag first)
or ``text``.
"""
from __future__ import annotations

import io
import re
import zipfile

_IMAGES = (b"\x89PNG", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"II*\x00", b"MM\x00*")
_HTML_START = re.compile(
    r"^\s*(?:<\?xml[^>]*\?>\s*)?(?:<!--.*?-->\s*)*"
    r"<(?:!doctype\s+html|html|head|body|meta|title|table|div|p|span|style|script|link|base|center|font|form)\b",
    re.IGNORECASE | re.DOTALL)
_HTML_TAG = re.compile(r"<(?:html|body|table)\b[^>]*>", re.IGNORECASE)
_BOMS = ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))


def _head_text(data: bytes, size: int = 4096) -> str:
    """The first bytes as text, well enough to see markup (BOMs and UTF-16 honoured)."""
    for bom, enc in _BOMS:
        if data.startswith(bom):
            return data[len(bom):len(bom) + size].decode(enc, "replace")
    head = data[:size]
    if head.count(b"\x00") > len(head) // 4:
        enc = "utf-16-le" if head[1::2].count(b"\x00") > head[0::2].count(b"\x00") else "utf-16-be"
        return head.decode(enc, "replace")
    return head.decode("latin-1")


def _zip_kind(data: bytes) -> str:
    try:
        names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
    except (zipfile.BadZipFile, OSError, ValueError):  # cut short: the local headers still name the parts
        return "xlsx" if re.search(rb"xl/(?:workbook|worksheets/)", data) else "docx" if b"word/" in data else "zip"
    if "xl/workbook.xml" in names:
        return "xlsx"
    return "docx" if "word/document.xml" in names else "zip"


def sniff(data: bytes) -> str:
    """The bytes of a file → its format name (see the module docstring)."""
    if data.lstrip()[:5].startswith(b"%PDF"):
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        return _zip_kind(data)
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "ole2"
    if data.startswith(_IMAGES):
        return "image"
    head = _head_text(data)
    if _HTML_START.match(head) or _HTML_TAG.search(head):
        return "html"
    return "text"
