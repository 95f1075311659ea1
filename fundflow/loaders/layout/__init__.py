"""``pdftotext -layout`` text (columns aligned with blanks) → RawTables (the ``layout`` layout)."""
