"""Printed header and field words → what they mean, shared by the loaders (to tell header from body)
and the records stage (to read them).

``is_field_label(text)``: a performance-table field label (``项目(政策)名称``, ``预算资金情况（万元）``;
``data/performance_fields.csv``).  ``is_header_word(cell)``: a project-table header cell or a
piece of one wrapped over lines (``data/project_columns.csv``).  Nothing here raises.
"""
from __future__ import annotations

import re
from functools import lru_cache

from fundflow.core.normalize import compact
from fundflow.core.resources import read_csv

_LABEL_WORDS = ("项目名称", "单位名称", "单位编码", "金额", "预算数", "小计", "备注")


@lru_cache(maxsize=1)
def field_pattern() -> re.Pattern[str]:
    labels = sorted({r["printed"] for r in read_csv("performance_fields.csv")}, key=len, reverse=True)
    alts = "|".join(re.escape(x).replace(r"\(", r"[(（]").replace(r"\)", r"[)）]") for x in labels)
    return re.compile(rf"((?:{alts})(?:[(（](?:万元|元)[)）])?)")


def field_of(label: str) -> str | None:
    core = re.sub(r"[(（](?:万元|元)[)）]$", "", label)
    for r in read_csv("performance_fields.csv"):
        if compact(r["printed"]).replace("（", "(").replace("）", ")") == core.replace("（", "(").replace("）", ")"):
            return r["field"]
    return None


def is_field_label(text: str) -> bool:
    """``项目(政策)名称``, ``主管部门``, ``预算资金情况（万元）`` … → True: a printed field label."""
    return field_of(compact(text)) is not None


@lru_cache(maxsize=1)
def column_words() -> tuple[tuple[str, str, str], ...]:
    rows = [(r["role"], r["printed"], r["key"]) for r in read_csv("project_columns.csv")]
    return tuple(sorted(rows, key=lambda r: len(r[1]), reverse=True))


@lru_cache(maxsize=1)
def _header_text() -> str:
    return "|".join([w[1] for w in column_words()] + list(_LABEL_WORDS))


def is_header_word(cell: str) -> bool:
    """A project-table header cell or a piece of one wrapped over lines (``一般公``, ``项目名称``)."""
    t = compact(cell)
    return bool(t) and "|" not in t and t in _header_text()
