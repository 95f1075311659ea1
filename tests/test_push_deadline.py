"""Push against a store that accepts connections and never answers (finding 9): it gives up fast and says so."""
from __future__ import annotations

import socket
import subprocess
import sys

from tests.test_publish import store_dir  # noqa: F401 — a module fixture: the samples ingested


def test_push_to_a_silent_store_fails_fast(store_dir):  # noqa: F811
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(64)  # connections complete in the backlog; nothing is ever read or answered
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/sparql-graph-crud"
        proc = subprocess.run([sys.executable, "-m", "fundflow.cli.main", "push", "--endpoint", url,
                               "--store", str(store_dir), "--timeout", "1", "--deadline", "30"],
                              capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 1
    lines = proc.stdout.splitlines()
    tried = [ln for ln in lines if "not sent" not in ln]
    assert len(tried) == 3 and all("no answer" in ln for ln in tried)
    assert all("not sent: 3 graphs in a row got no answer" in ln for ln in lines[3:]) and len(lines) > 3
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
