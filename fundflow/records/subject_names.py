"""Document lines → ``SubjectName`` records: each subject (科目) name of a closed edition of the code
book (``data/code_names.csv`` rows with a ``valid_until``) printed anywhere in the document, table or prose.

A name counts where it is printed as a subject: its stem followed by 支出 or （类）
(``医疗卫生与计划生育支出``, ``医疗卫生与计划生育（类）医疗保障（款）``), on one line.
"""
from __future__ import annotations

import re
from functools import lru_cache

from fundflow.core.model import SourceDocument, SubjectName
from fundflow.core.normalize import compact
from fundflow.core.resources import read_csv


@lru_cache(maxsize=1)
def closed_names() -> tuple[tuple[str, str, int, re.Pattern[str]], ...]:
    """The code book → (code, name, last year it was used, pattern of the name printed as a subject) per closed name."""
    out = []
    for row in read_csv("code_names.csv"):
        if row["valid_until"]:
            stem = re.escape(row["name"].removesuffix("支出"))
            out.append((row["code"], row["name"], int(row["valid_until"]), re.compile(stem + r"\s*(?:支出|[（(]类[）)])")))
    return tuple(out)


def subject_names(doc: SourceDocument) -> list[SubjectName]:
    """A document → a ``SubjectName`` per closed name and line printing it: by name in the code book's order,
    then by line."""
    return [SubjectName(code, name, until, doc.ref(no, no))
            for code, name, until, pattern in closed_names()
            for no, line in enumerate(doc.lines, 1) if pattern.search(compact(line))]
