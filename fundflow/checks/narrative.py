"""Narrative records (说明) and table records → findings: amounts, units, percentages, 三公 parts, repeated items.

Reads the prose as the records stage typed it (``NarrativeFact``, ``NarrativeChange``,
``NarrativeShare``); nothing here parses text.

A stated amount is checked against every table figure its topic can name
(``data/narrative_topics.csv``; a topic equal to a 类 name names that
code's figures): it holds when it equals any of them within the rounding of
both.  Percentages are recomputed with interval arithmetic over the rounding
of every printed figure, so a correct statement never fails on rounding.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from fundflow.checks.rules import Checker
from fundflow.core.model import BudgetLine, NarrativeChange, NarrativeFact, NarrativeShare, TableTotal, ThreeCosts
from fundflow.core.normalize import MONEY_FACTORS, compact, step_of
from fundflow.core.resources import read_csv
from fundflow.loaders.titles import kinds_where
from fundflow.records.narrative import CHANGE_WORD

Figure = BudgetLine | TableTotal | ThreeCosts  # a table figure a statement can name

THREE_ITEMS = {"three_total": "total", "three_abroad": "abroad", "three_reception": "reception",
               "three_vehicle": "vehicle", "three_vehicle_purchase": "vehicle_purchase",
               "three_vehicle_operation": "vehicle_operation"}


@dataclass(frozen=True)
class Stated:
    """A narrative fact with the table figures it names (its measure)."""

    fact: NarrativeFact
    measure: str | None

    @property
    def step(self) -> Decimal:
        """The rounding step of a stated amount, in yuan: a cent of its printed unit (0.01 万元 → 100).

        Prose drops trailing zeros (``5.4 万元`` for 5.40), so the printed digits
        do not tell the precision; the tables' two decimals do.
        """
        return step_of(self.fact.printed_unit)


@lru_cache(maxsize=1)
def topic_patterns() -> list[tuple[re.Pattern, str]]:
    return [(re.compile(r["pattern"]), r["measure"]) for r in read_csv("narrative_topics.csv")]


LEVEL_MARK = re.compile(r"[（(]([类款项])[）)]")
LEVEL_DIGITS = {"类": 3, "款": 5, "项": 7}


def _measure(topic: str, names: dict[str, set[str]]) -> str | None:
    if not topic or CHANGE_WORD.search(topic):
        return None
    for pattern, measure in topic_patterns():
        if pattern.search(topic):
            return measure
    code = subject_path(topic, names) if LEVEL_MARK.search(topic) else None
    if code:
        return "code:" + code
    return next(("code:" + c for c, ns in names.items() if len(c) == 3 and topic in ns), None)


def subject_path(topic: str, names: dict[str, set[str]]) -> str | None:
    """A subject named by its path, ``卫生健康支出（类）行政事业单位医疗（款）事业单位医疗（项）`` (a 类 also
    without its 支出: ``教育（类）支出``), → the code the document's tables give that path; None when no code, or
    more than one, fits.

    Each level's name must be the name the tables print for a code of that level under the code the
    level above names; the first may be the tail of a name whose head wrapped into another line.
    """
    parts = LEVEL_MARK.split(topic.strip("“”\"「」‘’'"))  # [name, level, name, level, …, tail]
    steps = list(zip(parts[0::2], parts[1::2]))
    fits: set[str] = set(names)
    for i, (name, level) in enumerate(steps):
        name = compact(name)
        said = {name, name + "支出"} if level == "类" else {name}  # 一般公共服务（类）, 教育（类）支出
        digits = LEVEL_DIGITS[level]
        fits = {c for c in names if len(c) == digits and any(c.startswith(f) for f in fits) and
                (said & names[c] or (i == 0 and len(name) >= 4 and any(n.endswith(name) for n in names[c])))}
        if not fits:
            return None
    return next(iter(fits)) if len(fits) == 1 else None


def stated(ck: Checker) -> list[Stated]:
    """The document's prose facts (NarrativeFact records), each with its measure."""
    names: dict[str, set[str]] = {}
    for b in ck.parsed.of(BudgetLine):
        if b.code and b.name:
            names.setdefault(b.code, set()).add(compact(b.name))
    return [Stated(fact, _measure(fact.topic, names)) for fact in ck.parsed.of(NarrativeFact)]


ALL_FUNDS = kinds_where(funds="all")
APPROPRIATION = kinds_where(funds="appropriation")


def candidates(ck: Checker, measure: str, qualifier: str = "") -> list[tuple[Decimal, Figure]]:
    """Table figures a measure can name → [(amount in yuan, record)].

    A statement about 财政拨款 / 一般公共预算 money is matched with the
    appropriation tables, one without qualifier with the all-funds tables.
    """
    kinds = APPROPRIATION if qualifier else ALL_FUNDS
    lines = [b for b in ck.parsed.of(BudgetLine) if b.table_kind in kinds]
    totals = [t for t in ck.parsed.of(TableTotal) if t.table_kind in kinds]
    grand = {"basic": "Basic", "project": "ProjectExpenditure", "personnel": "Personnel", "public": "Public"}
    if measure in grand:
        out: list[tuple[Decimal, Figure]] = [(b.amount, b) for b in lines
                                             if b.code == "" and b.amount_type == grand[measure]]
        if measure == "basic":
            out += [(b.amount, b) for b in lines if b.code == "" and b.table_kind == "general_basic"
                    and b.amount_type == "Total"]
        return out
    if measure in ("income_total", "expenditure_total"):
        side = measure.partition("_")[0]
        word = "收入" if side == "income" else "支出"
        labels = (word + "总计", "总计", "本年" + word + "合计", word + "合计")
        own = [(t.amount, t) for t in ck.parsed.of(TableTotal)  # 财政拨款收支总预算 = the summary's 财政拨款 row
               if qualifier == "财政拨款" and side == "income" and t.side == side and compact(t.label) == "财政拨款"]
        return own + [(t.amount, t) for t in totals if t.side == side and compact(t.label) in labels] + \
               [(b.amount, b) for b in lines if b.code == "" and b.table_kind in ("expenditure", "general_expenditure")
                and b.amount_type == "Total"]
    if measure == "gpb_income":
        return [(t.amount, t) for t in totals if "一般公共预算" in t.label and t.side == "income"] + \
               [(b.amount, b) for b in lines if b.code == "" and b.table_kind == "general_expenditure"
                and b.amount_type == "Total"]
    if measure.startswith("code:"):
        return [(b.amount, b) for b in lines if b.code == measure[5:]]
    if measure in THREE_ITEMS:
        return _three_costs(ck, THREE_ITEMS[measure])
    return []


def _three_costs(ck: Checker, item: str) -> list[tuple[Decimal, Figure]]:
    """三公 figures of the document's year; an item left empty under a printed total counts as zero."""
    year = ck.parsed.meta.fiscal_year
    rows = [r for r in ck.parsed.of(ThreeCosts) if r.year in (year, None) and r.unit_name is None]
    out: list[tuple[Decimal, Figure]] = [(r.amount, r) for r in rows if r.item == item]
    if not out:  # unless the item is missing because its column could not be decided
        out = [(Decimal(0), r) for r in rows if r.item == "total" and not ck.undecided(r.table)]
    return out


def check_amounts(ck: Checker) -> None:
    """R15 stated amount = a table figure; R16 the same after converting a wrong printed unit."""
    table_unit = ck.parsed.meta.money_unit or "万元"
    for st in stated(ck):
        if st.measure is None:
            path = LEVEL_MARK.split(st.fact.topic.strip("“”\"「」‘’'"))
            if len(path) > 1 and len(path[0]) >= 2:  # a subject path the tables do not print
                ck.skip("R15", f"说明 L{st.fact.ref.first_line} names {st.fact.topic}: no table of the document "
                               "prints a subject of that name under that path", [st.fact.ref])
            continue
        cands = candidates(ck, st.measure, st.fact.qualifier)
        if not cands:
            continue
        amount, fact = st.fact.amount, st.fact
        def tol(rec, half=st.step / 2):
            return half + ck.table_step(getattr(rec, "table", None)) / 2
        best, rec = min(cands, key=lambda c: (abs(c[0] - amount) > tol(c[1]), abs(c[0] - amount)))
        if abs(best - amount) <= tol(rec):  # held: it equals one of the figures it can name
            ck.compare("R15", f"说明 L{fact.ref.first_line} {fact.topic} vs {rec.table}", best, amount, tol(rec),
                       [rec.ref], [fact.ref])
            continue
        converted = amount / MONEY_FACTORS.get(fact.printed_unit, 1) * MONEY_FACTORS.get(table_unit, 1)
        if fact.printed_unit != table_unit and abs(converted - best) <= tol(rec) * MONEY_FACTORS[table_unit]:
            ck.flag("R16", f"说明 L{fact.ref.first_line} states {fact.topic} {_printed(st)} but the tables print "
                           f"{best / MONEY_FACTORS[table_unit]} {table_unit}: the unit {fact.printed_unit} is wrong",
                    [fact.ref], [rec.ref])
            continue
        ck.compare("R15", f"说明 L{fact.ref.first_line} {fact.topic} vs {rec.table}", best, amount, tol(rec),
                   [rec.ref], [fact.ref], ambiguous=getattr(rec, "ambiguous", False))


def _printed(st: Stated) -> str:
    factor = MONEY_FACTORS.get(st.fact.printed_unit, Decimal(1))
    return f"{st.fact.amount / factor} {st.fact.printed_unit}"


def _pct_range(part: Decimal, ps: Decimal, whole: Decimal, ws: Decimal) -> tuple[Decimal, Decimal] | None:
    """Range of 100·part/whole over the rounding of both (None when whole can be ≤ 0)."""
    if whole - ws / 2 <= 0:
        return None
    corners = [(p * 100 / w) for p in (part - ps / 2, part + ps / 2) for w in (whole - ws / 2, whole + ws / 2)]
    return min(corners), max(corners)


def _pct_check(ck: Checker, rule: str, what: str, pct: Decimal, rng, refs_l, refs_r) -> None:
    step = Decimal(1).scaleb(int(pct.as_tuple().exponent))
    low, high = rng
    mid = (low + high) / 2
    if pct + step >= low and pct - step / 2 <= high:  # rounded, or truncated to the printed digits
        ck.compare(rule, what, pct, pct, Decimal(0), refs_l, refs_r, unit="%")
        return
    ck.compare(rule, what + f" (recomputed {low:.3f}%–{high:.3f}%)", pct, mid.quantize(step), step / 2,
               refs_l, refs_r, unit="%")


def check_changes(ck: Checker, facts: list[Stated]) -> None:
    """R17: ``比上年增加 Δ，增加 p%`` → p = Δ ÷ (current − Δ)."""
    for c in ck.parsed.of(NarrativeChange):
        if c.delta == 0:
            continue
        base = _base_of(c, facts)
        if base is None:
            ck.skip("R17", f"说明 L{c.ref.first_line}: the current figure the change refers to is not stated", [c.ref])
            continue
        factor = MONEY_FACTORS.get(c.printed_unit, Decimal(1))
        dstep = Decimal(1).scaleb(int(c.printed_delta.as_tuple().exponent)) * factor
        prev = base.fact.amount - c.delta
        rng = _pct_range(abs(c.delta), dstep, prev, base.step + dstep)
        if rng is None:
            continue
        what = (f"说明 L{c.ref.first_line}: {base.fact.topic or c.subject} {base.fact.amount / factor} "
                f"{c.printed_unit}, change {c.delta / factor} → {c.pct}%")
        _pct_check(ck, "R17", what, c.pct, rng, [c.ref], [base.fact.ref])


def _base_of(c: NarrativeChange, facts: list[Stated]) -> Stated | None:
    """The current figure a change refers to: the last amount before it in its sentence, else its subject's."""
    same = [f for f in facts if f.fact.sentence == c.sentence and f.fact.position < c.position + len(c.subject) + 1
            and not CHANGE_WORD.search(f.fact.topic)]
    if same:
        return same[-1]
    subject = c.subject
    if len(subject) < 3:
        return None
    earlier = [f for f in facts if f.fact.ref.first_line <= c.ref.first_line and
               (f.fact.topic == subject or (len(subject) >= 4 and f.fact.topic.endswith(subject)))]
    return earlier[-1] if earlier else None


def check_shares(ck: Checker, facts: list[Stated]) -> None:
    """R18: ``X，占 Y 的 p%`` → p = X ÷ Y, Y stated in the same 说明."""
    for sh in ck.parsed.of(NarrativeShare):
        whole = compact(sh.whole)
        found = [f for f in facts if f.fact.ref.first_line <= sh.ref.first_line and
                 (f.fact.topic == whole or (len(whole) >= 4 and f.fact.topic.endswith(whole)))]
        if not found or sh.amount == 0:
            continue
        w = found[-1]
        factor = MONEY_FACTORS.get(sh.printed_unit, Decimal(1))
        pstep = Decimal(1).scaleb(int(sh.amount.as_tuple().exponent))
        rng = _pct_range(sh.amount, pstep, w.fact.amount, w.step)
        if rng:
            _pct_check(ck, "R18", f"说明 L{sh.ref.first_line}: {sh.amount / factor} of {whole} "
                                  f"{w.fact.amount / factor} → {sh.pct}%", sh.pct, rng, [sh.ref], [w.fact.ref])


def check_repeats(ck: Checker, facts: list[Stated]) -> None:
    """R19: the same item in the same context quoted with two different amounts."""
    first: dict[tuple[str, str, str], Stated] = {}
    for f in facts:
        if f.measure is None:
            continue
        key = (f.fact.qualifier, f.fact.topic, f.fact.printed_unit)
        prior = first.setdefault(key, f)
        if prior is not f and abs(prior.fact.amount - f.fact.amount) > (prior.step + f.step) / 2:
            ck.compare("R19", f"说明 {f.fact.topic} at L{prior.fact.ref.first_line} and L{f.fact.ref.first_line}",
                       prior.fact.amount, f.fact.amount, (prior.step + f.step) / 2, [prior.fact.ref], [f.fact.ref])


def check_three_parts(ck: Checker, facts: list[Stated]) -> None:
    """R20: the 说明's 三公 total = its stated items; vehicle = purchase + operation."""
    for rule, head_m, parts_m in (("R20", "three_total", ("three_abroad", "three_vehicle", "three_reception")),
                                  ("R20", "three_vehicle", ("three_vehicle_purchase", "three_vehicle_operation"))):
        for i, head in enumerate(facts):
            if head.measure != head_m:
                continue
            parts: dict[str, Stated] = {}
            for f in facts[i + 1:]:
                if f.fact.ref.first_line - head.fact.ref.first_line > 40 or f.measure == head_m:
                    break
                if f.measure is not None and f.measure in parts_m:
                    parts.setdefault(f.measure, f)
            if len(parts) == len(parts_m):
                total = sum((p.fact.amount for p in parts.values()), Decimal(0))
                tol = (head.step + sum((p.step for p in parts.values()), Decimal(0))) / 2
                ck.compare(rule, f"说明 L{head.fact.ref.first_line} {head.fact.topic} = "
                                 f"{' + '.join(p.fact.topic for p in parts.values())}", head.fact.amount, total, tol,
                           [head.fact.ref], [p.fact.ref for p in parts.values()])


def check_parts(ck: Checker) -> None:
    """R24: the parts a 说明 lists of an amount add up to it (``包括：`` every part; ``其中`` no more than it)."""
    facts = ck.parsed.of(NarrativeFact)
    wholes = {(f.sentence, f.position): f for f in facts}
    lists: dict[tuple[int, int], tuple[NarrativeFact, list[NarrativeFact]]] = {}  # (sentence, list start) → parts
    for f in facts:
        if f.part_of is not None and f.part_of in wholes:
            lists.setdefault((f.sentence, f.listed_at), (wholes[f.part_of], []))[1].append(f)
    for whole, parts in lists.values():
        total = sum((p.amount for p in parts), Decimal(0))
        tol = sum((step_of(p.printed_unit) for p in (whole, *parts)), Decimal(0)) / 2
        if not parts[0].complete and total < whole.amount - tol:
            continue  # 其中 names some of the parts
        names = " + ".join(p.topic for p in parts[:4]) + (f" + {len(parts) - 4} more" if len(parts) > 4 else "")
        ck.compare("R24", f"说明 L{whole.ref.first_line} {whole.topic} = {names}", whole.amount, total, tol,
                   [whole.ref], [p.ref for p in parts])


def check_narrative(ck: Checker) -> None:
    facts = stated(ck)
    check_changes(ck, facts)
    check_shares(ck, facts)
    check_repeats(ck, facts)
    check_three_parts(ck, facts)


CHECKS = [check_amounts, check_narrative, check_parts]
__all__ = ["CHECKS"]
