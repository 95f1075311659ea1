"""The documents of a folder → how well each is read (tables, identities, projects, columns), without a store.

``check_paths(paths) -> CheckReport`` parses every disclosure file under the given
files and folders and says per document: year, kind and organisation; the tables found
and the tables read; the accounting identities held, failed and skipped; the projects;
and every column header no vocabulary term explains.  Users run it on a folder of new
documents before they ingest it; CI runs it over the development corpus.
"""
from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from fundflow.checks.reconcile import reconcile
from fundflow.core.errors import FundflowError
from fundflow.core.model import ParsedDocument, Project, TableIssue
from fundflow.kg.ingest import collect_paths
from fundflow.loaders.titles import kinds_where
from fundflow.records.concepts import column_roles
from fundflow.records.pipeline import OCR_WARNING, parse_document

NOT_READ = ("unrecognised", "illegible", "unreadable")


@dataclass
class DocumentCheck:
    file: str
    error: str | None = None
    year: int | None = None
    kind: str | None = None
    organisation: str | None = None
    ocr: bool = False
    tables_found: int = 0
    tables_read: int = 0
    held: int = 0
    failed: int = 0
    skipped: int = 0
    projects: int = 0
    columns: int = 0
    unknown_columns: list[str] = field(default_factory=list)
    failed_rules: list[str] = field(default_factory=list)


@dataclass
class CheckReport:
    documents: list[DocumentCheck]

    @property
    def read(self) -> list[DocumentCheck]:
        return [d for d in self.documents if d.error is None]

    @property
    def columns(self) -> int:
        return sum(d.columns for d in self.documents)

    @property
    def unknown(self) -> int:
        return sum(len(d.unknown_columns) for d in self.documents)

    def unknown_share(self) -> float:
        return self.unknown / self.columns if self.columns else 0.0


def check_document(path: Path, ocr: bool = False) -> DocumentCheck:
    """One file → what was read of it (``ocr``: a scanned PDF is read by OCR, and marked so)."""
    out = DocumentCheck(path.name)
    try:
        parsed = parse_document(path, ocr=ocr)
    except FundflowError as err:
        out.error = str(err)
        return out
    return summarise(parsed, out)


def summarise(parsed: ParsedDocument, out: DocumentCheck) -> DocumentCheck:
    meta = parsed.meta
    out.year, out.kind, out.ocr = meta.fiscal_year, f"{meta.scope} {meta.kind}", parsed.source.ocr
    out.organisation = meta.department or (meta.units[0].name if meta.units else None)
    out.tables_found = len(parsed.tables)
    bad = {i.table for i in parsed.of(TableIssue) if i.kind in NOT_READ}
    out.tables_read = sum(1 for t in parsed.tables if t.kind and not t.illegible and t.label not in bad)
    for f in reconcile(parsed, include_held=True):
        if f.status == "held":
            out.held += 1
        elif f.status == "skipped":
            out.skipped += 1
        else:
            out.failed += 1
            out.failed_rules.append(f"{f.rule}: {f.message}")
    out.projects = len(parsed.of(Project))
    by_column = kinds_where(reader="classification") | kinds_where(reader="projects")
    for table in parsed.tables:
        if not table.columns or table.kind not in by_column:
            continue
        roles = [c for c in column_roles(table.columns, revenue=table.kind == "revenue") if c.text.strip("/ ")]
        out.columns += len(roles)
        out.unknown_columns += [f"{table.label}: {c.text}" for c in roles if c.role == "unknown"]
    return out


def check_paths(paths: Iterable[str | Path], ocr: bool = False) -> CheckReport:
    return CheckReport([check_document(p, ocr) for p in collect_paths(paths)])  # the files ingest would take


def render_table(report: CheckReport, verbose: bool = False) -> str:
    head = ("document", "year", "kind", "organisation", "tables", "identities", "projects", "columns ?")
    rows: list[tuple[str, ...]] = []
    errors: dict[int, str] = {}
    for d in report.documents:
        if d.error:
            errors[len(rows)] = f"{d.file}  not read: {d.error}"
            continue
        rows.append((d.file, str(d.year or "?"), d.kind or "?", d.organisation or "?",
                     f"{d.tables_read}/{d.tables_found}", f"{d.held}✓ {d.failed}✗ {d.skipped}–",
                     str(d.projects), f"{len(d.unknown_columns)}/{d.columns}"))
    widths = [max(_width(r[i]) for r in rows + [head]) for i in range(len(head))]
    lines = [_line(head, widths)]
    for i, r in enumerate(rows + [None]):
        if i in errors:
            lines.append(errors[i])
        if r is not None:
            lines.append(_line(r, widths))
    lines += [f"{d.file}: {OCR_WARNING}" for d in report.read if d.ocr]
    if verbose:
        for d in report.documents:
            for what, items in (("column not understood", d.unknown_columns), ("identity failed", d.failed_rules)):
                lines += [f"{d.file}: {what}: {i}" for i in items]
    read = report.read
    lines.append(
        f"documents read: {len(read)}/{len(report.documents)}; "
        f"tables read: {sum(d.tables_read for d in read)}/{sum(d.tables_found for d in read)}; "
        f"identities: {sum(d.held for d in read)} held, {sum(d.failed for d in read)} failed, "
        f"{sum(d.skipped for d in read)} skipped; projects: {sum(d.projects for d in read)}; "
        f"header columns not understood: {report.unknown}/{report.columns} ({report.unknown_share():.1%})")
    return "\n".join(lines)


def render_json(report: CheckReport) -> str:
    return json.dumps([asdict(d) for d in report.documents], ensure_ascii=False, indent=2)


def _line(cells, widths) -> str:
    return "  ".join(_pad(c, w) for c, w in zip(cells, widths)).rstrip()


def _width(s: str) -> int:
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in s)


def _pad(s: str, w: int) -> str:
    return s + " " * (w - _width(s))
