"""Push against a store that accepts connections and never answers (finding 9): it gives up fast and says so."""
from __future__ import annotations

import socket
import subprocess
import sys

from tests.test_publish import store_dir  # noqa: F401 — a module fixture: the samples ingested


def _push_to_silent_store(store_dir, *extra: str) -> subprocess.CompletedProcess:  # noqa: F811
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(64)  # connections complete in the backlog; nothing is ever read or answered
        url = f"http://127.0.0.1:{silent.getsockname()[1]}"
        return subprocess.run([sys.executable, "-m", "fundflow.cli.main", "push", "--endpoint",
                               f"{url}/sparql-graph-crud", *(a.format(url=url) for a in extra),
                               "--store", str(store_dir), "--timeout", "1", "--deadline", "30"],
                              capture_output=True, text=True, timeout=120, check=False)


def test_push_to_a_silent_store_fails_fast(store_dir):  # noqa: F811
    proc = _push_to_silent_store(store_dir)
    assert proc.returncode == 1
    lines = proc.stdout.splitlines()  # the probe graph got no answer: nothing else is tried
    assert len(lines) > 3
    assert all("not sent: a probe graph could not be stored (no answer from" in ln for ln in lines)
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
    assert f"remote graphs changed: 0, unchanged: {len(lines)}" in proc.stderr


def test_push_with_update_endpoint_to_a_silent_store_stops_after_three(store_dir):  # noqa: F811
    proc = _push_to_silent_store(store_dir, "--update-endpoint", "{url}/sparql-auth")
    assert proc.returncode == 1
    lines = proc.stdout.splitlines()
    tried = [ln for ln in lines if "not sent" not in ln]
    assert len(tried) == 3 and all("no answer" in ln and "the remote graph is unchanged" in ln for ln in tried)
    assert all("not sent: 3 graphs in a row got no answer" in ln for ln in lines[3:]) and len(lines) > 3
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
