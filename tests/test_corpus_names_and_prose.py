"""Real documents of the shared corpus: codes recovered from names, projects stated in prose.

Numbers read by hand from the documents (湖州市卫生健康委员会 2026 表01/表03; 上海市普陀区商务委员会
2025 项目经费情况说明), not from the code's output.
"""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from fundflow.core.model import BudgetLine, Project, TableIssue
from fundflow.records.pipeline import parse_document
from fundflow.records.projects import merge_projects

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
WJW = CORPUS / "cities" / "huzhou_wjw_2026_dept_budget.pdf"
SHANGHAI = CORPUS / "shanghai_putuo_shangwuwei_2025_dept_budget.txt"
SHANGHAI_PDF = CORPUS / "pdf" / "shanghai_putuo_shangwuwei_2025_dept_budget.pdf"
WAN = Decimal(10000)


def _need(path: Path) -> Path:
    if not path.is_file():
        pytest.fail(f"{path} is missing: the shared corpus sits beside the project in CI")
    return path


@pytest.fixture(scope="module")
def wjw():
    return parse_document(_need(WJW))


def test_names_without_codes_of_a_real_summary_table_get_inferred_codes(wjw) -> None:
    # 表01 收支预算总表, expenditure side: names only (indented), no codes
    got = {b.code: b for b in wjw.of(BudgetLine) if b.table == "表01"}
    assert all(b.code_inferred for c, b in got.items() if c)
    # the 合计 the 类 add up to is the printed 本年支出合计 515,313.35 (L631 of the -layout text), not inferred
    assert got[""].amount == Decimal("515313.35") * WAN and not got[""].code_inferred
    want = {"206": "1140.61", "20699": "129.84", "2069901": "7.50", "2069999": "122.34", "20899": "2.65",
            "2089999": "2.65", "210": "447751.87", "2101103": "3563.45", "2290402": "15000.00"}
    assert {c: got[c].amount for c in want if c in got} == {c: Decimal(v) * WAN for c, v in want.items()}
    assert got["2069999"].name == "其他科学技术支出" and got["2069999"].ref.first_line > got["20699"].ref.first_line


def test_inferred_class_lines_agree_with_the_printed_codes_of_the_expenditure_table(wjw) -> None:
    # the document's own arithmetic: each 类 of 表01 carries the 合计 of that 类 in 表03
    printed = {b.code: b.amount for b in wjw.of(BudgetLine) if b.table == "表03" and len(b.code) == 3
               and b.amount_type == "Total" and b.fund_type is None and not b.code_inferred}
    inferred = {b.code: b.amount for b in wjw.of(BudgetLine) if b.table == "表01" and len(b.code) == 3}
    assert inferred == printed and len(printed) == 6
    assert not [i for i in wjw.of(TableIssue) if i.kind == "uncoded"]


def test_projects_stated_in_prose_are_read_with_their_lines() -> None:
    parsed = parse_document(_need(SHANGHAI))
    got = {p.name: p for p in parsed.of(Project)}
    assert {n: p.amount for n, p in got.items()} == {
        "科技创新专项": Decimal("1720.00") * WAN, "生命健康专项（政策资金）": Decimal("1170.00") * WAN,
        "商业创新专项（政策资金）": Decimal("1410.00") * WAN, "贸易高质量发展专项（政策资金）": Decimal("2921.00") * WAN}
    first = got["科技创新专项"]
    assert (first.ref.first_line, first.ref.last_line) == (392, 407)  # title … 六、年度预算安排 statement
    assert first.unit_name == "上海市普陀区商务委员会"
    assert first.description == "加快推动本区企业创新驱动发展，促进企业加大创新力度、加快成果转化。"


def test_projects_stated_in_prose_are_read_from_the_pdf_too() -> None:
    parsed = parse_document(_need(SHANGHAI_PDF))
    amounts = sorted(p.amount for p in parsed.of(Project))
    assert amounts == [Decimal(v) * WAN for v in ("1170.00", "1410.00", "1720.00", "2921.00")]


def test_a_project_the_table_also_lists_is_one_project() -> None:
    parsed = parse_document(_need(SHANGHAI))
    prose = next(p for p in parsed.of(Project) if p.name == "科技创新专项")
    table = Project("科技创新专项经费", prose.amount, parsed.source.ref(200, 200, "表9"), "表9",
                    columns=(("Total", prose.amount),))
    merged = [p for p in merge_projects([prose, table]) if isinstance(p, Project)]
    assert len(merged) == 1
    assert merged[0].ref.table == "表9" and merged[0].description == prose.description
    assert merged[0].prose_ref == prose.ref  # linked to the 说明 lines that state it


def test_a_linked_project_is_derived_from_both_its_table_row_and_its_prose() -> None:
    import dataclasses

    import rdflib

    from fundflow.kg.mapper import records_to_graph

    parsed = parse_document(_need(SHANGHAI))
    prose = next(p for p in parsed.of(Project) if p.name == "科技创新专项")
    table = Project("科技创新专项经费", prose.amount, parsed.source.ref(200, 200, "表9"), "表9",
                    columns=(("Total", prose.amount),))
    others = tuple(r for r in parsed.records if not isinstance(r, Project))
    g = records_to_graph(dataclasses.replace(parsed, records=others + tuple(merge_projects([prose, table]))))
    ff, prov = rdflib.Namespace("https://w3id.org/fundflow#"), rdflib.Namespace("http://www.w3.org/ns/prov#")
    (node,) = list(g.subjects(rdflib.RDF.type, ff.Project))
    spans = sorted((int(g.value(s, ff.firstLine)), int(g.value(s, ff.lastLine))) for s in g.objects(node, prov.wasDerivedFrom))
    assert spans == [(200, 200), (392, 407)]


JTYSJ = CORPUS / "cities" / "huzhou_jtysj_2026_dept_budget.pdf"


def _r15(parsed) -> list:
    from fundflow.checks.reconcile import reconcile

    return [f for f in reconcile(parsed, include_held=True) if f.rule == "R15"]


def test_prose_printed_with_spaced_characters_is_checked_against_the_money_it_names() -> None:
    # 湖州市交通运输局 2026: the 说明 prints "湖 州 市 … 财 政 拨 款 收 支 总 预 算 / 192207.76 万元" (one character
    # at a time); 表01 prints 一、财政拨款 192207.76 and 收入总计 201286.11. Read as unqualified, the statement was
    # compared with 201,286.11 and reported as wrong.
    from fundflow.core.model import NarrativeFact

    parsed = parse_document(_need(JTYSJ))
    fact = next(f for f in parsed.of(NarrativeFact) if f.topic == "财政拨款收支总预算")
    assert (fact.qualifier, fact.amount) == ("财政拨款", Decimal("192207.76") * WAN)
    found = [f for f in _r15(parsed) if f"L{fact.ref.first_line} 财政拨款收支总预算" in f.message]
    assert [f.status for f in found] == ["held"] and "表01" in found[0].message
    # （7）社会保障和就业支出（类）行政事业单位养老支出（款）机关事业单位基本养老保险缴费支出（项）1309.04 / 万元
    # (the unit wrapped onto the next line) is the 一般公共预算 table's 2080505 1309.04
    path = next(f for f in _r15(parsed) if "机关事业单位基本养老保险缴费支出（项）" in f.message)
    assert path.status == "held" and "1,309.04 万元" in path.message
    assert not [f for f in _r15(parsed) if f.status == "violated"]


def test_a_subject_the_prose_names_under_a_path_no_table_prints_is_skipped_by_name(wjw) -> None:
    # 湖州市卫生健康委员会 2026 说明: 科学技术支出（类）技术研究与开发（款）科技成果转换与扩散（项）; 表03 prints
    # 2060404 科技成果转化与扩散
    [skip] = [f for f in _r15(wjw) if f.status == "skipped" and "科技成果转换与扩散" in f.message]
    assert "no table of the document prints" in skip.message
