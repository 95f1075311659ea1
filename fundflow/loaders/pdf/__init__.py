"""A PDF → ``SourceDocument``: words and ruling lines of each page as cells and lines, scans read by OCR."""
