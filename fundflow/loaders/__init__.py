"""Files → ``SourceDocument`` and ``RawTable``s: reading the bytes, choosing a layout, segmenting tables (cells never interpreted)."""
