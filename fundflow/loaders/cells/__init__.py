"""Text printed one table cell per line → RawTables (the ``cells`` layout)."""
