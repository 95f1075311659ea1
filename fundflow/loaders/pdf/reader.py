"""A PDF → SourceDocument: ``read_pdf(path, data)``.

The PDF's own geometry is read with pdfplumber: on each page the ruling lines and
rectangles give the tables' cells (merged cells kept as spans) and the words outside them
give the text lines (titles, money units, prose).  The document's lines are, page by page
and top to bottom, those text lines and one line per table row (its cells joined by tabs),
so that every record can point at a page and a line; ``grids`` are the tables as cells.

A PDF whose pages draw no table gets its text from poppler's ``pdftotext -layout`` instead
(columns aligned by blanks), which the text loaders read.  Raises ``DocumentError`` when the
PDF cannot be opened, is encrypted, has no text layer (a scan) or had its bytes damaged by
being decoded and saved as text (runs of U+FFFD where binary data stood).

A scan (no text layer) is read only when asked (``ocr=True``): its pages are read by OCR
(``pdf.ocr``) into a temporary PDF that is then read as above; the document keeps the
scan's sha256 and is marked ``ocr`` so that its figures are never taken for printed text.
"""
from __future__ import annotations

import hashlib
import io
import os
import shutil
import subprocess
import tempfile
from dataclasses import replace
from pathlib import Path

from fundflow.core.errors import DocumentError
from fundflow.core.model import Grid, SourceDocument
from fundflow.loaders.grid.loader import grids_to_tables, misaligned
from fundflow.loaders.pdf.geometry import PageContent, page_content
from fundflow.loaders.verdict import check_vocabulary

_MISALIGNED = 0.5  # share of figures under no header beyond which the grids are not trusted
_REPLACEMENT = "\ufffd".encode()  # what a text decoder leaves for bytes it cannot read
_DAMAGED = 50  # replacement characters beyond which a PDF's binary data has been written over


def _scan(path: Path) -> DocumentError:
    return DocumentError("holds only images (a scan), no text layer to read", file=path.name,
                         hint="read it by OCR with --ocr (needs pip install 'fundflow[ocr]' and Debian's "
                              "tesseract-ocr-chi-sim), or find the text version")


def _check_damage(path: Path, data: bytes) -> None:
    """A PDF whose binary data was decoded as text and saved again → ``DocumentError`` saying so."""
    damaged = data.count(_REPLACEMENT)
    if damaged < _DAMAGED:
        return
    saved_as = f" saved as {path.suffix.lower().lstrip('.').upper()}" if path.suffix.lower() != ".pdf" else ""
    raise DocumentError(f"a PDF{saved_as} whose bytes are damaged ({damaged} replacement characters where its "
                        "binary data stood: it was decoded as text and saved again)", file=path.name,
                        hint="download the original PDF again, saving it as a file, not as text")


def pdf_to_text(path: Path, name: str | None = None) -> str:
    """A PDF → its text as ``pdftotext -layout`` prints it (columns aligned, form feeds between pages).

    Raises ``DocumentError`` (naming the file as ``name``, else ``path``'s name) when poppler's
    pdftotext is missing or fails.
    """
    name = name or path.name
    exe = shutil.which("pdftotext")
    if exe is None:
        raise DocumentError("the file is a PDF and pdftotext is not installed", file=name,
                            hint="install poppler-utils, or convert it with pdftotext -layout first")
    r = subprocess.run([exe, "-layout", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=False, timeout=300)
    if r.returncode != 0:
        detail = r.stderr.decode("utf-8", "replace").strip().splitlines()[:1]
        raise DocumentError(f"pdftotext could not read the PDF ({detail[0] if detail else r.returncode})",
                            file=name, hint="check that the PDF opens and is not encrypted")
    return r.stdout.decode("utf-8", "replace")


def _lines(text: str) -> tuple[str, ...]:
    return tuple(text.replace("\r\n", "\n").split("\n"))


def _text_document(path: Path, data: bytes, lines: tuple[str, ...]) -> SourceDocument:
    starts = (1, *(i + 1 for i, line in enumerate(lines) if i and line.startswith("\f")))
    return SourceDocument(str(path), path.name, hashlib.sha256(data).hexdigest(), "pdf", lines, "pdf",
                          page_starts=starts)


def _pages(path: Path, data: bytes, scanned: bool = False) -> list[PageContent]:
    import pdfplumber
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
    from pdfminer.pdfparser import PDFSyntaxError
    from pdfplumber.utils.exceptions import PdfminerException

    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            return [page_content(page, scanned) for page in pdf.pages]
    except (PDFPasswordIncorrect, PDFEncryptionError):
        raise DocumentError("the PDF is encrypted", file=path.name, hint="save an unencrypted copy first") from None
    except (PdfminerException, PDFSyntaxError) as err:
        raise DocumentError(f"the PDF cannot be read ({type(err).__name__})", file=path.name,
                            hint="check that the file opens in a PDF viewer; download it again") from None


def read_pdf(path: Path, data: bytes, ocr: bool = False) -> SourceDocument:
    """The path and bytes of a PDF → SourceDocument: lines with their pages, and the ruled tables as grids.

    A scan is a ``DocumentError`` unless ``ocr``: then its pages are read by OCR (``pdf.ocr``)
    and the document is marked ``ocr``.
    """
    _check_damage(path, data)
    text = pdf_to_text(path)
    if text.strip():
        return _read(path, data, data, _lines(text))
    if not ocr:
        raise _scan(path)
    from fundflow.loaders.pdf.ocr import folder_prefix, mend_figures, ocr_pdf

    with tempfile.TemporaryDirectory(prefix=folder_prefix(os.getpid())) as folder:
        read = ocr_pdf(path, data, Path(folder))
        text = pdf_to_text(read, name=path.name)
        if not text.strip():
            raise DocumentError("holds only images (a scan) and OCR found no text on them", file=path.name,
                                hint="check that the pages hold print; find the text version")
        doc = _read(path, data, read.read_bytes(), _lines(mend_figures(text)), scanned=True)
    grids = tuple(replace(g, rows=tuple(tuple(c if c is None else mend_figures(c) for c in row) for row in g.rows))
                  for g in doc.grids)
    return replace(doc, lines=tuple(mend_figures(line) for line in doc.lines), grids=grids, ocr=True)


def _read(path: Path, data: bytes, pdf: bytes, text: tuple[str, ...], scanned: bool = False) -> SourceDocument:
    """A PDF with a text layer → SourceDocument; ``data`` are the file's bytes, ``pdf`` those read (the OCR'd copy).

    ``scanned``: the pages are images with an OCR text layer; their rules are found in the images.
    """
    check_vocabulary(path.name, text)  # before the slow geometry: a drug list of 300 pages is told at once
    pages = _pages(path, pdf, scanned)
    if not any(p.has_text for p in pages):
        raise _scan(path)
    if not any(p.tables for p in pages):
        return _text_document(path, data, text)
    lines: list[str] = []
    starts: list[int] = []
    grids: list[Grid] = []
    for number, page in enumerate(pages, start=1):
        starts.append(len(lines) + 1)
        for item in page.items():
            if isinstance(item, str):
                lines.append(item)
                continue
            first = len(lines) + 1
            lines.extend("\t".join(c or "" for c in row).replace("\n", " ") for row in item.rows)
            grids.append(Grid(item.rows, tuple((first + i, first + i) for i in range(len(item.rows))), number,
                              item.spans))
    doc = SourceDocument(str(path), path.name, hashlib.sha256(data).hexdigest(), "pdf", tuple(lines), "pdf",
                         tuple(grids), tuple(starts))
    if misaligned(grids_to_tables(doc)) > _MISALIGNED:
        return _text_document(path, data, text)  # drawn cells that do not follow the text: read the text by its blanks
    return doc
