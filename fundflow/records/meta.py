"""A document and its tables → ``DocumentMeta``: year, budget or final accounts, department, units, region.

``document_meta(doc, tables) -> DocumentMeta`` reads the title area and the
places where units are printed (``578002 沈阳市医疗保障事务服务中心-210100000``,
``单位名称：X``, ``部门：X``, ``编制部门：X``).
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from fundflow.core.model import DocumentMeta, RawTable, SourceDocument, UnitInfo
from fundflow.core.normalize import compact, is_org_name
from fundflow.core.regions import provinces, region_named

_YEAR = re.compile(r"(20\d{2})\s*年\s*度?\s*(?:[^\s，。、]{0,30}?)(?:单位|部门)?\s*(?:预\s*算|决\s*算)")
_UNIT_CODE = re.compile(r"(?<![\d,.])(\d{6})\s*([\u4e00-\u9fff（）()]{2,40})(?:\s*-\s*(\d{6})\d{3})?")
_REGION = re.compile(r"^((?:[\u4e00-\u9fff]{2,7}?(?:省|自治区))?(?:[\u4e00-\u9fff]{2,7}?市)?(?:[\u4e00-\u9fff]{1,6}?(?:区|县|旗))?)")
_TITLED_ORG = re.compile(r"([\u4e00-\u9fff（）()]{4,30}?)20\d{2}年度?")
_TEXT_MONEY = re.compile(r"\d[\d,]*(?:\.\d+)?\s*(万元|元)")
_COMPOSITION = re.compile(r"单位构成|编制范围的.{0,12}单位(?:包括|有)")
_LISTED = re.compile(r"^\s*(?:\d{1,2}[.．、]|[（(]\d{1,2}[）)])\s*([\u4e00-\u9fff（）()]{4,40})[。；;，,]?\s*$")
_HEADING_LINES = 150


@dataclass(frozen=True)
class Cover:
    """What the cover (the lines before the table of contents or the first table) says."""

    year: int | None = None
    kind: str | None = None
    scope: str | None = None
    org: str | None = None


_COVER_LINES = 8
_COVER_SPLIT = re.compile(r"20\d{2}年度?|(?:区级|市级|省级|县级)?(?:部门|单位)?(?:预算|决算)(?:公开|信息公开)?(?:报表)?|"
                          r"(?:预算主管部门|主管部门|部门|单位|编制单位)[:：]|印制|目录|\d{1,2}月\d{1,2}日|[:：()（）]")


def read_cover(doc: SourceDocument) -> Cover:
    """The first non-empty lines up to the table of contents → year, kind, scope and organisation."""
    lines: list[str] = []
    for line in doc.lines[:40]:
        t = compact(line)
        if not t:
            continue
        if t.startswith("目录") or "\t" in line or len(lines) >= _COVER_LINES or len(t) > 60:
            break
        lines.append(t)
    text = "".join(lines)
    year = re.search(r"(20\d{2})年", text)
    kind = "final_accounts" if re.search(r"决算|自评", text) else "budget" if "预算" in text else None
    scope = "unit" if re.search(r"单位(?:预算|决算)", text) else "department" if re.search(r"部门(?:预算|决算)", text) else None
    def orgs(texts: list[str]) -> list[str]:
        return [x for t in texts for x in _COVER_SPLIT.split(t) if x and is_org_name(x)]

    def regional(names: list[str]) -> list[str]:
        return [x for x in names if region_named(re.sub(r"^中共", "", x))]

    # a name of its own line, else one wrapped over two cover lines; names that start with a region first
    parts = regional(orgs(lines)) or regional(orgs([text])) or orgs(lines)
    return Cover(int(year.group(1)) if year else None, kind, scope, max(parts, key=len) if parts else None)


def fiscal_year(doc: SourceDocument, tables: tuple[RawTable, ...]) -> int | None:
    """The year the document is for: the cover's, else the most common in table titles, else near the top."""
    cover = read_cover(doc).year
    if cover:
        return cover
    titled = Counter(int(m.group(1)) for t in tables for m in re.finditer(r"(20\d{2})\s*年", t.title))
    if titled:
        return titled.most_common(1)[0][0]
    texts = list(doc.lines[:_HEADING_LINES]) + [t.title for t in tables]
    years = Counter(int(m.group(1)) for t in texts for m in _YEAR.finditer(t))
    if not years:
        years = Counter(int(y) for t in texts for y in re.findall(r"(20\d{2})\s*年", t))
    return years.most_common(1)[0][0] if years else None


def document_kind(doc: SourceDocument, tables: tuple[RawTable, ...]) -> str:
    """``final_accounts`` when the tables (else the title area) speak of 决算, else ``budget``."""
    titles = [t.title for t in tables if t.kind]
    final = sum("决算" in t or "自评" in t for t in titles)
    budget = sum("预算" in t and "决算" not in t for t in titles)
    if final or budget:
        return "final_accounts" if final > budget else "budget"
    head = compact("".join(doc.lines[:40]))
    return "final_accounts" if "决算" in head and "预算" not in head else "budget"


def document_scope(doc: SourceDocument) -> str:
    """``unit`` (单位预算/决算) or ``department``: as the cover says, else by the first lines."""
    if scope := read_cover(doc).scope:
        return scope
    head = compact("".join(doc.lines[:_HEADING_LINES]))
    return "unit" if "单位预算" in head and "部门预算公开" not in head else "department"


def units_printed(tables: tuple[RawTable, ...]) -> list[UnitInfo]:
    """Units printed with their 6-digit code (and 9-digit region suffix)."""
    seen: dict[str, UnitInfo] = {}
    for t in tables:
        for row in t.rows:
            text = " ".join(c for c in row.cells if len(c) < 80)
            for m in _UNIT_CODE.finditer(text):
                name = m.group(2)
                known = seen.get(m.group(1))
                if is_org_name(name) and (known is None or (known.region_code is None and m.group(3))):
                    seen[m.group(1)] = UnitInfo(name, m.group(1), m.group(3))
    return list(seen.values())


def units_listed(doc: SourceDocument) -> list[UnitInfo]:
    """Units named in the 单位构成 paragraph: ``1. 沈阳市医疗保障局本级`` / ``2.辽宁省医疗保障事务服务中心``."""
    found: list[UnitInfo] = []
    for i, line in enumerate(doc.lines[:400]):
        if not _COMPOSITION.search(compact(line)):
            continue
        for nxt in doc.lines[i + 1:i + 16]:
            m = _LISTED.match(nxt)
            if m and is_org_name(m.group(1)):
                found.append(UnitInfo(compact(m.group(1))))
        if found:
            break
    return found


def _labelled(doc: SourceDocument, tables: tuple[RawTable, ...], labels: tuple[str, ...]) -> Counter:
    found: Counter = Counter()
    pat = re.compile(r"(?:" + "|".join(labels) + r")[:：]\s*([\u4e00-\u9fff（）()]{3,40}?)(?=\s|单位[:：]|$)")
    for t in tables:
        if t.unit_name:
            found[compact(t.unit_name)] += 1
    for line in doc.lines:
        if len(line) < 200:
            for m in pat.finditer(line):
                found[compact(m.group(1))] += 1
    return found


def province_named(doc: SourceDocument, region: str | None) -> str | None:
    """The province of the document: the start of its region (``辽宁省…``) or the one its text names most."""
    names = tuple(r.name for r in provinces())
    for name in names:
        if region and region.startswith(name):
            return name
    pattern = re.compile("|".join(map(re.escape, names)))
    found = Counter(m.group(0) for line in doc.lines for m in pattern.finditer(line))
    return found.most_common(1)[0][0] if found else None


def region_of(name: str | None) -> str | None:
    """``沈阳市医疗保障局`` → ``沈阳市``; ``上海市普陀区商务委员会`` → ``上海市普陀区``."""
    if not name:
        return None
    m = _REGION.match(re.sub(r"^中共", "", name))
    return m.group(1) or None if m else None


def document_meta(doc: SourceDocument, tables: tuple[RawTable, ...], departments: list[str] | None = None) -> DocumentMeta:
    """SourceDocument + its tables → DocumentMeta.

    ``departments``: 主管部门 names read from performance tables, if any.
    """
    kind, scope = document_kind(doc, tables), document_scope(doc)
    units = units_printed(tables)
    for listed in units_listed(doc):
        if not any(u.name == listed.name for u in units):
            units.append(listed)
    for titled in units_in_table_titles(doc):
        if not any(u.name == titled for u in units):
            units.append(UnitInfo(titled))
    named = _labelled(doc, tables, ("单位名称", "编制单位", "编制部门", "部门", "预算单位"))
    for name, _ in named.most_common():
        if is_org_name(name) and not any(u.name == name for u in units):
            units.append(UnitInfo(name))
    department: str | None = departments[0] if departments else None
    cover_org = _title_org(doc)
    if scope == "unit" and cover_org and not any(u.name == cover_org for u in units):
        units.insert(0, UnitInfo(cover_org))
    if scope == "department" or department is None:
        labelled = next((n for n, _ in named.most_common() if is_org_name(n)), None)
        department = department if scope == "unit" and department else (cover_org or department or labelled)
    if scope == "department" and department and not any(u.name == department for u in units):
        units.insert(0, UnitInfo(department))
    if scope == "unit" and department:
        units = [u for u in units if u.name != department] or units
    money = Counter(t.money_unit for t in tables if t.money_unit).most_common(1) or _text_money(doc)
    region_code = next((u.region_code for u in units if u.region_code), None)
    first = units[0].name if units else department
    title = next((compact(line) for line in doc.lines[:40] if compact(line)), doc.name)
    return DocumentMeta(title=title[:80], fiscal_year=fiscal_year(doc, tables), kind=kind, scope=scope,
                        department=department, units=tuple(units), money_unit=money[0][0] if money else None,
                        region=region_of(department or first), region_code=region_code, ref=doc.ref(1, 1),
                        province=province_named(doc, region_of(department or first)))


def units_in_table_titles(doc: SourceDocument) -> list[str]:
    """Organisations that head the titles of tables a document lists or prints
    (``附件：1.郑州市土地储备中心2015年财政预算收支总表`` → 郑州市土地储备中心)."""
    out: list[str] = []
    for line in doc.lines:
        t = re.sub(r"^(?:附件[:：]?)?(?:\d{1,2}[.．、])?(?:第[一二三四五六七八九十]部分)?", "", compact(line))
        if not t.endswith("表") or len(t) > 60:
            continue
        m = _TITLED_ORG.match(t)
        if m and is_org_name(m.group(1)) and m.group(1) not in out:
            out.append(m.group(1))
    return out


def _text_money(doc: SourceDocument) -> list[tuple[str, int]]:
    """The money unit the text's amounts are printed in most (a page of prose without tables)."""
    return Counter(m.group(1) for line in doc.lines for m in _TEXT_MONEY.finditer(line)).most_common(1)


def _title_org(doc: SourceDocument) -> str | None:
    """The organisation named on the cover, else in the first lines (a 概况 heading)."""
    if org := read_cover(doc).org:
        return org
    for line in doc.lines[:_HEADING_LINES]:
        t = compact(line).lstrip("#")
        if len(t) > 30 or "范围" in t or t.startswith("纳入"):
            continue
        t = re.sub(r"^第[一二三四五]部分", "", t)
        t = re.sub(r"^(?:部门[（(]单位[)）]|单位|部门|预算单位)名称[:：]?", "", t)
        t = re.sub(r"^(20\d{2})年度?", "", t)
        m = re.match(r"([\u4e00-\u9fff（）()]{3,30}?(?:局|委员会|厅|院|办公室|办公厅|中心|法院|检察院))(?:本级)?(?:概况|20\d{2}|单位|部门|$)", t)
        if m:
            return m.group(1)
    return None
