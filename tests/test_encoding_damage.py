"""Encoding damage is located, not fatal (finding 6): what decodes is read, the damage is named by byte and line."""
from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from fundflow.cli.main import cli
from fundflow.core.model import BudgetLine, TableIssue
from fundflow.loaders.encoding import decode_located
from fundflow.records.pipeline import parse_document

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples"
ANSHAN = SAMPLES / "anshan-center-2026-budget.txt"


def test_one_flipped_byte_in_the_prose_loses_nothing_of_the_tables(tmp_path):
    data = ANSHAN.read_bytes()
    at = data.index("第一条".encode())  # the prose of the publication rules, outside every table
    line = data[:at].count(b"\n") + 1
    flipped = bytearray(data)
    flipped[at + 1] ^= 0xFF
    (tmp_path / "flipped.txt").write_bytes(bytes(flipped))
    good, bad = parse_document(ANSHAN), parse_document(tmp_path / "flipped.txt")
    assert bad.source.encoding == "utf-8"
    assert len(bad.of(BudgetLine)) == len(good.of(BudgetLine)) > 0
    damaged = [i for i in bad.of(TableIssue) if i.kind == "damaged"]
    assert damaged and all(i.ref.first_line == line for i in damaged)
    assert f"byte {at}" in damaged[0].message and "outside the tables" in damaged[0].message


def test_a_file_cut_inside_its_last_character_stays_utf8():
    data = "收入总计\t1,681.43\n合计".encode()
    text, encoding, damage = decode_located(data[:-1], "cut.txt")
    assert encoding == "utf-8" and text.startswith("收入总计\t1,681.43\n合")
    assert damage == ((len(data) - 3, 2),)


def test_gb18030_and_utf16_still_read_without_damage():
    text = ANSHAN.read_text(encoding="utf-8")
    for enc in ("gb18030", "utf-16"):
        decoded, _encoding, damage = decode_located(text.encode(enc), "x.txt")
        assert decoded.lstrip("\ufeff") == text and damage == ()


def test_parse_cli_reads_a_damaged_file(tmp_path):
    data = bytearray(ANSHAN.read_bytes())
    data[data.index("第二条".encode()) + 2] = 0xFF
    (tmp_path / "d.txt").write_bytes(bytes(data))
    r = CliRunner().invoke(cli, ["parse", "--format", "table", str(tmp_path / "d.txt")])
    assert r.exit_code == 0 and "BudgetLine" in r.output and "TableIssue" in r.output
