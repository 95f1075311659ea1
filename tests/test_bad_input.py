"""Bad input through the command line: one line naming the file, exit 2 when nothing is read, no traceback."""
from __future__ import annotations

import random
from pathlib import Path

import pytest
from click.testing import CliRunner

from fundflow.cli.main import cli

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples"
ANSHAN = SAMPLES / "anshan-center-2026-budget.txt"


def _run(*args: str):
    result = CliRunner().invoke(cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    return result


def _unreadable(path: Path) -> None:
    r = _run("parse", "--format", "table", str(path))
    assert r.exit_code == 2
    lines = [line for line in r.output.splitlines() if line.strip()]
    assert len(lines) == 1 and path.name in lines[0] and "—" in lines[0]  # names the file and says what to do


def test_empty_file(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    _unreadable(tmp_path / "empty.txt")


def test_binary_file(tmp_path):
    (tmp_path / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    _unreadable(tmp_path / "image.png")


def test_random_bytes(tmp_path):
    rng = random.Random(7)
    (tmp_path / "noise.txt").write_bytes(bytes(rng.randrange(256) for _ in range(4000)))
    _unreadable(tmp_path / "noise.txt")


def test_non_budget_text(tmp_path):
    (tmp_path / "story.txt").write_text("Once upon a time there was no budget table at all.\n" * 20)
    _unreadable(tmp_path / "story.txt")


def test_single_line_of_50_megabytes(tmp_path):
    (tmp_path / "long.txt").write_bytes(b"a" * 50_000_000)
    _unreadable(tmp_path / "long.txt")


@pytest.mark.parametrize(("encoding", "crlf"), [("gb18030", False), ("gbk", False), ("utf-16", False), ("utf-8", True)])
def test_encodings_and_line_ends_read_like_utf8(tmp_path, encoding, crlf):
    text = ANSHAN.read_text(encoding="utf-8")
    if crlf:
        text = text.replace("\n", "\r\n")
    target = tmp_path / f"anshan-{encoding}.txt"
    target.write_bytes(text.encode(encoding, errors="replace" if encoding == "gbk" else "strict"))
    expected = _run("parse", "--format", "table", str(ANSHAN)).output.splitlines()[-1]
    r = _run("parse", "--format", "table", str(target))
    assert r.exit_code == 0 and r.output.splitlines()[-1] == expected


def test_truncated_document_loads_what_is_there(tmp_path):
    data = (SAMPLES / "shenyang-center-2024-budget.txt").read_bytes()[:60000]
    (tmp_path / "cut.txt").write_bytes(data[:-1])  # may end inside a UTF-8 character
    r = _run("parse", "--format", "table", str(tmp_path / "cut.txt"))
    assert r.exit_code == 0 and "BudgetLine" in r.output


def test_garbled_number_is_reported_with_its_line(tmp_path):
    from fundflow.core.model import TableIssue
    from fundflow.records.pipeline import parse_document

    text = ANSHAN.read_text(encoding="utf-8")
    cell = "\t1,309.94\t"  # a table cell, not the prose
    garbled_line = text[: text.index(cell)].count("\n") + 1
    (tmp_path / "garbled.txt").write_text(text.replace(cell, "\t1,3O9.94\t", 1), encoding="utf-8")
    r = _run("parse", "--format", "table", str(tmp_path / "garbled.txt"))
    assert r.exit_code == 0
    issues = parse_document(tmp_path / "garbled.txt").of(TableIssue)
    assert any(i.ref.first_line <= garbled_line <= i.ref.last_line for i in issues)


def test_partly_illegible_document_reports_the_rest():
    from fundflow.core.model import BudgetLine, TableIssue
    from fundflow.records.pipeline import parse_document

    parsed = parse_document(SAMPLES / "fushun-center-2023-budget.txt")
    assert parsed.of(BudgetLine)
    assert sum(1 for i in parsed.of(TableIssue) if i.kind == "illegible") >= 5


def test_batch_goes_on_and_names_the_failed(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    r = CliRunner().invoke(cli, ["ingest", "--store", str(tmp_path / "store"), str(ANSHAN), str(tmp_path / "empty.txt")])
    assert r.exit_code == 1, r.output
    assert "1 ok, 1 failed" in r.output and "failed:\n  " in r.output and "empty.txt" in r.output.split("failed:")[1]
