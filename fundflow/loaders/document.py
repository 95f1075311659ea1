"""A path → SourceDocument: ``read_document(path)``, and the Loader protocol.

Reads the bytes once, checks them (empty, too large), tells the format from the bytes
(``sniff``, never the file name) and hands them to that format's reader: a PDF to
``pdf.reader``, a web page to ``html.reader``, a workbook to ``xlsx.reader``, anything else is decoded as text
(``encoding``).  Formats that hold no text to read (pictures, Office 97-2003 files, Word
documents, other archives) are named in the error.  Raises ``DocumentError`` naming the
file and what to do.
"""
from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar, Protocol

from fundflow.core.errors import DocumentError
from fundflow.core.model import RawTable, SourceDocument
from fundflow.loaders.encoding import decode_text
from fundflow.loaders.html.reader import read_html
from fundflow.loaders.pdf.reader import read_pdf
from fundflow.loaders.sniff import sniff
from fundflow.loaders.xlsx.reader import read_xlsx

MAX_BYTES = 200 * 1024 * 1024
_UNREAD = {  # formats recognised but not read: what the file is, what to do
    "image": ("holds only an image (a scan or a photo), no text to read",
              "run OCR on it, or find the disclosure as PDF, XLSX or text"),
    "ole2": ("an Office 97-2003 file (.xls or .doc), which is not read",
             "save it as .xlsx (a workbook) or as PDF, and read that"),
    "docx": ("a Word document (.docx), which is not read", "save it as PDF and read that"),
    "zip": ("a zip archive, not a disclosure", "unpack it and read the documents inside"),
}


class Loader(Protocol):
    """A layout plugin: ``detect`` says how sure it is, ``parse`` yields tables."""

    name: ClassVar[str]

    def detect(self, doc: SourceDocument) -> float: ...  # 0 = not mine, 1 = certain

    def parse(self, doc: SourceDocument) -> Iterator[RawTable]: ...


def read_document(path: str | Path) -> SourceDocument:
    """Path → SourceDocument (decoded lines, sha256 of the bytes)."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as err:
        raise DocumentError(f"cannot read the file ({err.strerror})", file=str(p), hint="check the path and permissions") from None
    if not data.strip():
        raise DocumentError("the file is empty", file=p.name, hint="give a budget or final-accounts disclosure as text")
    if len(data) > MAX_BYTES:
        raise DocumentError(f"the file is {len(data) // 2**20} MiB, more than a disclosure can be", file=p.name, hint="split it or check that it is the right file")
    fmt = sniff(data)
    if fmt == "pdf":
        return read_pdf(p, data)
    if fmt == "html":
        return read_html(p, data)
    if fmt == "xlsx":
        return read_xlsx(p, data)
    if fmt in _UNREAD:
        message, hint = _UNREAD[fmt]
        raise DocumentError(message, file=p.name, hint=hint)
    text, encoding = decode_text(data, p.name)
    lines = tuple(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    return SourceDocument(str(p), p.name, hashlib.sha256(data).hexdigest(), encoding, lines)
