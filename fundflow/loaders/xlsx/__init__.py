"""An Excel workbook (.xlsx) → ``SourceDocument``: each sheet's cells as a grid."""
