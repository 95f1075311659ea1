"""RawTables → typed records (being written)."""
from __future__ import annotations

from fundflow.kg.model import DocumentMeta, RawTable, SourceDocument


def tables_to_records(doc: SourceDocument, tables: tuple[RawTable, ...]) -> tuple[DocumentMeta, list]:
    meta = DocumentMeta(title=doc.name, fiscal_year=None, kind="budget", scope="unit", department=None, units=(), money_unit=None)
    return meta, []
