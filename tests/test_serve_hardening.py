"""The SPARQL endpoint under hostile requests (findings 1–4 of the server review), all on loopback.

A real ``fundflow serve`` process with a short deadline and idle timeout; after
each probe the server still answers ``ASK {}``.
"""
from __future__ import annotations

import socket
import subprocess
import threading
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.test_publish import ask, serving, store_dir  # noqa: F401 — store_dir is a fixture

RUNAWAY = "SELECT (COUNT(*) AS ?n) {?a ?b ?c.?d ?e ?f.?g ?h ?i.?j ?k ?l.?m ?n ?o}"
TIMEOUT = 3


@pytest.fixture(scope="module")
def server(store_dir):  # noqa: F811 — the fixture imported above
    with serving(store_dir, "--timeout", str(TIMEOUT), "--idle-timeout", "2", stderr=subprocess.PIPE) as running:
        yield running
    log = running[0].stderr.read().decode("utf-8", "replace")
    assert "Traceback" not in log


def alive(url: str) -> None:
    status, _, body = ask(url, "ASK {}", "application/sparql-results+json")
    assert status == 200 and b'"boolean":true' in body


def raw(port: int, data: bytes, wait: float = 10) -> bytes:
    """Send raw bytes, read until the server closes or ``wait`` seconds pass → what it answered."""
    with socket.create_connection(("127.0.0.1", port), timeout=wait) as s:
        s.sendall(data)
        out = b""
        try:
            while chunk := s.recv(65536):
                out += chunk
        except TimeoutError:
            pass
        return out


def family_rss(pid: int) -> int:
    """Resident bytes of a process and its children (started by any of its threads: the workers are)."""
    from fundflow.kg.sandbox import resident_bytes

    children = [c for task in Path(f"/proc/{pid}/task").iterdir() for c in (task / "children").read_text().split()]
    assert children, "no query worker found"
    return sum(resident_bytes(p) for p in [pid, *map(int, children)])


def test_deeply_nested_query_is_refused_and_the_server_lives(server):  # finding 1
    _proc, _port, url = server
    braces = "SELECT * WHERE " + "{ " * 2500 + "?s ?p ?o" + " }" * 2500
    parens = "SELECT * WHERE { FILTER(" + "(" * 5000 + "1" + ")" * 5000 + ") }"
    for text in (braces, parens):
        status, _, body = ask(url, method="POST", body=text.encode(), ctype="application/sparql-query")
        assert status == 400 and b"nested" in body and body.count(b"\n") == 1
    # the same as a no-cors form POST from another origin's page
    form = urllib.parse.urlencode({"query": braces}).encode()
    assert ask(url, method="POST", body=form, ctype="application/x-www-form-urlencoded")[0] == 400
    alive(url)


def test_service_makes_no_outbound_connection(server):  # finding 2
    _proc, _port, url = server
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        listener.settimeout(2)
        target = f"http://127.0.0.1:{listener.getsockname()[1]}/x"
        status, _, body = ask(url, f"SELECT * {{ SERVICE <{target}> {{ ?s ?p ?o }} }}")
        assert status == 400 and b"SERVICE" in body
        with pytest.raises(TimeoutError):
            listener.accept()
    alive(url)


def test_runaway_query_is_stopped_at_its_deadline_and_memory_returns(server):  # finding 3
    proc, _port, url = server
    alive(url)
    before = family_rss(proc.pid)
    started = time.monotonic()
    status, _, body = ask(url, RUNAWAY)
    assert status == 504 and b"longer than 3 s" in body
    assert time.monotonic() - started < TIMEOUT + 10
    time.sleep(3)  # the killed worker's replacement starts
    alive(url)
    assert family_rss(proc.pid) < before + 100 * 2**20


def test_a_refused_large_result_gives_its_memory_back(store_dir):  # noqa: F811 — finding 3 (acceptance)
    # its own server: a deadline long enough for the result cap to come first
    with serving(store_dir, "--timeout", "120", "--workers", "1") as (proc, _port, url):
        alive(url)
        before = family_rss(proc.pid)
        status, _, body = ask(url, "SELECT * {?a ?b ?c.?d ?e ?f.?g ?h ?i.?j ?k ?l.?m ?n ?o}")
        assert status == 400 and b"more than 100000 results" in body
        alive(url)  # answered by the worker started in place of the one that built the rows
        assert family_rss(proc.pid) < before + 100 * 2**20


def test_head_does_not_run_the_query(server):  # finding 3: HEAD ran the query too
    _proc, _port, url = server
    status, ctype, body = ask(f"{url}?{urllib.parse.urlencode({'query': RUNAWAY})}", method="HEAD")
    assert status == 200 and ctype.startswith("application/sparql-results+json") and body == b""


def test_bad_content_length_gets_an_answer(server):  # finding 4
    _proc, port, url = server
    answer = raw(port, b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: abc\r\n"
                       b"Content-Type: application/sparql-query\r\n\r\nASK {}")
    assert answer.startswith(b"HTTP/1.1 400")
    alive(url)


def test_stalled_body_is_cut_off_and_others_are_served_meanwhile(server):  # finding 4
    _proc, port, url = server
    stalled = [socket.create_connection(("127.0.0.1", port)) for _ in range(50)]
    for s in stalled:
        s.sendall(b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n"
                  b"Content-Type: application/sparql-query\r\n\r\nASK {")
    alive(url)
    closed = 0
    for s in stalled:
        s.settimeout(20)
        try:
            s.recv(1024)  # b"" once the server has closed the silent connection
            closed += 1
        except ConnectionResetError:
            closed += 1
        except TimeoutError:
            pass
        finally:
            s.close()
    assert closed == len(stalled)


def test_three_hundred_stalled_connections_lock_nobody_out(store_dir):  # noqa: F811 — finding 4
    stalled: list[socket.socket] = []
    # its own server: stalled connections are cut only after a minute
    with serving(store_dir, "--idle-timeout", "60") as (_proc, port, url):
        try:
            for _ in range(300):
                s = socket.create_connection(("127.0.0.1", port))
                s.sendall(b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\nASK {")
                stalled.append(s)
            query = urllib.parse.urlencode({"query": "ASK {}"})
            with urllib.request.urlopen(f"{url}?{query}", timeout=20) as resp:  # well before the 60 s cut
                assert resp.status == 200 and b'"boolean":true' in resp.read()
        finally:
            for s in stalled:
                s.close()


def test_options_host_and_accept(server):  # finding 4
    _proc, port, url = server
    answer = raw(port, b"OPTIONS /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 204") and b"Allow: GET, HEAD, OPTIONS, POST" in answer
    rebound = raw(port, b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: attacker.example:80\r\nConnection: close\r\n\r\n")
    assert rebound.startswith(b"HTTP/1.1 403")
    assert ask(url, "ASK {}", "image/png")[0] == 406
    status, _, _ = ask(url, "CONSTRUCT WHERE { ?s a ff:Unit } LIMIT 1", "application/sparql-results+json")
    assert status == 406
    assert ask(url, "ASK {}", "text/*;q=0.5, application/sparql-results+xml")[1].startswith("application/sparql-results+xml")


def test_twenty_concurrent_clients_all_get_answers(server):  # finding 4: backlog 5 reset connections
    _proc, _port, url = server
    barrier = threading.Barrier(20)

    def client(_i: int) -> int:
        barrier.wait()
        return ask(url, "SELECT (COUNT(*) AS ?n) WHERE { ?p a ff:Project }", "text/csv")[0]

    with ThreadPoolExecutor(20) as pool:
        assert list(pool.map(client, range(20))) == [200] * 20


def test_too_many_results_are_refused(store_dir):  # noqa: F811 — a result cap, configurable
    with serving(store_dir, "--max-results", "10", "--workers", "1") as (_proc, _port, url):
        status, _, body = ask(url, "SELECT * { ?s ?p ?o }", "text/csv")
        assert status == 400 and b"more than 10 results" in body
        assert ask(url, "SELECT * { ?s ?p ?o } LIMIT 10", "text/csv")[0] == 200
