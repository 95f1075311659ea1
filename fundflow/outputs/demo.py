"""``fundflow demo``: the bundled samples → store → ``exports/``.

``run_demo(store, out_dir)`` ingests ``data/samples`` and runs every ``DEMO_STEPS``
step (Turtle export, DCAT catalog with its distributions) into ``out_dir``.
Raises ``FundflowError`` when no sample folder is found.
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from fundflow.core.errors import FundflowError
from fundflow.kg.export import export_store
from fundflow.kg.ingest import IngestSummary, ingest_paths
from fundflow.outputs.catalog import publish_step
from fundflow.outputs.map import load_flows, write_map
from fundflow.outputs.sankey import write_sankey

DemoStep = Callable[[ox.Store, Path, Callable[[str], None]], None]


def export_turtle_step(store: ox.Store, out_dir: Path, echo: Callable[[str], None]) -> None:
    """exports/fundflow.ttl: the whole store as Turtle."""
    target = out_dir / "fundflow.ttl"
    export_store(store, "turtle", target)
    echo(f"wrote {target}")


def tables_step(store: ox.Store, out_dir: Path, echo: Callable[[str], None]) -> None:
    """exports/fundflow.xlsx, exports/datapackage/ and exports/fundflow.jsonld: the store for other tools."""
    from fundflow.outputs.datapackage import write_datapackage
    from fundflow.outputs.sheets import write_xlsx

    echo(f"wrote {write_xlsx(store, out_dir / 'fundflow.xlsx')}")
    echo(f"wrote {write_datapackage(store, out_dir / 'datapackage')}")
    export_store(store, "jsonld", out_dir / "fundflow.jsonld")
    echo(f"wrote {out_dir / 'fundflow.jsonld'}")


# Steps run by `fundflow demo` after the samples are ingested, in order.
DEMO_STEPS: list[DemoStep] = [export_turtle_step, publish_step, tables_step]


def find_samples(start: Path | None = None) -> Path:
    """``data/samples`` of the repository: searched from ``start`` (cwd) upwards, then next to the package.

    Raises ``FundflowError`` when no folder with sample documents is found.
    """
    here = (start or Path.cwd()).resolve()
    package_root = Path(__file__).resolve().parents[2]
    for folder in [*(p / "data" / "samples" for p in (here, *here.parents)), package_root / "data" / "samples"]:
        if folder.is_dir() and any(folder.glob("*.txt")):
            return folder
    raise FundflowError("no sample documents found (data/samples/*.txt)",
                        hint="run `fundflow demo` from the fundflow repository, or ingest your own files")


def run_demo(store: ox.Store, out_dir: Path, report: Callable[[str], None] = print,
             samples: Path | None = None) -> IngestSummary:
    """Ingest the bundled samples into ``store``, then run every ``DEMO_STEPS`` step into ``out_dir``."""
    folder = samples or find_samples()
    summary = ingest_paths(store, sorted(folder.glob("*.txt")), report=report)
    out_dir.mkdir(parents=True, exist_ok=True)
    for step in DEMO_STEPS:
        step(store, out_dir, report)
    return summary


def write_demo_maps(store: Any, out_dir: Path, report: Any = print) -> None:
    """Publish ``flows.html`` and ``sankey.html`` of all flows in ``store`` into ``out_dir``; no flows → a note."""
    try:
        g = load_flows(store)
    except FundflowError as err:
        report(f"maps not written: {err}")
        return
    for path in (write_map(g, out_dir / "flows.html"), write_sankey(g, out_dir / "sankey.html")):
        report(f"wrote {path}")
