"""Plain ``pdftotext`` text (cells separated by single spaces) → RawTables (the ``stream`` layout)."""
