"""The auditor's HTML report in headless Chromium, offline: every finding shown, each side's lines marked."""
from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from test_maps import assert_offline_and_clean, open_page

from fundflow.cli.main import cli

SAMPLES = Path(__file__).resolve().parents[2] / "data" / "samples"


def test_report_shows_every_finding_beside_its_lines(browser, tmp_path):
    files = [str(p) for p in sorted(SAMPLES.glob("*.txt"))]
    page = tmp_path / "report.html"
    runner = CliRunner()
    assert runner.invoke(cli, ["validate", *files, "--format", "html", "-o", str(page)]).exit_code == 1
    findings = json.loads(runner.invoke(cli, ["validate", *files, "--format", "json"]).output)["findings"]
    open_page(browser, page, "document.readyState === 'complete'")
    browser.save_screenshot(str(tmp_path / "report.png"))
    assert_offline_and_clean(browser)
    shown = browser.execute_script("""return Array.from(document.querySelectorAll('section.finding')).map(s =>
        [s.dataset.document, s.dataset.rule, s.dataset.status, s.querySelectorAll('mark').length,
         s.getBoundingClientRect().height]);""")
    assert len(shown) == len(findings)
    assert all(height > 0 for *_x, height in shown)
    r15 = [s for s in shown if s[1] == "R15"]
    assert r15 and r15[0][3] >= 2  # 表7 L464 and 说明 L198 both marked
    marked = browser.execute_script("return Array.from(document.querySelectorAll('mark')).map(m => m.textContent);")
    assert any("公务接待费 0.1 万元" in m for m in marked)  # anshan L198
