"""The ``fundflow`` command line: thin commands calling the pipeline stages.

Every ``FundflowError`` becomes one line on stderr and exit status 2; exit
status 1 means "ran, with findings/failures" (pySHACL convention).
"""
from __future__ import annotations

import json
import os
import sys
from collections import Counter
from pathlib import Path

import click

from fundflow.kg.errors import FundflowError
from fundflow.kg.model import ParsedDocument, to_jsonable


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
    return click.option("--loader", default=None, metavar="NAME",
                        help="Force a document layout loader instead of detecting it.")(func)


@click.group(cls=FundflowGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="fundflow")
def cli() -> None:
    """fundflow: Chinese budget and final-accounts disclosures as a knowledge graph of funding flows."""


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["json", "table"]), default="json", show_default=True)
@loader_option
def parse(files: tuple[str, ...], fmt: str, loader: str | None) -> None:
    """Read FILE… and print what the loaders found (tables and records), without storing it."""
    from fundflow.loaders.pipeline import parse_document

    docs = [parse_document(f, loader) for f in files]
    if fmt == "json":
        data = [to_jsonable(d) for d in docs]
        click.echo(json.dumps(data[0] if len(data) == 1 else data, ensure_ascii=False, indent=1))
        return
    for d in docs:
        click.echo("\n".join(_parse_table(d)))


def _parse_table(d: ParsedDocument) -> list[str]:
    """A parsed document as a short human-readable overview."""
    m = d.meta
    out = [f"{d.source.name}  loader={d.loader}  year={m.fiscal_year}  kind={m.kind}  scope={m.scope}",
           f"  department: {m.department or '-'}  units: {', '.join(u.name for u in m.units) or '-'}"]
    for t in d.tables:
        flag = " [illegible]" if t.illegible else ""
        out.append(f"  L{t.first_line}-{t.last_line}  {t.label:<8} {t.kind or '?':<14} {len(t.rows):>4} rows{flag}  {t.title}")
    counts = Counter(type(r).__name__ for r in d.records)
    out.append("  records: " + (", ".join(f"{n} {k}" for k, n in sorted(counts.items())) or "none"))
    return out


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@store_option
@loader_option
def ingest(paths: tuple[str, ...], store_dir: str | None, loader: str | None) -> None:
    """Parse documents (files or folders) and replace their graphs in the store."""
    from fundflow.kg.ingest import collect_paths

    files = collect_paths(paths)
    if not files:
        raise FundflowError("no documents found", hint="give .txt/.md/.htm files or folders holding them")
    summary = _with_store(store_dir, lambda store: _ingest_with_progress(store, files, loader))
    click.echo("\n".join(summary.lines()))
    sys.exit(summary.exit_code)


def _with_store(store_dir: str | None, work, create: bool = True):
    """Run ``work(store)`` and let go of the store before returning (its lock is freed with it)."""
    from fundflow.kg.store import open_store

    store = open_store(store_dir, create=create)
    try:
        return work(store)
    finally:
        del store


def _ingest_with_progress(store, files: list[Path], loader: str | None):
    """Ingest with a progress bar when stderr is a terminal."""
    from fundflow.kg.ingest import ingest_paths

    if sys.stderr.isatty() and len(files) > 1:
        with click.progressbar(length=len(files), label="ingesting", file=sys.stderr) as bar:
            return ingest_paths(store, files, loader, report=_error_line, each=lambda _p: bar.update(1))
    return ingest_paths(store, files, loader, report=_error_line)


def _error_line(message: str) -> None:
    click.echo(message, err=True)


@cli.command()
@click.argument("spec", metavar="NAME|FILE.rq|-")
@store_option
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
def query(spec: str, store_dir: str | None, fmt: str) -> None:
    """Run a SPARQL query: a bundled NAME, a FILE.rq, or - for stdin.

    Bundled queries: projects, budget-lines, indicators, documents, units.
    """
    from fundflow.kg.query import format_results, load_query, run_query

    text = load_query(spec)
    out = _with_store(store_dir, lambda store: format_results(run_query(store, text), fmt), create=False)
    click.echo(out.rstrip("\n"))


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["turtle", "nt", "jsonld", "trig"]), default="turtle",
              show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None, help="File to write (default: stdout).")
@store_option
def export(fmt: str, output: str | None, store_dir: str | None) -> None:
    """Write the whole store as Turtle, N-Triples, JSON-LD (union of graphs) or TriG (named graphs)."""
    from fundflow.kg.export import export_store

    target = output or sys.stdout.buffer
    _with_store(store_dir, lambda store: export_store(store, fmt, target), create=False)
    if output:
        click.echo(f"wrote {output}", err=True)


@cli.command()
@store_option
@click.option("--out", "out_dir", type=click.Path(file_okay=False), default="exports", show_default=True,
              help="Folder for the published files.")
def demo(store_dir: str | None, out_dir: str) -> None:
    """Load the bundled sample documents (data/samples) into the store and publish exports/."""
    from fundflow.kg.ingest import run_demo
    from fundflow.kg.render import write_demo_maps

    def publish(store):
        summary = run_demo(store, Path(out_dir), report=_error_line)
        write_demo_maps(store, Path(out_dir), report=_error_line)
        return summary

    summary = _with_store(store_dir, publish)
    click.echo("\n".join(summary.lines()))
    sys.exit(summary.exit_code)


def flow_filters(func):
    """``--year``, ``--region``, ``--unit``, ``--direct-only``: which flows a map or Sankey shows."""
    for option in (click.option("--direct-only", is_flag=True, help="Only 直达资金 flows."),
                   click.option("--unit", default=None, metavar="CODE|NAME", help="Only flows through this unit."),
                   click.option("--region", default=None, metavar="CODE", help="Only this region (e.g. 210100)."),
                   click.option("--year", type=int, default=None, help="Only this fiscal year.")):
        func = option(func)
    return func


@cli.command()
@click.option("--direct-only", is_flag=True, help="Only 直达资金 flows.")
@click.option("--year", type=int, default=None, help="Only this fiscal year.")
@click.option("--region", default=None, metavar="CODE|NAME", help="Only units of this region (e.g. 210100).")
@click.option("--level", type=click.Choice(["central", "provincial", "municipal", "county"]), default=None,
              help="Only money of this government level.")
@click.option("--purpose", default=None, help="Only projects whose purpose contains this text.")
@store_option
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def trace(store_dir: str | None, fmt: str, **filters) -> None:
    """Trace the funding flows (中央 → 省 → 市 → 主管部门 → 单位 → 项目) and split each unit's spending by level."""
    from fundflow.kg.trace_report import trace_json, trace_table

    report = trace_json if fmt == "json" else trace_table
    click.echo(_with_store(store_dir, lambda store: report(store, **filters), create=False))


@cli.command("map")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default="flows.html", show_default=True)
@flow_filters
@store_option
def map_(output: str, store_dir: str | None, **filters) -> None:
    """Write the funding flows as an interactive HTML map that works offline (vis-network)."""
    from fundflow.kg.render import load_flows, write_map

    graph = _with_store(store_dir, lambda store: load_flows(store, **filters), create=False)
    write_map(graph, output)
    click.echo(f"wrote {output} ({graph.number_of_nodes()} nodes, {graph.number_of_edges()} flows)", err=True)


@cli.command()
@click.option("-o", "--output", type=click.Path(dir_okay=False), default="sankey.html", show_default=True)
@flow_filters
@store_option
def sankey(output: str, store_dir: str | None, **filters) -> None:
    """Write the funding flows as a Sankey diagram in one offline HTML file (plotly)."""
    from fundflow.kg.render import load_flows
    from fundflow.kg.sankey import write_sankey

    graph = _with_store(store_dir, lambda store: load_flows(store, **filters), create=False)
    write_sankey(graph, output)
    click.echo(f"wrote {output}", err=True)


@cli.command()
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False))
@store_option
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--no-shacl", is_flag=True, help="Skip the SHACL validation of the store.")
def validate(files: tuple[str, ...], store_dir: str | None, fmt: str, no_shacl: bool) -> None:
    """Reconciliation findings (accounting identities) and SHACL validation.

    With FILE… the documents are reconciled directly; without, the findings
    stored at ingest are read and the store is checked against the shapes.
    Exit 0 all hold, 1 findings, 2 could not run.
    """
    from fundflow.kg.validate_cli import run_validate

    text, code = run_validate(files, store_dir, fmt, no_shacl)
    click.echo(text)
    sys.exit(code)


@cli.command()
@click.option("-o", "--output", type=click.Path(dir_okay=False), required=True, help="Catalog file (Turtle).")
@store_option
@click.option("--base", default="https://w3id.org/fundflow/", show_default=True,
              help="URL the exports/ folder is published under; download URLs are {base}exports/….")
@click.option("--license", "license_iri", default="https://creativecommons.org/licenses/by/4.0/", show_default=True,
              help="Licence of the published data (IRI).")
@click.option("--files", is_flag=True, help="Also write the distributions the catalog lists, next to it.")
def catalog(output: str, store_dir: str | None, base: str, license_iri: str, files: bool) -> None:
    """Write a DCAT (DCAT-AP 3.0.0) catalog of the store: one dataset per document and one for all."""
    from fundflow.kg.catalog import write_catalog

    written = _with_store(store_dir, lambda store: write_catalog(store, Path(output), base, files,
                                                                 license_iri=license_iri), create=False)
    click.echo(f"wrote {output}" + (f" and {len(written) - 1} distribution files" if files else ""), err=True)


@cli.command()
@store_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=int, default=8000, show_default=True)
def serve(store_dir: str | None, host: str, port: int) -> None:
    """Read-only SPARQL 1.1 endpoint over the store at http://HOST:PORT/sparql (Ctrl-C stops it)."""
    from fundflow.kg.serve import make_server

    try:
        server = make_server(store_dir, host, port)
    except OSError as err:
        raise FundflowError(f"cannot listen on {host}:{port}: {err.strerror or err}",
                            hint="choose another --port") from None
    click.echo(f"SPARQL endpoint: http://{host}:{server.server_address[1]}/sparql (read-only)", err=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


@cli.command()
@click.option("--endpoint", required=True, metavar="URL",
              help="Graph Store Protocol URL, e.g. http://127.0.0.1:8890/sparql-graph-crud-auth.")
@store_option
@click.option("--user", default=None, help="User for HTTP basic/digest authentication.")
@click.option("--password", default=None, help="Password (default: $FUNDFLOW_PUSH_PASSWORD).")
@click.option("--graph-prefix", default=None, metavar="IRI",
              help="Rename graphs on the remote store: IRI + the graph's name (default: keep the IRIs).")
def push(endpoint: str, store_dir: str | None, user: str | None, password: str | None,
         graph_prefix: str | None) -> None:
    """Send every named graph to a SPARQL 1.1 store with the Graph Store Protocol (one PUT per graph)."""
    from fundflow.kg.push import push_store

    password = password if password is not None else os.environ.get("FUNDFLOW_PUSH_PASSWORD")
    each = (lambda r: click.echo(r.line()))
    results = _with_store(store_dir, lambda store: push_store(store, endpoint, user, password, graph_prefix,
                                                              each=each), create=False)
    failed = [r for r in results if not r.ok]
    if failed:
        click.echo(f"error: {len(failed)} of {len(results)} graphs not stored at {endpoint} "
                   f"(first: {failed[0].status or ''} {failed[0].message})", err=True)
        sys.exit(1)
    click.echo(f"pushed {len(results)} graphs, {sum(r.triples for r in results)} triples", err=True)


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
