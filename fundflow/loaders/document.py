"""A path → SourceDocument: ``read_document(path)``, and the Loader protocol.

Reads the bytes once, checks them (empty, too large), tells the format from the bytes
(not the file name) and hands them to that format's reader: a PDF to ``pdf.reader``,
anything else is decoded as text (``encoding``).  Raises ``DocumentError`` naming the
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
from fundflow.loaders.pdf.reader import read_pdf

MAX_BYTES = 200 * 1024 * 1024


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
    if data.startswith(b"%PDF"):
        return read_pdf(p, data)
    text, encoding = decode_text(data, p.name)
    lines = tuple(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    return SourceDocument(str(p), p.name, hashlib.sha256(data).hexdigest(), encoding, lines)
