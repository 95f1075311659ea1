"""PDFs are read through pdftotext -layout; without a text layer or with pdftotext failing, one line names the file."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from fundflow.core.errors import DocumentError
from fundflow.core.model import BudgetLine
from fundflow.loaders.document import read_document
from fundflow.records.pipeline import parse_document

CORPUS_PDF = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "pdf"


def test_pdftotext_is_installed():
    assert shutil.which("pdftotext"), "pdftotext is missing: install Debian's poppler-utils (.ci/run does)"


def test_a_published_pdf_is_read_with_its_own_sha256_and_the_layout_loader():
    pdf = CORPUS_PDF / "jiangsu_procuratorate_2019_dept_budget.pdf"
    if not pdf.exists():
        pytest.fail(f"{pdf} is missing: the shared corpus sits beside the project in CI")
    parsed = parse_document(pdf)
    assert parsed.loader == "layout" and parsed.source.encoding == "pdf"
    assert parsed.meta.fiscal_year == 2019 and parsed.meta.department == "江苏省人民检察院"
    lines = {(b.table, b.code, b.amount_type): b.amount for b in parsed.of(BudgetLine)}
    # 公开05表 财政拨款支出预算表: 2040401 行政运行 12,268.62 万元
    assert lines[("表05", "2040401", "Total")] == 122686200
    text_line = parsed.source.lines[next(b for b in parsed.of(BudgetLine) if b.code == "2040401").ref.first_line - 1]
    assert "12,268.62" in text_line


def test_a_pdf_pdftotext_cannot_read_is_a_one_line_error(tmp_path):
    bad = tmp_path / "broken.pdf"
    bad.write_bytes(b"%PDF-1.4\n% not really a pdf\n")
    with pytest.raises(DocumentError) as err:
        read_document(bad)
    assert "broken.pdf" in str(err.value) and "\n" not in str(err.value)
