"""RawTables → typed records: ``tables_to_records(doc, tables) -> (DocumentMeta, records)``.

Dispatches each table by kind to the module that reads it, and fills in what
records of a unit-level document share (the unit, the money unit, the year).
Tables that cannot be read become ``TableIssue`` records (with their lines);
the rest of the document still loads.
"""
from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Sequence

from fundflow.core.model import (
    BudgetLine,
    DocumentMeta,
    Indicator,
    NarrativeFact,
    Procurement,
    Project,
    RawTable,
    Record,
    SourceDocument,
    TableIssue,
    TableTotal,
)
from fundflow.core.normalize import compact, is_amount
from fundflow.loaders.titles import kinds_where
from fundflow.records import performance as indicators
from fundflow.records import procurement, projects
from fundflow.records import three_costs as threecosts
from fundflow.records.aligned_three_costs import table_to_threecosts_aligned
from fundflow.records.classification import (
    CLASSIFICATION_KINDS,
    UncodedTable,
    code_rows_present,
    coded_by_names,
    table_to_budget_lines,
)
from fundflow.records.context import TableContext
from fundflow.records.meta import document_meta
from fundflow.records.named_codes import UncodedRow, code_book, summary_lines, uncoded_to_lines
from fundflow.records.narrative import narrative_records
from fundflow.records.narrative_projects import narrative_projects
from fundflow.records.summary import SUMMARY_KINDS, empty_funds, table_to_totals, zero_in_narrative

PERFORMANCE_KINDS = kinds_where("performance")
PROCUREMENT_KINDS = kinds_where("procurement")
NOT_READ = kinds_where("unread")


def tables_to_records(doc: SourceDocument, tables: tuple[RawTable, ...]) -> tuple[DocumentMeta, list[Record]]:
    """All tables of a document → (its metadata, its records): the prose facts, each table's
    records, then the prose statements (changes, shares)."""
    pre = document_meta(doc, tables)
    prose = narrative_records(doc, tables)
    facts = [r for r in prose if isinstance(r, NarrativeFact)]
    ctx = TableContext(pre.money_unit, pre.fiscal_year, pre.kind, pre.units[0].name if pre.units else None,
                       pre.department, empty_funds(list(tables)) | zero_in_narrative(facts))
    records: list[Record | UncodedRow | UncodedTable] = [*facts, *narrative_projects(doc, tables)]
    for table in tables:
        records.extend(table_records(doc, table, ctx))
    typed = _codes_from_names(doc, tables, pre.fiscal_year, records)
    meta = _refine_meta(doc, tables, pre, typed)
    return meta, _attach_unit(meta, projects.merge_projects(typed)) + [r for r in prose if not isinstance(r, NarrativeFact)]


def table_records(doc: SourceDocument, table: RawTable, ctx: TableContext
                  ) -> Sequence[Record | UncodedRow | UncodedTable]:
    """One table → its records (or a TableIssue saying why it gave none)."""
    ref = doc.ref(table.first_line, table.last_line, table.label)
    if table.illegible:
        return [TableIssue(table.label, "illegible", f"{table.label} {table.title} is illegible in the source", ref)]
    kind = table.kind
    if kind in CLASSIFICATION_KINDS and _label_tree(table):
        return table_to_totals(doc, table, ctx.money_unit)
    if kind in CLASSIFICATION_KINDS:
        return table_to_budget_lines(doc, table, ctx.money_unit, ctx.empty_funds)
    if kind in SUMMARY_KINDS:
        return table_to_totals(doc, table, ctx.money_unit)
    if kind == "projects":
        return projects.table_to_projects(doc, table, ctx)
    if kind in PERFORMANCE_KINDS:
        return indicators.table_to_indicators(doc, table, ctx)
    if kind == "three_costs":
        aligned = table_to_threecosts_aligned(doc, table, ctx)
        return aligned if aligned is not None else threecosts.table_to_threecosts(doc, table, ctx)
    if kind in PROCUREMENT_KINDS:
        return procurement.table_to_procurement(doc, table, ctx)
    if kind in NOT_READ and any(is_amount(c) for row in table.rows for c in row.cells):
        return [TableIssue(table.label, "skipped", f"{table.label} {table.title}: this kind of table is not read yet", ref)]
    if kind is None:
        return [TableIssue(table.label, "unrecognised", f"table {table.title!r} is of no known kind", ref)]
    return []


def _codes_from_names(doc: SourceDocument, tables: tuple[RawTable, ...], year: int | None,
                      records: Sequence[Record | UncodedRow | UncodedTable]) -> list[Record]:
    """Rows printed with a name and no code → BudgetLines whose code is recovered (inferred) from
    the document's own code–name pairs and the edition's code list (``records.named_codes``)."""
    uncoded = [r for r in records if isinstance(r, UncodedRow)]
    text_tables = [r for r in records if isinstance(r, UncodedTable)]
    kept = [r for r in records if not isinstance(r, (UncodedRow, UncodedTable))]
    tree = {t.label for t in tables if t.kind in CLASSIFICATION_KINDS and t.kind != "revenue" and _label_tree(t)}
    named = [t for t in kept if isinstance(t, TableTotal)
             and ((t.table_kind in SUMMARY_KINDS and t.side == "expenditure") or t.table in tree)]
    if not uncoded and not named and not text_tables:
        return kept
    book = code_book(year, (b for b in kept if isinstance(b, BudgetLine)))
    return (kept + uncoded_to_lines(uncoded, book) + [x for t in text_tables for x in coded_by_names(doc, t, book)]
            + summary_lines(named, book))


def _label_tree(table: RawTable) -> bool:
    """A classification-kind table printed as labels and amounts without codes
    (Jiangsu 公开02表 收入预算总表: 项目名称 | 金额): read like a summary table."""
    head = compact("".join(table.header))
    return (head.startswith("项目") and "编码" not in head and "科目" not in head
            and not code_rows_present(table) and any(len(r.cells) >= 2 for r in table.rows))


def _refine_meta(doc: SourceDocument, tables, pre: DocumentMeta, records: Sequence[Record]) -> DocumentMeta:
    """Add what the performance tables say: 主管部门, the unit with its code."""
    depts = Counter(p.department for p in records if isinstance(p, Project) and p.department)
    if not depts:
        return pre
    return document_meta(doc, tables, [d for d, _ in depts.most_common()])


def _attach_unit(meta: DocumentMeta, records: Sequence[Record]) -> list[Record]:
    """Records of a unit-level document belong to its unit; department documents to the department."""
    unit = meta.units[0] if meta.scope == "unit" and meta.units else None
    owner_name = unit.name if unit else meta.department
    owner_code = unit.code if unit else None
    out: list[Record] = []
    for r in records:
        if isinstance(r, BudgetLine) and unit and r.code == "" and r.unit_name == unit.name:
            continue  # the unit's own row of a by-unit table repeats the 合计 row
        if (isinstance(r, BudgetLine) and r.unit_name is None) or (isinstance(r, Project) and r.unit_name is None):
            r = dataclasses.replace(r, unit_name=owner_name, unit_code=owner_code)
        elif isinstance(r, Project) and unit and r.unit_name == unit.name and r.unit_code is None:
            r = dataclasses.replace(r, unit_code=unit.code)
        elif isinstance(r, (Indicator, Procurement)) and r.unit_name is None:
            r = dataclasses.replace(r, unit_name=owner_name)
        out.append(r)
    return out

