"""A name under ``fundflow/data/`` → its text or CSV rows: the one reader of data shipped in the package.

``read_csv(name) -> tuple of row dicts`` and ``read_text(name) -> str`` find the
files after a plain ``pip install`` (importlib.resources); results are cached,
so every caller shares one parsed copy.  A missing file raises
``FileNotFoundError`` naming it: that is a packaging fault, not bad input.
"""
from __future__ import annotations

import csv
from functools import cache
from importlib import resources


@cache
def read_text(name: str) -> str:
    """``fundflow/data/{name}`` → its text (UTF-8)."""
    return resources.files("fundflow").joinpath("data", name).read_text(encoding="utf-8")


@cache
def read_csv(name: str) -> tuple[dict[str, str], ...]:
    """``fundflow/data/{name}`` (a CSV with a header row) → its rows as dicts."""
    return tuple(csv.DictReader(read_text(name).splitlines()))
