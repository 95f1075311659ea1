"""``fundflow serve`` as the command line drives it: the options that reach the server, and how a Ctrl-C stops it.

The server is a stand-in here, so that a Ctrl-C can come where waitress does not catch it;
tests/test_publish.py runs the real one (and stops it with SIGTERM).
"""
from __future__ import annotations

import logging
import signal

import pytest
from click.testing import CliRunner

from fundflow.cli.main import cli


class Interrupted:
    """A server whose run ends in a ``KeyboardInterrupt`` that waitress lets through: a second Ctrl-C (or SIGTERM)
    while it waits, up to 5 s, for its threads to finish the first one's shutdown."""

    port = 8123

    def __init__(self) -> None:
        self.closed = 0

    def run(self) -> None:
        raise KeyboardInterrupt

    def close(self) -> None:
        self.closed += 1


@pytest.fixture
def made(monkeypatch):
    """The calls ``serve`` makes to ``make_server`` → [(store_dir, host, port, settings, server)]; the SIGTERM
    handler and the waitress log level ``serve`` sets are restored afterwards."""
    calls: list[tuple] = []

    def make_server(store_dir, host, port, settings):
        calls.append((store_dir, host, port, settings, Interrupted()))
        return calls[-1][-1]

    monkeypatch.setattr("fundflow.publish.serve.make_server", make_server)
    handler, level = signal.getsignal(signal.SIGTERM), logging.getLogger("waitress").level
    yield calls
    signal.signal(signal.SIGTERM, handler)
    logging.getLogger("waitress").setLevel(level)


def test_a_ctrl_c_waitress_lets_through_still_stops_serve_with_exit_0(made, tmp_path):
    r = CliRunner().invoke(cli, ["serve", "--store", str(tmp_path), "--port", "0"])
    assert r.exit_code == 0, r.output
    assert "SPARQL endpoint: http://127.0.0.1:8123/sparql (read-only)" in r.stderr.splitlines()
    assert "Aborted" not in r.output and "Traceback" not in r.output
    [(_store, _host, _port, _settings, server)] = made
    assert server.closed == 1  # the query workers are stopped with it


def test_the_options_of_serve_reach_the_server(made, tmp_path):
    r = CliRunner().invoke(cli, ["serve", "--store", str(tmp_path), "--host", "0.0.0.0", "--port", "0",
                                 "--timeout", "4", "--max-results", "10", "--workers", "3", "--threads", "5",
                                 "--idle-timeout", "7", "--allow-host", "data.example", "--allow-host", "*"])
    assert r.exit_code == 0, r.output
    [(store, host, port, settings, _server)] = made
    assert (store, host, port) == (str(tmp_path), "0.0.0.0", 0)
    assert (settings.limits.timeout, settings.limits.max_results) == (4, 10)
    assert (settings.workers, settings.threads, settings.channel_timeout) == (3, 5, 7)
    assert settings.allowed_hosts == ("data.example", "*")
    assert "SPARQL endpoint: http://0.0.0.0:8123/sparql (read-only)" in r.stderr.splitlines()


@pytest.mark.parametrize("option", [["--workers", "0"], ["--threads", "257"], ["--port", "65536"],
                                    ["--idle-timeout", "0"]])
def test_serve_refuses_an_option_out_of_its_range_before_it_starts(made, tmp_path, option):
    r = CliRunner().invoke(cli, ["serve", "--store", str(tmp_path), *option])
    assert r.exit_code == 2
    assert f"Invalid value for '{option[0]}'" in r.stderr
    assert made == []
