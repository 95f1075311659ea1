"""A browser SPARQL client against `fundflow serve`: a page on another origin fetches the endpoint
(CORS), and the query page at `/` runs a query; updates, LOAD and SERVICE are still refused.

Everything runs on loopback; the browser cannot reach anything else. The figure checked is the
Shenyang 2024 project 提前下达中央财政城乡居民基本医疗保险补助中央直达资金, 124,524.00 万元 in 表9.
"""
from __future__ import annotations

import http.server
import json
import threading
import time
import urllib.request

import pytest
from conftest import start_chromium

from tests.test_publish import serving

PROJECT = "提前下达中央财政城乡居民基本医疗保险补助中央直达资金"
CLIENT = """<!doctype html><html><head><meta charset="utf-8"><title>client</title></head><body><script>
const endpoint = %(endpoint)s;
async function ask(method, body, type, params) {
  const url = endpoint + (params ? "?" + params : "");
  const init = {method, headers: {"Accept": "application/sparql-results+json"}};
  if (body !== null) { init.body = body; init.headers["Content-Type"] = type; }
  try { const r = await fetch(url, init); return {status: r.status, text: await r.text()}; }
  catch (e) { return {status: 0, text: String(e)}; }
}
(async () => {
  const q = %(query)s;
  const out = {};
  out.get = await ask("GET", null, null, "query=" + encodeURIComponent(q));
  out.post = await ask("POST", "query=" + encodeURIComponent(q), "application/x-www-form-urlencoded");
  out.direct = await ask("POST", q, "application/sparql-query");
  out.update = await ask("POST", "INSERT DATA { <urn:a> <urn:b> <urn:c> }", "application/sparql-update");
  out.load = await ask("POST", "update=" + encodeURIComponent("LOAD <http://127.0.0.1:9/x>"),
                       "application/x-www-form-urlencoded");
  out.service = await ask("GET", null, null,
                          "query=" + encodeURIComponent("SELECT * { SERVICE <http://127.0.0.1:9/x> { ?s ?p ?o } }"));
  document.body.setAttribute("data-out", JSON.stringify(out));
})();
</script></body></html>"""


@pytest.fixture(scope="module")
def endpoint(samples_store_dir):
    with serving(samples_store_dir) as (_proc, _port, url):
        yield url.removesuffix("/sparql")


@pytest.fixture(scope="module")
def other_origin(tmp_path_factory):
    """A plain web server for the client page, on another port (so another origin) of loopback."""
    folder = tmp_path_factory.mktemp("client")
    def handler(*a, **k):
        return http.server.SimpleHTTPRequestHandler(*a, directory=str(folder), **k)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield folder, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture(scope="module")
def chromium(tmp_path_factory):
    """Headless Chromium that may reach loopback only (every other address goes to a dead proxy)."""
    driver = start_chromium(tmp_path_factory.mktemp("chromium-profile"), loopback=True)
    yield driver
    driver.quit()


def _wait_attr(driver, name: str, seconds: float = 30) -> str:
    end = time.monotonic() + seconds
    while True:
        value = driver.execute_script(f"return document.body && document.body.getAttribute('{name}');")
        if value:
            return value
        assert time.monotonic() < end, f"page never set {name}"
        time.sleep(0.1)


def test_a_page_on_another_origin_reads_the_endpoint(chromium, endpoint, other_origin):
    folder, origin = other_origin
    query = f'SELECT ?amount WHERE {{ ?p rdfs:label "{PROJECT}"@zh ; ff:amount ?amount }}'
    (folder / "client.html").write_text(CLIENT % {"endpoint": json.dumps(f"{endpoint}/sparql"),
                                                  "query": json.dumps(query)}, encoding="utf-8")
    chromium.get(f"{origin}/client.html")
    out = json.loads(_wait_attr(chromium, "data-out"))
    for key in ("get", "post", "direct"):
        assert out[key]["status"] == 200, out[key]
        rows = json.loads(out[key]["text"])["results"]["bindings"]
        assert [r["amount"]["value"] for r in rows] == ["1245240000"]
    # refusals reach the page as answers (CORS on errors too), never as data
    assert out["update"]["status"] == 403 and out["load"]["status"] == 403
    assert out["service"]["status"] == 400 and "SERVICE" in out["service"]["text"]


def test_preflight_allows_a_sparql_client(endpoint):
    req = urllib.request.Request(f"{endpoint}/sparql", method="OPTIONS", headers={
        "Origin": "http://127.0.0.1:1", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})
    with urllib.request.urlopen(req, timeout=5) as resp:
        assert resp.status in (200, 204)
        assert resp.headers["Access-Control-Allow-Origin"] == "*"
        assert "POST" in resp.headers["Access-Control-Allow-Methods"]
        assert "content-type" in resp.headers["Access-Control-Allow-Headers"].lower()


def test_the_query_page_at_root_runs_a_query(chromium, endpoint):
    chromium.get_log("browser")  # what earlier pages logged
    chromium.get(f"{endpoint}/")
    assert chromium.title == "fundflow SPARQL"
    chromium.execute_script("""const s = document.getElementById('bundled'); s.value = 'direct-funds';
        s.dispatchEvent(new Event('change')); document.getElementById('run').click();""")
    rows = int(_wait_attr(chromium, "data-rows"))
    assert rows >= 4  # Shenyang 2024: two 中央 and two 省 直达资金 projects
    cells = chromium.execute_script("return Array.from(document.querySelectorAll('#results td')).map(t => t.textContent);")
    assert PROJECT in cells
    errors = [e for e in chromium.get_log("browser") if e["level"] in ("SEVERE", "WARNING")]
    assert errors == []  # nothing refused by its CSP, nothing fetched but the endpoint
