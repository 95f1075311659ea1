"""``fundflow check DIR…`` → how well each document is read, as a table or JSON (see ``outputs.check``)."""
from __future__ import annotations

import sys

import click

from fundflow.cli.support import ocr_option
from fundflow.outputs.check import check_paths, render_json, render_table


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True,
              help="A table per document, or JSON.")
@click.option("-v", "--verbose", is_flag=True, help="List every column not understood and every failed identity.")
@click.option("--max-unknown", type=click.FloatRange(0, 100), default=None, metavar="PCT",
              help="Exit 1 when more than PCT % of the header columns are not understood.")
@ocr_option
def check(paths: tuple[str, ...], fmt: str, verbose: bool, max_unknown: float | None, ocr: bool) -> None:
    """Read every disclosure under PATHS and report, per document, what was read.

    Year, kind and organisation; tables read of tables found; accounting identities
    held ✓ / failed ✗ / skipped –; projects; header columns not understood.  Nothing
    is stored.  With --ocr a scanned PDF is read by OCR and listed as read so.  Exit 0
    when every document was read, 1 when some were not (or when --max-unknown is
    exceeded), 2 when none was.
    """
    report = check_paths(paths, ocr)
    click.echo(render_json(report) if fmt == "json" else render_table(report, verbose))
    if not report.documents or not report.read:
        sys.exit(2)
    too_many = max_unknown is not None and report.unknown_share() * 100 > max_unknown
    sys.exit(1 if len(report.read) < len(report.documents) or too_many else 0)
