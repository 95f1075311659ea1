"""The auditor's report: the same findings and counts from the files and from the store, every
finding with its rule name, one severity and status vocabulary, both sides, and an HTML page.

The findings below are those the README lists for the samples, each read by hand in the text:
anshan L154 `收入预算 1,681.43 元` (R16), L172/L180 `增加 0.73%` (R17), L198 `公务接待费 0.1 万元`
against 表7 (R15), L194 三公 5.4 万元 (R20); shenyang-bureau-2019 部门公开表7 22102 (R04) and the
pre-2019 class names (R21); shenyang-center-2024 L3088 医疗卫生与计划生育支出 (R21). Conservation of
the flows (F01): liaoning-bureau-2024 公开03表 L871 合计 8,943.00 of which 项目 6,518.37, and only
three projects listed (自评表). Attribution (F04): shenyang-bureau-2019 部门公开表8 gives all ten projects
(2,384.56) to 本级, 表10 gives 本级 项目支出 6.00 and 中心 2,378.56.
"""
import json
from html.parser import HTMLParser

import pytest
from click.testing import CliRunner

from fundflow.cli.main import cli
from tests.conftest import SAMPLES

FILES = sorted(str(p) for p in SAMPLES.glob("*.txt") if p.name != "README.md")
README_FINDINGS = {("anshan-center-2026-budget.txt", "R16"), ("anshan-center-2026-budget.txt", "R17"),
                   ("anshan-center-2026-budget.txt", "R15"), ("anshan-center-2026-budget.txt", "R20"),
                   ("shenyang-bureau-2019-budget.txt", "R04"), ("shenyang-bureau-2019-budget.txt", "R21"),
                   ("shenyang-center-2024-budget.txt", "R21"),
                   ("liaoning-bureau-2024-final-accounts.txt", "F01"), ("shenyang-bureau-2019-budget.txt", "F04")}
KEYS = ("document", "rule", "rule_name", "status", "severity", "message", "unit", "expected", "actual",
        "difference", "table", "line", "expected_at", "actual_at")


def _validate(*args):
    r = CliRunner().invoke(cli, ["validate", *args])
    assert r.exit_code == 1, r.output  # the samples have findings
    return r.output


@pytest.fixture(scope="module")
def from_files():
    return json.loads(_validate(*FILES, "--format", "json"))


def test_every_readme_finding_with_its_rule_name(from_files):
    failed = {(f["document"], f["rule"]) for f in from_files["findings"] if f["status"] == "failed"}
    assert failed == README_FINDINGS
    for f in from_files["findings"]:
        assert f["status"] in ("failed", "skipped") and f["severity"] in ("violation", "warning", "info")
        assert f["rule_name"] and f["rule_name"] != f["rule"]


def test_both_sides_in_the_documents_unit(from_files):
    r15 = next(f for f in from_files["findings"] if f["rule"] == "R15")
    assert r15["unit"] == "万元" and (r15["expected"], r15["actual"]) == ("0.00", "0.10")
    assert r15["actual_yuan"] == "1000"
    assert r15["expected_at"][0]["table"] == "表7"
    assert r15["actual_at"] == [{"table": "说明", "first_line": 198, "last_line": 198}]
    assert (r15["table"], r15["line"]) == ("说明", 198)
    r17 = [f for f in from_files["findings"] if f["rule"] == "R17" and f["status"] == "failed"]
    assert sorted(f["line"] for f in r17) == [172, 180] and {f["expected"] for f in r17} == {"0.73"}
    assert {f["unit"] for f in r17} == {"%"}


def test_store_mode_says_the_same(from_files, samples_store_dir):
    stored = json.loads(_validate("--store", str(samples_store_dir), "--format", "json", "--no-shacl"))
    def pick(rows):
        return sorted(json.dumps({k: f[k] for k in KEYS}, ensure_ascii=False) for f in rows)
    assert pick(stored["findings"]) == pick(from_files["findings"])
    assert stored["summary"] == from_files["summary"]
    r04 = next(s for s in stored["summary"] if s["rule"] == "R04")
    assert r04["failed"] == 1 and r04["passed"] > 100 and r04["rule_name"] == "类 = Σ 款 = Σ 项"


def test_table_names_rules_and_counts_checks():
    out = _validate(*FILES)
    assert "failed  R15 narrative amount = table amount [violation]" in out
    assert "(表7 L464 ↔ 说明 L198)" in out
    assert "skip R06 Violation" not in out and "Violation" not in out
    last = out.strip().splitlines()[-1]
    # 11 reconciliation findings + 1 of conservation (Liaoning 2024 局) + 2 of attribution (2019 本级, 中心)
    assert last.startswith("reconciliation: ") and "14 failed, 8 skipped" in last


class _Sections(HTMLParser):
    def __init__(self):
        super().__init__()
        self.sections, self.marks, self._mark = [], [], False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "section" and "finding" in (a.get("class") or ""):
            self.sections.append(a)
        self._mark = tag == "mark" or self._mark

    def handle_endtag(self, tag):
        self._mark = False if tag == "mark" else self._mark

    def handle_data(self, data):
        if self._mark:
            self.marks.append(data)


def test_html_report_lists_every_finding_beside_its_lines(from_files, tmp_path):
    out = tmp_path / "report.html"
    _validate(*FILES, "--format", "html", "-o", str(out))
    page = _Sections()
    page.feed(out.read_text(encoding="utf-8"))
    assert len(page.sections) == len(from_files["findings"])
    shown = {(s["data-document"], s["data-rule"]) for s in page.sections if s["data-status"] == "failed"}
    assert shown == README_FINDINGS
    assert any("公务接待费 0.1 万元" in m for m in page.marks)  # anshan L198, the prose side of R15


def test_html_needs_an_output_file():
    r = CliRunner().invoke(cli, ["validate", FILES[0], "--format", "html"])
    assert r.exit_code == 2 and "needs -o" in r.output
