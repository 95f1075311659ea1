"""Collect ``bench_*.py`` here: the benchmark files are not named ``test_*`` so ``make test`` never runs them."""
from __future__ import annotations

import pytest


def pytest_collect_file(parent, file_path):
    # a file named on the command line is collected by pytest itself
    if file_path.suffix == ".py" and file_path.name.startswith("bench_") and not parent.session.isinitpath(file_path):
        return pytest.Module.from_parent(parent, path=file_path)
    return None
