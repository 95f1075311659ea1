"""Every data file the package reads at run time is declared as package data (it ships in the wheel)."""
from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DATA_SUFFIXES = {".ttl", ".rq", ".csv", ".html", ".json", ".jsonld"}


def _matches(path: str, glob: str) -> bool:
    """setuptools' glob: ``*`` stays within one folder."""
    pattern = "".join("[^/]*" if ch == "*" else re.escape(ch) for ch in glob)
    return re.fullmatch(pattern, path) is not None


def test_every_data_file_is_package_data():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    globs = config["tool"]["setuptools"]["package-data"]["fundflow"]
    package = ROOT / "fundflow"
    data = [p.relative_to(package).as_posix() for p in package.rglob("*") if p.suffix in DATA_SUFFIXES]
    assert data, "no data files found"
    missing = [f for f in data if not any(_matches(f, g) for g in globs)]
    assert not missing, f"not shipped in the wheel: {missing} — add them to [tool.setuptools.package-data]"
