"""Performance tables (绩效目标表 / 绩效自评表) → Project and Indicator records.

``table_to_indicators(doc, table, meta_hint)`` reads a RawTable of kind
``unit_performance``, ``project_performance``, ``unit_self_eval`` or
``project_self_eval``.  Such a table is a sequence of blocks: labelled fields
(``项目(政策)名称 X``, ``主管部门 A 实施单位 B``, ``预算资金情况 785.70``), prose,
then indicator rows ``[level1?, level2?, name, operator?, value, unit?, deadline?]``
(final accounts add ``完成值, 完成程度, 分值, 得分, 原因…``).  Level names carry
down from earlier rows; they are recognised from ``data/indicator_levels.csv``
and, when unknown, structurally (a row with no value that precedes indicators).
"""
from __future__ import annotations

import csv
import re
from decimal import Decimal, InvalidOperation
from functools import cache, lru_cache
from importlib import resources

from fundflow.kg.model import Indicator, Project, RawRow, RawTable, SourceDocument, TableIssue, UnitInfo
from fundflow.kg.normalize import compact, display_name, parse_amount, to_yuan

_OPERATORS = {">=": ">=", "≥": ">=", "＞＝": ">=", "<=": "<=", "≤": "<=", "＜＝": "<=", "=": "=", "＝": "=",
              ">": ">", "＞": ">", "<": "<", "＜": "<", "大于等于": ">=", "小于等于": "<=", "等于": "="}
_DEADLINE = re.compile(r"^\d{4}\s*(?:年(?:\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?|底|末)?|[-./]\s*\d{1,2}(?:[-./]\s*\d{1,2})?)$")
_NUMBER = re.compile(r"^[-+]?\d[\d,]*(?:\.\d+)?%?$|^[-+]?\.\d+%?$")
_FILLER = {"", "—", "-", "--", "/", "……", "…", "　"}
_SECTION = {"绩效指标", "年度绩效指标", "绩效目标", "指标"}
_TRAILER = re.compile(r"^(?:指标自评得分小计|总评价得分|绩效自评总得分|预算执行率得分|减分项|总分|合计)")
_ACHIEVED = re.compile(r"^(?:全部|基本|部分|未|已)?(?:或基本)?(?:完成|达成)(?:预期|目标|指标)|^(?:全部|基本|部分|未)(?:或基本)?达成")
_UNIT_LINE = re.compile(r"^(\d{6})?\s*(.+?)(?:[-—](\d{9}))?$")
_PROJECT_KINDS = {"project_performance", "project_self_eval"}
_FINAL_KINDS = {"unit_self_eval", "project_self_eval"}


@cache
def _csv(name: str) -> tuple[dict[str, str], ...]:
    text = resources.files("fundflow.loaders").joinpath(f"data/{name}").read_text(encoding="utf-8")
    return tuple(csv.DictReader(text.splitlines()))


def known_levels(text: str) -> dict[int, str]:
    """Printed level name (incl. truncated variants) → {level: canonical name}; {} if unknown."""
    t = compact(text)
    return {int(r["level"]): r["canonical"] for r in reversed(_csv("indicator_levels.csv")) if r["printed"] == t}


def known_level(text: str) -> tuple[int, str] | None:
    """Printed level name → (1 or 2, canonical name), level 1 first; None if unknown."""
    levels = known_levels(text)
    return min(levels.items()) if levels else None


@lru_cache(maxsize=1)
def _field_pattern() -> re.Pattern[str]:
    labels = sorted({r["printed"] for r in _csv("performance_fields.csv")}, key=len, reverse=True)
    alts = "|".join(re.escape(x).replace(r"\(", r"[(（]").replace(r"\)", r"[)）]") for x in labels)
    return re.compile(rf"((?:{alts})(?:[(（](?:万元|元)[)）])?)")


def _field_of(label: str) -> str | None:
    core = re.sub(r"[(（](?:万元|元)[)）]$", "", label)
    for r in _csv("performance_fields.csv"):
        if compact(r["printed"]).replace("（", "(").replace("）", ")") == core.replace("（", "(").replace("）", ")"):
            return r["field"]
    return None


def is_field_label(text: str) -> bool:
    """``项目(政策)名称``, ``主管部门``, ``预算资金情况（万元）`` … → True: a printed field label."""
    return _field_of(compact(text)) is not None


def row_fields(row: RawRow) -> list[tuple[str, str, str]]:
    """A labelled row → [(field, label, value)]; [] when the row does not start with a field label.

    Labels and values may be in separate cells or run together in one cell
    (``项目预算金额（万元）120.6全年执行数（万元）115``).
    """
    pat = _field_pattern()
    tokens: list[str] = []
    for cell in row.cells:
        c = compact(cell)
        tokens += [t for t in pat.split(c) if t] if pat.match(c) else ([cell.strip()] if c else [])
    if not tokens or not pat.fullmatch(compact(tokens[0])):
        return []
    out: list[tuple[str, str, str]] = []
    for i, tok in enumerate(tokens):
        if pat.fullmatch(compact(tok)) and (field := _field_of(compact(tok))):
            nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
            out.append((field, compact(tok), "" if pat.fullmatch(compact(nxt)) else nxt))
    return out


def performance_unit(table: RawTable) -> UnitInfo | None:
    """``部门（单位）名称 578002 沈阳市医疗保障事务服务中心-210100000`` → UnitInfo; None if absent."""
    for row in [RawRow((h,), 0, 0) for h in table.header] + list(table.rows):
        fields = row_fields(row)
        if fields and fields[0][0] == "unit_name":
            text = compact("".join(row.cells))[len(fields[0][1]):]  # code, name and region may be split
            m = _UNIT_LINE.match(text)
            if m and m.group(2):
                return UnitInfo(name=m.group(2), code=m.group(1), region_code=m.group(3))
    return None


def normalize_operator(text: str) -> str | None:
    """``≥`` / ``>=`` / ``＝`` → ASCII operator; None when the text is not an operator."""
    return _OPERATORS.get(compact(text))


def _number(text: str) -> Decimal | None:
    t = compact(text)
    if not _NUMBER.match(t):
        return None
    try:
        return Decimal(t.rstrip("%").replace(",", ""))
    except InvalidOperation:
        return None


def _is_deadline(text: str) -> bool:
    return bool(_DEADLINE.match(compact(text)))


def _split_value(rest: list[str]) -> tuple[str | None, str | None, list[str]]:
    """Cells after the operator → (value, measure unit, remaining cells)."""
    if not rest:
        return None, None, []
    value, rest = rest[0], rest[1:]
    if rest and _number(rest[0]) is None and not _is_deadline(rest[0]) and len(compact(rest[0])) <= 8:
        return value, rest[0], rest[1:]
    return value, None, rest


def _final_tail(tail: list[str]) -> dict:
    """决算 cells after the target: actual, completion, weight (分值), score (得分), reasons."""
    while tail and _number(tail[-1]) is None:
        tail = tail[:-1]  # reasons, ticks: not numbers
    nums: list[str] = []
    while tail and _number(tail[-1]) is not None and len(nums) < 4:
        nums.insert(0, tail.pop())
    out: dict = {}
    if len(nums) >= 2:
        out["weight"], out["score"] = _number(nums[-2]), _number(nums[-1])
    if len(nums) == 4 and not tail:
        out["actual_value"] = _number(nums[0])
    elif len(nums) == 4:
        tail.append(nums[0])  # part of a completion text (``…100%-`` ``80%``)
    if tail and "actual_value" not in out:
        out["actual_text"] = "".join(compact(t) for t in tail)
    return out


def _final_text_row(cells: list[str]) -> tuple[list[str], str | None, list[str]] | None:
    """决算 row without operator → (names, target text, cells from the completion text on)."""
    at = next((i for i, c in enumerate(cells) if _ACHIEVED.match(compact(c))), None)
    if at is None:
        head = [c for c in cells if _number(c) is None]
        if len(head) < 2 or len(head) == len(cells):
            return None
        at = cells.index(head[-1])
    pre = cells[:at]
    if not pre:
        return None
    if len(pre) == 1 or (len(pre) == 2 and known_level(pre[0])):
        return pre, None, cells[at:]  # level + name (a target glued to the name stays in it)
    return pre[:-1], pre[-1], cells[at:]


def parse_indicator(cells: list[str], final: bool) -> dict | None:
    """Indicator row cells (fillers dropped) → fields; None when the row holds no value."""
    op_i = next((i for i, c in enumerate(cells) if normalize_operator(c)), None)
    date_i = next((i for i, c in enumerate(cells) if _is_deadline(c)), None)
    out: dict = {}
    if op_i is not None:
        names, out["operator"] = cells[:op_i], normalize_operator(cells[op_i])
        value, out["measure_unit"], rest = _split_value(cells[op_i + 1:])
    elif final:
        got = _final_text_row(cells)
        if got is None:
            return None
        names, value, rest = got
    elif date_i is not None and date_i >= 2:
        pre = cells[:date_i]
        if len(pre) >= 3 and _number(pre[-2]) is not None and _number(pre[-1]) is None:
            names, value, out["measure_unit"] = pre[:-2], pre[-2], pre[-1]
        else:
            names, value = pre[:-1], pre[-1]
        rest = cells[date_i:]
    elif len(cells) >= 3 and not all(known_level(c) for c in cells):
        names, value, rest = cells[:-1], cells[-1], []
    else:
        return None
    if not names:
        return None
    out["names"] = names
    if value is not None:
        num = _number(value)
        out["target_value" if num is not None else "target_text"] = num if num is not None else compact(value)
    if final:
        out.update(_final_tail(rest))
    else:
        out["deadline"] = next((compact(c) for c in rest if _is_deadline(c)), None)
    return out


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


def _project_amount(label: str, value: str, table: RawTable, meta_hint: dict) -> Decimal | None:
    unit = "万元" if "万元" in label else ("元" if "(元)" in label or "（元）" in label else None)
    try:
        return to_yuan(parse_amount(value), unit or table.money_unit or meta_hint.get("money_unit"))
    except ValueError:
        return None


class _Block:
    """The labelled fields of one project (name, departments, amounts) and their line span."""

    def __init__(self) -> None:
        self.fields: dict[str, object] = {}
        self.first = self.last = 0

    def add(self, row: RawRow, fields: list[tuple[str, str, str]], table: RawTable, meta_hint: dict) -> None:
        self.first = self.first or row.first_line
        self.last = max(self.last, row.last_line)
        for field, label, value in fields:
            if field in ("amount", "executed"):
                self.fields[field] = _project_amount(label, value, table, meta_hint)
            elif value:
                self.fields.setdefault(field, display_name(value))

    def project(self, doc: SourceDocument, table: RawTable) -> Project | TableIssue | None:
        name = self.fields.get("name")
        if not name:
            return None
        ref = doc.ref(self.first, self.last, table=table.label)
        amount = self.fields.get("amount")
        if amount is None:
            return TableIssue(table.label, "unreadable", f"no amount for project {name}", ref)
        return Project(name=str(name), amount=amount, ref=ref, table=table.label,  # type: ignore[arg-type]
                       unit_name=self.fields.get("implementer"), department=self.fields.get("department"),  # type: ignore[arg-type]
                       executed_amount=self.fields.get("executed"))  # type: ignore[arg-type]


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


def table_to_indicators(doc: SourceDocument, table: RawTable, meta_hint: dict) -> list[Project | Indicator | TableIssue]:
    """A performance RawTable → Projects (project tables only), Indicators and TableIssues.

    Never raises for odd rows: a row that is neither a field, a level nor an
    indicator is skipped (prose, header fragments).
    """
    if table.illegible:
        ref = doc.ref(table.first_line, table.last_line, table.label)
        return [TableIssue(table.label, "illegible", f"{table.title} could not be read", ref)]
    final = table.kind in _FINAL_KINDS or meta_hint.get("kind") == "final_accounts"
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
            block.add(row, fields, table, meta_hint)
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
    parsed = parse_indicator(cells, final)
    if parsed is None:
        levels.set(cells)
        return
    names = parsed.pop("names")
    if len(names) >= 2 and len(compact(names[-1])) <= 2 and not known_level(names[-2]):
        names = names[:-2] + [compact(names[-2]) + compact(names[-1])]  # a name wrapped onto its own cell
    name = "".join(compact(n) for n in names[2:]) if len(names) > 3 else compact(names[-1])
    levels.prefix(names[:2] if len(names) >= 3 else names[:-1])
    project = block.fields.get("name") if table.kind in _PROJECT_KINDS else None
    unit_name = block.fields.get("implementer") or (unit.name if unit else table.unit_name)
    out.append(Indicator(name=name, ref=doc.ref(row.first_line, row.last_line, table=table.label),
                         table=table.label, level1=levels.level1, level2=levels.level2,
                         project=project, unit_name=unit_name, **parsed))  # type: ignore[arg-type]
