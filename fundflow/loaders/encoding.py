"""Bytes of a text file → its text: ``decode_text(data, name) -> (text, encoding)``.

Detects UTF-8, UTF-8 BOM, UTF-16 (BOM or NUL pattern) and GB18030/GBK.  Raises
``DocumentError`` for binary or undecodable bytes, naming the file and what to do.
"""
from __future__ import annotations

from fundflow.core.errors import DocumentError


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


def decode_text(data: bytes, name: str) -> tuple[str, str]:
    """The bytes of a text document → (text, encoding name); ``DocumentError`` when it is not text."""
    try:
        text, encoding = _decode(data)
    except UnicodeDecodeError:
        raise DocumentError("the file is neither UTF-8, UTF-16 nor GB18030 text", file=name,
                            hint="convert it to UTF-8 text (e.g. pdftotext -layout for a PDF)") from None
    if _looks_binary(text):
        raise DocumentError("the file looks binary, not text", file=name,
                            hint="convert it to text first (e.g. pdftotext -layout for a PDF)")
    return text, encoding
