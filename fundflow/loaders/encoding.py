"""Bytes of a text file → its text: ``decode_located(data, name) -> (text, encoding, damage)``.

Detects UTF-8, UTF-8 BOM, UTF-16 (BOM or NUL pattern) and GB18030/GBK.  A few
undecodable bytes (a flipped byte, a file cut inside its last character) do not
reject the document: they are read as U+FFFD and listed in ``damage`` as
(byte offset, line) so that what they touch can be marked.  Raises
``DocumentError`` for binary bytes, or when too much does not decode in any of
them, naming the file and what to do.  ``decode_text`` is the same without the damage.
"""
from __future__ import annotations

import codecs
import contextvars

from fundflow.core.errors import DocumentError

_found: contextvars.ContextVar[list[int]] = contextvars.ContextVar("undecodable")


def _record(err: UnicodeError) -> tuple[str, int]:
    assert isinstance(err, UnicodeDecodeError)  # registered for decoding only
    _found.get().append(err.start)
    return "\ufffd", err.end


codecs.register_error("fundflow-locate", _record)


def _lenient(data: bytes, encoding: str) -> tuple[str, list[int]]:
    """Decode with every undecodable run replaced by U+FFFD → (text, byte offsets of the runs)."""
    token = _found.set([])
    try:
        text = data.decode(encoding, errors="fundflow-locate")
        return text, _found.get()
    finally:
        _found.reset(token)


def _allowed(size: int) -> int:
    """How many damaged runs a text may have and still be read in that encoding."""
    return max(8, size // 2000)


def _decode(data: bytes) -> tuple[str, str, list[int]]:
    """bytes → (text, encoding name, offsets of undecodable runs); UnicodeDecodeError when nothing fits."""
    if data.startswith(b"\xef\xbb\xbf"):
        text, bad = _lenient(data[3:], "utf-8")
        return text, "utf-8-sig", [b + 3 for b in bad]
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text, bad = _lenient(data, "utf-16")
        return text, "utf-16", bad
    head = data[:4000]
    if len(head) >= 4 and head.count(b"\x00") > len(head) // 4:
        # UTF-16 without BOM: ASCII and many CJK code units have a NUL byte.
        enc = "utf-16-le" if head[1::2].count(b"\x00") > head[0::2].count(b"\x00") else "utf-16-be"
        text, bad = _lenient(data, enc)
        return text, enc, bad
    try:
        return data.decode("utf-8"), "utf-8", []
    except UnicodeDecodeError:
        pass
    text, bad = _lenient(data, "utf-8")
    if len(bad) <= _allowed(len(data)):  # UTF-8 with a little damage: GB18030 would read it as mojibake
        return text, "utf-8", bad
    text, bad = _lenient(data, "gb18030")
    if len(bad) <= _allowed(len(data)):
        return text, "gb18030", bad
    raise UnicodeDecodeError("gb18030", data, bad[0], bad[0] + 1, "too many undecodable bytes")


def _looks_binary(text: str) -> bool:
    sample = text[:20000]
    if not sample:
        return False
    # control characters only: undecodable bytes (U+FFFD) are counted as damage, not as a sign of binary
    bad = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\n\r\f\v")
    return "\x00" in sample or bad > len(sample) // 50


def decode_located(data: bytes, name: str) -> tuple[str, str, tuple[tuple[int, int], ...]]:
    """The bytes of a text document → (text, encoding name, damage as (byte offset, line) pairs).

    ``DocumentError`` when it is not text.
    """
    try:
        text, encoding, bad = _decode(data)
    except UnicodeDecodeError:
        raise DocumentError("the file is neither UTF-8, UTF-16 nor GB18030 text", file=name,
                            hint="convert it to UTF-8 text (e.g. pdftotext -layout for a PDF)") from None
    if _looks_binary(text):
        raise DocumentError("the file looks binary, not text", file=name,
                            hint="convert it to text first (e.g. pdftotext -layout for a PDF)")
    return text, encoding, tuple(_lines(data, encoding, bad))


def _lines(data: bytes, encoding: str, offsets: list[int]):
    """(offset, 1-based line) for each offset, counting line ends once over the bytes."""
    little = encoding == "utf-16-le" or (encoding == "utf-16" and data.startswith(b"\xff\xfe"))
    newline = (b"\n\x00" if little else b"\x00\n") if encoding.startswith("utf-16") else b"\n"
    line, last = 1, 0
    for b in sorted(offsets):
        line += data.count(newline, last, b)
        last = b
        yield b, line


def decode_text(data: bytes, name: str) -> tuple[str, str]:
    """The bytes of a text document → (text, encoding name); ``DocumentError`` when it is not text."""
    text, encoding, _damage = decode_located(data, name)
    return text, encoding
