"""Publishing commands of ``fundflow`` → the store as ``catalog`` (DCAT), ``serve`` (SPARQL endpoint), ``push`` (Graph Store).

Plain click commands; ``kg.cli`` adds them to the ``fundflow`` group.  Each
reads the store and hands the work to ``kg.catalog``, ``kg.serve`` or
``kg.push``; a ``FundflowError`` is reported by the group (exit 2), graphs
the remote store refused make ``push`` exit 1.
"""
from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

import click

from fundflow.cli.support import query_limits, store_option, with_reader
from fundflow.core.errors import FundflowError


@click.command()
@click.option("-o", "--output", type=click.Path(dir_okay=False), required=True, help="Catalog file (Turtle).")
@store_option
@click.option("--base", default="https://w3id.org/fundflow/", show_default=True,
              help="URL the exports/ folder is published under; download URLs are {base}exports/….")
@click.option("--license", "license_iri", default="https://creativecommons.org/licenses/by/4.0/", show_default=True,
              help="Licence of the published data (IRI).")
@click.option("--files", is_flag=True, help="Also write the distributions the catalog lists, next to it.")
def catalog(output: str, store_dir: str | None, base: str, license_iri: str, files: bool) -> None:
    """Write a DCAT (DCAT-AP 3.0.0) catalog of the store: one dataset per document and one for all."""
    from fundflow.outputs.catalog import write_catalog

    written = with_reader(store_dir, lambda store: write_catalog(store, Path(output), base, files,
                                                                 license_iri=license_iri))
    click.echo(f"wrote {output}" + (f" and {len(written) - 1} distribution files" if files else ""), err=True)


@click.command()
@store_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port to listen on (0: a free one, printed when it starts).")
@query_limits(timeout=30, max_results=100_000)
@click.option("--workers", type=click.IntRange(1, 64), default=2, show_default=True,
              help="Query worker processes (queries that run at once).")
@click.option("--threads", type=click.IntRange(1, 256), default=8, show_default=True,
              help="HTTP threads (requests answered at once; the rest wait).")
@click.option("--idle-timeout", type=click.IntRange(1, 3600), default=20, show_default=True,
              help="Close a connection that sends or reads nothing for this many seconds.")
@click.option("--allow-host", "allow_hosts", multiple=True, metavar="NAME",
              help="Also answer requests for this Host name (repeatable; * for any). On loopback only "
                   "localhost, 127.0.0.1 and ::1 are answered, which stops DNS-rebinding pages.")
def serve(store_dir: str | None, host: str, port: int, limits, workers: int, threads: int,
          idle_timeout: int, allow_hosts: tuple[str, ...]) -> None:
    """Read-only SPARQL 1.1 endpoint over the store at http://HOST:PORT/sparql (Ctrl-C stops it).

    Each query runs in a worker process stopped at --timeout; SERVICE is refused.
    """
    import logging

    from fundflow.publish.serve import ServeSettings, make_server

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stderr)
    logging.getLogger("waitress").setLevel(logging.ERROR)
    settings = ServeSettings(limits=limits, workers=workers, threads=threads, allowed_hosts=allow_hosts,
                             channel_timeout=idle_timeout)
    try:
        server = make_server(store_dir, host, port, settings)
    except OSError as err:
        raise FundflowError(f"cannot listen on {host}:{port}: {err.strerror or err}",
                            hint="choose another --port") from None
    click.echo(f"SPARQL endpoint: http://{host}:{server.port}/sparql (read-only)", err=True)
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()


def _interrupt(_signum, _frame) -> None:
    raise KeyboardInterrupt


@click.command()
@click.option("--endpoint", required=True, metavar="URL",
              help="Graph Store Protocol URL, e.g. http://127.0.0.1:8890/sparql-graph-crud-auth.")
@store_option
@click.option("--user", default=None, help="User for HTTP basic/digest authentication.")
@click.option("--password", default=None, help="Password (default: $FUNDFLOW_PUSH_PASSWORD).")
@click.option("--graph-prefix", default=None, metavar="IRI",
              help="Rename graphs on the remote store: IRI + the graph's name (default: keep the IRIs).")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=60, show_default=True,
              help="Seconds to wait for the store to accept a connection or answer.")
@click.option("--deadline", type=click.FloatRange(min=1), default=900, show_default=True,
              help="Seconds for the whole push; graphs not sent by then are reported.")
@click.option("--update-endpoint", default=None, metavar="URL",
              help="SPARQL 1.1 Update URL each staging graph is MOVEd over the old one with (Virtuoso: "
                   "…/sparql-auth; default: found next to --endpoint by a probe). Without one each graph is PUT "
                   "in place, and an interrupted push could lose a graph.")
def push(endpoint: str, store_dir: str | None, user: str | None, password: str | None,
         graph_prefix: str | None, timeout: float, deadline: float, update_endpoint: str | None) -> None:
    """Replace every named graph on a SPARQL 1.1 store (Graph Store Protocol; a staging graph and MOVE each).

    One line per graph; the last line says how many remote graphs changed.
    """
    from fundflow.publish.push import PushLimits, push_store

    password = password if password is not None else os.environ.get("FUNDFLOW_PUSH_PASSWORD")
    def each(r) -> None:
        click.echo(r.line())
    results = with_reader(store_dir, lambda store: push_store(store, endpoint, user, password, graph_prefix,
                                                              each=each, limits=PushLimits(timeout, deadline),
                                                              update_endpoint=update_endpoint))
    changed = sum(r.changed is True for r in results)
    unknown = sum(r.changed is None for r in results)
    tally = f"remote graphs changed: {changed}, unchanged: {len(results) - changed - unknown}" + (
        f", not known (see above): {unknown}" if unknown else "")
    failed = [r for r in results if not r.ok]
    if failed:
        click.echo(f"error: {len(failed)} of {len(results)} graphs not stored at {endpoint} "
                   f"(first: {failed[0].status or ''} {failed[0].message}); {tally}", err=True)
        sys.exit(1)
    click.echo(f"pushed {len(results)} graphs, {sum(r.triples for r in results)} triples; {tally}", err=True)
