"""Records → findings on the names of subject codes: outdated editions (R21, from the ``SubjectName``
records) and one code under two names (R22, from the BudgetLines).

Each check takes a ``Checker`` (checks/rules.py) and records its findings there.
Which names belong to which edition is data (``data/code_names.csv``), read by the records stage.
"""
from __future__ import annotations

import re
from collections import defaultdict

from fundflow.checks.rules import Checker
from fundflow.core.model import BudgetLine, SubjectName


def check_code_names(ck: Checker) -> None:
    """R21: subject names of an older edition than the document's year, wherever printed (``SubjectName`` records)."""
    year = ck.parsed.meta.fiscal_year
    if not year:
        ck.skip("R21", "the document's fiscal year is unknown")
        return
    printed: dict[tuple[str, str, int], list[SubjectName]] = defaultdict(list)
    for s in ck.parsed.of(SubjectName):
        if s.until < year:
            printed[(s.code, s.name, s.until)].append(s)
    for (code, name, until), seen in printed.items():
        hits = [s.ref.first_line for s in seen]
        ck.flag("R21", f"{code} is named {name} (the name until {until}) on "
                       f"{len(hits)} line(s) of a {year} document: L{', L'.join(map(str, hits[:8]))}",
                [s.ref for s in seen[:20]])


def check_name_consistency(ck: Checker) -> None:
    """R22: the same code under two names in the document's tables."""
    names: dict[tuple[str, str], dict[str, BudgetLine]] = defaultdict(dict)
    for b in ck.parsed.of(BudgetLine):
        if b.code:
            names[(b.code_scheme, b.code)].setdefault(re.sub(r"[\s（）()、]", "", b.name), b)
    for (_, code), seen in names.items():
        distinct = list(seen)
        if len(distinct) > 1 and not all(a in b or b in a for a in distinct for b in distinct):
            refs = [seen[n].ref for n in distinct]
            ck.flag("R22", f"code {code} is named {' / '.join(distinct)} in different tables", refs[:1], refs[1:])
