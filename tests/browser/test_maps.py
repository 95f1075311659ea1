"""The flow map and the Sankey in headless Chromium, offline: drawn, complete, and inert to injected markup."""
from __future__ import annotations

import time

import pytest
from mapgraph import file_url, flow_graph, page_requests, two_years

from fundflow.outputs.map import flow_view, write_map
from fundflow.outputs.sankey import flows_to_sankey, write_sankey

XSS_UNIT = "<img src=x onerror=alert(1)>"
XSS_PROJECT = "</script><script>alert(2)</script><!--提前下达中央财政直达资金"


def open_page(driver, path, ready_js: str, timeout: float = 10.0) -> None:
    """Load ``path`` from file:// and wait until ``ready_js`` is true; clears the logs first."""
    driver.get_log("browser"), driver.get_log("performance")
    driver.get(file_url(path))
    end = time.monotonic() + timeout
    while not driver.execute_script(f"return !!({ready_js});"):
        assert time.monotonic() < end, f"page not ready: {ready_js}"
        time.sleep(0.05)


def assert_offline_and_clean(driver) -> None:
    errors = [e for e in driver.get_log("browser") if e["level"] in ("SEVERE", "WARNING")]
    assert errors == []
    remote = [u for u in page_requests(driver) if not u.startswith(("file://", "data:"))]
    assert remote == []


INK_JS = """
    var c = document.querySelector(arguments[0]), ctx = c.getContext("2d");
    var px = ctx.getImageData(0, 0, c.width, c.height).data, ink = 0;
    for (var i = 0; i < px.length; i += 4) { if (px[i + 3] > 0 && px[i] + px[i + 1] + px[i + 2] < 720) ink++; }
    return ink / (c.width * c.height);"""


def ink_fraction(driver, selector: str) -> float:
    """Share of painted, non-white pixels of a canvas (0 = blank)."""
    return driver.execute_script(INK_JS, selector)


@pytest.fixture(scope="module")
def flow_map(browser, tmp_path_factory):
    path = tmp_path_factory.mktemp("map") / "flows.html"
    graph = flow_graph()
    write_map(graph, path)
    open_page(browser, path, "document.body.getAttribute('data-drawn')")
    browser.save_screenshot(str(path.with_suffix(".png")))
    return browser, graph


def test_map_loads_offline_without_errors(flow_map):
    driver, _graph = flow_map
    assert_offline_and_clean(driver)


def test_map_opens_folded_and_a_click_on_the_unit_shows_its_projects(flow_map):
    driver, graph = flow_map
    view = flow_view(graph)
    folded = [n for n in view.nodes if n["role"] not in ("project", "code")]
    assert driver.execute_script("return ffMap.nodes.length") == len(folded) == 5
    unit = next(n["id"] for n in view.nodes if n["role"] == "unit")
    assert driver.execute_script(f"ffMap.toggle({unit}); return [ffMap.nodes.length, ffMap.edges.length];") == [
        len(view.nodes), len(view.edges)]
    driver.execute_script(f"ffMap.toggle({unit});")
    assert driver.execute_script("return ffMap.nodes.length") == 5


UNITS_JS = """var out = {};
    document.querySelectorAll('#ff-units h3').forEach(function (h) {
        var rows = {};
        h.nextElementSibling.querySelectorAll('tr').forEach(function (tr) {
            rows[tr.children[0].textContent] = tr.children[1].textContent; });
        out[h.textContent] = rows; });
    return out;"""


def unit_table(driver) -> dict[str, dict[str, str]]:
    """The map's side panel: unit → {row name: value}."""
    return driver.execute_script(UNITS_JS)


LABEL_PX = "return ffMap.network.getScale() * ffMap.FONT;"


def test_labels_are_readable_at_the_opening_view(flow_map):
    driver, _graph = flow_map
    assert driver.execute_script(LABEL_PX) >= 12
    label = driver.execute_script("return ffMap.nodes.get().filter(function (n) { return n.level === 4; })[0].label;")
    assert label.split("\n")[1] == "209,551.00 万元"


def test_a_unit_with_many_projects_opened_stays_readable(browser, tmp_path):
    path = tmp_path / "many.html"
    write_map(flow_graph(extra_projects=45), path, open_unit="578002")
    open_page(browser, path, "document.body.getAttribute('data-drawn')")
    browser.save_screenshot(str(tmp_path / "many.png"))
    assert browser.execute_script("return ffMap.nodes.length") == 5 + 3 + 45 + 1
    assert browser.execute_script(LABEL_PX) >= 12


def test_map_shows_one_period_at_a_time_newest_first(browser, tmp_path):
    path = tmp_path / "years.html"
    write_map(two_years(), path)
    open_page(browser, path, "document.body.getAttribute('data-drawn')")
    assert browser.execute_script("return document.getElementById('ff-period').value") == "2024-budget"
    assert "2024年预算" in browser.execute_script("return document.getElementById('ff-title').textContent")
    assert browser.execute_script("return ffMap.nodes.length") == 5
    browser.execute_script("ffMap.show('2023-budget');")
    assert "2023年预算" in browser.title
    assert unit_table(browser)["某市医疗保障事务服务中心"] == {
        "支出合计": "209,551.00", "中央": "124,524.00", "省级": "30,037.00", "本级政府": "市级 54,990.00",
        "直达资金": "154,561.00（73.8%）"}


def test_map_levels_run_left_to_right(flow_map):
    driver, _graph = flow_map
    xs = driver.execute_script("""
        var pos = ffMap.network.getPositions(), out = {};
        ffMap.nodes.forEach(function (n) { (out[n.level] = out[n.level] || []).push(pos[n.id].x); });
        return out;""")
    columns = [sorted(set(xs[k])) for k in sorted(xs, key=int)]
    assert all(len(c) == 1 for c in columns)
    assert [c[0] for c in columns] == sorted(c[0] for c in columns)


def test_map_canvas_is_drawn(flow_map):
    driver, _graph = flow_map
    assert ink_fraction(driver, "#ff-map canvas") > 0.01


HOVER_JS = """
    var text = arguments[0];
    var id = ffMap.nodes.get({filter: function (n) { return n.title.textContent.indexOf(text) >= 0; }})[0].id;
    var p = ffMap.network.canvasToDOM(ffMap.network.getPositions([id])[id]);
    var r = document.getElementById("ff-map").getBoundingClientRect();
    return [Math.round(p.x + r.left), Math.round(p.y + r.top)];"""


def hover(driver, text: str) -> None:
    """Move the mouse onto the node whose tooltip holds ``text`` and wait for the tooltip."""
    from selenium.webdriver.common.actions.action_builder import ActionBuilder

    x, y = driver.execute_script(HOVER_JS, text)
    for dx in (0, 1):  # vis-network shows a tooltip on mouse *move* over the node
        actions = ActionBuilder(driver)
        actions.pointer_action.move_to_location(x + dx, y)
        actions.perform()
        time.sleep(0.3)


@pytest.fixture(scope="module")
def probe_map(browser, tmp_path_factory):
    path = tmp_path_factory.mktemp("probe") / "flows.html"
    write_map(flow_graph(unit=XSS_UNIT, project=XSS_PROJECT), path, title=XSS_UNIT)
    open_page(browser, path, "document.body.getAttribute('data-drawn')")
    return browser, path


def test_injected_markup_is_shown_as_text_and_never_runs(probe_map):
    driver, path = probe_map
    hover(driver, XSS_UNIT)
    driver.save_screenshot(str(path.with_suffix(".png")))
    tooltip = driver.execute_script("var t = document.querySelector('div.vis-tooltip');"
                                    "return t && t.style.visibility !== 'hidden' ? t.textContent : null;")
    assert tooltip is not None and XSS_UNIT in tooltip
    assert driver.execute_script("return document.querySelectorAll('img').length") == 0
    assert driver.execute_script("return window.__xss") == 0
    assert driver.title == XSS_UNIT + " · 2024年预算"
    assert driver.execute_script("return ffMap.nodes.length") == 5


# Each node as (its name: the label lines but the last, which is the amount; its x)
NODES_JS = """return Array.from(document.querySelectorAll('#ff-sankey .sankey-node')).map(function (g) {
    var m = /translate\\(([-\\d.]+)/.exec(g.getAttribute('transform'));
    var lines = Array.from(g.querySelectorAll('text tspan.line')).map(function (t) { return t.textContent; });
    return [lines.slice(0, -1).join(''), parseFloat(m[1])]; });"""


@pytest.fixture(scope="module")
def sankey_page(browser, tmp_path_factory):
    path = tmp_path_factory.mktemp("sankey") / "sankey.html"
    graph = flow_graph(unit=XSS_UNIT, project=XSS_PROJECT)
    write_sankey(graph, path)
    open_page(browser, path, "document.body.getAttribute('data-period')")
    browser.save_screenshot(str(path.with_suffix(".png")))
    return browser, graph


def test_sankey_offline_complete_and_inert(sankey_page):
    driver, graph = sankey_page
    assert_offline_and_clean(driver)
    expected = flows_to_sankey(graph)
    shown = driver.execute_script("var t = document.getElementById('ff-sankey').data[0];"
                                  "return [t.node.label.length, t.link.source.length];")
    assert shown == [len(expected.labels), len(expected.links)]
    assert driver.execute_script("return document.querySelectorAll('#ff-sankey .sankey-node').length") == shown[0]
    labels = [label for label, _x in driver.execute_script(NODES_JS)]
    assert XSS_UNIT in labels
    assert driver.execute_script("return document.querySelectorAll('img').length") == 0
    assert driver.execute_script("return window.__xss") == 0





def test_sankey_title_names_the_year_and_levels_keep_their_columns(browser, tmp_path):
    path = tmp_path / "years.html"
    write_sankey(two_years(), path)
    open_page(browser, path, "document.body.getAttribute('data-period')")
    browser.save_screenshot(str(tmp_path / "years.png"))
    assert "2024年预算" in browser.execute_script("return document.querySelector('.gtitle').textContent")
    x = dict(browser.execute_script(NODES_JS))
    order = ["中央财政", "某省财政", "某市财政", "某市医疗保障局", "某市医疗保障事务服务中心", "210 卫生健康支出"]
    assert [x[k] for k in order] == sorted(x[k] for k in order) and len({x[k] for k in order}) == len(order)
    browser.execute_script("ffSankey.show('2023-budget');")
    open_page_ready = "document.body.getAttribute('data-period') === '2023-budget'"
    assert browser.execute_script(f"return {open_page_ready}")
    assert "2023年预算" in browser.execute_script("return document.querySelector('.gtitle').textContent")
