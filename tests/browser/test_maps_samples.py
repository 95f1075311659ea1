"""Acceptance on the bundled samples: store → flows → map, in headless Chromium with the network off."""
from __future__ import annotations

from pathlib import Path

import pytest
from test_maps import XSS_UNIT, assert_offline_and_clean, hover, open_page, unit_table

from fundflow.outputs.map import load_flows, write_map

SAMPLES = Path(__file__).resolve().parents[2] / "data" / "samples"
SHENYANG = SAMPLES / "shenyang-center-2024-budget.txt"
FUSHUN = SAMPLES / "fushun-center-2023-budget.txt"
READY = "document.body.getAttribute('data-drawn')"


def flows_of(folder: Path, files: list[Path]):
    """Ingest ``files`` into a fresh store under ``folder`` → the flow graph."""
    from fundflow.kg.ingest import ingest_paths
    from fundflow.kg.store import open_store

    store = open_store(folder / "store")
    ingest_paths(store, files, report=lambda _m: None)
    return load_flows(store)


@pytest.fixture(scope="module")
def sample_map(browser, tmp_path_factory):
    folder = tmp_path_factory.mktemp("samples")
    graph = flows_of(folder, sorted(SAMPLES.glob("*.txt")))
    write_map(graph, folder / "flows.html")
    open_page(browser, folder / "flows.html", READY, timeout=20)
    browser.save_screenshot(str(folder / "flows.png"))
    return browser, graph


def test_samples_map_opens_on_the_newest_year_offline_and_readable(sample_map):
    driver, _graph = sample_map
    assert_offline_and_clean(driver)
    assert [p["key"] for p in driver.execute_script("return ffMap.data.periods")] == [
        "2026-budget", "2024-final", "2024-budget", "2023-budget", "2019-budget"]
    assert driver.execute_script("return ffMap.network.getScale() * ffMap.FONT;") >= 12
    for key in ("2024-budget", "2019-budget", "2024-final"):
        driver.execute_script(f"ffMap.show('{key}');")
        assert driver.execute_script("return ffMap.network.getScale() * ffMap.FONT;") >= 12, key


def test_samples_map_of_shenyang_2024_reads_central_provincial_own_and_direct(sample_map):
    driver, _graph = sample_map
    driver.execute_script("ffMap.show('2024-budget');")
    labels = driver.execute_script("return ffMap.nodes.map(function (n) { return n.title.textContent; });")
    assert any(t.startswith("中央财政") for t in labels)
    row = unit_table(driver)["沈阳市医疗保障事务服务中心"]
    # 表1/表9 of the Shenyang 2024 budget: 243,492.11 = 126,771 central + 31,683 provincial + 85,038.11 own;
    # 直达资金 = the four 直达 projects 124,524 + 2,247 + 30,037 + 1,646
    assert [row[k] for k in ("支出合计", "中央", "省级", "本级政府")] == [
        "243,492.11", "126,771.00", "31,683.00", "市级 85,038.11"]
    assert row["直达资金"].startswith("158,454.00")


def test_samples_map_runs_from_central_treasury_to_projects(sample_map):
    driver, _graph = sample_map
    driver.execute_script("ffMap.show('2024-budget');")
    unit = driver.execute_script("return ffMap.data.periods.filter(function (p) { return p.key === '2024-budget'; })[0]"
                                 ".nodes.filter(function (n) { return n.role === 'unit'; })[0].id;")
    driver.execute_script(f"ffMap.toggle({unit});")
    x = driver.execute_script("""
        var pos = ffMap.network.getPositions(), out = {};
        ffMap.nodes.forEach(function (n) {
            var name = n.title.firstChild.textContent, kind = n.title.childNodes[1].textContent.split(" · ")[0];
            if (name === "中央财政") out.central = pos[n.id].x;
            if (kind === "项目") out.project = Math.min(out.project === undefined ? 1e9 : out.project, pos[n.id].x);
        });
        return out;""")
    assert x["central"] < x["project"]


def test_injected_unit_name_in_a_document_never_runs(browser, tmp_path):
    # A tab-separated document keeps the blanks inside a cell, so the name arrives as printed.
    text = FUSHUN.read_text(encoding="utf-8").replace("抚顺市医疗保障事务服务中心", XSS_UNIT)
    doc = tmp_path / "probe-2023-budget.txt"
    doc.write_text(text, encoding="utf-8")
    write_map(flows_of(tmp_path, [doc]), tmp_path / "flows.html")
    open_page(browser, tmp_path / "flows.html", READY)
    tips = browser.execute_script("return ffMap.nodes.map(function (n) { return n.title.textContent; });")
    assert any(XSS_UNIT in t for t in tips)
    hover(browser, XSS_UNIT)
    browser.save_screenshot(str(tmp_path / "probe.png"))
    assert browser.execute_script("return document.querySelectorAll('img').length") == 0
    assert browser.execute_script("return window.__xss") == 0
