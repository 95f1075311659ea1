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
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar, Protocol

from fundflow.core.errors import DocumentError
from fundflow.core.model import RawTable, SourceDocument
from fundflow.loaders.encoding import decode_located
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


def read_bytes(p: Path, limit: int = MAX_BYTES) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes; ``DocumentError`` naming what it is otherwise.

    What the path is and its size are checked before anything is read: a pipe or a
    device would block or never end, a folder is not a document, a huge file is
    refused without being read.
    """
    try:
        info = p.stat()
    except OSError as err:
        broken = p.is_symlink()
        raise DocumentError("a broken link (its target is gone)" if broken else f"cannot read the file ({err.strerror})",
                            file=str(p), hint="check the path and permissions") from None
    if stat.S_ISDIR(info.st_mode):
        raise DocumentError("a folder, not a document", file=str(p), hint="ingest FOLDER reads the documents in it")
    if not stat.S_ISREG(info.st_mode):
        raise DocumentError("not a regular file (a pipe, device or socket)", file=str(p), hint="save it as a file first")
    too_big = DocumentError(f"the file is more than {limit // 2**20} MiB, more than a disclosure can be", file=p.name,
                            hint="split it or check that it is the right file")
    if info.st_size > limit:
        raise too_big
    try:
        with p.open("rb") as f:
            data = f.read(limit + 1)  # the file may have grown since it was measured
    except OSError as err:
        raise DocumentError(f"cannot read the file ({err.strerror})", file=str(p), hint="check the path and permissions") from None
    if len(data) > limit:
        raise too_big
    return data


def read_document(path: str | Path, ocr: bool = False) -> SourceDocument:
    """Path → SourceDocument (decoded lines, sha256 of the bytes); ``ocr``: a scanned PDF is read by OCR."""
    p = Path(path)
    data = read_bytes(p)
    if not data.strip():
        raise DocumentError("the file is empty", file=p.name, hint="give a budget or final-accounts disclosure as text")
    fmt = sniff(data)
    if fmt == "pdf":
        return read_pdf(p, data, ocr)
    if fmt == "html":
        return read_html(p, data)
    if fmt == "xlsx":
        return read_xlsx(p, data)
    if fmt in _UNREAD:
        message, hint = _UNREAD[fmt]
        raise DocumentError(message, file=p.name, hint=hint)
    text, encoding, damage = decode_located(data, p.name)
    lines = tuple(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    return SourceDocument(str(p), p.name, hashlib.sha256(data).hexdigest(), encoding, lines, damage=damage)
