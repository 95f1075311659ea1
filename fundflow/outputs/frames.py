"""A store or a document → tables as pandas DataFrames: the Python API behind ``fundflow.open`` and ``fundflow.parse``.

``KnowledgeGraph(store)`` answers the bundled queries (``kg/queries/*.rq``) as
DataFrames; ``ParsedFile(parsed)`` gives the records of one parsed document the
same way, without a store.  Values keep their meaning: amounts are ``Decimal``
yuan (exact, never float), codes and unit codes are strings (``"071002"`` keeps
its zero), years are integers, booleans are booleans, ontology terms are their
local name (``Central``, ``Total``).  pandas is an optional dependency
(``pip install 'fundflow[pandas]'``); ``rows(...)`` gives the same tables as
lists of dicts without it.
"""
from __future__ import annotations

import dataclasses
import re
from decimal import Decimal
from pathlib import Path
from typing import Any, Self

import pyoxigraph as ox

from fundflow.analysis.funding import assess_project
from fundflow.checks.reconcile import reconcile
from fundflow.core.errors import FundflowError, StoreError
from fundflow.core.model import (
    BudgetLine,
    Indicator,
    ParsedDocument,
    Project,
    Record,
    TableIssue,
    TableTotal,
    ThreeCosts,
)
from fundflow.kg.query import load_query, run_query
from fundflow.kg.store import default_store_path
from fundflow.kg.vocab import FF_NS

XSD = "http://www.w3.org/2001/XMLSchema#"
_INTEGER = {XSD + t for t in ("integer", "int", "long", "short", "nonNegativeInteger", "positiveInteger")}


def term_value(term: Any) -> Any:
    """An RDF term → a plain Python value (Decimal, int, bool, float, str; ff: IRIs → local name; None)."""
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return term.value.removeprefix(FF_NS)
    if isinstance(term, ox.Literal):
        dt = term.datatype.value
        try:
            if dt == XSD + "decimal":
                return Decimal(term.value)
            if dt in _INTEGER:
                return int(term.value)
            if dt == XSD + "gYear":
                return int(term.value[:4])
            if dt == XSD + "boolean":
                return term.value in ("true", "1")
            if dt in (XSD + "double", XSD + "float"):
                return float(term.value)
        except (ArithmeticError, ValueError):
            return term.value
    return term.value


def solutions_to_rows(results: Any) -> tuple[list[str], list[dict[str, Any]]]:
    """pyoxigraph SELECT results → (column names, rows of plain values)."""
    if not isinstance(results, ox.QuerySolutions):
        raise FundflowError("only SELECT queries give a table", hint="use `fundflow query` for ASK/CONSTRUCT")
    names = [v.value for v in results.variables]
    return names, [{n: term_value(sol[n]) for n in names} for sol in results]


def to_frame(columns: list[str], rows: list[dict[str, Any]]):
    """Rows → a pandas DataFrame: integer and boolean columns nullable (Int64, boolean), the rest kept as objects."""
    try:
        import pandas as pd
    except ImportError:  # the optional extra
        raise FundflowError("pandas is not installed", hint="pip install 'fundflow[pandas]' (or use .rows())") from None
    frame = pd.DataFrame(rows, columns=columns, dtype=object)
    for col in columns:
        values = [v for v in frame[col] if v is not None]
        if values and all(isinstance(v, bool) for v in values):
            frame[col] = frame[col].astype("boolean")
        elif values and all(isinstance(v, int) and not isinstance(v, bool) for v in values):
            frame[col] = frame[col].astype("Int64")
    return frame


class KnowledgeGraph:
    """A fundflow store opened read-only: the bundled queries as DataFrames.

    Each method runs the bundled query of its name over the union of the
    store's graphs (``projects()`` is ``fundflow query projects``).  Raises
    ``StoreError`` when there is no store at the path.
    """

    def __init__(self, path: str | Path | None = None):
        where = Path(path or default_store_path())
        if not where.is_dir():
            raise StoreError(f"no store at {where}", hint="run `fundflow ingest FILE… --store DIR` first")
        try:
            self.store: ox.Store | None = ox.Store.read_only(str(where))
        except OSError as err:
            raise StoreError(f"cannot open store {where}: {str(err).splitlines()[0]}") from None
        self.path = where

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<fundflow.KnowledgeGraph {self.path}>"

    def close(self) -> None:
        """Let go of the store."""
        self.store = None

    def rows(self, query: str) -> list[dict[str, Any]]:
        """A bundled query name, a .rq file or SPARQL text → rows of plain values."""
        return solutions_to_rows(self._run(query))[1]

    def query(self, query: str):
        """A bundled query name, a .rq file or SPARQL SELECT text → DataFrame."""
        return to_frame(*solutions_to_rows(self._run(query)))

    def _run(self, query: str):
        if self.store is None:
            raise StoreError(f"store {self.path} is closed")
        text = load_query(query) if re.fullmatch(r"[\w./-]+", query) else query
        return run_query(self.store, text)

    def projects(self):
        """Every project: year, unit code and name, amount and executed amount (yuan), level, 直达资金, code."""
        return self.query("projects")

    def budget_lines(self):
        """Every amount of every classification table: document, table, line, code scheme and code, type, fund."""
        return self.query("budget-lines")

    def totals(self):
        """The 合计 of every table per column and fund, and the summary tables' totals."""
        return self.query("totals")

    def three_costs(self):
        """三公经费 by year and basis, item names in Chinese."""
        return self.query("three-costs")

    def indicators(self):
        """Performance indicators (绩效指标) with targets and, in final accounts, actual values."""
        return self.query("indicators")

    def flows(self):
        """The movements of money (treasury → department → unit → project) of the flow graph that trace reads:
        each row with its year and phase, document, table and lines; no document or unit counted twice."""
        from fundflow.outputs.flowtable import flow_table

        if self.store is None:
            raise StoreError(f"store {self.path} is closed")
        return to_frame(*flow_table(self.store))

    def findings(self):
        """Reconciliation findings stored at ingest: rule, status, severity, message, both sides."""
        return self.query("findings")

    def documents(self):
        return self.query("documents")

    def units(self):
        return self.query("units")

    def tables_not_read(self):
        return self.query("tables-not-read")


def _ref_columns(ref) -> dict[str, Any]:
    return {"document": ref.document, "table": ref.table, "line": ref.first_line, "lastLine": ref.last_line}


class ParsedFile:
    """One document as read (``fundflow.parse(path)``), no store: its records as DataFrames.

    ``parsed`` is the ``ParsedDocument``; ``meta`` its ``DocumentMeta``.  Amounts
    are Decimal yuan, codes strings, every row names its document, table and line.
    """

    def __init__(self, parsed: ParsedDocument):
        self.parsed = parsed
        self.meta = parsed.meta

    def __repr__(self) -> str:
        m = self.meta
        return f"<fundflow.ParsedFile {self.parsed.source.name} {m.fiscal_year} {m.kind} {len(self.parsed.records)} records>"

    def records(self, cls: type[Record]) -> list[dict[str, Any]]:
        """The records of one type as dicts (dataclass fields, provenance as document/table/line)."""
        out = []
        for r in self.parsed.of(cls):
            row = {f.name: getattr(r, f.name) for f in dataclasses.fields(r) if f.name not in ("ref", "columns")}
            out.append({"year": self.meta.fiscal_year, **row, **_ref_columns(r.ref)})
        return out

    def _frame(self, cls: type[Record]):
        rows = self.records(cls)
        columns = list(rows[0]) if rows else ["year"] + [f.name for f in dataclasses.fields(cls)
                                                          if f.name not in ("ref", "columns")] + list(
            _ref_columns(self.parsed.source.ref(1)))
        return to_frame(columns, rows)

    def projects(self):
        """Projects with where their money comes from (level, treasury, 直达资金), read from name and document."""
        rows = []
        for row, project in zip(self.records(Project), self.parsed.of(Project)):
            f = assess_project(project, self.meta)
            rows.append({**row, "level": f.level, "source": f.source_name, "direct": f.is_direct,
                         "advance": f.is_advance, "purpose": f.purpose})
        frame = self._frame(Project)
        return to_frame([*frame.columns, "level", "source", "direct", "advance", "purpose"], rows)

    def budget_lines(self):
        return self._frame(BudgetLine)

    def totals(self):
        return self._frame(TableTotal)

    def three_costs(self):
        return self._frame(ThreeCosts)

    def indicators(self):
        return self._frame(Indicator)

    def tables_not_read(self):
        return self._frame(TableIssue)

    def findings(self):
        """Reconciliation findings of this document (failed and skipped rules)."""
        rows = [{"document": f.document, "rule": f.rule, "status": f.status, "severity": f.severity,
                 "message": f.message, "expected": f.expected, "actual": f.actual, "difference": f.difference}
                for f in reconcile(self.parsed)]
        return to_frame(["document", "rule", "status", "severity", "message", "expected", "actual", "difference"], rows)


def open_graph(path: str | Path | None = None) -> KnowledgeGraph:
    """The store at ``path`` (default ``$FUNDFLOW_STORE`` or ``.fundflow/store``), read-only."""
    return KnowledgeGraph(path)


def parse_file(path: str | Path, loader: str | None = None) -> ParsedFile:
    """Read one document (no store) → ``ParsedFile``.  Raises ``FundflowError`` naming the file."""
    from fundflow.records.pipeline import parse_document

    return ParsedFile(parse_document(path, loader))
