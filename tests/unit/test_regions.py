"""Regions and levels: one definition (core.regions) over the admin-division table of all China."""
import pytest

from fundflow.core.regions import chain, in_region, level_of, parent_of, region, region6, region_named


@pytest.mark.parametrize(("printed", "code"), [("210100000", "210100"), ("210100", "210100"),
                                           ("330500000000", "330500"), ("2101", None), ("21010a", None), (None, None)])
def test_printed_codes_normalised(printed, code):
    assert region6(printed) == code


@pytest.mark.parametrize(("code", "level"), [("100000", "Central"), ("330000", "Provincial"), ("330500", "Municipal"),
                                         ("330502", "County"), ("310107", "County"), ("500101", "County")])
def test_levels(code, level):
    assert level_of(code) == level


def test_chains_skip_missing_levels():
    assert chain("210102") == ["210102", "210100", "210000", "100000"]
    assert chain("310107") == ["310107", "310000", "100000"]  # 上海市普陀区: no municipal step
    assert parent_of("429004") == "420000"  # 仙桃市, a county-level city directly under 湖北省


@pytest.mark.parametrize(("text", "code"), [("湖州市卫生健康委员会", "330500"), ("泉州市公安局", "350500"),
                                        ("珠海市商务局", "440400"), ("上海市普陀区商务委员会", "310107"),
                                        ("辽宁省沈阳市医疗保障局", "210100"), ("广西壮族自治区财政厅", "450000")])
def test_regions_of_every_province_by_name(text, code):
    assert region_named(text).code == code


def test_shared_and_short_names_need_context():
    assert region_named("普陀区市场监督管理局") is None  # 上海 and 舟山 both have one
    assert region_named("普陀区市场监督管理局", within="310000").code == "310107"
    assert region_named("城区人民政府") is None


def test_one_region_filter_by_code_or_name():
    assert in_region("210102", "210100") and in_region("210102", "沈阳市") and in_region("210100000", "210000")
    assert not in_region("330500", "沈阳市") and not in_region(None, "210100")


def test_display_names():
    assert region("310107").display_name == "上海市普陀区" and region("330500").full_name == "浙江省湖州市"
