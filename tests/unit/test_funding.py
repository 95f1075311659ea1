"""Funding level, 直达资金 flags, purpose and treasury of projects, from their names."""
from decimal import Decimal

import pytest

from fundflow.analysis.funding import assess_project, load_rules, own_level, purpose_of, treasury
from fundflow.core.model import DocumentMeta, Project, SourceRef, UnitInfo

REF = SourceRef("doc.txt", "0" * 64, 1, 1)


def meta(unit: str, code: str | None = None, region: str | None = None, region_code: str | None = None):
    return DocumentMeta("t", 2024, "budget", "unit", None, (UnitInfo(unit, "578002", code),), "万元",
                        region=region, region_code=region_code)


SHENYANG = meta("沈阳市医疗保障事务服务中心", "210100000")
FUSHUN = meta("抚顺市医疗保障事务服务中心")  # no region code printed: found by name


def assess(name: str, m: DocumentMeta = SHENYANG):
    return assess_project(Project(name, Decimal(1), REF, "表9"), m)


@pytest.mark.parametrize(("name", "level", "direct", "advance", "purpose"), [
    ("提前下达中央财政城乡居民基本医疗保险补助中央直达资金", "Central", True, True, "城乡居民基本医疗保险补助"),
    ("提前下达省财政城乡居民基本医疗保险补助直达资金", "Provincial", True, True, "城乡居民基本医疗保险补助"),
    ("提前下达中央财政医疗救助补助中央直达资金", "Central", True, True, "医疗救助补助"),
    ("提前下达省财政医疗救助补助直达资金", "Provincial", True, True, "医疗救助补助"),
    ("政府专项-城乡居民医疗保险补助", "Municipal", False, False, "城乡居民医疗保险补助"),
    ("医保经办经费", "Municipal", False, False, "医保经办经费"),
])
def test_shenyang_projects(name, level, direct, advance, purpose):
    f = assess(name)
    assert (f.level, f.is_direct, f.is_advance, f.purpose) == (level, direct, advance, purpose)


def test_fushun_transfers_not_labelled_direct():
    central = assess("下达城乡居民基本医疗保险补助中央资金", FUSHUN)
    provincial = assess("下达省财政城乡居民基本医疗保险补助资金", FUSHUN)
    own = assess("城乡医疗救助", FUSHUN)
    assert (central.level, central.is_direct, central.purpose) == ("Central", False, "城乡居民基本医疗保险补助")
    assert (provincial.level, provincial.source_name, provincial.source_region) == ("Provincial", "辽宁省财政", "210000")
    assert (own.level, own.source_name, own.rules) == ("Municipal", "抚顺市财政", ())


def test_sources_follow_the_region_chain():
    assert treasury("Central", SHENYANG) == ("中央财政", "100000")
    assert treasury("Provincial", SHENYANG) == ("辽宁省财政", "210000")
    assert treasury("Municipal", SHENYANG) == ("沈阳市财政", "210100")


def test_own_level_by_document_region():
    assert own_level(meta("辽宁省医疗保障局", region_code="210000")) == "Provincial"
    assert own_level(meta("某区卫生健康委员会", region_code="210102")) == "County"
    assert own_level(meta("上海市普陀区商务委员会")) == "County"  # a district of a provincial-level city
    assert own_level(meta("江苏省人民检察院")) == "Provincial"
    assert assess("政府专项-公务员医疗补助", meta("辽宁省医疗保障局", region_code="210000")).level == "Provincial"


def test_carry_over_and_rule_provenance():
    f = assess("一体化平台五级经办（上年结转项目）")
    assert f.is_carry_over and f.purpose == "一体化平台五级经办" and "carry-over" in f.rules
    assert "central-direct" in assess("提前下达中央财政医疗救助补助中央直达资金").rules


def test_rules_are_well_formed():
    rules = load_rules()
    assert len({r.id for r in rules}) == len(rules)
    assert {r.field for r in rules} <= {"level", "direct", "advance", "carry_over", "strip"}
    assert purpose_of("下达中央财政医疗救助补助资金") == "医疗救助补助"


def test_province_named_in_the_text_names_the_provincial_treasury():
    from fundflow.analysis.funding import treasury
    from fundflow.core.model import DocumentMeta

    meta = DocumentMeta(title="某市医疗保障局2024年部门预算", fiscal_year=2024, kind="budget", scope="department",
                        department="某市医疗保障局", units=(), money_unit="万元", region="某市", province="江苏省")
    assert treasury("Provincial", meta) == ("江苏省财政", "320000")
