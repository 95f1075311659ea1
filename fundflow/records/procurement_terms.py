"""Header words of procurement tables → column roles and categories (``data/procurement_columns.csv``, ``procurement_terms.csv``).

``label_roles(header)``: the roles of a header's label columns in printed order;
``term(text, role)``: the printed term of a role the text is; ``category_of(text)``:
the 货物/工程/服务 category a row names.  Nothing here raises.
"""
from __future__ import annotations

import re
from functools import lru_cache

from fundflow.core.normalize import compact
from fundflow.core.resources import read_csv

_ORDINAL = re.compile(r"^[一二三四五六七八九十]+[、.．]")


@lru_cache(maxsize=8)
def words(name: str) -> tuple[tuple[str, str], ...]:
    """A (role, printed) CSV of ``data/`` → rows, longest wording first."""
    rows = [(r["role"], r["printed"]) for r in read_csv(f"{name}.csv")]
    return tuple(sorted(rows, key=lambda r: len(r[1]), reverse=True))


def label_roles(header: tuple[str, ...]) -> tuple[str, ...]:
    """Header lines → the roles of the label columns in printed order (``unit``, ``item`` …)."""
    wording = words("procurement_columns")
    pattern = re.compile("|".join(re.escape(w) for _, w in wording))
    lookup = {w: role for role, w in wording}
    return tuple(lookup[m.group(0)] for m in pattern.finditer(compact("".join(header))))


def term(text: str, role: str) -> str | None:
    """The ``procurement_terms.csv`` wording of ``role`` the text is or contains, else None."""
    t = compact(text)
    for r, w in words("procurement_terms"):
        if r == role and (w in t if role == "method" else t == w):
            return w
    return None


def category_of(text: str) -> str | None:
    """``一、货物 A`` → ``货物``; anything but a category row → None."""
    t = _ORDINAL.sub("", compact(text)).rstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    return term(t, "category") if _ORDINAL.match(compact(text)) or term(t, "category") else None
