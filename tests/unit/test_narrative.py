"""Narrative facts read from prose, and the narrative checks."""
from __future__ import annotations

from decimal import Decimal

from fundflow.checks.reconcile import reconcile
from fundflow.core.model import DocumentMeta, ParsedDocument, SourceDocument, TableTotal
from fundflow.records.narrative import changes, narrative_facts, narrative_records, sentences, shares

W = Decimal(10000)


def _src(*lines: str) -> SourceDocument:
    return SourceDocument("n.txt", "n.txt", "1" * 64, "utf-8", tuple(lines))


def test_amounts_with_topic_unit_and_printed_precision():
    doc = _src("一、收支预算的总体说明", "（一）收入预算 1,681.43 元，其中：", "1. 一般公共预算拨款收入 1, 681. 43 万元；",
               "公务接待费 0.1 万元，与上年持平。")
    facts = {f.topic: f for f in narrative_facts(doc, ())}
    assert facts["收入预算"].amount == Decimal("1681.43") and facts["收入预算"].printed_unit == "元"
    assert facts["一般公共预算拨款收入"].amount == Decimal("16814300.00")
    assert facts["公务接待费"].amount == Decimal("1000.0")  # one decimal printed: precision kept
    assert facts["公务接待费"].ref.first_line == 4


def test_wrapped_sentence_and_unit_prices_ignored():
    doc = _src("收支预算 1,681.43 万元，比上年增加 1.23 万元，增加", "", "0.73%，主要原因：工资增长。",
               "人均财政补助标准 670 元/人/年。")
    [c] = changes(doc, ())
    assert c.delta == Decimal("12300.00") and c.pct == Decimal("0.73") and c.ref.first_line == 1
    assert all(f.topic != "人均财政补助标准" for f in narrative_facts(doc, ()))
    assert len(sentences(doc, ())) == 2


def test_share_statements():
    doc = _src("1.财政拨款收入 5,251.22万元，占收入总计的 48.70%。")
    [s] = shares(doc, ())
    assert s.whole == "收入总计" and s.pct == Decimal("48.70")


def _parsed(lines, records=()):
    """Prose lines (and table records) → a ParsedDocument whose prose is read by the records stage."""
    meta = DocumentMeta("t", 2026, "budget", "unit", None, (), "万元")
    src = _src(*lines)
    return ParsedDocument(src, "test", meta, (), tuple(narrative_records(src, ())) + tuple(records))


def _failed(parsed):
    return {f.rule for f in reconcile(parsed) if f.failed}


def test_percentage_recomputed_against_previous_year():
    wrong = _parsed(["收支预算 1,681.43 万元，比上年增加 1.23 万元，增加 0.73%。"])
    right = _parsed(["收支预算 1,681.43 万元，比上年增加 1.23 万元，增加 0.07%。"])
    assert "R17" in _failed(wrong) and "R17" not in _failed(right)


def test_rounding_interval_accepts_a_correct_percentage():
    # 0.29 / 0.14 = 207 %, but with both rounded to 0.01 the true value can be 198 %
    doc = _parsed(["2.公务接待费 0.43 万元。", "2024 年公务接待费比上年增加 0.29 万元，增长 198.00%。"])
    assert "R17" not in _failed(doc)


def test_wrong_unit_is_a_finding_not_a_mismatch():
    src = _src("x")
    totals = [TableTotal("表1", "summary", "income", "收入总计", Decimal("1681.43") * W, src.ref(1))]
    found = _failed(_parsed(["（一）收入预算 1,681.43 元，其中："], totals))
    assert found == {"R16"}
    assert not _failed(_parsed(["（一）收入预算 1,681.43 万元，其中："], totals))


def test_three_costs_parts_must_add_up():
    lines = ["“三公”经费预算数 5.4 万元。其中：", "1. 因公出国（境）费 0 万元。", "2. 公务接待费 0.1 万元。",
             "3. 公务用车购置及运行费 5.4 万元。"]
    assert "R20" in _failed(_parsed(lines))
    lines[0] = "“三公”经费预算数 5.5 万元。其中："
    assert "R20" not in _failed(_parsed(lines))


def test_a_percentage_truncated_to_its_digits_is_accepted_a_wrong_one_is_not():
    # 2228.78 / (24169.74 − 2228.78) = 10.158 %: printed 10.15 (truncated) holds, 10.06 does not
    truncated = _parsed(["收入预算总计 24,169.74 万元，比上年增加 2228.78 万元，增长 10.15%。"])
    wrong = _parsed(["收入预算总计 24,169.74 万元，比上年增加 2214.39 万元，增长 10.06%。"])
    assert "R17" not in _failed(truncated) and "R17" in _failed(wrong)


def test_a_stated_amount_is_compared_to_the_cent_of_its_unit():
    # 37,151.47 万元 in the prose, 371,514,655 元 in a table: equal to the cent of 万元
    from fundflow.core.model import SourceRef, TableTotal

    ref = SourceRef("n.txt", "1" * 64, 5, 5, "表1")
    total = TableTotal("表1", "summary", "expenditure", "支出总计", Decimal("371514655.00"), ref)
    meta = DocumentMeta("t", 2025, "budget", "department", None, (), "元")
    src = _src("支出预算37,151.47万元。")
    doc = ParsedDocument(src, "test", meta, (), tuple(narrative_records(src, ())) + (total,))
    assert not {"R15", "R16"} & _failed(doc)
    src = _src("支出预算37,152.47万元。")
    off = ParsedDocument(src, "test", meta, (), tuple(narrative_records(src, ())) + (total,))
    assert "R15" in _failed(off)


def test_the_records_stage_reads_the_prose_once_into_typed_records():
    from pathlib import Path

    from fundflow.core.model import NarrativeChange, NarrativeFact, NarrativeShare
    from fundflow.records.pipeline import parse_document

    parsed = parse_document(Path(__file__).resolve().parents[2] / "data" / "samples" / "anshan-center-2026-budget.txt")
    facts = {(f.ref.first_line, f.topic): f for f in parsed.of(NarrativeFact)}
    # anshan L165 under 一、收支预算的总体说明 names no fund; L178 under 二、财政拨款收支预算情况说明 and
    # L184 under 三、一般公共预算基本支出情况说明 speak of their section's money
    assert facts[(165, "基本支出")].amount == Decimal("16067300.00") and facts[(165, "基本支出")].qualifier == ""
    # the phrase naming the amount is the item, without whose and which year (鞍山市医疗保障事务服务中心2025年)
    assert facts[(178, "财政拨款收支总预算")].qualifier == "财政拨款"
    assert facts[(184, "工资福利支出")].qualifier == "一般公共预算"
    # L172: 收支预算 1,681.43 万元，比上年增加 1.23 万元，增加 0.73% (the 0.73% wrapped onto L174)
    change = next(c for c in parsed.of(NarrativeChange) if c.ref.first_line == 172)
    assert (change.delta, change.printed_unit, change.pct) == (Decimal("12300.00"), "万元", Decimal("0.73"))
    base = facts[(172, "鞍山市医疗保障事务服务中心收支预算")]
    assert base.sentence == change.sentence and base.position < change.position + len(change.subject) + 1
    # the statements come after every other record: the others keep their positions
    first = min(i for i, r in enumerate(parsed.records) if isinstance(r, (NarrativeChange, NarrativeShare)))
    assert all(isinstance(r, (NarrativeChange, NarrativeShare)) for r in parsed.records[first:])


def test_checks_read_the_records_not_the_text():
    # the wrong percentage of test_percentage_recomputed_against_previous_year, printed but never read
    meta = DocumentMeta("t", 2026, "budget", "unit", None, (), "万元")
    unread = ParsedDocument(_src("收支预算 1,681.43 万元，比上年增加 1.23 万元，增加 0.73%。"), "test", meta, (), ())
    assert not [f for f in reconcile(unread, include_held=True) if f.rule.startswith(("R15", "R17", "R19", "R20"))]


def test_a_qualifier_printed_with_spaced_characters_is_read():
    # a text layer that prints 财 政 拨 款 character by character (湖州 2026 templates do)
    doc = _src("湖 州 市 某 某 局 2026 年 财 政 拨 款 收 支 总 预 算", "192207.76 万元。")
    [fact] = narrative_facts(doc, ())
    assert (fact.topic, fact.qualifier, fact.amount) == ("财政拨款收支总预算", "财政拨款", Decimal("1922077600.00"))


def test_each_item_of_an_enumeration_has_its_own_qualifier():
    doc = _src("收入包括：一般公共预算当年拨款收入 52244.36 万元、政府性基金当年拨款收入 139963.40 万元、"
               "其他收入 8446.35 万元；支出包括：教育支出 3797.62 万元。")
    got = {f.topic: f.qualifier for f in narrative_facts(doc, ())}
    assert got == {"一般公共预算当年拨款收入": "一般公共预算", "政府性基金当年拨款收入": "政府性基金",
                   "其他收入": "", "教育支出": ""}
    # a part (其中) of a qualified whole is that money too
    doc = _src("一般公共预算财政拨款支出 100 万元，其中：基本支出 60 万元，项目支出 40 万元。")
    assert {f.topic: f.qualifier for f in narrative_facts(doc, ())}["项目支出"] == "一般公共预算"


def test_a_heading_sets_the_qualifier_of_its_part_down_to_the_next_heading_of_its_level():
    doc = _src("（四）关于 2026 年财政拨款收支预算情况的总体说明", "支出包括：教育支出 3797.62 万元。",
               "1.具体使用情况", "（1）教育支出（类）职业教育（款）中等职业教育（项）", "3707.62 万元，主要用于工资。",
               "（五）关于 2026 年其他收入的说明", "其他收入 8446.35 万元。")
    got = {f.topic: f.qualifier for f in narrative_facts(doc, ())}
    assert got["教育支出"] == "财政拨款"
    # the amount on the line after a numbered line without punctuation is the one that line names
    assert got["教育支出（类）职业教育（款）中等职业教育（项）"] == "财政拨款"
    assert got["其他收入"] == ""


def test_a_heading_wrapped_at_the_full_width_of_the_prose_keeps_its_tail():
    body = ["一二三四五六七八九十一二三四五六七八九十一二三四五，"] * 6  # full lines of 25 characters
    doc = _src(*body, "（二）关于湖州市交通运输局 2026 年收入预算情况说", "明", "收入预算 201286.11 万元。")
    [fact] = narrative_facts(doc, ())
    assert fact.topic == "收入预算"
    heading = next(s for s in sentences(doc, ()) if s.text.startswith("（二）"))
    assert heading.text.endswith("情况说明") and heading.heading and heading.last_line == 8


def _found(parsed, rule):
    return [f"{f.status} {f.message}" for f in reconcile(parsed, include_held=True) if f.rule == rule]


def test_an_item_quoted_twice_with_two_amounts_is_a_finding():
    twice = _parsed(["2.公务接待费 0.43 万元。", "其中公务接待费 0.45 万元。"])
    assert _found(twice, "R19") == ["violated 说明 公务接待费 at L1 and L2: printed 0.43 万元, recomputed 0.45 万元 "
                                    "(difference 0.02 万元)"]
    assert _found(_parsed(["2.公务接待费 0.43 万元。", "公务接待费 0.43 万元。"]), "R19") == []


def test_a_change_from_nothing_has_no_percentage_to_recompute():
    # 0.29 万元 this year after an increase of 0.29 万元: last year's 0 divides nothing
    assert _found(_parsed(["2.公务接待费 0.29 万元。", "2024 年公务接待费比上年增加 0.29 万元，增长 100.00%。"]), "R17") == []
    # from 0.43 − 0.29 = 0.14 万元 the same increase is 207 %, not 100 %
    [wrong] = _found(_parsed(["2.公务接待费 0.43 万元。", "2024 年公务接待费比上年增加 0.29 万元，增长 100.00%。"]), "R17")
    assert wrong.startswith("violated 说明 L2: 公务接待费 0.43 万元, change 0.29 → 100.00%")


def _rule(doc: SourceDocument, rule: str) -> list[tuple[str, str]]:
    meta = DocumentMeta("t", 2026, "budget", "unit", None, (), "万元")
    records = tuple(narrative_records(doc, ()))
    return [(f.status, f.message) for f in reconcile(ParsedDocument(doc, "test", meta, (), records), include_held=True)
            if f.rule == rule]


def test_lists_in_the_prose_add_up_to_their_whole():
    # 收入包括 and 支出包括 after "收支总预算 X。" both list the parts of X (湖州 2026 templates print so)
    doc = _src("某局 2026 年收支总预算 201286.11 万元。", "收入包括：一般公共预算拨款收入 52244.36 万元、政府性基金收入"
               " 139963.40 万元、其他收入 9078.35 万元；支出包括：交通运输支出 113743.52 万元、其他支出 87542.59 万元。")
    assert [s for s, _ in _rule(doc, "R24")] == ["held", "held"]
    # a part printed wrong: 9,087.35 for 9,078.35
    wrong = _src("某局 2026 年收支总预算 201286.11 万元。", "收入包括：一般公共预算拨款收入 52244.36 万元、政府性基金收入"
                 " 139963.40 万元、其他收入 9087.35 万元。")
    [(status, message)] = _rule(wrong, "R24")
    assert status == "violated" and "201,286.11" in message and "201,295.11" in message
    # 其中 may name some parts only; more than the whole is wrong
    some = _src("项目支出 74.70 万元，其中信息化项目 30.00 万元，办公设备 20.00 万元。")
    assert _rule(some, "R24") == []
    over = _src("项目支出 74.70 万元，其中信息化项目 50.00 万元，办公设备 30.00 万元，比上年增加 2.00 万元。")
    assert [s for s, _ in _rule(over, "R24")] == ["violated"]  # 80.00 > 74.70; the change is no part


def test_a_list_that_opens_its_sentence_takes_the_whole_of_the_list_before():
    # 其中 after a list ("…上年结转结余 0 万元。其中：本年一般公共预算收入 …") is about the first list's whole
    doc = _src("收入预算合计 154121.76 万元，包括本年收入 154121.76 万元、上年结转结余 0 万元。",
               "其中：本年一般公共预算收入 152585.76 万元；本年其他收入 1536 万元。")
    facts = {f.topic: f for f in narrative_facts(doc, ())}
    whole = facts["收入预算合计"]
    assert facts["一般公共预算收入"].part_of == (whole.sentence, whole.position)  # 本年 dropped from the phrase
    assert not facts["一般公共预算收入"].complete
