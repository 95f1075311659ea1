"""Tab-separated (markdown-ish) text tables → RawTables (the ``tabbed`` layout)."""
