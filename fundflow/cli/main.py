"""The ``fundflow`` command line → thin commands calling the pipeline stages.

Every ``FundflowError`` becomes one line on stderr and exit status 2; exit
status 1 means "ran, with findings/failures" (pySHACL convention).

Shared options and helpers are ``cli_support``; the publishing commands
(``catalog``, ``serve``, ``push``) are ``cli_publish``, added to the group here.
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from fundflow.cli.check import check
from fundflow.cli.publish import catalog, push, serve
from fundflow.cli.support import (
    FundflowGroup,
    budget_options,
    error_line,
    flow_filters,
    ingest_with_progress,
    loader_option,
    ocr_option,
    parse_table,
    query_limits,
    store_option,
    with_reader,
    with_store,
)
from fundflow.core.errors import FundflowError
from fundflow.core.model import to_jsonable


@click.group(cls=FundflowGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="fundflow")
def cli() -> None:
    """fundflow: Chinese budget and final-accounts disclosures as a knowledge graph of funding flows."""


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(["json", "table"]), default="json", show_default=True,
              help="Records as JSON, or one line per table and record.")
@click.option("--nquads", "nquads_dir", type=click.Path(file_okay=False), default=None, metavar="DIR",
              help="Write each document's quads to DIR/NAME.nq (for ingest or any store's bulk loader) "
                   "instead of printing; FILE… may be folders.")
@loader_option
@ocr_option
def parse(files: tuple[str, ...], fmt: str, nquads_dir: str | None, loader: str | None, ocr: bool) -> None:
    """Read FILE… and print what the loaders found (tables and records), without storing it.

    A file that cannot be read is reported on one line and the others are still read;
    exit 2 when no file could be read, 1 when some could not.  With --ocr a scanned PDF
    is read by OCR and said to be (a warning line, and ``ocr`` issues on its tables).
    With --nquads DIR each document becomes DIR/NAME.nq: its graph, its facts about
    shared entities and its findings, as ``ingest`` would store them (copies of other
    documents are found only when the files are ingested).
    """
    from fundflow.records.pipeline import OCR_WARNING, parse_document

    if nquads_dir is not None:
        sys.exit(_parse_to_nquads(files, Path(nquads_dir), loader, ocr))

    if len(files) == 1:
        docs = [parse_document(files[0], loader, ocr)]  # one file: its error is the command's error (exit 2)
        failed = 0
    else:
        docs, failed = [], 0
        for f in files:
            try:
                docs.append(parse_document(f, loader, ocr))
            except FundflowError as err:
                failed += 1
                error_line(f"error: {err}")
    for d in docs:
        if d.source.ocr:
            error_line(f"warning: {d.source.name}: {OCR_WARNING}")
    if fmt == "json":
        data = [to_jsonable(d) for d in docs]
        click.echo(json.dumps(data[0] if len(files) == 1 else data, ensure_ascii=False, indent=1))
    else:
        for d in docs:
            click.echo("\n".join(parse_table(d)))
    if failed:
        sys.exit(2 if not docs else 1)


def _parse_to_nquads(files: tuple[str, ...], folder: Path, loader: str | None, ocr: bool) -> int:
    """``parse --nquads``: each readable file → ``folder/NAME.nq`` → exit status (0, 1 some failed, 2 all)."""
    from fundflow.kg.budget import prepare_document
    from fundflow.kg.bulk import nquads_file
    from fundflow.kg.ingest import collect_paths

    paths = collect_paths(files)
    folder.mkdir(parents=True, exist_ok=True)
    written = failed = 0
    for path in paths:
        try:
            prepared = prepare_document(path, loader, ocr=ocr)
        except FundflowError as err:
            failed += 1
            error_line(f"error: {err}")
            continue
        target = nquads_file(folder, prepared.parsed.source.name)
        staging = target.with_name(f".{target.name}.part")  # a reader of the folder never sees half a file
        staging.write_bytes(prepared.nquads)
        staging.replace(target)
        written += 1
    click.echo(f"documents: {written} written to {folder}, {failed} failed")
    return 0 if not failed else (2 if not written else 1)


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@store_option
@loader_option
@budget_options
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None, metavar="N",
              help="Documents read at once (default: the number of cores); one process writes the store.")
@ocr_option
def ingest(paths: tuple[str, ...], store_dir: str | None, loader: str | None, budget, jobs: int | None,
           ocr: bool) -> None:
    """Parse documents (files or folders) and replace their graphs in the store.

    Each document is read in a child process within --doc-timeout and --doc-memory;
    one over its budget, or unreadable, is named on one line and the batch goes on.
    A file whose bytes are already stored under its name is not read again (counted unchanged).
    With --ocr a scanned PDF is read by OCR within the same budget; its document is
    stored with ff:readByOcr true and an ``ocr`` issue on each table.  A ``.nq`` file
    written by ``fundflow parse --nquads`` is a document already read: it is loaded as it is.
    """
    from fundflow.kg.ingest import NQUADS, SUFFIXES, collect_paths
    from fundflow.kg.parallel import default_jobs

    skipped: list[Path] = []
    files = collect_paths(paths, skipped, SUFFIXES + (NQUADS,))
    for note in skipped:
        click.echo(f"skipped {note}: a folder's notes, not a disclosure (name the file to read it)", err=True)
    if not files:
        raise FundflowError("no documents found", hint="give .txt/.md/.htm files or folders holding them")
    summary = with_store(store_dir, lambda store: ingest_with_progress(store, files, loader, budget, jobs or default_jobs(),
                                                                             ocr))
    click.echo("\n".join(summary.lines()))
    sys.exit(summary.exit_code)


@cli.command()
@click.argument("names", nargs=-1, required=True, metavar="FILE_NAME…")
@store_option
def remove(names: tuple[str, ...], store_dir: str | None) -> None:
    """Remove documents from the store by file name, with their findings and copies, and recount.

    FILE_NAME… are the names the documents were ingested under (a path is cut to its
    file name; ``fundflow query documents`` lists them).  A copy recorded as
    prov:alternateOf a removed document goes with it.  Flows another document had
    superseded count again.  An unknown name removes nothing (exit 2).
    """
    from fundflow.kg.ingest import remove_documents

    removed = with_store(store_dir, lambda store: remove_documents(store, names), create=False)
    click.echo(f"removed {len(removed)} documents: {', '.join(removed)}")


class QueryCommand(click.Command):
    """``fundflow query``: its help lists every bundled query with the question it answers."""

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        from fundflow.kg.query import bundled_queries

        with formatter.section("Bundled queries"):
            formatter.write_dl(sorted(bundled_queries().items()))


@cli.command(cls=QueryCommand)
@click.argument("spec", metavar="NAME|FILE.rq|-")
@store_option
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True,
              help="A table in 万元, or the exact W3C SPARQL results as CSV or JSON.")
@query_limits(timeout=120, max_results=1_000_000)
def query(spec: str, store_dir: str | None, fmt: str, limits) -> None:
    """Run a SPARQL query: a bundled NAME, a FILE.rq, or - for stdin.

    Tables show amounts in 万元 with thousands separators and ontology terms by
    their Chinese label; csv and json are the W3C SPARQL results formats, exact
    (amounts in yuan).  The query runs in a worker process that is stopped at
    --timeout; SERVICE is refused.
    """
    from fundflow.kg.query import load_query
    from fundflow.kg.sandbox import query_store

    click.echo(query_store(store_dir, load_query(spec), fmt, limits).rstrip("\n"))


EXPORT_FORMATS = ["turtle", "nt", "jsonld", "trig", "csv", "xlsx", "datapackage"]


@cli.command()
@click.option("--format", "fmt", type=click.Choice(EXPORT_FORMATS), default="turtle", show_default=True,
              help="An RDF syntax, or tables.")
@click.option("-o", "--output", type=click.Path(), default=None,
              help="File to write (default: stdout); a folder for datapackage.")
@click.option("--table", default="projects", show_default=True, metavar="NAME",
              help="csv: which table (projects, budget-lines, totals, three-costs, indicators, findings, …).")
@click.option("--no-bom", is_flag=True, help="csv: no UTF-8 byte-order mark (Excel needs it to read Chinese).")
@store_option
def export(fmt: str, output: str | None, table: str, no_bom: bool, store_dir: str | None) -> None:
    """Write the store: RDF (Turtle, N-Triples, JSON-LD, TriG) or tables (CSV, XLSX, Frictionless data package).

    RDF formats hold the union of the graphs (TriG: one named graph per document).
    csv writes one --table; xlsx one sheet per table (amounts in 万元); datapackage
    a folder of CSVs with datapackage.json (Table Schema, keys, units).
    """
    from fundflow.kg.export import export_store

    if fmt in ("xlsx", "datapackage") and not output:
        raise FundflowError(f"--format {fmt} needs -o", hint="e.g. -o fundflow.xlsx" if fmt == "xlsx" else "-o DIR")

    def work(store):
        if fmt == "csv":
            from fundflow.outputs.sheets import write_csv

            data = write_csv(store, table, output, bom=not no_bom)
            if data is not None:
                sys.stdout.buffer.write(data)
        elif fmt == "xlsx":
            from fundflow.outputs.sheets import write_xlsx

            write_xlsx(store, output)
        elif fmt == "datapackage":
            from fundflow.outputs.datapackage import write_datapackage

            write_datapackage(store, Path(output))
        else:
            export_store(store, fmt, output or sys.stdout.buffer)

    with_reader(store_dir, work)
    if output:
        click.echo(f"wrote {output}", err=True)


@cli.command()
@store_option
@click.option("--out", "out_dir", type=click.Path(file_okay=False), default="exports", show_default=True,
              help="Folder for the published files.")
def demo(store_dir: str | None, out_dir: str) -> None:
    """Load the bundled sample documents (data/samples) into the store and publish exports/."""
    from fundflow.outputs.demo import run_demo, write_demo_maps

    def publish(store):
        summary = run_demo(store, Path(out_dir), report=error_line)
        write_demo_maps(store, Path(out_dir), report=error_line)
        return summary

    summary = with_store(store_dir, publish)
    click.echo("\n".join(summary.lines()))
    sys.exit(summary.exit_code)


@cli.command()
@click.option("--direct-only", is_flag=True, help="Only 直达资金 flows.")
@click.option("--year", type=int, default=None, help="Only this fiscal year.")
@click.option("--region", default=None, metavar="CODE|NAME", help="Only units of this region (e.g. 210100).")
@click.option("--level", type=click.Choice(["central", "provincial", "municipal", "county"]), default=None,
              help="Only money of this government level.")
@click.option("--purpose", default=None, help="Only projects whose purpose contains this text.")
@store_option
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True,
              help="A table per unit, or JSON.")
def trace(store_dir: str | None, fmt: str, **filters) -> None:
    """Trace the funding flows (中央 → 省 → 市 → 主管部门 → 单位 → 项目) and split each unit's spending by level."""
    from fundflow.outputs.trace import trace_json, trace_table

    report = trace_json if fmt == "json" else trace_table
    click.echo(with_reader(store_dir, lambda store: report(store, **filters)))


def _flow_graph(store_dir: str | None, filters: dict):
    """The store's flow graph, filtered as the map and Sankey options say."""
    from fundflow.outputs.map import load_flows

    return with_reader(store_dir, lambda store: load_flows(store, **filters))


@cli.command("map")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default="flows.html", show_default=True,
              help="HTML file to write.")
@flow_filters
@store_option
def map_(output: str, store_dir: str | None, **filters) -> None:
    """Write the funding flows as an interactive HTML map that works offline (vis-network).

    One view per fiscal year and phase (a selector switches them); projects are folded
    into their unit until it is clicked, or opened from the start with --unit.
    """
    from fundflow.outputs.map import write_map

    graph = _flow_graph(store_dir, filters)
    write_map(graph, output, open_unit=filters.get("unit"))
    click.echo(f"wrote {output} ({len(graph.used_nodes())} nodes, {len(graph.edges)} flows, "
               f"{len(graph.periods())} period(s): {', '.join(p.label for p in graph.periods())})", err=True)


@cli.command()
@click.option("-o", "--output", type=click.Path(dir_okay=False), default="sankey.html", show_default=True,
              help="HTML file to write.")
@flow_filters
@store_option
def sankey(output: str, store_dir: str | None, **filters) -> None:
    """Write the funding flows as a Sankey diagram in one offline HTML file (plotly), one figure per year."""
    from fundflow.outputs.sankey import write_sankey

    write_sankey(_flow_graph(store_dir, filters), output)
    click.echo(f"wrote {output}", err=True)


@cli.command()
@click.argument("files", nargs=-1, type=click.Path())
@store_option
@click.option("--format", "fmt", type=click.Choice(["table", "json", "html"]), default="table", show_default=True,
              help="A table, JSON, or the HTML report (needs -o).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help="File to write (html needs one; default: stdout).")
@click.option("--no-shacl", is_flag=True, help="Skip the SHACL validation of the store.")
@ocr_option
def validate(files: tuple[str, ...], store_dir: str | None, fmt: str, output: str | None, no_shacl: bool,
             ocr: bool) -> None:
    """Reconciliation findings (accounting identities) and SHACL validation.

    With FILE… the documents are reconciled directly; without, the findings
    stored at ingest are read and the store is checked against the shapes.
    Every finding names its rule (id and name), status (failed / skipped),
    severity (violation / warning / info) and both sides with their lines;
    a summary counts the checks passed, failed and skipped per rule.
    --format html -o FILE writes the auditor's report with each finding
    beside the document's lines.  With --ocr a scanned FILE is read by OCR (a
    warning line says so).  Exit 0 all hold, 1 findings, 2 could not run.
    """
    from fundflow.outputs.report import run_validate

    text, code = run_validate(files, store_dir, fmt, no_shacl, output, report=error_line, ocr=ocr)
    click.echo(text)
    sys.exit(code)


for command in (catalog, serve, push, check):
    cli.add_command(command)


def main(argv: list[str] | None = None) -> None:
    """Console entry point: never shows a traceback unless ``FUNDFLOW_DEBUG`` is set."""
    try:
        cli.main(args=argv, prog_name="fundflow")
    except Exception as err:  # a bug, not bad input: one line, details on request
        if os.environ.get("FUNDFLOW_DEBUG"):
            raise
        click.echo(f"error: internal error: {type(err).__name__}: {err} (set FUNDFLOW_DEBUG=1 for details)", err=True)
        sys.exit(2)


if __name__ == "__main__":
    main()
