"""Projects described in prose (项目经费情况说明) → ``Project`` records.

Some templates print no project table but a section per project, titled ``X经费情况说明``
(or ``X项目情况说明``), with numbered parts: 项目概述, 立项依据, 实施主体, 年度预算安排 …
``narrative_projects(doc, tables)`` reads each such section outside the tables: the name
from its title, the amount from its budget statement (``2025年度项目总预算1720.00万，其中…``),
the unit from 实施主体 when it names an organisation, the description from 项目概述; the
provenance spans the title line to the line of the amount.  A section without a budget
amount gives no project.  A project the tables list under the same name is the same
project: ``projects.merge_projects`` keeps one record of it.
"""
from __future__ import annotations

import re

from fundflow.core.model import Project, RawTable, SourceDocument
from fundflow.core.normalize import compact, is_org_name, parse_amount, to_yuan
from fundflow.records.narrative import NUMBER, table_lines

TABLE = "说明"
_TITLE = re.compile(r"^(?P<name>[^，。；：:、,]{2,40}?)(?:(?:项目)?(?:经费|资金)|项目)情况说明$")
_PART = re.compile(r"^(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十]+[）)])")
_BUDGET = re.compile(rf"(?:总预算|预算总额|预算资金|预算数?|安排资金|安排)(?:为|共计|合计)?({NUMBER})(亿元|万元|万(?!人)|元)")
_UNITS = {"万": "万元"}


def _prose(doc: SourceDocument, tables) -> list[tuple[int, str]]:
    covered = table_lines(tables)
    return [(no, compact(line)) for no, line in enumerate(doc.lines, start=1)
            if no not in covered and compact(line)]


def _sections(lines: list[tuple[int, str]]) -> list[tuple[str, list[tuple[int, str]]]]:
    """Prose lines → (project name, the section's lines from its title) for each project section.

    A section ends at the next title (a short unnumbered line ending in 说明) or after 80 lines.
    """
    out: list[tuple[str, list[tuple[int, str]]]] = []
    current: list[tuple[int, str]] | None = None
    for no, text in lines:
        m = _TITLE.match(text)
        if m and not _PART.match(text) and m.group("name") not in ("项目", "部门", "单位"):
            current = [(no, text)]
            out.append((m.group("name"), current))
        elif current is not None and (len(current) >= 80 or _is_title(text)):
            current = None
        elif current is not None:
            current.append((no, text))
    return out


def _is_title(text: str) -> bool:
    return text.endswith(("说明", "表")) and len(text) <= 40 and not _PART.match(text)


def _part(body: list[tuple[int, str]], word: str) -> list[tuple[int, str]]:
    """The lines of the numbered part whose heading holds ``word`` (heading line included)."""
    start = next((i for i, (_, t) in enumerate(body) if _PART.match(t) and word in t), None)
    if start is None:
        return []
    end = next((i for i in range(start + 1, len(body)) if _PART.match(body[i][1])), len(body))
    return body[start:end]


def _budget(body: list[tuple[int, str]]) -> tuple[str, str, int] | None:
    """(printed amount, unit, line) of the section's budget statement, its 预算安排 part first."""
    for lines in (_part(body, "预算安排"), _part(body, "预算"), body[1:]):
        for no, text in lines:
            m = _BUDGET.search(text)
            if m:
                return m.group(1), _UNITS.get(m.group(2), m.group(2)), no
    return None


def narrative_projects(doc: SourceDocument, tables: tuple[RawTable, ...] | list[RawTable]) -> list[Project]:
    """The document's project sections in prose → Projects (yuan, provenance from title to amount)."""
    out = []
    for name, body in _sections(_prose(doc, tables)):
        found = _budget(body)
        if found is None:
            continue
        printed, unit, line = found
        owner = next((t for _, t in _part(body, "实施主体")[1:2] if is_org_name(t)), None)
        about = "".join(t for _, t in _part(body, "项目概述")[1:]) or None
        out.append(Project(name, to_yuan(parse_amount(printed), unit), doc.ref(body[0][0], line, TABLE), TABLE,
                           unit_name=owner, description=about))
    return out
