"""Grids of cells (ruled PDF tables, HTML tables, XLSX sheets) → RawTables, with titles from the lines above."""
