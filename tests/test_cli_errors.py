"""What a user of the command line sees when a command cannot do (all of) its work: one line naming what
failed and exit 2, or exit 1 when some of a batch was done; and what ``check -v`` and a terminal add."""
from __future__ import annotations

import json
import os
import pty
import socket
import subprocess
import sys

import pytest
from click.testing import CliRunner

from fundflow.cli.main import cli, main
from tests.conftest import SAMPLES

ANSHAN = SAMPLES / "anshan-center-2026-budget.txt"
FUSHUN = SAMPLES / "fushun-center-2023-budget.txt"
ROOT = SAMPLES.parents[1]
# anshan L152: 2026 年收支总预算金额 1,681.43 万元, in yuan as the graph holds it
ANSHAN_TOTAL = '"16814300.00"^^<http://www.w3.org/2001/XMLSchema#decimal>'


@pytest.fixture
def notes(tmp_path):
    """A text file that is no disclosure."""
    path = tmp_path / "notes.txt"
    path.write_text("这不是预算。\n", encoding="utf-8")
    return path


def _one_error_line(stderr: str, *words: str) -> str:
    """The stderr of a command that failed → its one ``error:`` line (which must name ``words``)."""
    lines = [ln for ln in stderr.splitlines() if ln.startswith("error: ")]
    assert len(lines) == 1 and "Traceback" not in stderr, stderr
    assert all(w in lines[0] for w in words), lines[0]
    return lines[0]


def test_parse_nquads_writes_the_readable_file_and_names_the_other(tmp_path, notes):
    folder = tmp_path / "nq"
    r = CliRunner().invoke(cli, ["parse", "--nquads", str(folder), str(ANSHAN), str(notes)])
    assert r.exit_code == 1, r.output
    _one_error_line(r.stderr, "notes.txt", "no loader recognises this layout")
    assert r.stdout.strip() == f"documents: 1 written to {folder}, 1 failed"
    assert [p.name for p in folder.iterdir()] == ["anshan-center-2026-budget.txt.nq"]
    assert ANSHAN_TOTAL in (folder / "anshan-center-2026-budget.txt.nq").read_text(encoding="utf-8")


def test_parse_nquads_of_nothing_readable_exits_2(tmp_path, notes):
    folder = tmp_path / "nq"
    r = CliRunner().invoke(cli, ["parse", "--nquads", str(folder), str(notes)])
    assert r.exit_code == 2, r.output
    _one_error_line(r.stderr, "notes.txt")
    assert r.stdout.strip() == f"documents: 0 written to {folder}, 1 failed"
    assert not list(folder.iterdir())


def test_ingest_of_a_folder_without_documents_is_one_line_and_no_store(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "README.md").write_text((SAMPLES / "README.md").read_text(encoding="utf-8"), encoding="utf-8")
    r = CliRunner().invoke(cli, ["ingest", str(docs), "--store", str(tmp_path / "s")])
    assert r.exit_code == 2, r.output
    _one_error_line(r.stderr, "no documents found")
    assert f"skipped {docs / 'README.md'}" in r.stderr
    assert not (tmp_path / "s").exists()


@pytest.mark.parametrize(("fmt", "hint"), [("xlsx", "-o fundflow.xlsx"), ("datapackage", "-o DIR")])
def test_export_to_a_file_format_needs_an_output(tmp_path, fmt, hint):
    r = CliRunner().invoke(cli, ["export", "--format", fmt, "--store", str(tmp_path / "s")])
    assert r.exit_code == 2, r.output
    _one_error_line(r.stderr, f"--format {fmt} needs -o", hint)
    assert r.stdout == "" and not list(tmp_path.iterdir())


def test_a_bug_is_one_line_unless_debugging(monkeypatch, capsys):
    def broken(_paths, _ocr=False):
        raise KeyError("年度")

    monkeypatch.setattr("fundflow.cli.check.check_paths", broken)
    monkeypatch.delenv("FUNDFLOW_DEBUG", raising=False)
    with pytest.raises(SystemExit) as stopped:
        main(["check", str(ANSHAN)])
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert err == "error: internal error: KeyError: '年度' (set FUNDFLOW_DEBUG=1 for details)\n"
    monkeypatch.setenv("FUNDFLOW_DEBUG", "1")
    with pytest.raises(KeyError, match="年度"):
        main(["check", str(ANSHAN)])


def test_check_verbose_lists_each_failed_identity_of_the_document():
    r = CliRunner().invoke(cli, ["check", "-v", str(ANSHAN)])
    assert r.exit_code == 0, r.output
    failed = [ln.split(": ", 2)[2] for ln in r.output.splitlines()
              if ln.startswith("anshan-center-2026-budget.txt: identity failed: ")]
    # L154 收入预算 1,681.43 元 (万元 everywhere else); L172 and L180 比上年增加 1.23 万元，增加 0.73% of 1,681.43 万元
    # (1.23 / 1,680.20 is 0.07%); L194 三公 5.4 万元 but its items 0 + 0.1 + 5.4 万元 are 5.5; L198 公务接待费 0.1 万元
    # where 表7 leaves it empty
    assert sorted(f.split(":")[0] for f in failed) == ["R15", "R16", "R17", "R17", "R20"]
    assert any(f.startswith("R16: 说明 L154") and "1681.43 元" in f for f in failed)
    assert [f.split(":")[1].strip() for f in failed if f.startswith("R17")] == ["说明 L172", "说明 L180"]
    assert any(f.startswith("R20: 说明 L194") and "printed 5.40 万元, recomputed 5.50 万元" in f for f in failed)
    summary = r.output.splitlines()[-1]
    assert summary.startswith("documents read: 1/1;") and "5 failed" in summary


def test_check_json_has_the_documents_figures():
    r = CliRunner().invoke(cli, ["check", "--format", "json", str(ANSHAN)])
    assert r.exit_code == 0, r.output
    (doc,) = json.loads(r.output)
    assert (doc["file"], doc["year"], doc["error"]) == ("anshan-center-2026-budget.txt", 2026, None)
    assert doc["projects"] == 2  # L232: 实际编制项目绩效目标 2 个
    assert doc["failed"] == len(doc["failed_rules"]) == 5


def test_serve_on_a_port_in_use_is_one_line(samples_store_dir):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        r = CliRunner().invoke(cli, ["serve", "--store", str(samples_store_dir), "--port", str(port)])
    assert r.exit_code == 2, r.output
    _one_error_line(r.stderr, f"cannot listen on 127.0.0.1:{port}", "choose another --port")
    assert "SPARQL endpoint" not in r.stderr


def test_ingest_on_a_terminal_shows_its_progress(tmp_path):
    terminal, other_end = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "fundflow.cli.main", "ingest", "--store", str(tmp_path / "s"),
                             str(ANSHAN), str(FUSHUN)], stdout=subprocess.PIPE, stderr=other_end, text=True, cwd=ROOT)
    os.close(other_end)
    shown = b""
    while True:
        try:
            chunk = os.read(terminal, 4096)
        except OSError:  # the command closed the terminal's other end
            break
        if not chunk:
            break
        shown += chunk
    os.close(terminal)
    out, _ = proc.communicate(timeout=300)
    assert proc.returncode == 0, shown
    assert "documents: 2 ok, 0 failed" in out
    text = shown.decode()
    assert "ingesting" in text and "100%" in text, text
