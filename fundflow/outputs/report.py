"""Findings → the auditor's report behind ``fundflow validate``: a table, JSON or an HTML page, and the exit code.

Both modes give the same rows: ``FILE…`` reconciles the documents directly, no
``FILE`` reads the findings stored at ingest.  A row names its rule (id and
name), its status (``failed`` / ``skipped``; passed checks are counted, not
listed), its severity (``violation`` / ``warning`` / ``info``, the rule's, from
``data/rules.csv``), the document's money unit with the amounts in it (and in
yuan; percentage rules give theirs in %), and both sides: ``expected_at`` (the figure the document prints as the
total, or the table a statement is checked against) and ``actual_at`` (the
recomputed side or the statement), each a list of {table, first_line, last_line}.
``summary`` counts passed, failed and skipped checks per rule.

``run_validate(files, store_dir, fmt, no_shacl, output)`` → (text, exit code):
0 every identity holds and the store conforms, 1 findings (a failed check whose
severity is not info, or SHACL), 2 could not run (``FundflowError``).
"""
from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

from fundflow.checks.reconcile import reconcile, reconcile_across
from fundflow.checks.rules import STATUS, Finding, catalogue, rule_counts
from fundflow.core.errors import FundflowError
from fundflow.core.model import SourceRef
from fundflow.core.normalize import MONEY_FACTORS

_REF = re.compile(r"^(?:(?P<table>\S+) )?(?P<doc>[^\s:]+):(?:p\d+:)?L(?P<first>\d+)(?:-L(?P<last>\d+))?$")


def _side(refs: list[SourceRef]) -> list[dict[str, Any]]:
    return [{"table": r.table, "first_line": r.first_line, "last_line": r.last_line} for r in refs]


def _parse_refs(text: str) -> list[dict[str, Any]]:
    """Stored refs (``表7 doc.txt:L464-L464|说明 doc.txt:L198-L198``) → sides."""
    out = []
    for part in filter(None, text.split("|")):
        m = _REF.match(part.strip())
        if m:
            out.append({"table": m["table"], "first_line": int(m["first"]), "last_line": int(m["last"] or m["first"])})
    return out


def _in_unit(yuan: Decimal | None, unit: str) -> str:
    if yuan is None:
        return ""
    return format((yuan / MONEY_FACTORS.get(unit, Decimal(1))).quantize(Decimal("0.01")), "f")


def make_row(document: str, rule: str, status: str, message: str, unit: str | None,
             amounts: tuple[Decimal | None, Decimal | None, Decimal | None],
             expected_at: list[dict[str, Any]], actual_at: list[dict[str, Any]], measure: str = "yuan") -> dict[str, Any]:
    """One finding as the report gives it (the same shape in file and store mode).

    ``unit`` is the document's money unit; percentage rules (``measure`` "%") give their figures in %.
    """
    meta = catalogue().get(rule)
    unit = "%" if measure == "%" else (unit or "万元")
    expected_at, actual_at = (sorted(s, key=lambda x: (x["first_line"], x["table"] or "")) for s in (expected_at, actual_at))
    where = (actual_at or expected_at or [{"table": None, "first_line": None}])[0]
    row = {"document": document, "rule": rule, "rule_name": meta.label if meta else rule, "status": status,
           "severity": (meta.severity if meta else "Info").lower(), "message": message,
           "table": where["table"], "line": where["first_line"], "unit": unit,
           "expected_at": expected_at, "actual_at": actual_at}
    for key, value in zip(("expected", "actual", "difference"), amounts):
        if measure == "%":
            row[key], row[f"{key}_yuan"] = (format(value, "f") if value is not None else ""), ""
            continue
        row[key] = _in_unit(value, unit)
        row[f"{key}_yuan"] = format(value.normalize(), "f") if value is not None else ""
    return row


def _finding_row(f: Finding, units: dict[str, str | None]) -> dict[str, Any]:
    return make_row(f.document, f.rule, STATUS[f.status], f.message, units.get(f.document),
                    (f.expected, f.actual, f.difference), _side(list(f.left)), _side(list(f.right)), f.measure)


def flow_findings(store) -> list[Finding]:
    """Conservation of money over the store's flow graph (every document, every period; held checks included)."""
    from fundflow.checks.conservation import check_flows
    from fundflow.outputs.flowgraph import build_flow_graph

    return check_flows(build_flow_graph(store), include_held=True)


def _counts(checked: list[Finding], counts: dict[tuple[str, str], dict[str, int]]) -> None:
    for doc in sorted({f.document for f in checked}):
        for rule, n in rule_counts([f for f in checked if f.document == doc]).items():
            counts[doc, rule] = n


def _read_each(files: tuple[str, ...], report, ocr: bool = False) -> tuple[list, list[str]]:
    """Parse every file (a scan by OCR when ``ocr``) → (documents read, the files they came from); each
    failure is one line to ``report``, and so is each document read by OCR.

    Raises the error when there is one file and it cannot be read (the command's own error).
    """
    from fundflow.records.pipeline import OCR_WARNING, parse_document

    docs, good = [], []
    for f in files:
        try:
            docs.append(parse_document(f, ocr=ocr))
            good.append(f)
            if docs[-1].source.ocr:
                report(f"warning: {docs[-1].source.name}: {OCR_WARNING}")
        except FundflowError as err:
            if len(files) == 1:
                raise
            report(f"error: {err}")
    if not docs:
        raise FundflowError("none of the documents could be read", hint="see the lines above")
    return docs, good


def _from_files(files: tuple[str, ...], report, ocr: bool = False
                ) -> tuple[list[dict], dict, dict[str, tuple[str, ...]], int]:
    """Parse and reconcile documents directly → (rows, counts per (document, rule), lines per document, failed).

    A file that cannot be read is reported on one line and the others are checked.

    The flows are checked in a store in memory (conservation needs every document's flows at once).
    """
    import pyoxigraph as ox

    from fundflow.kg.ingest import ingest_paths
    docs, good = _read_each(files, report, ocr)
    units = {d.source.name: d.meta.money_unit for d in docs}
    checked = [x for d in docs for x in reconcile(d, include_held=True)] + reconcile_across(docs, include_held=True)
    memory = ox.Store()
    ingest_paths(memory, [Path(f) for f in good], report=lambda _m: None,
                 read={Path(f): d for f, d in zip(good, docs)})  # each document is read once
    checked += flow_findings(memory)
    counts: dict[tuple[str, str], dict[str, int]] = {}
    _counts(checked, counts)
    rows = [_finding_row(f, units) for f in checked if f.status != "held"]
    return rows, counts, {d.source.name: d.source.lines for d in docs}, len(files) - len(good)


def _from_store(store_dir: str | None, no_shacl: bool) -> tuple[list[dict], dict, tuple[bool, str] | None]:
    from fundflow.kg.findings import read_findings, read_rule_counts, shacl_report
    from fundflow.kg.store import open_reader

    reader = open_reader(store_dir)
    try:
        store = reader.store()
        stored, counts, flows = read_findings(store), read_rule_counts(store), flow_findings(store)
        shacl = None if no_shacl else shacl_report(store)
    finally:
        reader.close()
    def dec(t):
        return Decimal(t) if t else None
    rows = [make_row(r["document"], r["rule"], STATUS.get(r["status"], r["status"]), r["message"], r["unit"] or None,
                     (dec(r["expected"]), dec(r["actual"]), dec(r["difference"])),
                     _parse_refs(r["left"]), _parse_refs(r["right"]), r["measure"] or "yuan") for r in stored]
    _counts(flows, counts)
    rows += [_finding_row(f, {}) for f in flows if f.status != "held"]
    return rows, counts, shacl


def summary(counts: dict[tuple[str, str], dict[str, int]]) -> list[dict[str, Any]]:
    """Per rule of the catalogue: its name, severity and the checks passed, failed and skipped over all documents."""
    out = []
    for rule in catalogue().values():
        n = {"passed": 0, "failed": 0, "skipped": 0}
        for (_doc, r), c in counts.items():
            if r == rule.id:
                for k in n:
                    n[k] += c.get(k, 0)
        out.append({"rule": rule.id, "rule_name": rule.label, "severity": rule.severity.lower(), **n})
    return out


def exit_code(rows: list[dict[str, Any]], shacl: tuple[bool, str] | None) -> int:
    bad = [r for r in rows if r["status"] == "failed" and r["severity"] != "info"]
    return 1 if bad or (shacl is not None and not shacl[0]) else 0


def run_validate(files: tuple[str, ...], store_dir: str | None, fmt: str, no_shacl: bool,
                 output: str | None = None, report=print, ocr: bool = False) -> tuple[str, int]:
    """→ (text to print, exit code); ``html`` needs ``output`` and writes the page there.

    Files that cannot be read go to ``report`` one line each and make the exit code at least 1.
    """
    shacl: tuple[bool, str] | None = None
    lines: dict[str, tuple[str, ...]] = {}
    failed = 0
    if files:
        rows, counts, lines, failed = _from_files(files, report, ocr)
    else:
        rows, counts, shacl = _from_store(store_dir, no_shacl)
    rules = summary(counts)
    code = max(exit_code(rows, shacl), 1 if failed else 0)
    if fmt == "json":
        text = json.dumps({"findings": rows, "summary": rules, "shacl_conforms": None if shacl is None else shacl[0]},
                          ensure_ascii=False, indent=1)
    elif fmt == "html":
        if not output:
            raise FundflowError("--format html needs -o FILE", hint="e.g. fundflow validate --format html -o report.html")
        from fundflow.outputs.report_html import report_page

        try:
            Path(output).write_text(report_page(rows, rules, lines, shacl), encoding="utf-8")
        except OSError as err:
            raise FundflowError(f"cannot write: {err.strerror or err}", file=output) from None
        failed = sum(1 for r in rows if r["status"] == "failed")
        return f"wrote {output} ({failed} failed, {len(rows) - failed} skipped)", code
    else:
        text = "\n".join(_table(rows, rules, shacl))
    if output:
        Path(output).write_text(text + "\n", encoding="utf-8")
        return f"wrote {output}", code
    return text, code


def sides(row: dict[str, Any]) -> str:
    """``表7 L464 ↔ 说明 L198``: where each side of a finding is printed."""
    def one(side: list[dict[str, Any]]) -> str:
        return ", ".join(f"{s['table'] or ''} L{s['first_line']}".strip() for s in side)
    left, right = one(row["expected_at"]), one(row["actual_at"])
    return f"{left} ↔ {right}" if left and right else left or right


def _table(rows: list[dict[str, Any]], rules: list[dict[str, Any]], shacl: tuple[bool, str] | None) -> list[str]:
    out = []
    for r in rows:
        where = sides(r)
        out.append(f"{r['status']:<7} {r['rule']} {r['rule_name']} [{r['severity']}] {r['document']}: {r['message']}"
                   + (f"  ({where})" if where else ""))
    out.append("")
    out.append("rule  passed  failed  skipped  name")
    out.extend(f"{s['rule']:<5} {s['passed']:>6}  {s['failed']:>6}  {s['skipped']:>7}  {s['rule_name']}"
               for s in rules if s["passed"] or s["failed"] or s["skipped"])
    n = {k: sum(s[k] for s in rules) for k in ("passed", "failed", "skipped")}
    out.append(f"reconciliation: {n['passed']} checks passed, {n['failed']} failed, {n['skipped']} skipped")
    if shacl is not None:
        out.append("SHACL: conforms" if shacl[0] else "SHACL: does not conform\n" + shacl[1].strip())
    return out


__all__ = ["FundflowError", "run_validate"]
