"""A failure → one of the project's own error types, carrying a one-line message (file, line, what to do).

Every error that reaches the user is a ``FundflowError``: the CLI prints its
message on one line (file, line, what went wrong, what to do) and exits 2.
"""
from __future__ import annotations


class FundflowError(Exception):
    """Base class: ``str(err)`` is the one-line message shown to the user."""

    def __init__(self, message: str, *, file: str | None = None, line: int | None = None, hint: str | None = None):
        self.file, self.line, self.hint, self.detail = file, line, hint, message
        where = f"{file}:L{line}: " if file and line else (f"{file}: " if file else "")
        super().__init__(f"{where}{message}" + (f" — {hint}" if hint else ""))


class DocumentError(FundflowError):
    """The document cannot be read at all (empty, binary, unknown encoding)."""


class LayoutError(FundflowError):
    """No loader recognises the document's layout, or a forced loader fails."""


class TableError(FundflowError):
    """A table's header or a cell cannot be interpreted."""


class StoreError(FundflowError):
    """The store cannot be opened, is locked, or a write failed."""


class QueryError(FundflowError):
    """A SPARQL query is unknown or invalid."""
