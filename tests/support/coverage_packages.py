"""The coverage data of a test run (``.coverage``) → the share of statements run per package of ``fundflow/``.

    python tests/support/coverage_packages.py [DATA_FILE]

One line per top-level package (``analysis``, ``checks``, ``cli`` …), then the three
figures issue 11 compares: ``checks``, ``cli`` and the rest of ``fundflow/`` together.
Every module of the source tree counts, those no test imported too (all their
statements missed).  ``make coverage`` runs the fast suite and then this.
"""
from __future__ import annotations

import sys
from collections import defaultdict
from pathlib import Path

import coverage
from coverage.exceptions import NoSource, NotPython

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "fundflow"
COMPARED = ("checks", "cli")


def package_of(module: Path) -> str:
    """``fundflow/kg/store.py`` → ``kg``; a module at the top (``fundflow/__init__.py``) → ``fundflow``."""
    parts = module.relative_to(PACKAGE).parts
    return parts[0] if len(parts) > 1 else "fundflow"


def tally(cov: coverage.Coverage) -> dict[str, tuple[int, int]]:
    """Every module under ``fundflow/`` → {package: (statements, statements run)}."""
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for module in sorted(PACKAGE.rglob("*.py")):
        try:
            _name, statements, _excluded, missing, _text = cov.analysis2(str(module))
        except (NoSource, NotPython):
            continue
        count = counts[package_of(module)]
        count[0] += len(statements)
        count[1] += len(statements) - len(missing)
    return {name: (total, run) for name, (total, run) in counts.items() if total}  # ontology/: data, no code


def percent(total: int, run: int) -> str:
    """Statements and statements run → ``"87.3%"`` (``"-"`` for none)."""
    return f"{100 * run / total:.1f}%" if total else "-"


def report(counts: dict[str, tuple[int, int]]) -> list[str]:
    """Per-package counts → the lines printed: each package, then checks, cli and the rest."""
    lines = [f"{name:<10} {total:>6} {run:>6} {percent(total, run):>7}" for name, (total, run) in sorted(counts.items())]
    rest = [counts[name] for name in counts if name not in COMPARED]
    groups = {name: counts.get(name, (0, 0)) for name in COMPARED}
    groups["the rest"] = (sum(t for t, _ in rest), sum(r for _, r in rest))
    summary = ", ".join(f"{name} {percent(*groups[name])}" for name in groups)
    return [f"{'package':<10} {'stmts':>6} {'run':>6} {'cover':>7}", *lines, "", summary]


def main(argv: list[str]) -> int:
    """Print the report of ``argv[0]`` (default ``.coverage`` in the project) → exit status (2: no data)."""
    data_file = Path(argv[0]) if argv else ROOT / ".coverage"
    if not data_file.exists():
        print(f"error: {data_file}: no coverage data (run make coverage)", file=sys.stderr)
        return 2
    cov = coverage.Coverage(data_file=str(data_file))
    cov.load()
    print("\n".join(report(tally(cov))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
