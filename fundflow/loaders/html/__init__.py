"""A saved web page → ``SourceDocument``: its text lines and its tables as grids."""
