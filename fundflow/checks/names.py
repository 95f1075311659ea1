"""Names of subject codes: outdated editions (R21) and one code under two names (R22).

Each check takes a ``Checker`` (kg/checks.py) and records its findings there.
Which names belong to which edition is data (``data/code_names.csv``).
"""
from __future__ import annotations

import re
from collections import defaultdict
from functools import lru_cache

from fundflow.checks.rules import Checker
from fundflow.core.model import BudgetLine
from fundflow.core.normalize import compact
from fundflow.core.resources import read_csv


@lru_cache(maxsize=1)
def code_names() -> list[dict[str, str]]:
    return list(read_csv("code_names.csv"))


def check_code_names(ck: Checker) -> None:
    """R21: names of an older edition than the document's year (anywhere in the document)."""
    year = ck.parsed.meta.fiscal_year
    if not year:
        ck.skip("R21", "the document's fiscal year is unknown")
        return
    for row in code_names():
        until = int(row["valid_until"] or 9999)
        if until >= year:
            continue
        stem = row["name"].removesuffix("支出")
        pattern = re.compile(re.escape(stem) + r"\s*(?:支出|[（(]类[）)])")
        hits = [no for no, line in enumerate(ck.parsed.source.lines, 1) if pattern.search(compact(line))]
        if hits:
            refs = [ck.parsed.source.ref(no, no) for no in hits]
            ck.flag("R21", f"{row['code']} is named {row['name']} (the name until {until}) on "
                           f"{len(hits)} line(s) of a {year} document: L{', L'.join(map(str, hits[:8]))}",
                    refs[:20])


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
