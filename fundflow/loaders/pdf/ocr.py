"""A scanned PDF → the same pages with a text layer read by OCR: ``ocr_pdf(path, data, folder)``.

Optional: it needs OCRmyPDF (``pip install 'fundflow[ocr]'``) and Tesseract with its
Simplified Chinese data (Debian's ``tesseract-ocr`` and ``tesseract-ocr-chi-sim``);
``missing()`` says which of them are not installed.  OCRmyPDF runs as a child process of
this one (one core, Tesseract's ``chi_sim`` model, a plain PDF written into ``folder``):
it is in this process's group, so an ingest that stops a document over its time budget
stops its OCR too, and it dies with this process.  The result is read like any PDF by
``pdf.reader``, which marks the document as read by OCR.

``mend_figures(text)``: Tesseract often reads a thousands comma as a full stop
(``4.517.98``); a figure whose every group but the last has three digits and whose last
has two is a figure with thousands separators, and is written with commas.
"""
from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
import sys
from pathlib import Path

from fundflow.core.errors import DocumentError
from fundflow.core.process import death_signal

LANGUAGE = "chi_sim"
_FIGURE = re.compile(r"(?<![\d.,])(\d{1,3}(?:[.,]\d{3})+)\.(\d{2})(?![\d.,])")


def _languages(exe: str) -> set[str]:
    try:
        r = subprocess.run([exe, "--list-langs"], capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.SubprocessError):
        return set()
    return {line.strip() for line in (r.stdout + r.stderr).splitlines()[1:]}


def missing() -> list[str]:
    """What OCR needs and is not installed: [] when ``--ocr`` can run."""
    out = []
    if importlib.util.find_spec("ocrmypdf") is None:
        out.append("OCRmyPDF (pip install 'fundflow[ocr]')")
    tesseract = shutil.which("tesseract")
    if tesseract is None:
        out.append("Tesseract (apt-get install tesseract-ocr tesseract-ocr-chi-sim)")
    elif LANGUAGE not in _languages(tesseract):
        out.append("Tesseract's Simplified Chinese data (apt-get install tesseract-ocr-chi-sim)")
    return out


def missing_message() -> str | None:
    """One sentence saying what to install for ``--ocr``, or None when everything is there."""
    gone = missing()
    return f"--ocr needs {', '.join(gone)}" if gone else None


def ocr_pdf(path: Path, data: bytes, folder: Path) -> Path:
    """The PDF ``data`` (of file ``path``) with a text layer read by Tesseract → the new PDF's path in ``folder``.

    Raises ``DocumentError`` naming the file: OCR not installed, or OCRmyPDF failed.  It has
    no clock of its own: at ingest the reader's process group, OCR included, is stopped at
    the document's time budget (``kg.budget``).
    """
    need = missing_message()
    if need:
        raise DocumentError("holds only images (a scan), no text layer to read", file=path.name,
                            hint=f"{need} to read it by OCR")
    source, target = folder / "scan.pdf", folder / "ocr.pdf"
    source.write_bytes(data)
    cmd = [sys.executable, "-m", "ocrmypdf", "-l", LANGUAGE, "--output-type", "pdf", "--optimize", "0",
           "--jobs", "1", "--quiet", str(source), str(target)]
    proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                          preexec_fn=death_signal(), cwd=folder, check=False)
    if proc.returncode != 0 or not target.exists():
        lines = [ln.strip() for ln in proc.stderr.decode("utf-8", "replace").splitlines() if ln.strip()]
        raise DocumentError(f"OCR failed ({lines[-1] if lines else f'exit {proc.returncode}'})", file=path.name,
                            hint="check that the PDF opens in a viewer; run ocrmypdf -l chi_sim on it to see why")
    return target


def folder_prefix(pid: int) -> str:
    """The name with which the temporary folder of the OCR run by process ``pid`` begins."""
    return f"fundflow-ocr-{pid}-"


def remove_leftovers(pid: int) -> None:
    """Remove the temporary OCR folders of process ``pid``, stopped before it could (at its time budget)."""
    import tempfile

    for folder in Path(tempfile.gettempdir()).glob(folder_prefix(pid) + "*"):
        shutil.rmtree(folder, ignore_errors=True)


def mend_figures(text: str) -> str:
    """OCR'd text with figures like ``4.517.98`` (commas read as full stops) written ``4,517.98``."""
    return _FIGURE.sub(lambda m: m.group(1).replace(".", ",") + "." + m.group(2), text)
