"""PDF pages read per second: fundflow's reader (pdfplumber geometry → grids) beside the parts it
could be built on — pdfplumber's words and ruling lines, pypdfium2's characters with their boxes
and path objects, and pdftotext -layout (the text loaders' input).

Run: ``make bench`` (or ``python -m pytest benchmarks/bench_pdf.py --benchmark-only``).  Each
reader reads the same text-layer PDFs of the development corpus (../shared/corpus); the pages per
second are in each benchmark's ``extra_info`` and printed at the end.
"""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

CORPUS = Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus"
PDFS = sorted(p for p in [*CORPUS.glob("cities/*budget*.pdf"), *CORPUS.glob("pdf/*.pdf")] if "notbudget" not in p.name)
RESULTS: dict[str, float] = {}


def _pages() -> int:
    import pypdfium2
    return sum(len(pypdfium2.PdfDocument(p)) for p in PDFS)


def fundflow_reader() -> None:
    from fundflow.loaders.pdf.reader import read_pdf
    for p in PDFS:
        read_pdf(p, p.read_bytes())


def pdfplumber_words_and_rules() -> None:
    import pdfplumber
    for p in PDFS:
        with pdfplumber.open(p) as pdf:
            for page in pdf.pages:
                page.extract_words()
                _ = page.lines, page.rects
                page.close()


def pypdfium2_chars_and_paths() -> None:
    import pypdfium2
    from pypdfium2 import raw
    for p in PDFS:
        pdf = pypdfium2.PdfDocument(p)
        for page in pdf:
            text = page.get_textpage()
            for i in range(text.count_chars()):
                text.get_charbox(i)
            text.get_text_range()
            for obj in page.get_objects(filter=[raw.FPDF_PAGEOBJ_PATH]):
                obj.get_bounds()
        pdf.close()


def pdftotext_layout() -> None:
    for p in PDFS:
        subprocess.run(["pdftotext", "-layout", str(p), "-"], capture_output=True, check=True)


@pytest.mark.parametrize("reader", [fundflow_reader, pdfplumber_words_and_rules, pypdfium2_chars_and_paths,
                                    pdftotext_layout], ids=lambda f: f.__name__)
def test_pdf_pages_per_second(benchmark, reader):
    assert PDFS, f"no corpus PDFs under {CORPUS}"
    pages = _pages()
    benchmark.pedantic(reader, rounds=1, iterations=1)
    rate = pages / benchmark.stats.stats.mean
    benchmark.extra_info.update(pages=pages, pages_per_second=round(rate, 1))
    RESULTS[reader.__name__] = rate
    print(f"\n{reader.__name__}: {pages} pages, {rate:.1f} pages/s")
