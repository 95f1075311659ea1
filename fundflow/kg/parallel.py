"""Document paths → their prepared documents, ``jobs`` read at once on every core, handed to the writer in file order.

``prepared_in_order(paths, loader, base, jobs, budget)`` yields ``(path, Prepared | error)``
in the order of ``paths``; an error is the exception reading that file raised, for the
caller to report.  Parsing is independent per document: each is read in its own forked
child within ``budget`` (``kg.budget``), ``jobs`` children at a time, each watched by a
thread of this process; the caller alone writes to the store.  At most ``2 × jobs``
documents are read ahead of the writer, so memory does not grow with the batch.
"""
from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from fundflow.kg import vocab
from fundflow.kg.budget import DocumentBudget, Prepared, load_readers, prepare_document


def default_jobs() -> int:
    """The number of cores this process may run on."""
    import os

    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def _attempt(path: Path, loader: str | None, base: str, budget: DocumentBudget | None,
             ocr: bool = False) -> Prepared | Exception:
    try:
        return prepare_document(path, loader, base, budget, ocr)
    except Exception as err:  # noqa: BLE001 — handed to the writer, which reports it and goes on
        return err


def prepared_in_order(paths: list[Path], loader: str | None = None, base: str = vocab.DEFAULT_BASE,
                      jobs: int = 1, budget: DocumentBudget | None = None, ocr: bool = False
                      ) -> Iterator[tuple[Path, Prepared | Exception]]:
    """Each path with its prepared document (or the error reading it), in the order given.

    ``jobs`` > 1 reads each document in a child process (within ``budget``, else the default one);
    ``ocr``: scanned PDFs are read by OCR.
    """
    if jobs <= 1 or len(paths) <= 1:
        for path in paths:
            yield path, _attempt(path, loader, base, budget, ocr)
        return
    budget = budget or DocumentBudget()
    load_readers()  # in this thread, before the reading threads fork: no child inherits a half-taken import lock
    todo, ahead = deque(paths), deque[tuple[Path, Future]]()
    with ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="fundflow-read") as pool:
        try:
            while todo or ahead:
                while todo and len(ahead) < 2 * jobs:
                    path = todo.popleft()
                    ahead.append((path, pool.submit(_attempt, path, loader, base, budget, ocr)))
                path, future = ahead.popleft()
                yield path, future.result()
        finally:
            for _path, future in ahead:  # the writer stopped early: documents not started are not read
                future.cancel()
