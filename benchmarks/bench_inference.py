"""Subject-code inference on synthetic units of 20 / 40 / 60 projects.

Amounts look like budget figures: half of them whole 万元, half to 0.01 万元,
from 1 to 5,000 万元; one 7-digit code per four projects.  Run with
``make bench`` (pytest-benchmark).
"""
import random
from decimal import Decimal

import pytest

from fundflow.analysis.inference import infer_subject_codes
from fundflow.core.model import BudgetLine, Project, SourceRef

REF = SourceRef("synthetic.txt", "0" * 64, 1, 1)


def synthetic_unit(n: int, seed: int = 7) -> tuple[list[Project], list[BudgetLine]]:
    """``n`` projects spread over ``n // 4`` codes → (projects, 表3 project-expenditure lines)."""
    rnd = random.Random(seed)
    codes = [f"2101{j:03d}" for j in range(max(1, n // 4))]
    projects, sums = [], dict.fromkeys(codes, Decimal(0))
    for i in range(n):
        wan = Decimal(rnd.randint(1, 5000)) if i % 2 else Decimal(rnd.randint(1, 500000)) / 100
        code = codes[i % len(codes)] if i < len(codes) else rnd.choice(codes)
        projects.append(Project(f"项目{i}", wan * 10000, REF, "表9"))
        sums[code] += wan * 10000
    lines = [BudgetLine("表3", "expenditure", c, "function", "", "ProjectExpenditure", a, REF) for c, a in sums.items()]
    return projects, lines


@pytest.mark.parametrize("n", [20, 40, 60])
def test_infer_subject_codes(benchmark, n):
    projects, lines = synthetic_unit(n)
    out = benchmark(infer_subject_codes, projects, lines)
    assert len(out) == n
    benchmark.extra_info["asserted"] = sum(1 for r in out if r.unique)
