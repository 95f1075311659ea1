"""A Project and its document → its ``Funding``: level, 直达资金 flags and purpose, read from its name.

``assess_project(project, meta) -> Funding``.  The wording is data
(``data/funding_rules.csv``: id, pattern, field, value, priority, note), so a
new province's phrasing is a new row.  Fields:

- ``level``: Central / Provincial / Municipal / County, or ``Own`` = the
  government of the publishing unit; the highest priority that fired wins.
- ``direct`` / ``advance`` / ``carry_over``: flags set to true by any rule.
- ``strip``: wording removed (in file order) to leave the purpose.

A project no level rule speaks of is funded by the unit's own government (the
level of the document's region).  The source is that level's treasury on the
region chain (``core.regions``): 中央财政 → 辽宁省财政 → 沈阳市财政.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from fundflow.core.model import DocumentMeta, Funding, Project
from fundflow.core.normalize import normalize_name
from fundflow.core.regions import CENTRAL, LEVELS, chain, level_of, provinces, region6, region_named, regions
from fundflow.core.resources import read_csv

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


def document_region(meta: DocumentMeta) -> str | None:
    """The document's 6-digit region code: printed, from a unit's suffix, or by the name it starts with."""
    for code in [meta.region_code] + [u.region_code for u in meta.units]:
        if c := region6(code):
            return c
    province = next((r.code for r in provinces() if meta.province and r.name == meta.province), None)
    for text in [meta.region, meta.department, *(u.name for u in meta.units), meta.title]:
        found = region_named(text, within=province)
        if found and found.code != CENTRAL:
            return found.code
    return province


def own_level(meta: DocumentMeta) -> str:
    """The level of the government that publishes the document (Municipal when nothing says)."""
    code = document_region(meta)
    if code:
        return level_of(code)
    name = normalize_name(meta.region or meta.department or (meta.units[0].name if meta.units else ""))
    for suffix, level in _SUFFIX_LEVEL:
        m = re.match(r"^\w+?" + suffix, name)
        if m:
            return level
    return "Municipal"


def treasury(level: str, meta: DocumentMeta) -> tuple[str, str | None]:
    """(name, region code) of the treasury of ``level`` on the document's region chain.

    ``("Provincial", 沈阳市 document)`` → ``("辽宁省财政", "210000")``.  A level the chain
    does not have, or a region not known, gives a generic 省/市/县财政 with no code.
    """
    if level == "Central":
        return "中央财政", CENTRAL
    code = document_region(meta)
    for c in chain(code) if code else []:
        known = regions().get(c)
        if level_of(c) == level and known:
            return f"{known.display_name}财政", c
    if code and level_of(code) == level and meta.region:
        return f"{normalize_name(meta.region)}财政", code
    generic = {"Provincial": "省", "Municipal": "市", "County": "县"}[level]
    return f"{generic}财政", None


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
