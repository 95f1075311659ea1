"""The format of a file is told from its bytes, never from its name."""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from fundflow.core.errors import DocumentError
from fundflow.loaders.document import read_document
from fundflow.loaders.sniff import sniff

SAMPLES = Path(__file__).resolve().parents[2] / "data" / "samples"


def _zip(*names: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for n in names:
            z.writestr(n, "<x/>")
    return buf.getvalue()


@pytest.mark.parametrize(("data", "fmt"), [
    (b"%PDF-1.7\n", "pdf"),
    (b"\n %PDF-1.4\n", "pdf"),
    (b"<!DOCTYPE html><html><body>x</body></html>", "html"),
    (b"\xef\xbb\xbf<html><body>x</body></html>", "html"),
    ("<html><body>预算</body></html>".encode("utf-16"), "html"),
    (b'<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0//EN"><html>', "html"),
    (b"<!-- saved from url=(0042)http://example.org/ -->\r\n<html>", "html"),
    (b"\r\n\r\n<table border=1><tr><td>1</td></tr></table>", "html"),
    ("收支预算总表\n\t项目\t预算数\n\t合计\t1.00\n".encode(), "text"),
    ("结转结余变动率 <= 0 % 2024-12\n".encode(), "text"),
    (b"\x89PNG\r\n\x1a\n\x00\x00", "image"),
    (b"\xff\xd8\xff\xe0\x00\x10JFIF", "image"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00", "ole2"),
    (_zip("[Content_Types].xml", "xl/workbook.xml"), "xlsx"),
    (_zip("[Content_Types].xml", "word/document.xml"), "docx"),
    (_zip("a.pdf"), "zip"),
])
def test_format_from_bytes(data, fmt):
    assert sniff(data) == fmt


def test_the_samples_are_text():
    for path in SAMPLES.glob("*.txt"):
        assert sniff(path.read_bytes()) == "text", path.name


def test_a_web_page_named_txt_is_read_as_a_web_page(tmp_path):
    page = tmp_path / "budget.txt"
    page.write_text("<html><head><title>某局2026年部门预算</title></head><body><p>收入预算1,234.50万元，"
                    "支出预算1,234.50万元。</p></body></html>", encoding="utf-8")
    doc = read_document(page)
    assert doc.format == "html" and doc.lines[0] == "某局2026年部门预算"
    assert doc.lines[1] == "收入预算1,234.50万元，支出预算1,234.50万元。"


@pytest.mark.parametrize(("data", "words"), [
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), "Office 97-2003"),
    (_zip("word/document.xml"), "Word document"),
    (_zip("a.pdf", "b.xls"), "zip archive"),
    (b"\xff\xd8\xff\xe0\x00\x10JFIF" + bytes(range(256)), "holds only an image"),
])
def test_formats_not_read_are_named(tmp_path, data, words):
    path = tmp_path / "budget.pdf"  # the name says PDF; the bytes say otherwise
    path.write_bytes(data)
    with pytest.raises(DocumentError) as err:
        read_document(path)
    assert words in str(err.value) and "budget.pdf" in str(err.value) and "\n" not in str(err.value)
