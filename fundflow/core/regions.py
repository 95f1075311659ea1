"""Names and codes of regions → ``Region``s and government levels of China: the one definition, used by every stage.

The divisions come from the ``cpca`` package's admin-division table (every province,
prefecture-level city and county of China with its 12-digit code); ``data/regions.csv``
adds the central government (``100000``) and overrides, and wins where both name a code.

- ``region6("210100000")`` → ``"210100"``: a printed region code normalised (6 or 9/12 digits).
- ``level_of("210100")`` → ``"Municipal"``: Central / Provincial / Municipal / County.
- ``parent_of``, ``chain``: the codes above a region (a county → its city → its province →
  central); districts of 北京/天津/上海/重庆 and counties directly under a province have
  the province as parent.
- ``region_named(text)``: the region a name starts with (``湖州市卫生健康委员会`` → 湖州市),
  the full name (``辽宁省沈阳市``) included; a county name several provinces share is
  decided by ``within`` (a code the text is known to lie in), else not at all.
- ``in_region(code, wanted)``: one region filter, by code (``210100`` also matches its
  counties) or by name (``沈阳市``).
Nothing here raises for unknown input: unknown → None / False.
"""
from __future__ import annotations

import csv
import importlib.metadata
import re
from dataclasses import dataclass
from functools import cache

from fundflow.core.resources import read_csv

CENTRAL = "100000"
LEVELS = ("Central", "Provincial", "Municipal", "County")
_MUNICIPALITIES = ("11", "12", "31", "50")  # 直辖市: their districts are counties of a province
_PLACEHOLDERS = ("市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划")


@dataclass(frozen=True)
class Region:
    code: str  # 6 digits
    name: str  # as the division table prints it: 湖州市, 普陀区
    level: str

    @property
    def display_name(self) -> str:
        """The name a treasury or a map label uses: a county with its city or municipality (上海市普陀区)."""
        up = parent_of(self.code)
        return regions()[up].name + self.name if self.level == "County" and up in regions() and up != CENTRAL else self.name

    @property
    def full_name(self) -> str:
        """The names from the province down: ``浙江省湖州市``, ``上海市普陀区``."""
        return "".join(r.name for r in reversed([self, *(regions()[c] for c in chain(self.code)[1:]
                                                          if c in regions() and c != CENTRAL)]))


def region6(code: str | None) -> str | None:
    """``"210100000"`` / ``"210100"`` / ``"330500000000"`` → ``"210100"``; anything else → None."""
    digits = (code or "").strip()
    if len(digits) in (9, 12) and digits.isdigit() and set(digits[6:]) == {"0"}:
        digits = digits[:6]
    return digits if len(digits) == 6 and digits.isdigit() else None


def level_of(code: str) -> str:
    """``100000`` Central, ``210000`` Provincial, ``210100`` Municipal, ``210102`` and ``310107`` County."""
    if code == CENTRAL:
        return "Central"
    if code.endswith("0000"):
        return "Provincial"
    if code.endswith("00") and code[:2] not in _MUNICIPALITIES:
        return "Municipal"
    return "County"


def parent_of(code: str) -> str | None:
    """The code of the government directly above ``code`` (None above the central government)."""
    level = level_of(code)
    if level == "Central":
        return None
    if level == "Provincial":
        return CENTRAL
    city = code[:4] + "00"
    if level == "County" and city != code and city in regions() and level_of(city) == "Municipal":
        return city
    return code[:2] + "0000"


def chain(code: str) -> list[str]:
    """``code`` and every code above it, up to ``100000``."""
    out = [code]
    while (up := parent_of(out[-1])) is not None:
        out.append(up)
    return out


def _division_rows() -> list[tuple[str, str]]:
    """(6-digit code, name) of every division in cpca's table (placeholders left out)."""
    try:
        path = importlib.metadata.distribution("cpca").locate_file("cpca/resources/adcodes.csv")
        with open(str(path), encoding="utf-8") as f:
            rows = [(region6(r["adcode"]), r["name"]) for r in csv.DictReader(f)]
    except (importlib.metadata.PackageNotFoundError, OSError):
        rows = []
    return [(c, n) for c, n in rows if c and n not in _PLACEHOLDERS]


@cache
def regions() -> dict[str, Region]:
    """Every known region by its 6-digit code."""
    out = {c: Region(c, n, level_of(c)) for c, n in _division_rows()}
    for r in read_csv("regions.csv"):
        out[r["code"]] = Region(r["code"], r["name"], r["level"] or level_of(r["code"]))
    return out


def region(code: str | None) -> Region | None:
    """The region of a printed code (6, 9 or 12 digits), or None."""
    c = region6(code)
    return regions().get(c) if c else None


def provinces() -> tuple[Region, ...]:
    return tuple(r for r in regions().values() if r.level == "Provincial")


@cache
def _names() -> dict[str, tuple[str, ...]]:
    """Every short and full name → the codes bearing it (several for a county name shared across China)."""
    out: dict[str, list[str]] = {}
    for code, r in regions().items():
        if code == CENTRAL:
            continue
        for name in {r.name, r.full_name}:
            out.setdefault(name, []).append(code)
    return {k: tuple(v) for k, v in out.items()}


@cache
def _name_pattern() -> re.Pattern[str]:
    return re.compile("|".join(re.escape(n) for n in sorted(_names(), key=len, reverse=True)))


def region_named(text: str | None, within: str | None = None) -> Region | None:
    """The region whose name ``text`` starts with (longest name first); None when none or undecided.

    ``within``: a region code the text is known to lie in (the document's province), which
    decides a name several regions share (鼓楼区, 朝阳区); a two-character name (城区, 和县)
    counts only inside ``within`` or as the whole text.
    """
    m = _name_pattern().match(text or "")
    if not m:
        return None
    codes = _names()[m.group(0)]
    if within:
        codes = tuple(c for c in codes if within in chain(c)) or (codes if len(m.group(0)) > 2 else ())
    elif len(m.group(0)) <= 2 and m.group(0) != text:
        return None  # 城区, 单县 …: too short to tell a county from the start of a word
    return regions()[codes[0]] if len(codes) == 1 else None


def in_region(code: str | None, wanted: str) -> bool:
    """One region filter: ``wanted`` is a code (its own and every region under it) or a name."""
    c = region6(code)
    if not c:
        return False
    target = region6(wanted)
    if target is None:
        named = region_named(wanted.strip())
        if named is None or (named.full_name != wanted.strip() and named.name != wanted.strip()):
            return False
        target = named.code
    return target in chain(c)
