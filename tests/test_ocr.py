"""Scanned PDFs: refused with a message naming --ocr, or read by OCR (Tesseract chi_sim through OCRmyPDF) and marked.

The scan is made here: a disclosure of ``support.docmodel`` printed as a ruled page with a
text layer (``support.pdfpage.text_pdf``), rasterised at 300 dpi into a PDF that holds only
the image (``scan_pdf``).  The figures the scan must give are the disclosure's own; the
text layer of the same page is the control.  OCR needs OCRmyPDF (the test extra installs
it) and Debian's tesseract-ocr-chi-sim (.ci/run installs it): without them these tests fail.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from support.docmodel import example, expected_lines
from support.pdfpage import scan_pdf, text_pdf
from support.tables import money

from fundflow.cli.main import cli
from fundflow.core.model import BudgetLine, TableIssue
from fundflow.loaders.pdf import ocr
from fundflow.records.pipeline import parse_document

FIGURE = re.compile(r"\d[\d,]*\.\d{2}")


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> tuple[Path, Path]:
    """(the ruled page with its text layer, the same page as a scan) of the example disclosure's 表3."""
    where = tmp_path_factory.mktemp("ocr")
    text = text_pdf(example(), 3, where / "table3.pdf")
    return text, scan_pdf(text, where / "table3-scan.pdf")


@pytest.fixture(scope="module")
def ocr_read(pages):
    return parse_document(pages[1], ocr=True)


def _run(*args: str, **env: str):
    result = CliRunner().invoke(cli, list(args), env=env or None)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    return result


def test_ocr_is_installed():
    assert ocr.missing() == [], f"OCR is not installed: {ocr.missing_message()} (.ci/run and the test extra do)"


def test_the_scan_has_no_text_layer_and_the_page_has_one(pages):
    def text(p: Path) -> str:
        return subprocess.run(["pdftotext", str(p), "-"], capture_output=True, text=True, check=True).stdout

    assert "215,420.45" in text(pages[0])
    assert not text(pages[1]).strip()


def test_a_scan_without_ocr_says_to_read_it_with_ocr(pages):
    r = _run("parse", "--format", "table", str(pages[1]))
    assert r.exit_code == 2
    assert r.output.strip() == ("error: table3-scan.pdf: holds only images (a scan), no text layer to read — read it "
                                "by OCR with --ocr (needs pip install 'fundflow[ocr]' and Debian's "
                                "tesseract-ocr-chi-sim), or find the text version")


def test_ocr_without_tesseract_says_what_to_install(pages, tmp_path):
    bare = tmp_path / "bin"  # a PATH with poppler but no tesseract
    bare.mkdir()
    for tool in ("pdftotext", "pdftoppm"):
        os.symlink(shutil.which(tool), bare / tool)
    for command in (("parse",), ("ingest", "--store", str(tmp_path / "store"))):
        r = _run(*command, "--ocr", str(pages[1]), PATH=str(bare))
        assert r.exit_code == 2
        assert r.output.strip() == ("error: --ocr needs Tesseract (apt-get install tesseract-ocr "
                                    "tesseract-ocr-chi-sim)"), r.output
    assert not (tmp_path / "store").exists()


def test_ocr_without_the_extra_says_to_install_it(pages, monkeypatch):
    real = ocr.importlib.util.find_spec
    monkeypatch.setattr(ocr.importlib.util, "find_spec", lambda name, *a: None if name == "ocrmypdf" else real(name, *a))
    r = _run("parse", "--ocr", str(pages[1]))
    assert r.exit_code == 2
    assert r.output.strip() == "error: --ocr needs OCRmyPDF (pip install 'fundflow[ocr]')"
    with pytest.raises(Exception, match=r"table3-scan\.pdf: holds only images \(a scan\).*--ocr needs OCRmyPDF"):
        parse_document(pages[1], ocr=True)


def test_mending_reads_a_full_stop_between_thousands_as_a_comma():
    assert ocr.mend_figures("210 卫生健康支出 214,164.73 4.517.98 1.234.567.00") == \
        "210 卫生健康支出 214,164.73 4,517.98 1,234,567.00"
    # not figures of that shape: left as printed
    assert ocr.mend_figures("2024.01.15 12.5 1.23 4.517.9 10.000.001") == "2024.01.15 12.5 1.23 4.517.9 10.000.001"


def test_parse_says_on_stderr_which_documents_ocr_read(monkeypatch):
    """``parse --ocr`` of a batch: one warning line for the document read by OCR, none for the other, and the
    figures of both on stdout.  The OCR is a stand-in here (it marks the anshan sample read by OCR);
    test_parse_with_ocr_reads_the_scan_and_says_so runs the real one."""
    import dataclasses
    import json

    from fundflow.records import pipeline
    from tests.conftest import SAMPLES

    real, asked = pipeline.parse_document, []

    def read(path, loader=None, ocr=False):
        asked.append(ocr)
        parsed = real(path, loader)
        if Path(path).name.startswith("anshan"):
            parsed = dataclasses.replace(parsed, source=dataclasses.replace(parsed.source, ocr=True))
        return parsed

    monkeypatch.setattr(pipeline, "parse_document", read)
    files = [SAMPLES / "anshan-center-2026-budget.txt", SAMPLES / "fushun-center-2023-budget.txt"]
    r = CliRunner().invoke(cli, ["parse", "--ocr", "--format", "json", *map(str, files)])
    assert r.exit_code == 0, r.output
    assert asked == [True, True]
    assert r.stderr.splitlines() == ["warning: anshan-center-2026-budget.txt: read by OCR: check figures against the page"]
    docs = json.loads(r.stdout)
    assert [(d["source"]["name"], d["source"]["ocr"]) for d in docs] == [
        ("anshan-center-2026-budget.txt", True), ("fushun-center-2023-budget.txt", False)]
    # anshan L152: 2026 年收支总预算金额 1,681.43 万元
    assert {"topic": "收支总预算金额", "amount": "16814300.00"}.items() <= docs[0]["records"][0].items()


@pytest.mark.slow
def test_parse_with_ocr_reads_the_scan_and_says_so(pages):
    import json

    r = CliRunner().invoke(cli, ["parse", "--ocr", "--format", "json", str(pages[1])])
    assert r.exit_code == 0, r.output
    assert r.stderr.splitlines() == ["warning: table3-scan.pdf: read by OCR: check figures against the page"]
    doc = json.loads(r.stdout)
    assert doc["source"]["ocr"] is True
    totals = {(rec["code"], rec["amount_type"]): rec["amount"] for rec in doc["records"] if rec["_type"] == "BudgetLine"}
    assert Decimal(totals[("210", "Total")]) == Decimal("214164.73") * 10000  # the disclosure's 210 卫生健康支出


@pytest.mark.slow
def test_ocr_reads_every_figure_of_the_page(pages, ocr_read):
    """Tesseract's figures are the page's: the same numbers, in the same order, as the text layer's."""
    printed = FIGURE.findall(subprocess.run(["pdftotext", "-layout", str(pages[0]), "-"], capture_output=True,
                                            text=True, check=True).stdout)
    read = FIGURE.findall("\n".join(ocr_read.source.lines))
    assert sorted(printed) == sorted(money(a, "万元") for r in example().function_rows for a in r.amounts if a)
    assert read == printed


@pytest.mark.slow
def test_the_scan_is_marked_read_by_ocr_and_keeps_its_own_sha256(pages, ocr_read):
    import hashlib

    assert ocr_read.source.ocr and ocr_read.source.format == "pdf"
    assert ocr_read.source.sha256 == hashlib.sha256(pages[1].read_bytes()).hexdigest()
    marks = [i for i in ocr_read.of(TableIssue) if i.kind == "ocr"]
    assert [i.table for i in marks] == ["", *(t.label for t in ocr_read.tables)]
    assert all("read by OCR: check figures against the page" in i.message for i in marks)
    assert ocr_read.meta.fiscal_year == 2024 and ocr_read.meta.money_unit == "万元"
    assert not parse_document(pages[0]).source.ocr  # the page with its text layer is printed text


def test_the_rules_of_a_scan_are_found_in_its_image(pages):
    """The scan's ruling lines, found in its pixels, are the page's: 13 body rows under a two-row header, 7 columns."""
    import pdfplumber

    from fundflow.loaders.pdf.rules import image_rules

    with pdfplumber.open(pages[1]) as pdf:
        page = pdf.pages[0]
        assert not page.chars and not page.edges  # an image only
        horizontal, vertical = image_rules(page)
    assert len(horizontal) == 1 + 1 + 1 + 13  # top, under 基本支出, under the header, under each body row
    assert len(vertical) == 7 + 1
    full = [h for h in horizontal if h["width"] > page.width * 0.8]
    assert len(full) == 15 and {round(h["x0"]) for h in full} == {40}  # the table starts 40 pt from the left edge


@pytest.mark.slow
def test_the_figures_read_by_ocr_are_the_disclosures(ocr_read):
    """Every 表3 figure of the disclosure comes back from the scan, in its column, and every identity holds."""
    from fundflow.checks.reconcile import reconcile

    source = {(code, kind): amount for table, code, kind, amount in expected_lines(example()) if table == "表3"}
    read = {(b.code, b.amount_type): b.amount for b in ocr_read.of(BudgetLine)}
    assert ocr_read.loader == "grid"  # by the cells its rules make, not by alignment
    assert read == source
    assert read[("210", "Total")] == Decimal("214164.73") * 10000
    assert [f.message for f in reconcile(ocr_read) if f.rule in ("R01", "R02", "R04", "R05") and f.status != "held"] == []


@pytest.mark.slow
def test_ingest_with_ocr_stores_the_mark_and_says_so(pages, tmp_path):
    store = tmp_path / "store"
    r = _run("ingest", "--ocr", "--store", str(store), str(pages[1]))
    assert r.exit_code == 0, r.output
    assert "warning: table3-scan.pdf: read by OCR: check figures against the page" in r.output
    assert "documents: 1 ok, 0 failed" in r.output and "issues" not in r.output
    import pyoxigraph as ox

    s = ox.Store.read_only(str(store))
    rows = list(s.query("PREFIX ff: <https://w3id.org/fundflow#> "
                        "SELECT ?f WHERE { GRAPH ?g { ?d ff:readByOcr true ; ff:fileName ?f } }"))
    assert [row["f"].value for row in rows] == ["table3-scan.pdf"]


@pytest.mark.slow
def test_ocr_is_stopped_with_the_document_at_its_time_budget(pages, tmp_path, monkeypatch):
    """Six pages take longer than 2 s to read: the document is skipped, no OCR process is left running, no folder."""
    import tempfile

    long_scan = scan_pdf(pages[0], tmp_path / "six-pages.pdf", copies=6)
    work = tmp_path / "tmp"
    work.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(work))  # the OCR's temporary folder, to find its processes by
    r = _run("ingest", "--ocr", "--doc-timeout", "2", "--store", str(tmp_path / "store"), str(long_scan))
    assert r.exit_code == 2
    assert "six-pages.pdf: took longer than 2 s and was skipped" in r.output
    left = []
    for proc in Path("/proc").iterdir():
        try:
            if str(work).encode() in (proc / "cmdline").read_bytes():
                left.append(proc.name)
        except OSError:
            continue
    assert left == []
    assert list(work.iterdir()) == []  # nor its temporary folder


@pytest.mark.slow
def test_check_with_ocr_reads_the_scan_and_says_so(pages):
    plain = _run("check", str(pages[1]))
    assert plain.exit_code == 2 and "holds only images" in plain.output and "--ocr" in plain.output
    r = _run("check", "--ocr", str(pages[1]))
    assert r.exit_code == 0, r.output
    row = next(line for line in r.output.splitlines() if line.startswith("table3-scan.pdf "))
    assert " 1/1 " in row and "0✗" in row  # its one table read, no identity failed
    assert "table3-scan.pdf: read by OCR: check figures against the page" in r.output


@pytest.mark.slow
def test_validate_with_ocr_reconciles_the_scan_once_read(pages):
    import json

    plain = _run("validate", "--format", "json", str(pages[1]))
    assert plain.exit_code == 2 and "--ocr" in plain.output
    r = CliRunner().invoke(cli, ["validate", "--ocr", "--format", "json", str(pages[1])])
    assert r.exit_code in (0, 1), r.output
    assert "warning: table3-scan.pdf: read by OCR: check figures against the page" in r.stderr
    report = json.loads(r.stdout)
    summary = {s["rule"]: s for s in report["summary"]}
    assert summary["R05"]["passed"] > 0 and summary["R05"]["failed"] == 0  # 合计 = Σ 类 on the figures of the scan
    assert not [f for f in report["findings"] if f["rule"] in ("R01", "R02", "R04", "R05") and f["status"] == "failed"]
