"""``fundflow check`` over the development corpus (../shared/corpus): what a user sees per document."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from fundflow.cli.main import cli

CORPUS = Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus"
EXPECTED = {g["file"]: g for g in json.loads((CORPUS / "cities" / "expected.json").read_text(encoding="utf-8"))}


@pytest.mark.slow
def test_check_over_the_corpus():
    result = CliRunner().invoke(cli, ["check", "--format", "json", str(CORPUS)])
    assert result.exit_code == 1, result.output  # some files are not budgets
    docs = {d["file"]: d for d in json.loads(result.output)}
    assert len(docs) == 32
    for name, d in docs.items():
        if "notbudget" in name or name.endswith("_page.html") or "corrupted" in name:
            continue
        assert d["error"] is None, name
        if name in EXPECTED:
            assert d["year"] == EXPECTED[name]["year"], name
    for name in ("baoding_fgw_notbudget_scanned_notice.pdf", "heze_sfj_notbudget_scanned_notice.pdf"):
        assert "no text layer" in docs[name]["error"]
    read = [d for d in docs.values() if d["error"] is None]
    columns = sum(d["columns"] for d in read)
    unknown = sum(len(d["unknown_columns"]) for d in read)
    assert columns > 500 and unknown * 20 < columns, (unknown, columns)  # under 5% not understood
    # the corpus PDFs' own arithmetic mostly holds where we read it
    held, failed = sum(d["held"] for d in read), sum(d["failed"] for d in read)
    assert held > 20 * failed


def test_check_one_document_table(tmp_path):
    pdf = CORPUS / "cities" / "huzhou_czj_2026_dept_budget.pdf"
    result = CliRunner().invoke(cli, ["check", str(pdf)])
    assert result.exit_code == 0, result.output
    row = result.output.splitlines()[1].split()
    assert row[:5] == ["huzhou_czj_2026_dept_budget.pdf", "2026", "department", "budget", "湖州市财政局"]
    assert row[9] == "7"  # 表10 lists seven projects
    assert "documents read: 1/1" in result.output


def test_check_a_file_that_is_no_budget(tmp_path):
    bad = tmp_path / "notes.txt"
    bad.write_text("这不是预算。\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", str(bad)])
    assert result.exit_code == 2
    assert "notes.txt" in result.output and "not read" in result.output
