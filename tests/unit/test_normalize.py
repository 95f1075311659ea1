from decimal import Decimal

import pytest

from fundflow.core.normalize import is_amount, normalize_code, parse_amount, step_of, to_yuan


@pytest.mark.parametrize(("text", "value"), [
    ("243,492.11", "243492.11"), ("5, 298. 00", "5298.00"), ("1, 681. 43", "1681.43"),
    ("0.00", "0.00"), ("6,894.75\u3000", "6894.75"), ("1177", "1177"), ("-12.50", "-12.50"),
])
def test_parse_amount(text, value):
    assert parse_amount(text) == Decimal(value)


@pytest.mark.parametrize("text", ["2024-12", "100%", "abc", "", "1,2,3"])
def test_not_amount(text):
    assert not is_amount(text)


def test_to_yuan_is_exact():
    assert to_yuan(Decimal("237484.75"), "万元") == Decimal("2374847500.00")
    assert to_yuan(Decimal("12.00"), "元") == Decimal("12.00")


def test_step_is_a_cent_of_the_printed_unit():
    assert step_of("万元") == Decimal(100) and step_of("元") == Decimal("0.01") and step_of(None) == Decimal(100)


def test_normalize_code():
    assert normalize_code("208 05 01") == "2080501"
    assert normalize_code("2101202") == "2101202"


@pytest.mark.parametrize(("text", "org"), [("沈阳市医疗保障局本级", True), ("沈阳市医疗保障事务服务中心", True),
                                      ("江苏省人民检察院", True), ("上海市普陀区商务委员会", True),
                                      ("一般公共预算拨款收入", False), ("城乡医疗救助", False)])
def test_is_org_name(text, org):
    from fundflow.core.normalize import is_org_name
    assert is_org_name(text) is org


def test_is_total_label():
    from fundflow.core.normalize import is_total_label
    assert all(is_total_label(t) for t in ("合计", "合 计", "部门合计", "＊总计"))
    assert not is_total_label("小计") and is_total_label("小计", subtotal=True)
    assert not is_total_label("本年收入合计")
