"""One headless Chromium per test module, with the network cut off; a small flow graph.

Chromium missing is a failure, not a skip: the maps are only verified in a real browser.
"""
from __future__ import annotations

import shutil

import networkx as nx
import pytest
from mapgraph import flow_graph

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
CHROMEDRIVER = shutil.which("chromedriver")
# Set before any page script runs: an injected alert()/onerror can only show itself by setting this flag.
PROBE = "window.__xss = 0; window.alert = function () { window.__xss = 1; };"


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser" in str(item.fspath).replace("\\", "/"):
            item.add_marker(pytest.mark.browser)


def start_chromium(profile, loopback: bool = False):
    """A headless Chromium whose every request goes to a dead proxy; with ``loopback`` the
    machine's own addresses stay reachable (a server under test), else nothing is."""
    if not (CHROMIUM and CHROMEDRIVER):
        pytest.fail("headless Chromium is required for the browser tests: install chromium and chromium-driver")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-extensions",
                "--proxy-server=127.0.0.1:9", "--window-size=1600,1000", f"--user-data-dir={profile}"):
        opts.add_argument(arg)
    if not loopback:
        opts.add_argument("--proxy-bypass-list=<-loopback>")  # loopback proxied (to nowhere) too
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    return webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    """A headless Chromium that cannot reach the network; its logs record every request."""
    driver = start_chromium(tmp_path_factory.mktemp("chromium-profile"))
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd("Network.emulateNetworkConditions",
                           {"offline": True, "latency": 0, "downloadThroughput": 0, "uploadThroughput": 0})
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": PROBE})
    yield driver
    driver.quit()


@pytest.fixture
def graph() -> nx.DiGraph:
    return flow_graph()
