"""A PDF → SourceDocument: ``read_pdf(path, data)``.

Today through poppler's ``pdftotext -layout`` (columns aligned, form feeds between
pages): the lines are that text's, ``page_starts`` the first line of each page and the
sha256 the PDF's own.  Raises ``DocumentError`` when pdftotext is missing or fails, or
the PDF has no text layer.
"""
from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

from fundflow.core.errors import DocumentError
from fundflow.core.model import SourceDocument


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


def read_pdf(path: Path, data: bytes) -> SourceDocument:
    """The path and bytes of a PDF → SourceDocument of its text lines with their pages."""
    text = pdf_to_text(path)
    if not text.strip():
        raise DocumentError("the PDF has no text layer (a scan?)", file=path.name, hint="run OCR on it first")
    lines = tuple(text.replace("\r\n", "\n").split("\n"))
    starts = (1, *(i + 1 for i, line in enumerate(lines) if i and line.startswith("\f")))
    return SourceDocument(str(path), path.name, hashlib.sha256(data).hexdigest(), "pdf", lines, "pdf",
                          page_starts=starts)
