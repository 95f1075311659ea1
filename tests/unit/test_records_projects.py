"""Project tables → Project records (crafted rows and the samples)."""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from fundflow.core.model import Project, RawRow, RawTable, SourceDocument, TableIssue
from fundflow.records.context import TableContext
from fundflow.records.projects import derive_name, header_columns, merge_projects, table_to_projects

SAMPLES = Path(__file__).resolve().parents[2] / "data" / "samples"
CTX = TableContext(money_unit="万元", fiscal_year=2024, kind="budget", unit_name=None, department=None)
HEADER_2024 = ("单位名称 项目名称 总计", "本年收入 上年结转结余", "合计", "一般公", "共预算", "政府性", "基金预", "算",
               "国有资", "本经营", "预算", "财政专", "户管理", "资金", "单位资", "金", "合计", "一般公", "共预算", "政府性",
               "基金预", "算", "国有资", "本经营", "预算", "财政专", "户管理", "资金", "单位资", "金")


def _doc(n: int = 60) -> SourceDocument:
    return SourceDocument("x.txt", "x.txt", "0" * 64, "utf-8", tuple(f"l{i}" for i in range(1, n + 1)))


def _table(rows, header=HEADER_2024, unit="万元") -> RawTable:
    raw = tuple(RawRow(tuple(c), i + 5, i + 6) for i, c in enumerate(rows))
    return RawTable("projects", "9", "项目支出预算表", unit, header, raw, 1, 40)


def test_header_columns_groups_and_identities():
    spec = header_columns(HEADER_2024)
    assert spec.names[:3] == ("Total", "CurrentYear.Total", "CurrentYear.GeneralPublicBudget")
    assert spec.names[7] == "CarryOver.Total" and len(spec.names) == 13
    assert (0, (1, 7)) in spec.identities


def test_unit_and_total_rows_are_not_projects_and_carry_over_is_placed():
    rows = [["合计", "1,100.00", "1,000.00", "1,000.00", "100.00", "100.00"],
            ["沈阳市医疗保障事务服务中心", "1,100.00", "1,000.00", "1,000.00", "100.00", "100.00"],
            ["医保经办经费", "1,000.00", "1,000.00", "1,000.00"],
            ["一体化平台五级经办（上年结转项目）", "100.00", "100.00", "100.00"]]
    out = table_to_projects(_doc(), _table(rows), CTX)
    projects = [r for r in out if isinstance(r, Project)]
    assert [(p.name, p.amount, p.unit_name) for p in projects] == [
        ("医保经办经费", Decimal("10000000.00"), "沈阳市医疗保障事务服务中心"),
        ("一体化平台五级经办（上年结转项目）", Decimal("1000000.00"), "沈阳市医疗保障事务服务中心")]
    assert dict(projects[1].columns).get("CarryOver.Total") == Decimal("1000000.00")
    assert dict(projects[0].columns).get("CurrentYear.Total") == Decimal("10000000.00")
    assert (projects[0].ref.first_line, projects[0].ref.last_line) == (7, 8)


def test_lost_name_is_derived_from_the_description_and_amounts_not_doubled():
    header = ("部门/单位名称", "项目名称", "项目内容摘要", "项目明细", "绩效目标", "合计", "财政部门安排的预算拨款",
              "财政预算外专户拨款", "其他资金")
    rows = [["沈阳市医疗保障局本级", "定点医疗机构年终考核经费", "为加强监督管理。", "安排经费6万元。", "6.00", "6.00"],
            ["安排经费77.88万元。一、门诊规定病种审查费", "……市医保中心聘请特病专家全年为6万名特病患者审核", "77.88", "77.88"],
            ["“一平台两服务”采购经费", "市人社局采购。", "……", "……", "1177", "1,177.00"]]
    out = table_to_projects(_doc(), _table(rows, header), CTX)
    projects = [r for r in out if isinstance(r, Project)]
    assert [p.amount for p in projects] == [Decimal("60000.00"), Decimal("778800.00"), Decimal(11770000)]
    lost = projects[1]
    assert lost.label_derived and lost.name == "（无名称）市医保中心聘请特病专家…"
    assert "安排经费77.88万元" in lost.description
    assert all(p.unit_name == "沈阳市医疗保障局本级" for p in projects)
    assert projects[2].name == "“一平台两服务”采购经费" and not projects[2].label_derived


def test_derive_name_and_unrecognised_header():
    assert derive_name(["……"]) == "（无名称）"
    out = table_to_projects(_doc(), _table([["某项目", "5.00", "5.00"]], header=("甲", "乙")), CTX)
    assert [type(r).__name__ for r in out] == ["TableIssue", "Project"]
    assert out[1].columns == (("col1", Decimal("50000.00")), ("col2", Decimal("50000.00")))


def test_merge_prefers_project_table_and_fills_department():
    doc = _doc()
    a = Project("医保经办经费", Decimal(5), doc.ref(10, 10, "表9"), "表9", unit_name="U", columns=(("Total", Decimal(5)),))
    b = Project("医保经办经费", Decimal(5), doc.ref(40, 44, "表17"), "表17", unit_name="U", department="D")
    c = Project("其他", Decimal(1), doc.ref(45, 45, "表17"), "表17")
    merged = merge_projects([b, a, TableIssue("表9", "ambiguous", "m", doc.ref(1)), c])
    projects = [r for r in merged if isinstance(r, Project)]
    assert len(projects) == 2 and projects[0].table == "表9" and projects[0].department == "D"


def _sample_projects(name: str) -> list:
    from fundflow.loaders import registry
    from fundflow.loaders.document import read_document
    doc = read_document(SAMPLES / name)
    return [r for t in registry.choose(doc).parse(doc) if t.kind == "projects" for r in table_to_projects(doc, t, CTX)]


def test_shenyang_2024_table9():
    projects = [r for r in _sample_projects("shenyang-center-2024-budget.txt") if isinstance(r, Project)]
    assert len(projects) == 15 and sum(p.amount for p in projects) == Decimal("2374847500.00")
    assert any(p.name == "提前下达中央财政城乡居民基本医疗保险补助中央直达资金" and p.amount == Decimal("1245240000.00")
               for p in projects)


def test_shenyang_2019_table8_with_lost_names():
    projects = [r for r in _sample_projects("shenyang-bureau-2019-budget.txt") if isinstance(r, Project)]
    assert len(projects) == 10 and sum(p.amount for p in projects) == Decimal("23845600.00")
    assert sum(p.label_derived for p in projects) == 2
    assert all(p.description for p in projects if p.label_derived)


def test_tolerance_is_the_printed_step_of_the_tables_money_unit():
    header = ("项目名称", "合计", "一般公共预算", "政府性基金预算")
    # 元 table (figures printed to the cent of a yuan): 1,000,000.00 + 710,012.00 is 50 yuan short of
    # 1,710,062.00, so no placement of the funds fits and they stay undecided
    yuan = table_to_projects(_doc(), _table([["商务发展专项资金", "1,710,062.00", "1,000,000.00", "710,012.00"]],
                                            header, unit="元"), CTX)
    [project] = [r for r in yuan if isinstance(r, Project)]
    assert project.amount == Decimal("1710062.00") and project.columns == ()
    assert [r.kind for r in yuan if isinstance(r, TableIssue)] == ["ambiguous"]
    # 万元 table: 100.00 + 71.00 printed under 171.01 is the rounding of two printed cents; it fits
    wan = table_to_projects(_doc(), _table([["商务发展专项资金", "171.01", "100.00", "71.00"]], header), CTX)
    [project] = [r for r in wan if isinstance(r, Project)]
    assert dict(project.columns) == {"Total": Decimal("1710100.00"), "GeneralPublicBudget": Decimal("1000000.00"),
                                     "GovernmentFund": Decimal("710000.00")}
    assert not [r for r in wan if isinstance(r, TableIssue)]
