"""Performance-table rows → fields, levels and indicator values (no state).

Recognises what one row of a 绩效目标表 / 绩效自评表 says: labelled fields
(``row_fields``: ``项目(政策)名称 X``, ``预算资金情况（万元） 785.70`` → (field,
label, value); labels from ``data/performance_fields.csv``), level names
(``known_level``: ``data/indicator_levels.csv``), the unit line
(``performance_unit``), operators, numbers and deadlines, and an indicator
row's cells (``parse_indicator`` → ``IndicatorParts``: names, operator, target, unit, deadline or
the final-accounts tail).  Nothing here raises for odd text: unknown → None/[].
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from itertools import takewhile

from fundflow.core.model import IndicatorValues, RawRow, RawTable, UnitInfo
from fundflow.core.normalize import compact, is_amount
from fundflow.core.resources import read_csv
from fundflow.core.terms import field_of, field_pattern

_OPERATORS = {">=": ">=", "≥": ">=", "＞＝": ">=", "<=": "<=", "≤": "<=", "＜＝": "<=", "=": "=", "＝": "=",
              ">": ">", "＞": ">", "<": "<", "＜": "<", "大于等于": ">=", "小于等于": "<=", "等于": "="}
_DEADLINE = re.compile(r"^\d{4}\s*(?:年(?:\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?|底|末)?|[-./]\s*\d{1,2}(?:[-./]\s*\d{1,2})?)$")
_NUMBER = re.compile(r"^[-+]?\d[\d,]*(?:\.\d+)?%?$|^[-+]?\.\d+%?$")
_ACHIEVED = re.compile(r"^(?:全部|基本|部分|未|已)?(?:或基本)?(?:完成|达成)(?:预期|目标|指标)|^(?:全部|基本|部分|未)(?:或基本)?达成")
_UNIT_LINE = re.compile(r"^(\d{6})?\s*(.+?)(?:[-—](\d{9}))?$")


def known_levels(text: str) -> dict[int, str]:
    """Printed level name (incl. truncated variants) → {level: canonical name}; {} if unknown."""
    t = compact(text)
    return {int(r["level"]): r["canonical"] for r in reversed(read_csv("indicator_levels.csv")) if r["printed"] == t}


def known_level(text: str) -> tuple[int, str] | None:
    """Printed level name → (1 or 2, canonical name), level 1 first; None if unknown."""
    levels = known_levels(text)
    return min(levels.items()) if levels else None


def row_fields(row: RawRow) -> list[tuple[str, str, str]]:
    """A labelled row → [(field, label, value)]; [] when the row does not start with a field label.

    Labels and values may be in separate cells or run together in one cell
    (``项目预算金额（万元）120.6全年执行数（万元）115``).
    """
    pat = field_pattern()
    tokens: list[str] = []
    for cell in row.cells:
        c = compact(cell)
        tokens += [t for t in pat.split(c) if t.strip(":：")] if pat.match(c) else ([cell.strip()] if c else [])
    while tokens and pat.fullmatch(compact(tokens[0])) and field_of(compact(tokens[0])) == "section":
        tokens = tokens[1:]  # a heading over several fields (专项资金情况（万元） 资金总额 … 财政拨款 …)
    if not tokens or not pat.fullmatch(compact(tokens[0])):
        return []
    out: list[tuple[str, str, str]] = []
    for i, tok in enumerate(tokens):
        if pat.fullmatch(compact(tok)) and (field := field_of(compact(tok))) and field != "section":
            after = list(takewhile(lambda t: not pat.fullmatch(compact(t)), tokens[i + 1:]))
            nxt = after[0] if after else ""
            if field in ("amount", "executed"):  # text between a money label and its figure is another cell's
                # (a merged label beside it wrapped into the row: 资金总额：专项资金情 57.00)
                nxt = next((t for t in after if is_amount(compact(t))), nxt)
            out.append((field, compact(tok), nxt))
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


@dataclass(frozen=True, kw_only=True)
class IndicatorParts(IndicatorValues):
    """What one indicator row prints: its name cells (levels first) and its values."""

    names: tuple[str, ...]


_Tail = tuple[Decimal | None, str | None, Decimal | None, Decimal | None]


def _final_tail(tail: list[str]) -> _Tail:
    """决算 cells after the target → (actual value, actual text, weight (分值), score (得分)); reasons dropped."""
    while tail and _number(tail[-1]) is None:
        tail = tail[:-1]  # reasons, ticks: not numbers
    nums: list[str] = []
    while tail and _number(tail[-1]) is not None and len(nums) < 4:
        nums.insert(0, tail.pop())
    weight, score = (_number(nums[-2]), _number(nums[-1])) if len(nums) >= 2 else (None, None)
    actual = _number(nums[0]) if len(nums) == 4 and not tail else None
    if len(nums) == 4 and tail:
        tail.append(nums[0])  # part of a completion text (``…100%-`` ``80%``)
    text = "".join(compact(t) for t in tail) if tail and actual is None else None
    return actual, text, weight, score


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


def parse_indicator(cells: list[str], final: bool) -> IndicatorParts | None:
    """Indicator row cells (fillers dropped) → its parts; None when the row holds no value."""
    op_i = next((i for i, c in enumerate(cells) if normalize_operator(c)), None)
    date_i = next((i for i, c in enumerate(cells) if _is_deadline(c)), None)
    operator: str | None = None
    unit: str | None = None
    if op_i is not None:
        names, operator = cells[:op_i], normalize_operator(cells[op_i])
        value, unit, rest = _split_value(cells[op_i + 1:])
    elif final:
        got = _final_text_row(cells)
        if got is None:
            return None
        names, value, rest = got
    elif date_i is not None and date_i >= 2:
        pre = cells[:date_i]
        if len(pre) >= 3 and _number(pre[-2]) is not None and _number(pre[-1]) is None:
            names, value, unit = pre[:-2], pre[-2], pre[-1]
        else:
            names, value = pre[:-1], pre[-1]
        rest = cells[date_i:]
    elif len(cells) >= 3 and not all(known_level(c) for c in cells):
        names, value, rest = cells[:-1], cells[-1], []
    else:
        return None
    if not names:
        return None
    num = _number(value) if value is not None else None
    text = compact(value) if value is not None and num is None else None
    actual, actual_text, weight, score = _final_tail(rest) if final else (None, None, None, None)
    deadline = None if final else next((compact(c) for c in rest if _is_deadline(c)), None)
    return IndicatorParts(names=tuple(names), operator=operator, target_value=num, target_text=text, measure_unit=unit,
                          deadline=deadline, actual_value=actual, actual_text=actual_text, weight=weight, score=score)
