"""fundflow: Chinese budget and final-accounts disclosures → a knowledge graph of funding flows.

The Python API (pandas DataFrames need ``pip install 'fundflow[pandas]'``)::

    import fundflow
    kg = fundflow.open(".fundflow/store")      # a store made by `fundflow ingest`, opened read-only
    kg.projects()                               # DataFrame: amounts Decimal yuan, codes str
    doc = fundflow.parse("budget.pdf")          # one document, no store
    doc.projects(), doc.findings()

``open`` and ``parse`` import the pipeline only when called, so ``import fundflow`` stays cheap.
"""
from __future__ import annotations

from importlib import metadata as _metadata

try:
    __version__ = _metadata.version("fundflow")
except _metadata.PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"

__all__ = ["__version__", "open", "parse"]


def open(store=None):
    """The store at ``store`` (default ``$FUNDFLOW_STORE`` or ``.fundflow/store``) → ``KnowledgeGraph``.

    Raises ``fundflow.core.errors.StoreError`` when no store is there.
    """
    from fundflow.outputs.frames import open_graph

    return open_graph(store)


def parse(path, loader=None):
    """Read one document (text, PDF, HTML) without a store → ``ParsedFile`` with DataFrame methods.

    Raises ``fundflow.core.errors.FundflowError`` (one line, naming the file) when it cannot be read.
    """
    from fundflow.outputs.frames import parse_file

    return parse_file(path, loader)
