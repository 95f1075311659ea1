"""Acceptance on the bundled samples: store → flows → map, in headless Chromium with the network off."""
from __future__ import annotations

import time
from pathlib import Path

import pytest
from test_maps import XSS_UNIT, assert_offline_and_clean, hover, open_page, unit_table

from fundflow.outputs.map import load_flows, write_map
from fundflow.outputs.sankey import write_sankey

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


LABELS_JS = """return ffMap.nodes.get().map(function (n) { return n.label || ""; });"""


def test_samples_map_opens_on_the_year_with_most_money_offline_and_readable(sample_map):
    driver, _graph = sample_map
    assert_offline_and_clean(driver)
    # the selector lists every period, newest first; the page opens on 2024年预算, whose 243,492.11 万元
    # (Shenyang center, 表1) is the most of any period — not on the newest, Anshan 2026's 1,681.43
    assert [p["key"] for p in driver.execute_script("return ffMap.data.periods")] == [
        "2026-budget", "2024-final", "2024-budget", "2023-budget", "2019-budget"]
    assert driver.execute_script("return document.getElementById('ff-period').value") == "2024-budget"
    assert "2024年预算" in driver.execute_script("return document.getElementById('ff-title').textContent")
    assert "2024年预算" in driver.title
    shown = driver.execute_script("return document.getElementById('ff-shown').textContent")
    assert shown.startswith("默认显示2024年预算") and "243,492.11 万元" in shown and "共 5 期" in shown
    # every label of the default view drawn at 12 px or more, each with its amount in 万元
    assert driver.execute_script("return ffMap.network.getScale() * ffMap.FONT;") >= 12
    labels = [x for x in driver.execute_script(LABELS_JS) if x]
    assert labels and all(x.split("\n")[1].endswith(" 万元") for x in labels)  # name, amount (, projects folded)
    assert "沈阳市医疗保障事务服务中心" in " ".join(labels) and "243,492.11 万元" in " ".join(labels)
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


# Each column heading of the Sankey as (text, centre x in px)
HEADINGS_JS = """return Array.from(document.querySelectorAll('#ff-sankey .annotation-text')).map(function (t) {
    var r = t.getBoundingClientRect(), box = document.querySelector('#ff-sankey .sankey').getBoundingClientRect();
    return [t.textContent, (r.left + r.right) / 2 - box.left]; });"""


def _wait(driver, ready_js: str, timeout: float = 10.0) -> None:
    end = time.monotonic() + timeout
    while not driver.execute_script(f"return !!({ready_js});"):
        assert time.monotonic() < end, f"page not ready: {ready_js}"
        time.sleep(0.05)


def _settled(driver, nodes_js: str, timeout: float = 10.0) -> dict:
    """The Sankey's nodes once plotly's transition to the figure shown is over (two reads alike)."""
    end, last = time.monotonic() + timeout, None
    while True:
        now = dict(driver.execute_script(nodes_js))
        if now == last:
            return now
        assert time.monotonic() < end, "the Sankey never settled"
        last = now
        time.sleep(0.3)


def _under(x: float, heads: list) -> str:
    """The heading nearest a node's x (the node is 18 px wide)."""
    return min(heads, key=lambda h: abs(h[1] - (x + 9)))[0]


@pytest.fixture(scope="module")
def sample_sankey(browser, tmp_path_factory):
    folder = tmp_path_factory.mktemp("samples-sankey")
    write_sankey(flows_of(folder, sorted(SAMPLES.glob("*.txt"))), folder / "sankey.html")
    open_page(browser, folder / "sankey.html", "document.body.getAttribute('data-period')", timeout=30)
    browser.save_screenshot(str(folder / "sankey.png"))
    return browser


def test_samples_sankey_opens_on_2024_with_the_year_in_its_title_and_levels_in_columns(sample_sankey):
    from test_maps import NODES_JS

    driver = sample_sankey
    assert_offline_and_clean(driver)
    assert driver.execute_script("return document.body.getAttribute('data-period')") == "2024-budget"
    assert "2024年预算" in driver.execute_script("return document.querySelector('.gtitle').textContent")
    assert driver.execute_script("return document.getElementById('ff-shown').textContent").startswith("默认显示2024年预算")
    x = dict(driver.execute_script(NODES_JS))
    # Shenyang 2024: 中央 → 辽宁省 → 沈阳市 → 局 → 中心 → 类 210, each a column of its own, left to right
    order = ["中央财政", "辽宁省财政", "沈阳市财政", "沈阳市医疗保障局", "沈阳市医疗保障事务服务中心", "210 卫生健康支出"]
    assert [x[k] for k in order] == sorted(x[k] for k in order) and len({x[k] for k in order}) == len(order)
    heads = driver.execute_script(HEADINGS_JS)
    assert [h for h, _c in heads] == ["中央财政", "省级财政", "市级财政", "主管部门", "实施单位", "支出科目（类）", "支出科目（款）"]
    columns = dict(zip(order, ["中央财政", "省级财政", "市级财政", "主管部门", "实施单位", "支出科目（类）"], strict=True))
    assert all(_under(x[k], heads) == columns[k] for k in order)
    sizes = driver.execute_script("""return Array.from(document.querySelectorAll('#ff-sankey .sankey-node text'))
        .map(function (t) { return parseFloat(getComputedStyle(t).fontSize); });""")
    assert sizes and min(sizes) >= 12  # every node label readable
    row = driver.execute_script("""var r = Array.from(document.querySelectorAll('#ff-units tr')).map(function (tr) {
        return Array.from(tr.children).map(function (c) { return c.textContent; }); }); return r;""")
    head, center = row[0], next(r for r in row if r[0] == "沈阳市医疗保障事务服务中心")
    got = dict(zip(head, center))
    # 表1/表9: 243,492.11 = 126,771 central + 31,683 provincial + 85,038.11 own; 直达 158,454 (65.1%)
    assert [got[k] for k in ("支出合计", "中央", "省级", "本级政府")] == ["243,492.11", "126,771.00", "31,683.00",
                                                                   "市级 85,038.11"]
    assert got["直达资金"].startswith("158,454.00")


def test_samples_sankey_keeps_the_provincial_bureau_in_the_department_column(sample_sankey):
    from test_maps import NODES_JS

    driver = sample_sankey
    driver.execute_script("ffSankey.show('2024-final');")
    _wait(driver, "document.body.getAttribute('data-period') === '2024-final'")
    assert "2024年决算" in driver.execute_script("return document.querySelector('.gtitle').textContent")
    heads = driver.execute_script(HEADINGS_JS)
    assert [h for h, _c in heads] == ["省级财政", "主管部门", "实施单位", "支出科目（类）"]  # no 市财政 in a 省 决算
    x = _settled(driver, NODES_JS)
    assert "中央财政" not in x  # no central money in the 决算's flows
    assert _under(x["辽宁省财政"], heads) == "省级财政" and _under(x["辽宁省医疗保障局"], heads) == "主管部门"
    assert _under(x["辽宁省医疗保障事务服务中心"], heads) == "实施单位"
    driver.execute_script("ffSankey.show('2024-budget');")
    _wait(driver, "document.body.getAttribute('data-period') === '2024-budget'")
