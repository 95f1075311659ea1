"""Store → a Frictionless data package: one CSV per table plus ``datapackage.json``.

``write_datapackage(store, folder)`` writes the tables of ``sheets.TABLES`` and a
``codes`` table (the code lists), each described by a Table Schema: field types
(year, integer, number, boolean, string), amounts with their unit (CNY yuan), a
primary key where a table has one, and foreign keys from every row naming a
document to ``documents`` and from every budget line's code to
``codes``.  Fields also carry the Fiscal Data Package's ``columnType``
(``value``, ``date:fiscal-year``, ``functional-classification:generic:code``,
``economic-classification:generic:code``, ``administrative-classification:generic:code``)
and amounts their ``phase`` (``approved`` for budgets, ``executed`` for final
accounts), so OpenSpending-style tools can map the columns.  The budget lines
split the code into ``functionCode`` and ``economicCode`` by scheme.
"""
from __future__ import annotations

import json
from decimal import Decimal
from importlib import metadata
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from fundflow.core.errors import FundflowError
from fundflow.kg.query import bundled_queries
from fundflow.outputs.sheets import TABLES, money_columns, rows_to_csv, table_rows

PACKAGE_TABLES = (*TABLES, "codes")
ECONOMIC = ("EconomicClassificationDepartment", "EconomicClassificationGovernment")
# Fiscal Data Package column types, by column name
COLUMN_TYPES = {
    "year": "date:fiscal-year",
    "unitCode": "administrative-classification:generic:code",
    "unit": "administrative-classification:generic:label",
    "functionCode": "functional-classification:generic:code",
    "economicCode": "economic-classification:generic:code",
}
PHASES = {"Budget": "approved", "FinalAccounts": "executed"}
# Code notations are unique over the three lists (function 2xx, department economic 3xx, government economic 5xx)
KEYS: dict[str, list[str]] = {"documents": ["file"], "codes": ["code"]}
DOCUMENT_COLUMN = {"budget-lines": "document", "totals": "document", "three-costs": "document",
                   "findings": "document", "tables-not-read": "document", "flows": "document"}


def _split_codes(columns: list[str], rows: list[dict[str, Any]]) -> list[str]:
    """Budget lines: ``functionCode`` / ``economicCode`` beside ``code``, by the line's scheme (in place)."""
    for row in rows:
        scheme, code = row.get("scheme"), row.get("code")
        row["functionCode"] = code if scheme == "FunctionClassification" else None
        row["economicCode"] = code if scheme in ECONOMIC else None
    at = columns.index("code") + 1
    return [*columns[:at], "functionCode", "economicCode", *columns[at:]]


def _type(values: list[Any], name: str) -> str:
    """Table Schema type of a column from its values (all None → string)."""
    present = [v for v in values if v is not None]
    if name == "year" and all(isinstance(v, int) for v in present):
        return "year"
    for kind, test in (("boolean", lambda v: isinstance(v, bool)),
                       ("integer", lambda v: isinstance(v, int) and not isinstance(v, bool)),
                       ("number", lambda v: isinstance(v, (Decimal, float, int)) and not isinstance(v, bool))):
        if present and all(test(v) for v in present):
            return kind
    return "string"


def _field(table: str, name: str, values: list[Any], phases: set[str]) -> dict[str, Any]:
    field: dict[str, Any] = {"name": name, "type": _type(values, name)}
    if field["type"] == "boolean":
        field.update(trueValues=["true"], falseValues=["false"])
    if name in money_columns(table):
        field.update(unit="CNY", description="yuan (元), exact; 万元 = amount / 10000", columnType="value")
        if len(phases) == 1:
            field["phase"] = PHASES.get(next(iter(phases)), "approved")
    elif name in COLUMN_TYPES and table in ("budget-lines", "projects", "totals"):
        field["columnType"] = COLUMN_TYPES[name]
    if name in KEYS.get(table, []):
        field["constraints"] = {"required": True}
    return field


def _schema(table: str, columns: list[str], rows: list[dict[str, Any]]) -> dict[str, Any]:
    phases = {r["phase"] for r in rows if r.get("phase")}
    schema: dict[str, Any] = {"fields": [_field(table, c, [r[c] for r in rows], phases) for c in columns],
                              "missingValues": [""]}
    if table in KEYS:
        schema["primaryKey"] = KEYS[table]
    fks = []
    if table in DOCUMENT_COLUMN:
        fks.append({"fields": [DOCUMENT_COLUMN[table]], "reference": {"resource": "documents", "fields": ["file"]}})
    if table == "budget-lines":
        fks.append({"fields": ["code"], "reference": {"resource": "codes", "fields": ["code"]}})
    if fks:
        schema["foreignKeys"] = fks
    return schema


def _resource(table: str, path: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"name": table, "path": path, "profile": "tabular-data-resource", "format": "csv",
            "mediatype": "text/csv", "encoding": "utf-8", "description": description,
            "dialect": {"delimiter": ",", "quoteChar": '"', "header": True}, "schema": schema}


def write_datapackage(store: ox.Store, folder: Path, name: str = "fundflow") -> Path:
    """Write ``folder/*.csv`` and ``folder/datapackage.json`` → the descriptor's path.

    Raises ``FundflowError`` when the folder cannot be written.
    """
    questions = bundled_queries()
    resources = []
    try:
        (folder / "data").mkdir(parents=True, exist_ok=True)
        for table in PACKAGE_TABLES:
            columns, rows = table_rows(store, table)
            if table == "budget-lines":
                columns = _split_codes(columns, rows)
            path = f"data/{table}.csv"
            (folder / path).write_bytes(rows_to_csv(columns, rows, bom=False))
            resources.append(_resource(table, path, _schema(table, columns, rows), questions.get(table, "")))
        descriptor = {"profile": "tabular-data-package", "name": name,
                      "title": "fundflow: Chinese budget and final-accounts disclosures as tables",
                      "description": "部门预算、单位预算与部门决算公开文件中的收支表、项目、三公经费、绩效指标与核对结果；"
                                     "金额单位为元（CNY），每行注明文件、表和行。",
                      "version": metadata.version("fundflow"), "licenses": [{"name": "CC-BY-4.0",
                                                            "path": "https://creativecommons.org/licenses/by/4.0/"}],
                      "resources": resources}
        target = folder / "datapackage.json"
        target.write_text(json.dumps(descriptor, ensure_ascii=False, indent=1), encoding="utf-8")
    except OSError as err:
        raise FundflowError(f"cannot write the data package: {err.strerror or err}", file=str(folder)) from None
    return target
