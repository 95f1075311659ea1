"""The golden comparison (``support.golden``): agreement passes, a changed fact fails naming its path and both values."""
from decimal import Decimal

import pytest
from support.golden import MAX_DIFF_LINES, MAX_PATHS, assert_matches, keyed, mismatch_message, one_or_all

# 辽宁省医疗保障局 2024 决算 (data/samples/liaoning-bureau-2024-final-accounts.txt): 公开03表 合计 8,943.00 and
# 210 8,490.30 万元; 医疗保障工作专项经费 205.24 万元
EXPECTED = {"budget_lines": {"表03 (合计) Total": Decimal("8943.00"), "表03 210 Total": Decimal("8490.30")},
            "projects": {"count": 3, "items": {"医疗保障工作专项经费": Decimal("205.24")}}}


def _copy(**changes):
    lines = {**EXPECTED["budget_lines"], **changes.get("lines", {})}
    projects = {**EXPECTED["projects"], **changes.get("projects", {})}
    return {"budget_lines": lines, "projects": projects}


def test_the_same_facts_pass_whatever_the_decimal_scale():
    assert_matches(_copy(lines={"表03 (合计) Total": Decimal("8943"), "表03 210 Total": Decimal("8490.3000")}),
                   EXPECTED, "liaoning")
    assert mismatch_message(EXPECTED, EXPECTED, "liaoning") is None


def test_a_changed_value_names_its_path_and_both_values():
    actual = _copy(lines={"表03 210 Total": Decimal("8490.31")})
    with pytest.raises(AssertionError) as err:
        assert_matches(actual, EXPECTED, "liaoning budget lines")
    message = str(err.value)
    first = message.splitlines()[:2]
    assert first[0].startswith("liaoning budget lines: 1 difference")
    assert first[1] == '  budget_lines["表03 210 Total"]: expected "8490.3", got "8490.31"'
    assert '-  "表03 210 Total": "8490.3"' in message and '+  "表03 210 Total": "8490.31"' in message
    assert "8943" not in message.split("@@")[0]  # the path list names only what differs


def test_a_missing_fact_and_an_extra_one_are_named():
    actual = _copy(projects={"items": {}, "sum": Decimal("329.73")})
    message = mismatch_message(actual, EXPECTED, "liaoning projects") or ""
    assert 'projects.items["医疗保障工作专项经费"]: expected "205.24", got (missing)' in message
    assert 'projects.sum: expected (missing), got "329.73"' in message
    short = (mismatch_message([Decimal("196.48"), Decimal(115)], [Decimal("196.48"), Decimal(115), Decimal("3.89")],
                              "executed") or "").splitlines()
    assert short[1] == '  [2]: expected "3.89", got (missing)'


def test_a_type_change_is_a_difference():
    assert "expected true, got 1" in (mismatch_message({"ok": 1}, {"ok": True}, "flags") or "")
    assert "expected 3, got null" in (mismatch_message({"count": None}, {"count": 3}, "count") or "")


def test_the_message_stays_short():
    expected = {f"表05 2101{i:03d} Total": Decimal(i) for i in range(60)}
    actual = {k: v + 1 for k, v in expected.items()}
    message = mismatch_message(actual, expected, "many") or ""
    assert message.splitlines()[0].startswith("many: 60 differences")
    assert f"… and {60 - MAX_PATHS} more" in message
    assert f"… diff cut at {MAX_DIFF_LINES} of" in message
    assert len(message.splitlines()) <= 1 + MAX_PATHS + 1 + MAX_DIFF_LINES + 1


def test_views_keep_repeated_keys_and_show_what_the_parse_has():
    assert keyed([("公共卫生事务", 1), ("公共卫生事务", 2)]) == {"公共卫生事务": 1, "公共卫生事务 #2": 2}
    assert (one_or_all([]), one_or_all([Decimal("3.89")]), one_or_all([Decimal(2), Decimal(1)])) == (
        None, Decimal("3.89"), [Decimal(1), Decimal(2)])
