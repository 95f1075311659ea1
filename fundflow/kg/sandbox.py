"""A query and the store → its results from a worker process killed at its deadline or memory limit.

``QueryPool(store_dir, limits, size)`` starts ``size`` workers, each holding the
store open read-only.  ``pool.run(text, fmt, cancelled=…)`` checks the query
(``kg.safety``), hands it to an idle worker and waits: the answer is bytes in
``fmt`` (see ``kg.results``).  A worker past the deadline (``QueryTimeout``),
over its memory limit or gone (``QueryOverload``), or whose client went away, is
killed — all its memory goes back to the system — and a fresh one takes its
place.  An engine error is ``QueryRefused`` (invalid SPARQL) or ``QueryError``.
"""
from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import queue
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Self

from fundflow.core.errors import FundflowError, QueryError
from fundflow.core.process import die_with_parent
from fundflow.kg.safety import DEFAULT_LIMITS, QueryLimits, QueryOverload, QueryRefused, QueryTimeout, check_query

POLL = 0.05  # seconds between looks at a running worker (deadline, memory, client)
RETIRE_GROWTH = 128 * 2**20  # a worker that kept this much more memory than it started with is replaced
START_TIMEOUT = 60.0
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def resident_bytes(pid: int) -> int:
    """Resident memory of process ``pid`` in bytes (0 when it is gone)."""
    try:
        with open(f"/proc/{pid}/statm", encoding="ascii") as f:
            return int(f.read().split()[1]) * _PAGE
    except (OSError, IndexError, ValueError):
        return 0


def worker_main() -> None:
    """Entry point of a worker process: ``argv`` = connection fd, store dir (or ""), limits as JSON."""
    fd, store_dir, limits, follow = sys.argv[1:5]
    die_with_parent()
    try:
        _worker(Connection(int(fd)), store_dir or None, QueryLimits(**json.loads(limits)), follow == "follow")
    except (EOFError, OSError):  # the pool went away: nothing to tell anyone
        pass
    except Exception as err:  # noqa: BLE001 — one line, never a traceback in the server's log
        print(f"query worker: {type(err).__name__}: {err}", file=sys.stderr)


def _worker(conn: Connection, store_dir: str | None, limits: QueryLimits, follow: bool) -> None:
    """Worker process: open the store, say so, then answer (text, fmt) jobs until told to stop."""
    from fundflow.kg.query import money_columns
    from fundflow.kg.results import render
    from fundflow.kg.store import open_reader
    from fundflow.kg.vocab import PREFIXES

    try:
        reader = open_reader(store_dir, follow)
    except FundflowError as err:
        conn.send(("error", "store", str(err)))
        return
    conn.send(("ready", "", None))
    while True:
        job = conn.recv()
        if job is None:
            return
        text, fmt = job
        try:
            results = reader.store().query(text, use_default_graph_as_union=True, prefixes=PREFIXES)
            conn.send(("ok", "", render(results, fmt, limits, money_columns(text) if fmt == "table" else frozenset())))
        except FundflowError as err:  # the store (a snapshot could not be opened) or a refusal
            conn.send(("error", "refused" if isinstance(err, QueryRefused) else "store", str(err)))
        except SyntaxError as err:
            conn.send(("error", "syntax", f"invalid SPARQL: {str(err).splitlines()[0]}"))
        except (OSError, ValueError, RuntimeError) as err:
            conn.send(("error", "engine", f"query failed: {str(err).splitlines()[0] if str(err) else type(err).__name__}"))


class _Worker:
    """One worker process (a fresh interpreter, nothing of the caller's threads or locks) and its connection."""

    def __init__(self, store_dir: str | None, limits: QueryLimits, follow: bool):
        ours, theirs = socket.socketpair()
        code = "from fundflow.kg.sandbox import worker_main; worker_main()"
        root = str(Path(__file__).resolve().parents[2])
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH")) if p))
        self.proc = subprocess.Popen([sys.executable, "-c", code, str(theirs.fileno()), store_dir or "",
                                      json.dumps(dataclasses.asdict(limits)), "follow" if follow else "live"],
                                     pass_fds=(theirs.fileno(),), stdin=subprocess.DEVNULL, env=env)
        theirs.close()
        self.conn = Connection(ours.detach())

    def alive(self) -> bool:
        return self.proc.poll() is None

    @property
    def exitcode(self) -> int | None:
        return self.proc.poll()

    def wait_ready(self) -> None:
        """Block until the worker has opened the store; ``QueryError`` naming why it could not."""
        if not self.conn.poll(START_TIMEOUT):
            self.kill()
            raise QueryOverload(f"a query worker did not start within {START_TIMEOUT:.0f} s")
        try:
            state, _kind, message = self.conn.recv()
        except EOFError:
            raise QueryOverload(f"a query worker exited on start ({self.exitcode})") from None
        if state != "ready":
            self.kill()
            raise QueryError(message.removeprefix("error: "))
        self.baseline = resident_bytes(self.proc.pid)

    def bloated(self) -> bool:
        """True when the worker holds ``RETIRE_GROWTH`` more than after it started (Python keeps freed memory)."""
        return resident_bytes(self.proc.pid) > self.baseline + RETIRE_GROWTH

    def kill(self) -> None:
        if self.alive():
            self.proc.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(5)
        self.conn.close()


class QueryPool:
    """A fixed number of query workers over one store; thread-safe ``run``.

    Workers are started by one thread that lives as long as the pool: the kernel
    kills a worker when the thread that started it ends (``PR_SET_PDEATHSIG``).
    """

    def __init__(self, store_dir: str | Path | None, limits: QueryLimits = DEFAULT_LIMITS, size: int = 2,
                 follow: bool = False):
        self.store_dir = str(store_dir) if store_dir is not None else None
        self.follow = follow
        self.limits, self.size = limits, size
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._starts: queue.Queue[queue.Queue | None] = queue.Queue()
        self._closed = False
        threading.Thread(target=self._starter, daemon=True, name="query-worker-starter").start()
        replies: queue.Queue = queue.Queue()
        for _ in range(size):
            self._starts.put(replies)
        errors = [e for e in (replies.get() for _ in range(size)) if e is not None]
        if errors:
            self.close()
            raise errors[0]

    def _starter(self) -> None:
        """Start a worker for each request; put it with the idle ones; tell the requester the error or None."""
        while (reply := self._starts.get()) is not None:
            try:
                w = _Worker(self.store_dir, self.limits, self.follow)
                w.wait_ready()
            except FundflowError as err:
                reply.put(err)
                continue
            if self._closed:
                w.kill()
            else:
                self._idle.put(w)
            reply.put(None)

    def run(self, text: str, fmt: str, cancelled: Callable[[], bool] | None = None) -> bytes:
        """Check and run ``text`` → its results as bytes in ``fmt``; raises the ``kg.safety`` errors."""
        check_query(text, self.limits)
        deadline = time.monotonic() + self.limits.timeout
        try:
            worker = self._idle.get(timeout=self.limits.timeout)
        except queue.Empty:
            raise QueryOverload(f"all {self.size} query workers stayed busy for {self.limits.timeout:g} s",
                                hint="try again later") from None
        try:
            worker.conn.send((text, fmt))
            state, kind, payload = self._wait(worker, deadline, cancelled)
        except (QueryError, OSError) as err:  # stopped, or gone: a fresh worker takes its place
            worker.kill()
            self._replace()
            if isinstance(err, QueryError):
                raise
            raise QueryOverload("the query engine stopped", hint="try again") from None
        if worker.bloated():  # e.g. 100,000 rows built and then refused: a fresh worker gives it all back
            worker.kill()
            self._replace()
        else:
            self._idle.put(worker)
        if state == "ok":
            return payload
        raise (QueryRefused if kind in ("syntax", "refused") else QueryError)(payload)

    def _wait(self, worker: _Worker, deadline: float, cancelled: Callable[[], bool] | None) -> tuple:
        """The worker's answer (state, kind, payload); raises when it must be stopped."""
        limits = self.limits
        while not worker.conn.poll(POLL):
            if not worker.alive():
                raise QueryOverload(f"the query engine stopped (exit {worker.exitcode})", hint="simplify the query")
            if time.monotonic() > deadline:
                raise QueryTimeout(f"the query ran longer than {limits.timeout:g} s and was stopped",
                                   hint="narrow it down, or raise --timeout")
            if resident_bytes(worker.proc.pid) > limits.max_memory:
                raise QueryOverload(f"the query needed more than {limits.max_memory // 2**20} MiB and was stopped",
                                    hint="narrow it down")
            if cancelled and cancelled():
                raise QueryOverload("the client went away; the query was stopped")
        try:
            return worker.conn.recv()
        except EOFError:
            raise QueryOverload(f"the query engine stopped (exit {worker.exitcode})") from None

    def _replace(self) -> None:
        """Start a worker in place of a stopped one, in the background (a start takes a moment)."""
        if not self._closed:
            self._starts.put(queue.Queue())

    def pids(self) -> list[int]:
        """Process ids of the idle workers (for tests and monitoring)."""
        return [w.proc.pid for w in list(self._idle.queue)]

    def close(self) -> None:
        """Stop every idle worker (running ones are killed when their query ends)."""
        self._closed = True
        self._starts.put(None)
        while True:
            try:
                w = self._idle.get_nowait()
            except queue.Empty:
                return
            with contextlib.suppress(OSError):
                w.conn.send(None)
            with contextlib.suppress(subprocess.TimeoutExpired):
                w.proc.wait(2)
            w.kill()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def query_store(store_dir: str | Path | None, text: str, fmt: str = "table",
                limits: QueryLimits = DEFAULT_LIMITS) -> str:
    """Run ``text`` over the store at ``store_dir`` in one worker process with ``limits`` → formatted text.

    ``fmt``: table, csv or json (``fundflow query``).  Raises ``QueryError`` (the
    ``kg.safety`` kinds: refused, timed out, over its memory) with one line.
    """
    check_query(text, limits)  # before the store is opened: a bad query is the first thing to hear about
    with QueryPool(store_dir, limits, size=1) as pool:
        return pool.run(text, fmt).decode("utf-8")
