"""Acceptance on the bundled samples: store → flows → map, in headless Chromium with the network off."""
from __future__ import annotations

from pathlib import Path

import pytest
from test_maps import XSS_UNIT, assert_offline_and_clean, hover, open_page

from fundflow.outputs.map import load_flows, write_map

SAMPLES = Path(__file__).resolve().parents[2] / "data" / "samples"
SHENYANG = SAMPLES / "shenyang-center-2024-budget.txt"
FUSHUN = SAMPLES / "fushun-center-2023-budget.txt"
READY = "document.body.getAttribute('data-drawn')"


def flows_of(folder: Path, files: list[Path]):
    """Ingest ``files`` into a fresh store under ``folder`` → the flow graph."""
    pytest.importorskip("fundflow.outputs.flowgraph", reason="flow tracing (kg.flows) not in this tree yet")
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


def test_samples_map_draws_every_node_offline(sample_map):
    driver, graph = sample_map
    assert_offline_and_clean(driver)
    assert driver.execute_script("return [ffMap.nodes.length, ffMap.edges.length];") == [
        graph.number_of_nodes(), graph.number_of_edges()]
    labels = driver.execute_script("return ffMap.nodes.map(function (n) { return n.title.textContent; });")
    assert any(t.startswith("中央财政") for t in labels)


def test_samples_map_runs_from_central_treasury_to_projects(sample_map):
    driver, _graph = sample_map
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
