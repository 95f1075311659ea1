"""What the ``fundflow`` commands share → the error-handling group, common options, store access, output.

``FundflowGroup`` turns a ``FundflowError`` into one line on stderr and exit 2;
``store_option`` / ``loader_option`` / ``flow_filters`` add the common options;
``with_store(store_dir, work)`` runs ``work(store)`` on the writable store and releases it;
``with_reader(store_dir, work)`` the same on a read-only view;
``parse_table(parsed)`` → the lines of ``fundflow parse --format table``.
"""
from __future__ import annotations

import functools
import sys
from collections import Counter
from pathlib import Path

import click

from fundflow.core.errors import FundflowError
from fundflow.core.model import ParsedDocument
from fundflow.core.printable import printable


class FundflowGroup(click.Group):
    """A click group that turns ``FundflowError`` into one line on stderr and exit 2."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except FundflowError as err:
            click.echo(f"error: {err}", err=True)
            ctx.exit(2)


def store_option(func):
    """``--store DIR`` (default ``$FUNDFLOW_STORE`` or ``.fundflow/store``)."""
    return click.option("--store", "store_dir", type=click.Path(file_okay=False), default=None,
                        help="Store directory (default: $FUNDFLOW_STORE or .fundflow/store).")(func)


def loader_option(func):
    """``--loader NAME``: force a layout loader instead of detecting one."""
    return click.option("--loader", default=None, metavar="NAME",
                        help="Force a document layout loader instead of detecting it.")(func)


def ocr_option(func):
    """``--ocr``: read a scanned PDF (no text layer) by OCR; refused at once, naming what to install, without OCR."""
    def check(ctx: click.Context, _param: click.Parameter, value: bool) -> bool:
        if value:
            from fundflow.loaders.pdf.ocr import missing_message

            need = missing_message()
            if need:
                raise FundflowError(need)
        return value

    return click.option("--ocr", is_flag=True, callback=check, expose_value=True,
                        help="Read a scanned PDF (no text layer) by OCR (Tesseract chi_sim, needs fundflow[ocr]); "
                             "its figures are marked read by OCR.")(func)


def flow_filters(func):
    """``--year``, ``--region``, ``--unit``, ``--direct-only``: which flows a map or Sankey shows."""
    for option in (click.option("--direct-only", is_flag=True, help="Only 直达资金 flows."),
                   click.option("--unit", default=None, metavar="CODE|NAME", help="Only flows through this unit."),
                   click.option("--region", default=None, metavar="CODE", help="Only this region (e.g. 210100)."),
                   click.option("--year", type=int, default=None, help="Only this fiscal year.")):
        func = option(func)
    return func


def query_limits(timeout: float, max_results: int):
    """``--timeout SECONDS`` and ``--max-results N`` → a ``limits`` argument (``kg.safety.QueryLimits``)."""
    def decorate(func):
        def limited(*args, timeout: float, max_results: int, **kwargs):
            from fundflow.kg.safety import QueryLimits

            return func(*args, limits=QueryLimits(timeout=timeout, max_results=max_results), **kwargs)

        limited = functools.update_wrapper(limited, func)
        limited = click.option("--max-results", type=click.IntRange(min=1), default=max_results, show_default=True,
                               help="Refuse results with more rows (or triples) than this.")(limited)
        return click.option("--timeout", type=click.FloatRange(min=0.1), default=timeout, show_default=True,
                            help="Stop a query after this many seconds.")(limited)
    return decorate


def with_store(store_dir: str | None, work, create: bool = True):
    """Run ``work(store)`` on the store opened for writing, and let go of it before returning.

    A snapshot is published when the store is opened and when ``work`` is done, so
    that readers meanwhile see the store as it was before (``kg.store.Reader``).
    """
    from fundflow.kg.store import open_store, publish_snapshot

    store = open_store(store_dir, create=create)
    try:
        publish_snapshot(store, store_dir)
        result = work(store)
        publish_snapshot(store, store_dir)
        return result
    finally:
        del store


def with_reader(store_dir: str | None, work):
    """Run ``work(store)`` on a read-only, consistent view of the store (also while an ingest runs)."""
    from fundflow.kg.store import open_reader

    reader = open_reader(store_dir)
    try:
        return work(reader.store())
    finally:
        reader.close()


def budget_options(func):
    """``--doc-timeout``, ``--doc-memory``, ``--doc-rows`` → a ``budget`` argument (``kg.budget.DocumentBudget``)."""
    def budgeted(*args, doc_timeout: float, doc_memory: int, doc_rows: int, **kwargs):
        from fundflow.kg.budget import DocumentBudget

        return func(*args, budget=DocumentBudget(doc_timeout, doc_memory * 2**20, doc_rows), **kwargs)

    budgeted = functools.update_wrapper(budgeted, func)
    budgeted = click.option("--doc-rows", type=click.IntRange(min=1), default=50_000, show_default=True,
                            metavar="N", help="Skip a document whose tables have more rows than this.")(budgeted)
    budgeted = click.option("--doc-memory", type=click.IntRange(min=64), default=4096, show_default=True,
                            metavar="MIB", help="Skip a document that needs more memory than this.")(budgeted)
    return click.option("--doc-timeout", type=click.FloatRange(min=1), default=300, show_default=True,
                        metavar="SECONDS", help="Skip a document that takes longer than this to read, or again to write.")(budgeted)


def ingest_with_progress(store, files: list[Path], loader: str | None, budget=None, jobs: int = 1, ocr: bool = False):
    """Ingest with a progress bar when stderr is a terminal; each document within ``budget``."""
    from fundflow.kg.ingest import ingest_paths

    if sys.stderr.isatty() and len(files) > 1:
        with click.progressbar(length=len(files), label="ingesting", file=sys.stderr) as bar:
            return ingest_paths(store, files, loader, report=error_line, each=lambda _p: bar.update(1), budget=budget,
                                jobs=jobs, ocr=ocr)
    return ingest_paths(store, files, loader, report=error_line, budget=budget, jobs=jobs, ocr=ocr)


def error_line(message: str) -> None:
    """A message for the user → one line on stderr (stdout stays for results)."""
    click.echo(message, err=True)


def parse_table(d: ParsedDocument) -> list[str]:
    """A parsed document as a short human-readable overview."""
    m = d.meta
    from fundflow.records.pipeline import OCR_WARNING

    read_by = f"  {OCR_WARNING}" if d.source.ocr else ""
    out = [f"{d.source.name}  loader={d.loader}  year={m.fiscal_year}  kind={m.kind}  scope={m.scope}{read_by}",
           f"  department: {m.department or '-'}  units: {', '.join(u.name for u in m.units) or '-'}"]
    for t in d.tables:
        flag = " [illegible]" if t.illegible else ""
        out.append(f"  L{t.first_line}-{t.last_line}  {t.label:<8} {t.kind or '?':<14} {len(t.rows):>4} rows{flag}  {t.title}")
    counts = Counter(type(r).__name__ for r in d.records)
    out.append("  records: " + (", ".join(f"{n} {k}" for k, n in sorted(counts.items())) or "none"))
    return [printable(line) for line in out]  # names come from documents
