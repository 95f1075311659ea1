"""A document's metadata → what a table reader knows of it beyond the table itself: ``TableContext``.

``tables.tables_to_records`` builds one per document (from the document's metadata
and what its summary tables and prose say about empty funds) and hands it to every
table reader.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TableContext:
    """The document's defaults for its tables.

    ``money_unit`` applies where a table prints none; ``kind`` is ``budget`` or
    ``final_accounts``; ``unit_name`` / ``department`` name the document's unit and
    department (a table's rows may repeat them); ``empty_funds`` are the funds the
    document shows as zero (no number is placed in their columns).
    """

    money_unit: str | None = None
    fiscal_year: int | None = None
    kind: str | None = None
    unit_name: str | None = None
    department: str | None = None
    empty_funds: frozenset[str] = frozenset()
