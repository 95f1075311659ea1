"""Projects follow the document's by-unit table when its project table gives them to another unit."""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from fundflow.analysis.attribution import attribute_projects
from fundflow.core.model import BudgetLine, DocumentMeta, ParsedDocument, Project, SourceDocument
from fundflow.kg import vocab
from fundflow.kg.mapper import records_to_triples
from fundflow.records.pipeline import parse_document

SAMPLES = Path(__file__).resolve().parents[2] / "data" / "samples"
W = Decimal(10000)


def _doc(by_unit: dict[str, Decimal], projects: list[tuple[str, Decimal, str]]) -> ParsedDocument:
    src = SourceDocument("d.txt", "d.txt", "0" * 64, "utf-8", tuple("" for _ in range(60)))
    meta = DocumentMeta("t", 2019, "budget", "department", "某局", (), "万元")
    lines = [BudgetLine("表10", "expenditure", "", "function", "合计", "ProjectExpenditure", amount * W,
                        src.ref(20 + k, 20 + k, "表10"), unit_name=unit) for k, (unit, amount) in enumerate(by_unit.items())]
    recs = [Project(name, amount * W, src.ref(40 + k, 40 + k, "表8"), "表8", unit)
            for k, (name, amount, unit) in enumerate(projects)]
    return ParsedDocument(src, "test", meta, (), tuple(lines + recs))


def test_the_rest_goes_to_the_unit_it_makes_up():
    d = _doc({"本级": Decimal(6), "中心": Decimal(30)}, [("甲", Decimal(6), "本级"), ("乙", Decimal(10), "本级"),
                                                        ("丙", Decimal(20), "本级")])
    assert attribute_projects(d) == {3: ("中心", None), 4: ("中心", None)}  # 乙 + 丙 = 30 = 中心's 项目支出


def test_nothing_changes_when_the_tables_agree_or_leave_a_choice():
    agree = _doc({"本级": Decimal(16), "中心": Decimal(20)}, [("甲", Decimal(6), "本级"), ("乙", Decimal(10), "本级"),
                                                             ("丙", Decimal(20), "中心")])
    assert attribute_projects(agree) == {}
    two_ways = _doc({"本级": Decimal(10), "中心": Decimal(10)}, [("甲", Decimal(10), "本级"), ("乙", Decimal(10), "本级")])
    assert attribute_projects(two_ways) == {}  # either project could be 本级's: no guess


def test_shenyang_2019_nine_projects_belong_to_the_center():
    parsed = parse_document(SAMPLES / "shenyang-bureau-2019-budget.txt")
    moved = attribute_projects(parsed)
    names = {parsed.records[i].name for i in moved}
    # 部门公开表10: 中心 项目支出 2,378.56 = every project of 表8 but 定点医疗机构年终考核经费 (6.00, 本级's 6.00)
    assert len(moved) == 9 and "定点医疗机构年终考核经费" not in names
    assert sum(parsed.records[i].amount for i in moved) == Decimal("2378.56") * W
    assert set(moved.values()) == {("沈阳市医疗保障事务服务中心", None)}
    marked = [t for t in records_to_triples(parsed) if t.predicate == vocab.FF("unitFromByUnitTable")]
    assert len(marked) == 9
