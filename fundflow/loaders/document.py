"""Reading a document file and the Loader protocol.

``read_document(path) -> SourceDocument`` detects the encoding (UTF-8, UTF-8
BOM, UTF-16 with BOM or by its NUL pattern, GB18030/GBK) and splits lines
(LF, CRLF or CR).  It raises ``DocumentError`` for empty, binary or undecodable
files, naming the file and what to do.
"""
from __future__ import annotations

import hashlib
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar, Protocol

from fundflow.core.errors import DocumentError
from fundflow.core.model import RawTable, SourceDocument

MAX_BYTES = 200 * 1024 * 1024


class Loader(Protocol):
    """A layout plugin: ``detect`` says how sure it is, ``parse`` yields tables."""

    name: ClassVar[str]

    def detect(self, doc: SourceDocument) -> float: ...  # 0 = not mine, 1 = certain

    def parse(self, doc: SourceDocument) -> Iterator[RawTable]: ...


def _decode(data: bytes) -> tuple[str, str]:
    """bytes → (text, encoding name); raises UnicodeDecodeError when nothing fits."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    head = data[:4000]
    if len(head) >= 4 and head.count(b"\x00") > len(head) // 4:
        # UTF-16 without BOM: ASCII and many CJK code units have a NUL byte.
        enc = "utf-16-le" if head[1::2].count(b"\x00") > head[0::2].count(b"\x00") else "utf-16-be"
        return data.decode(enc), enc
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("gb18030"), "gb18030"


def _looks_binary(text: str) -> bool:
    sample = text[:20000]
    if not sample:
        return False
    bad = sum(1 for ch in sample if (ord(ch) < 32 and ch not in "\t\n\r\f\v") or ch == "\ufffd")
    return "\x00" in sample or bad > len(sample) // 50


def pdf_to_text(path: Path) -> str:
    """A PDF → its text as ``pdftotext -layout`` prints it (columns aligned, form feeds between pages).

    Raises ``DocumentError`` when poppler's pdftotext is missing or fails.
    """
    exe = shutil.which("pdftotext")
    if exe is None:
        raise DocumentError("the file is a PDF and pdftotext is not installed", file=path.name,
                            hint="install poppler-utils, or convert it with pdftotext -layout first")
    r = subprocess.run([exe, "-layout", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=False, timeout=300)
    if r.returncode != 0:
        detail = r.stderr.decode("utf-8", "replace").strip().splitlines()[:1]
        raise DocumentError(f"pdftotext could not read the PDF ({detail[0] if detail else r.returncode})",
                            file=path.name, hint="check that the PDF opens and is not encrypted")
    return r.stdout.decode("utf-8", "replace")


def read_document(path: str | Path) -> SourceDocument:
    """Path → SourceDocument (decoded lines, sha256 of the bytes).

    A PDF is read through ``pdftotext -layout``: its lines are those of that text
    (the sha256 is the PDF's own), and the layout loader reads it.
    """
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
        text = pdf_to_text(p)
        if not text.strip():
            raise DocumentError("the PDF has no text layer (a scan?)", file=p.name, hint="run OCR on it first")
        lines = tuple(text.replace("\r\n", "\n").split("\n"))
        starts = (1, *(i + 1 for i, line in enumerate(lines) if i and line.startswith("\f")))
        return SourceDocument(str(p), p.name, hashlib.sha256(data).hexdigest(), "pdf", lines, "pdf", page_starts=starts)
    try:
        text, encoding = _decode(data)
    except UnicodeDecodeError:
        raise DocumentError("the file is neither UTF-8, UTF-16 nor GB18030 text", file=p.name, hint="convert it to UTF-8 text (e.g. pdftotext -layout for a PDF)") from None
    if _looks_binary(text):
        raise DocumentError("the file looks binary, not text", file=p.name, hint="convert it to text first (e.g. pdftotext -layout for a PDF)")
    lines = tuple(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    return SourceDocument(str(p), p.name, hashlib.sha256(data).hexdigest(), encoding, lines)
