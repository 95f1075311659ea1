"""The command line through click's CliRunner: help, errors, ingest/query/export/demo."""
from __future__ import annotations

import gc
import json
import shutil
from decimal import Decimal
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from fundflow.cli.main import cli
from fundflow.outputs.demo import find_samples
from tests.conftest import make_parsed

COMMANDS = ["parse", "ingest", "query", "export", "demo"]


@pytest.fixture
def runner():
    return CliRunner()


@pytest.fixture
def fake_parse(monkeypatch):
    """parse_document replaced by the hand-built document (named after the file)."""
    def parse_document(path, loader=None, ocr=False):
        path = Path(path)
        if "bad" in str(path):
            from fundflow.core.errors import LayoutError
            raise LayoutError("no loader recognises this layout", file=path.name)
        return make_parsed(path.name, (path.name.encode().hex() * 64)[:64])
    monkeypatch.setattr("fundflow.records.pipeline.parse_document", parse_document)


def _commands(group: click.Group, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command under ``group`` (sub-groups walked too) as its words after ``fundflow``."""
    found = [path]
    for name, command in sorted(group.commands.items()):
        found += _commands(command, path + (name,)) if isinstance(command, click.Group) else [path + (name,)]
    return found


def _command(path: tuple[str, ...]) -> click.Command:
    command: click.Command = cli
    for name in path:
        assert isinstance(command, click.Group)
        command = command.commands[name]
    return command


def test_the_walk_finds_every_command():
    assert set(COMMANDS) | {"trace", "map", "sankey", "validate", "catalog", "serve", "push", "check"} <= {
        p[0] for p in _commands(cli) if p}


@pytest.mark.parametrize("path", _commands(cli), ids=lambda p: " ".join(p) or "fundflow")
def test_every_command_has_help(runner, path):
    r = runner.invoke(cli, [*path, "--help"], prog_name="fundflow")
    assert r.exit_code == 0, r.output
    usage, blank, *rest = r.output.splitlines()
    assert usage.startswith(f"Usage: {' '.join(('fundflow', *path))} ") and not blank, usage
    paragraph = "".join(rest[:rest.index("")] if "" in rest else rest).replace(" ", "")
    summary = _command(path).get_short_help_str(limit=1000).replace(" ", "")
    assert len(summary) > 20 and paragraph.startswith(summary.rstrip(".")), r.output
    for option in _command(path).params:
        if isinstance(option, click.Option) and option.name not in ("help", "version"):
            assert option.help, f"{' '.join(path)} {option.opts[-1]} has no help text"
            assert option.opts[-1] in r.output


def test_group_help_lists_commands(runner):
    r = runner.invoke(cli, ["--help"])
    assert all(c in r.output for c in COMMANDS)


def test_ingest_query_export(runner, tmp_path, fake_parse):
    docs = tmp_path / "docs"
    docs.mkdir()
    for name in ("a.txt", "b.md", "skip.docx"):
        (docs / name).write_text("x", encoding="utf-8")
    store = str(tmp_path / "s")
    r = runner.invoke(cli, ["ingest", str(docs), "--store", store])
    assert r.exit_code == 0, r.output
    assert "documents: 2 ok, 0 failed" in r.output and "2 illegible" in r.output
    assert "ingesting" not in r.output  # no progress bar when stderr is no terminal
    r = runner.invoke(cli, ["query", "projects", "--store", store, "--format", "json"])
    rows = json.loads(r.output)["results"]["bindings"]
    assert max(Decimal(b["amount"]["value"]) for b in rows) == Decimal(1245240000)
    assert len(rows) == 2  # both files describe the same two projects
    r = runner.invoke(cli, ["query", "units", "--store", store, "--format", "csv"])
    assert r.output.splitlines()[0].startswith("unitCode,unit")
    r = runner.invoke(cli, ["query", "documents", "--store", store])
    assert "a.txt" in r.output and "(2 rows)" in r.output
    out = tmp_path / "all.nt"
    r = runner.invoke(cli, ["export", "--format", "nt", "-o", str(out), "--store", store])
    assert r.exit_code == 0 and out.stat().st_size > 1000


def test_query_from_stdin_and_file(runner, tmp_path, fake_parse):
    (tmp_path / "a.txt").write_text("x")
    store = str(tmp_path / "s")
    runner.invoke(cli, ["ingest", str(tmp_path / "a.txt"), "--store", store])
    r = runner.invoke(cli, ["query", "-", "--store", store, "--format", "csv"],
                      input="SELECT (COUNT(*) AS ?n) WHERE { ?i a ff:Indicator }")
    assert r.output.split() == ["n", "2"]
    q = tmp_path / "q.rq"
    q.write_text("ASK { ?p ff:amount ?a FILTER(?a = 1245240000) }")
    r = runner.invoke(cli, ["query", str(q), "--store", store, "--format", "json"])
    assert json.loads(r.output) == {"head": {}, "boolean": True}


def test_failing_document_does_not_stop_the_batch(runner, tmp_path, fake_parse):
    for name in ("good.txt", "bad.txt"):
        (tmp_path / name).write_text("x")
    r = runner.invoke(cli, ["ingest", str(tmp_path / "bad.txt"), str(tmp_path / "good.txt"),
                            "--store", str(tmp_path / "s")])
    assert r.exit_code == 1
    assert "bad.txt" in r.output and "documents: 1 ok, 1 failed" in r.output
    gc.collect()  # the first ingest's store lives on in a reference cycle until collected (a process would have
    # ended): without this the second ingest waits the whole LOCK_WAIT for its lock
    r = runner.invoke(cli, ["ingest", str(tmp_path / "bad.txt"), "--store", str(tmp_path / "s")])
    assert r.exit_code == 2


def test_errors_are_one_line_exit_2(runner, tmp_path):
    r = runner.invoke(cli, ["query", "no-such-query", "--store", str(tmp_path / "s")])
    assert r.exit_code == 2 and r.output.count("\n") == 1 and "projects" in r.output
    assert "Traceback" not in r.output
    r = runner.invoke(cli, ["export", "--store", str(tmp_path / "missing")])
    assert r.exit_code == 2 and "no store" in r.output
    (tmp_path / "s").mkdir()
    (tmp_path / "bad.rq").write_text("SELEC nothing")
    r = runner.invoke(cli, ["query", str(tmp_path / "bad.rq"), "--store", str(tmp_path / "s")])
    assert r.exit_code == 2 and "invalid SPARQL" in r.output


def test_parse_json_and_table(runner, tmp_path, fake_parse):
    f = tmp_path / "a.txt"
    f.write_text("x")
    data = json.loads(runner.invoke(cli, ["parse", str(f)]).output)
    assert data["_type"] == "ParsedDocument" and data["meta"]["fiscal_year"] == 2024
    assert any(r["_type"] == "Project" and r["amount"] == "1245240000.00" for r in data["records"])
    r = runner.invoke(cli, ["parse", str(f), "--format", "table"])
    assert "a.txt" in r.output and "Project" in r.output


def test_demo_ingests_samples_and_writes_turtle(runner, tmp_path, fake_parse, monkeypatch):
    samples = tmp_path / "data" / "samples"
    samples.mkdir(parents=True)
    (samples / "one.txt").write_text("x")
    monkeypatch.chdir(tmp_path)
    r = runner.invoke(cli, ["demo", "--store", str(tmp_path / "s"), "--out", str(tmp_path / "exports")])
    assert r.exit_code == 0, r.output
    assert (tmp_path / "exports" / "fundflow.ttl").stat().st_size > 1000
    for name in ("fundflow.xlsx", "datapackage/datapackage.json", "datapackage/data/budget-lines.csv", "fundflow.jsonld"):
        assert (tmp_path / "exports" / name).stat().st_size > 100, name
    assert find_samples(tmp_path / "data") == samples


def test_ingest_of_a_folder_skips_its_notes(tmp_path):
    from tests.conftest import SAMPLES

    docs = tmp_path / "docs"
    (docs / ".cache").mkdir(parents=True)
    shutil.copy(SAMPLES / "anshan-center-2026-budget.txt", docs)
    shutil.copy(SAMPLES / "README.md", docs / "README.md")
    (docs / "LICENSE.txt").write_text("Licensed under …", encoding="utf-8")
    (docs / ".cache" / "old.txt").write_text("x", encoding="utf-8")
    r = CliRunner().invoke(cli, ["ingest", str(docs), "--store", str(tmp_path / "s")])
    assert r.exit_code == 0, r.output
    assert "documents: 1 ok, 0 failed" in r.stdout
    assert all(f"skipped {docs / n}" in r.stderr for n in ("README.md", "LICENSE.txt", ".cache/old.txt"))
    named = CliRunner().invoke(cli, ["ingest", str(docs / "README.md"), "--store", str(tmp_path / "s")])
    assert named.exit_code == 2 and "README.md" in named.output  # named directly, it is read (and refused)
