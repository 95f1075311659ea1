"""Performance tables (绩效目标表 / 绩效自评表) → Project and Indicator records.

``table_to_indicators(doc, table, ctx)`` reads a RawTable of kind
``unit_performance``, ``project_performance``, ``unit_self_eval`` or
``project_self_eval``.  Such a table is a sequence of blocks: labelled fields
(``项目(政策)名称 X``, ``主管部门 A 实施单位 B``, ``预算资金情况 785.70``), prose,
then indicator rows ``[level1?, level2?, name, operator?, value, unit?, deadline?]``
(final accounts add ``完成值, 完成程度, 分值, 得分, 原因…``).  Level names carry
down from earlier rows; they are recognised from ``data/indicator_levels.csv``
and, when unknown, structurally (a row with no value that precedes indicators).

Recognising single rows (fields, levels, operators, values) is
``indicator_rows``; this module reads the blocks they form.
"""
from __future__ import annotations

import re
from decimal import Decimal

from fundflow.core.model import Indicator, Project, RawRow, RawTable, SourceDocument, TableIssue, UnitInfo
from fundflow.core.normalize import compact, display_name, parse_amount, to_yuan
from fundflow.loaders.titles import kinds_where
from fundflow.records.context import TableContext
from fundflow.records.performance_rows import (
    known_level,
    known_levels,
    normalize_operator,
    parse_indicator,
    performance_unit,
    row_fields,
)

_FILLER = {"", "—", "-", "--", "/", "……", "…", "　"}
_SECTION = {"绩效指标", "年度绩效指标", "绩效目标", "指标"}
_TRAILER = re.compile(r"^(?:指标自评得分小计|总评价得分|绩效自评总得分|预算执行率得分|减分项|总分|合计)")
_FINAL_KINDS = kinds_where("performance", doc_kind="final_accounts")
_PROJECT_KINDS = kinds_where("performance") - {"unit_performance", "unit_self_eval"}


class _Levels:
    """Level-1 / level-2 names carried down the rows."""

    def __init__(self) -> None:
        self.level1: str | None = None
        self.level2: str | None = None

    def set(self, cells: list[str]) -> None:
        """A row of level names only: ``[level1]``, ``[level2]`` or ``[level1, level2]``."""
        first = known_level(cells[0])
        name = first[1] if first else compact(cells[0])
        if len(cells) >= 2:
            last = known_level(cells[-1])
            if not (first and first[0] == 2):
                self.level1 = name
            self.level2 = last[1] if last else compact(cells[-1])
        elif (first and first[0] == 1) or (not first and self.level1 is None):
            self.level1, self.level2 = name, None
        else:
            self.level2 = name

    def prefix(self, names: list[str]) -> None:
        """The level cells printed before an indicator name on its own row."""
        if len(names) >= 2:
            self.set(names[:2])
        elif names:
            known = known_levels(names[0])  # a lone prefix is a level 2 unless only known as level 1
            if 2 not in known and 1 in known and known[1] != self.level1:
                self.level1, self.level2 = known[1], None
            else:
                self.level2 = known.get(2) or known.get(1) or compact(names[0])


def _project_amount(label: str, value: str, table: RawTable, ctx: TableContext) -> Decimal | None:
    unit = "万元" if "万元" in label else ("元" if "(元)" in label or "（元）" in label else None)
    try:
        return to_yuan(parse_amount(value), unit or table.money_unit or ctx.money_unit)
    except ValueError:
        return None


class _Block:
    """The labelled fields of one project (name, departments, amounts) and their line span."""

    def __init__(self) -> None:
        self.fields: dict[str, object] = {}
        self.first = self.last = 0

    def add(self, row: RawRow, fields: list[tuple[str, str, str]], table: RawTable, ctx: TableContext) -> None:
        self.first = self.first or row.first_line
        self.last = max(self.last, row.last_line)
        for field, label, value in fields:
            if field in ("amount", "executed"):
                self.fields[field] = _project_amount(label, value, table, ctx)
            elif value:
                self.fields.setdefault(field, display_name(value))

    def project(self, doc: SourceDocument, table: RawTable) -> Project | TableIssue | None:
        name = self.fields.get("name")
        if not name and "amount" in self.fields and (titled := title_project(table.title)):
            name, unit_code, unit = titled  # a table per project, named only in its title
            self.fields.setdefault("unit_code", unit_code)
            self.fields.setdefault("implementer", unit)
        if not name:
            return None
        ref = doc.ref(self.first, self.last, table=table.label)
        amount = self.fields.get("amount")
        if amount is None:
            return TableIssue(table.label, "unreadable", f"no amount for project {name}", ref)
        return Project(name=str(name), amount=amount, ref=ref, table=table.label,  # type: ignore[arg-type]
                       unit_name=self.fields.get("implementer"), department=self.fields.get("department"),  # type: ignore[arg-type]
                       executed_amount=self.fields.get("executed"))  # type: ignore[arg-type]


_TITLED = re.compile(r"^(?:(\d{6})_([^_]+)_)?(.+?)(?:项目)?(?:支出)?绩效(?:目标)?表$")


def title_project(title: str) -> tuple[str, str | None, str | None] | None:
    """``301007_泉州市公安局晋江国际机场分局_机场公安综合修缮改造项目绩效目标表`` →
    (``机场公安综合修缮改造项目``, ``301007``, ``泉州市公安局晋江国际机场分局``); a title naming
    no project (``项目支出绩效目标表``, ``部门整体支出绩效目标表``) → None."""
    m = _TITLED.match(compact(title))
    if not m:
        return None
    name = compact(title)[m.start(3):].rsplit("绩效", 1)[0]
    name = re.sub(r"^\d{4}年(?:度)?", "", name) if re.match(r"^\d{4}年(?:度)?(?:部门|单位|市级)", name) else name
    if not name or re.fullmatch(r"(?:部门|单位|市级|本级)*(?:整体)?(?:项目)?(?:支出)?", name):
        return None
    return name, m.group(1), m.group(2)


def _is_header_row(cells: list[str]) -> bool:
    text = "".join(compact(c) for c in cells)
    return "三级指标" in text or "二级指标" in text or text in _SECTION


def _body_rows(table: RawTable) -> list[RawRow]:
    """Header lines (split on blanks, at the title line) followed by the body rows.

    A loader may leave the first block's fields and indicator header in
    ``table.header``; reading them as rows keeps that block.
    """
    head = [RawRow(tuple(line.split()), table.first_line, table.first_line) for line in table.header if line.strip()]
    return head + list(table.rows)


def _starts_indicators(cells: list[str]) -> bool:
    return any(known_level(c) for c in cells) or any(normalize_operator(c) for c in cells)


def table_to_indicators(doc: SourceDocument, table: RawTable, ctx: TableContext) -> list[Project | Indicator | TableIssue]:
    """A performance RawTable → Projects (project tables only), Indicators and TableIssues.

    Never raises for odd rows: a row that is neither a field, a level nor an
    indicator is skipped (prose, header fragments).
    """
    if table.illegible:
        ref = doc.ref(table.first_line, table.last_line, table.label)
        return [TableIssue(table.label, "illegible", f"{table.title} could not be read", ref)]
    final = table.kind in _FINAL_KINDS or ctx.kind == "final_accounts"
    unit = performance_unit(table)
    out: list[Project | Indicator | TableIssue] = []
    block, levels, state = _Block(), _Levels(), "fields"
    for row in _body_rows(table):
        fields = row_fields(row)
        starts = any(f == "name" for f, _, _ in fields)
        if starts and table.kind in _PROJECT_KINDS and (p := block.project(doc, table)):
            out.append(p)
        if starts:
            block, levels, state = _Block(), _Levels(), "fields"
        if fields and (starts or state == "fields" or fields[0][0] == "unit_name"):
            block.add(row, fields, table, ctx)
            continue
        cells = [c.strip() for c in row.cells if c.strip() not in _FILLER]
        if not cells or _TRAILER.match(compact(cells[0])):
            continue
        if _is_header_row(cells) or compact(cells[0]) in _SECTION:
            state = "indicators" if "三级指标" in compact("".join(cells)) else "header"
            cells = [c for c in cells if compact(c) not in _SECTION]
            if not cells or _is_header_row(cells):
                continue
        if state != "indicators" and _starts_indicators(cells):  # the indicator header may be in table.header
            state = "indicators"
        if state == "indicators":
            _indicator_row(doc, table, row, cells, final, levels, block, unit, out)
    if table.kind in _PROJECT_KINDS and (p := block.project(doc, table)):
        out.append(p)
    return out


def _indicator_row(doc: SourceDocument, table: RawTable, row: RawRow, cells: list[str], final: bool,
                   levels: _Levels, block: _Block, unit: UnitInfo | None, out: list) -> None:
    """One body row of the indicator section → an Indicator appended to ``out``, or a level update."""
    parts = parse_indicator(cells, final)
    if parts is None:
        levels.set(cells)
        return
    names = list(parts.names)
    if len(names) >= 2 and len(compact(names[-1])) <= 2 and not known_level(names[-2]):
        names = names[:-2] + [compact(names[-2]) + compact(names[-1])]  # a name wrapped onto its own cell
    name = "".join(compact(n) for n in names[2:]) if len(names) > 3 else compact(names[-1])
    levels.prefix(names[:2] if len(names) >= 3 else names[:-1])
    named = block.fields.get("name") if table.kind in _PROJECT_KINDS else None
    project = named if isinstance(named, str) else None
    implementer = block.fields.get("implementer")
    unit_name = implementer if isinstance(implementer, str) and implementer else (unit.name if unit else table.unit_name)
    out.append(Indicator(name=name, ref=doc.ref(row.first_line, row.last_line, table=table.label),
                         table=table.label, level1=levels.level1, level2=levels.level2, project=project,
                         unit_name=unit_name, **parts.values()))
