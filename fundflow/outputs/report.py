"""What ``fundflow validate`` prints: findings as a table or JSON, and the SHACL verdict.

``run_validate(files, store_dir, fmt, no_shacl) -> (text, exit code)``:
0 every identity holds and the store conforms, 1 findings, 2 could not run
(raised as ``FundflowError`` and turned into exit 2 by the CLI).
"""
from __future__ import annotations

import json

from fundflow.checks.reconcile import reconcile, reconcile_across
from fundflow.core.errors import FundflowError


def _rows_from_files(files: tuple[str, ...]) -> list[dict[str, str]]:
    """Parse and reconcile documents directly (no store) → finding rows."""
    from fundflow.records.pipeline import parse_document

    docs = [parse_document(f) for f in files]
    rows = []
    for f in [x for d in docs for x in reconcile(d)] + reconcile_across(docs):
        rows.append({"document": f.document, "rule": f.rule, "status": f.status, "severity": f.severity,
                     "message": f.message, "expected": format(f.expected, "f") if f.expected is not None else "",
                     "actual": format(f.actual, "f") if f.actual is not None else "",
                     "difference": format(f.difference, "f") if f.difference is not None else "",
                     "left": "; ".join(f"{r.table or ''} {r}" for r in f.left),
                     "right": "; ".join(f"{r.table or ''} {r}" for r in f.right)})
    return rows


def _rows_from_store(store_dir: str | None, no_shacl: bool) -> tuple[list[dict[str, str]], tuple[bool, str] | None]:
    from fundflow.kg.findings import read_findings, shacl_report
    from fundflow.kg.store import open_store

    store = open_store(store_dir, create=False)
    try:
        rows = read_findings(store)
        shacl = None if no_shacl else shacl_report(store)
    finally:
        del store
    return rows, shacl


def run_validate(files: tuple[str, ...], store_dir: str | None, fmt: str, no_shacl: bool) -> tuple[str, int]:
    """→ (text to print, exit code)."""
    shacl = None
    if files:
        rows = _rows_from_files(files)
    else:
        rows, shacl = _rows_from_store(store_dir, no_shacl)
    bad = [r for r in rows if r["status"] == "violated" and r["severity"] != "Info"]
    code = 1 if bad or (shacl is not None and not shacl[0]) else 0
    if fmt == "json":
        return json.dumps({"findings": rows, "shacl_conforms": None if shacl is None else shacl[0]},
                          ensure_ascii=False, indent=1), code
    return "\n".join(_table(rows, shacl)), code


def _table(rows: list[dict[str, str]], shacl: tuple[bool, str] | None) -> list[str]:
    out = []
    for r in rows:
        mark = {"violated": "FAIL", "skipped": "skip"}.get(r["status"], r["status"])
        out.append(f"{mark:4} {r['rule']} {r['severity']:<9} {r['document']}: {r['message']}")
    n_bad = sum(1 for r in rows if r["status"] == "violated" and r["severity"] != "Info")
    n_skip = sum(1 for r in rows if r["status"] == "skipped")
    out.append(f"reconciliation: {n_bad} finding(s), {n_skip} rule(s) skipped")
    if shacl is not None:
        out.append("SHACL: conforms" if shacl[0] else "SHACL: does not conform\n" + shacl[1].strip())
    return out


__all__ = ["FundflowError", "run_validate"]
