"""Codes recovered from printed names (records.named_codes): rows with a name and no code."""
from __future__ import annotations

import dataclasses
from decimal import Decimal

import rdflib

from fundflow.core.model import BudgetLine, RawRow, RawTable, SourceDocument, TableIssue, TableTotal
from fundflow.kg.mapper import records_to_graph
from fundflow.kg.vocab import FF
from fundflow.records.named_codes import CodeBook, code_book, resolve_names
from fundflow.records.tables import tables_to_records
from tests.conftest import make_parsed

BOOK_2026 = code_book(2026, [])


def _codes(names: list[str], book: CodeBook = BOOK_2026) -> list[str | None]:
    return [r.code for r in resolve_names(names, book)]


def test_names_of_a_real_expenditure_side_get_their_codes_from_the_edition_list() -> None:
    # 湖州市卫生健康委员会 2026 表01 (收支预算总表), expenditure side as printed: names only, indented
    names = ["卫生健康支出", "卫生健康管理事务", "行政运行", "其他卫生健康管理事务支出", "行政事业单位医疗",
             "行政单位医疗", "事业单位医疗", "公务员医疗补助", "住房保障支出", "住房改革支出", "住房公积金"]
    assert _codes(names) == ["210", "21001", "2100101", "2100199", "21011", "2101101", "2101102", "2101103",
                             "221", "22102", "2210201"]


def test_a_generic_name_takes_the_code_under_its_parent() -> None:
    # 行政运行 is a 项 of nearly every 款: only the 款 above it says which
    assert _codes(["一般公共服务支出", "财政事务", "行政运行", "卫生健康支出", "卫生健康管理事务", "行政运行"]) == \
        ["201", "20106", "2010601", "210", "21001", "2100101"]


def test_a_generic_name_without_a_parent_is_left_uncoded_with_the_reason() -> None:
    got = resolve_names(["行政运行"], BOOK_2026)
    assert got[0].code is None
    assert "no code of its place" in got[0].reason


def test_ordinals_are_not_part_of_the_name() -> None:
    assert _codes(["九、卫生健康支出", "（一）行政事业单位医疗", "1.行政单位医疗", "2、事业单位医疗"]) == \
        ["210", "21011", "2101101", "2101102"]


def test_a_name_path_is_resolved_from_its_class_down() -> None:
    got = resolve_names(["卫生健康支出-行政事业单位医疗-事业单位医疗", "一般公共服务支出－财政事务－行政运行"], BOOK_2026)
    assert [(r.name, r.code) for r in got] == [("事业单位医疗", "2101102"), ("行政运行", "2010601")]
    broken = resolve_names(["卫生健康支出-财政事务-行政运行"], BOOK_2026)[0]
    assert broken.code is None and "name path" in broken.reason


def test_a_name_two_codes_share_under_different_parents_resolves_only_through_the_path() -> None:
    # two 款 of different 类 named alike: alone it is ambiguous, under its 类 it is not
    book = CodeBook([("201", "一般公共服务支出"), ("210", "卫生健康支出"), ("20199", "其他支出"),
                     ("21099", "其他支出")])
    assert _codes(["其他支出"], book) == [None]
    assert _codes(["卫生健康支出", "其他支出"], book) == ["210", "21099"]
    assert _codes(["卫生健康支出-其他支出"], book) == ["21099"]


def test_a_repeated_name_is_the_child_the_second_time() -> None:
    # 湖州市卫生健康委员会 表01: 其他科学技术支出 129.84 (款), 科技奖励 7.50, 其他科学技术支出 122.34 (项)
    book = CodeBook([("206", "科学技术支出"), ("20699", "其他科学技术支出"), ("2069901", "科技奖励"),
                     ("2069999", "其他科学技术支出")])
    assert _codes(["科学技术支出", "其他科学技术支出", "科技奖励", "其他科学技术支出"], book) == \
        ["206", "20699", "2069901", "2069999"]


def test_no_item_goes_under_an_earlier_kuan_after_an_unknown_row() -> None:
    assert _codes(["卫生健康支出", "行政事业单位医疗", "某项未列名的款", "行政单位医疗"]) == ["210", "21011", None, None]


def test_names_follow_the_edition_of_the_year() -> None:
    old = "医疗卫生与计划生育支出"  # 210 until 2018
    assert _codes([old], code_book(2018, [])) == ["210"]
    assert _codes([old], code_book(2026, [])) == [None]
    assert "210 in another edition" in resolve_names([old], code_book(2026, []))[0].reason


def test_the_documents_own_printed_pairs_extend_the_reference_list() -> None:
    # 湖州市卫生健康委员会: 表01 prints 其他卫生健康支出 twice (款 and 项), 表03 prints 2109999 with that name
    ref = SourceDocument("d.txt", "d.txt", "0" * 64, "utf-8", ("l",) * 9).ref(3, 3, "表03")
    printed = [BudgetLine("表03", "expenditure", "2109999", "function", "其他卫生健康支出", "Total", Decimal(1), ref)]
    names = ["卫生健康支出", "其他卫生健康支出", "其他卫生健康支出"]
    assert _codes(names) == ["210", "21099", None]  # the shipped list has no 2109999
    assert _codes(names, code_book(2026, printed)) == ["210", "21099", "2109999"]


DOC = SourceDocument("x.txt", "x.txt", "0" * 64, "utf-8", tuple("l" for _ in range(40)))


def _uncoded_table() -> RawTable:
    cols = ("科目名称", "合计", "基本支出", "项目支出")
    cells = [("九、卫生健康支出", "30.00", "20.00", "10.00"), ("（一）行政事业单位医疗", "30.00", "20.00", "10.00"),
             ("1.行政单位医疗", "20.00", "20.00", ""), ("2.未列名项", "10.00", "", "10.00"), ("合计", "30.00", "20.00", "10.00")]
    rows = tuple(RawRow(c, 10 + i, 10 + i, True) for i, c in enumerate(cells))
    return RawTable("expenditure", "03", "2026年支出预算总表", "万元", (" ".join(cols),), rows, 8, 15, columns=cols)


def test_a_classification_table_without_codes_gives_inferred_lines_and_a_finding() -> None:
    _meta, records = tables_to_records(DOC, (_uncoded_table(),))
    lines = {(b.code, b.amount_type): b for b in records if isinstance(b, BudgetLine)}
    assert lines[("210", "Total")].amount == Decimal(300000) and lines[("210", "Total")].code_inferred
    assert lines[("2101101", "Basic")].amount == Decimal(200000)
    assert lines[("2101101", "Basic")].ref.first_line == 12
    assert not lines[("", "Total")].code_inferred  # the 合计 row is printed as such
    issues = [i for i in records if isinstance(i, TableIssue) and i.kind == "uncoded"]
    assert len(issues) == 1 and "未列名项" in issues[0].message and issues[0].ref.first_line == 13


def test_summary_expenditure_labels_become_inferred_total_lines() -> None:
    ref = DOC.ref(5, 5, "表01")
    totals = [TableTotal("表01", "summary", "income", "一般公共预算", Decimal(5), ref),
              TableTotal("表01", "summary", "expenditure", "卫生健康支出", Decimal(5), ref),
              TableTotal("表01", "summary", "expenditure", "行政事业单位医疗", Decimal(5), ref),
              TableTotal("表01", "summary", "expenditure", "本年支出合计", Decimal(5), ref)]
    from fundflow.records.named_codes import summary_lines
    got = summary_lines([t for t in totals if t.side == "expenditure"], BOOK_2026)
    assert [(b.code, b.amount_type, b.code_inferred) for b in got if isinstance(b, BudgetLine)] == \
        [("210", "Total", True), ("21011", "Total", True), ("", "Total", False)]  # 本年支出合计: the printed 合计


def test_an_inferred_code_is_marked_in_the_graph_and_a_printed_one_is_not() -> None:
    parsed = make_parsed()
    line = next(r for r in parsed.records if isinstance(r, BudgetLine) and r.code == "2101202")
    parsed = dataclasses.replace(parsed, records=parsed.records + (dataclasses.replace(
        line, table="表01", table_kind="summary", code="210", name="卫生健康支出", code_inferred=True),))
    g = records_to_graph(parsed)
    inferred = {str(g.value(n, rdflib.URIRef(str(FF("table").value))))
                for n in g.subjects(rdflib.URIRef(str(FF("subjectCodeInferred").value)), rdflib.Literal(True))}
    assert inferred == {"表01"}


def test_inferred_lines_and_uncoded_findings_conform_to_the_shapes() -> None:
    from importlib import resources

    from pyshacl import validate

    from fundflow.core.model import ParsedDocument

    _meta, records = tables_to_records(DOC, (_uncoded_table(),))
    assert any(isinstance(r, TableIssue) and r.kind == "uncoded" for r in records)
    parsed = ParsedDocument(DOC, "test", dataclasses.replace(make_parsed().meta, ref=DOC.ref(1, 1)),
                            (_uncoded_table(),), tuple(records))
    onto = resources.files("fundflow.ontology")
    data = records_to_graph(parsed) + rdflib.Graph().parse(data=onto.joinpath("fundflow.ttl").read_text("utf-8"),
                                                             format="turtle")
    shapes = rdflib.Graph().parse(data=onto.joinpath("shapes.ttl").read_text(encoding="utf-8"), format="turtle")
    conforms, _, text = validate(data, shacl_graph=shapes, inference="none", advanced=True)
    assert conforms, text


def test_a_subject_named_like_an_organisation_is_a_row_of_the_code_book_not_a_unit() -> None:
    # 公立医院 (21002) and 综合医院 (2100201) end in 院 like a unit's name; in a text table of names
    # (cells dropped, no grid) they are classification rows all the same
    cells = [("合计", "0.03", "0.03"), ("一、卫生健康支出", "0.03", "0.03"), ("（一）公立医院", "0.03", "0.03"),
             ("综合医院", "0.02", "0.02"), ("中医（民族）医院", "0.01", "0.01")]
    rows = tuple(RawRow(c, 10 + i, 10 + i, False) for i, c in enumerate(cells))
    table = RawTable("expenditure", "03", "2026年支出预算总表", "万元", ("科目名称 合计 基本支出 项目支出",), rows, 8, 15)
    _meta, records = tables_to_records(DOC, (table,))
    got = {(b.code, b.amount_type): b for b in records if isinstance(b, BudgetLine)}
    assert {c for c, _ in got} == {"", "210", "21002", "2100201", "2100202"}
    assert got[("2100201", "Total")].amount == Decimal(200) and got[("2100201", "Total")].code_inferred
    assert {b.unit_name for b in got.values()} == {None}


def _side(table: str, kind: str, labelled: list[tuple[str, str]]) -> list[TableTotal]:
    return [TableTotal(table, kind, "expenditure", label, Decimal(amount) * 10000, DOC.ref(20 + i, 20 + i, table))
            for i, (label, amount) in enumerate(labelled)]


def _grand(lines) -> list[tuple[str, Decimal]]:
    return [(b.table, b.amount) for b in lines if isinstance(b, BudgetLine) and b.code == ""]


def test_a_summary_sides_spending_total_is_its_total_line_not_the_grand_total_with_carry_forward() -> None:
    from fundflow.records.named_codes import summary_lines
    # 本年支出合计 = Σ 类; 支出总计 adds 年终结转结余 — only the first is the 合计 the 类 add up to
    side = _side("表01", "summary", [("卫生健康支出", "30.00"), ("住房保障支出", "5.00"), ("本年支出合计", "35.00"),
                                    ("年终结转结余", "2.00"), ("支出总计", "37.00")])
    got = summary_lines(side, BOOK_2026)
    assert _grand(got) == [("表01", Decimal(350000))]
    assert not next(b for b in got if isinstance(b, BudgetLine) and b.code == "").code_inferred
    # no 本年支出合计: 支出总计 stands for it only when nothing else on the side carries an amount
    assert _grand(summary_lines(side[:2] + side[3:], BOOK_2026)) == []
    assert _grand(summary_lines(side[:2] + side[4:], BOOK_2026)) == [("表01", Decimal(370000))]


def test_no_total_line_when_a_row_between_the_classes_got_no_code() -> None:
    from fundflow.records.named_codes import summary_lines
    side = _side("表01", "summary", [("卫生健康支出", "30.00"), ("某未列名支出", "1.00"), ("住房保障支出", "5.00"),
                                    ("本年支出合计", "36.00")])
    got = summary_lines(side, BOOK_2026)
    assert _grand(got) == [] and any(isinstance(i, TableIssue) and i.kind == "uncoded" for i in got)


def test_r05_runs_on_a_summary_table_and_reports_a_total_its_classes_contradict() -> None:
    # 湖州市卫生健康委员会 2026 表04 财政拨款收支预算总表, expenditure side as printed (万元): its 类 add up to
    # 64,618.76 while 支出总计 prints 38,191.21 (= its income side 一般公共预算 25,591.21 + 政府性基金 12,600.00)
    from fundflow.checks.reconcile import reconcile
    from fundflow.records.named_codes import summary_lines

    side = _side("表04", "appropriation_summary", [
        ("科学技术支出", "1140.61"), ("社会保障和就业支出", "11871.20"), ("卫生健康支出", "23268.50"),
        ("城乡社区支出", "12600.00"), ("住房保障支出", "738.45"), ("其他支出", "15000.00"), ("支出总计", "38191.21")])
    records = tuple(summary_lines(side, BOOK_2026))
    assert [b.code for b in records if isinstance(b, BudgetLine)] == ["206", "208", "210", "212", "221", "229", ""]
    parsed = dataclasses.replace(make_parsed(), records=records)
    [r05] = [f for f in reconcile(parsed, include_held=True) if f.rule == "R05"]
    assert r05.status == "violated" and r05.expected == Decimal("381912100") and r05.actual == Decimal("646187600")
