"""Funding level, 直达资金 flags and purpose of a project, read from its name.

``assess_project(project, meta) -> Funding``.  The wording is data
(``data/funding_rules.csv``: id, pattern, field, value, priority, note), so a
new province's phrasing is a new row.  Fields:

- ``level``: Central / Provincial / Municipal / County, or ``Own`` = the
  government of the publishing unit; the highest priority that fired wins.
- ``direct`` / ``advance`` / ``carry_over``: flags set to true by any rule.
- ``strip``: wording removed (in file order) to leave the purpose.

A project no level rule speaks of is funded by the unit's own government (the
level of the document's region).  The source is that level's treasury on the
region chain (``data/regions.csv``): 中央财政 → 辽宁省财政 → 沈阳市财政.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from fundflow.core.model import DocumentMeta, Funding, Project
from fundflow.core.normalize import normalize_name
from fundflow.core.resources import read_csv

LEVELS = ("Central", "Provincial", "Municipal", "County")
CENTRAL_REGION = "100000"
_SUFFIX_LEVEL = (("自治区", "Provincial"), ("省", "Provincial"), ("市", "Municipal"),
                 ("区", "County"), ("县", "County"), ("旗", "County"))


@dataclass(frozen=True)
class Rule:
    id: str
    pattern: re.Pattern[str]
    field: str
    value: str
    priority: int


@lru_cache(maxsize=1)
def load_rules() -> tuple[Rule, ...]:
    """The funding rules in file order.  Raises ``ValueError`` naming a bad row."""
    rules = []
    for n, row in enumerate(read_csv("funding_rules.csv"), start=2):
        try:
            rules.append(Rule(row["id"], re.compile(row["pattern"]), row["field"], row["value"] or "",
                              int(row["priority"] or 0)))
        except (re.error, ValueError, KeyError) as err:
            raise ValueError(f"funding_rules.csv:L{n}: bad rule ({err})") from None
    return tuple(rules)


@lru_cache(maxsize=1)
def load_regions() -> dict[str, tuple[str, str]]:
    """Admin code → (name, level) from ``data/regions.csv``."""
    return {r["code"]: (r["name"], r["level"]) for r in read_csv("regions.csv")}


def _region_code(meta: DocumentMeta) -> str | None:
    """The document's 6-digit region code: printed, from a unit's suffix, or by a known name."""
    for code in [meta.region_code] + [u.region_code for u in meta.units]:
        c = (code or "").strip()
        if len(c) == 9 and c.endswith("000"):
            c = c[:6]
        if len(c) == 6 and c.isdigit():
            return c
    names = [meta.region or ""] + [meta.department or ""] + [u.name for u in meta.units] + [meta.title or ""]
    by_name = sorted(((n, c) for c, (n, _) in load_regions().items()), key=lambda x: -len(x[0]))
    for text in names:
        for name, code in by_name:
            if text.startswith(name) and code != CENTRAL_REGION:
                return code
    return None


def level_of_code(code: str) -> str:
    """``210000`` → Provincial, ``210100`` → Municipal, ``210102`` → County (by trailing zeros)."""
    known = load_regions().get(code)
    if known:
        return known[1]
    return "Provincial" if code.endswith("0000") else "Municipal" if code.endswith("00") else "County"


def own_level(meta: DocumentMeta) -> str:
    """The level of the government that publishes the document (Municipal when nothing says)."""
    code = _region_code(meta)
    if code:
        return level_of_code(code)
    name = normalize_name(meta.region or meta.department or (meta.units[0].name if meta.units else ""))
    for suffix, level in _SUFFIX_LEVEL:
        m = re.match(r"^\w+?" + suffix, name)
        if m:
            return level
    return "Municipal"


def treasury(level: str, meta: DocumentMeta) -> tuple[str, str | None]:
    """(name, region code) of the treasury of ``level`` above the document's region.

    ``("Provincial", 沈阳市 document)`` → ``("辽宁省财政", "210000")``.  Unknown
    names fall back to the document's region name or a generic 省/市/县财政.
    """
    if level == "Central":
        return "中央财政", CENTRAL_REGION
    code = _region_code(meta)
    want = {"Provincial": code[:2] + "0000", "Municipal": code[:4] + "00", "County": code} if code else {}
    reg = want.get(level)
    name = load_regions().get(reg, ("", ""))[0] if reg else ""
    if not name and reg and reg == code and meta.region:
        name = normalize_name(meta.region)
    if not reg and level == "Provincial" and meta.province:
        named = {n: c for c, (n, _) in load_regions().items()}
        if meta.province in named:
            return f"{meta.province}财政", named[meta.province]
    generic = {"Provincial": "省", "Municipal": "市", "County": "县"}[level]
    return f"{name or generic}财政", reg


def purpose_of(name: str, rules: tuple[Rule, ...] | None = None) -> str:
    """Project name → its purpose: the level/flag wording removed (``strip`` rules, in order)."""
    text = normalize_name(name)
    for r in rules or load_rules():
        if r.field == "strip":
            text = r.pattern.sub(r.value, text)
    return text.strip("-－—·、 ") or normalize_name(name)


def assess_project(project: Project, meta: DocumentMeta) -> Funding:
    """A project + its document's metadata → ``Funding`` (level, source, flags, purpose, rule ids)."""
    name = normalize_name(project.name)
    fired = [r for r in load_rules() if r.field != "strip" and r.pattern.search(name)]
    level_rules = sorted((r for r in fired if r.field == "level"), key=lambda r: -r.priority)
    level = level_rules[0].value if level_rules else "Own"
    if level == "Own" or level not in LEVELS:
        level = own_level(meta)
    source, region = treasury(level, meta)
    flags = {r.field for r in fired if r.value.lower() == "true"}
    return Funding(level=level, source_name=source, source_level=level, source_region=region,
                   is_direct="direct" in flags, is_advance="advance" in flags,
                   is_carry_over="carry_over" in flags, purpose=purpose_of(name),
                   rules=tuple(r.id for r in fired))
