"""Placing numbers of rows whose empty cells were dropped, with the table's identities."""
from decimal import Decimal as D

from fundflow.core.normalize import parent_code
from fundflow.records.columns import ColumnSpec, PlacedRow, place_row, resolve_table

EXPENDITURE = ColumnSpec(("Total", "Basic", "Personnel", "Public", "ProjectExpenditure"), ((0, (1, 4)), (1, (2, 3))))
BASIC = ColumnSpec(("Total", "Personnel", "Public"), ((0, (1, 2)),))


def test_unique_when_identities_decide():
    assert place_row([D("730.97"), D("730.97"), D("726.73"), D("4.24")], EXPENDITURE) == [(0, 1, 2, 3)]
    assert place_row([D("127.70"), D("127.70")], EXPENDITURE) == [(0, 4)]
    assert place_row([D("5613.73"), D("4517.98"), D("3936.38"), D("581.60"), D("1095.75")], EXPENDITURE) == [(0, 1, 2, 3, 4)]


def test_ambiguous_when_personnel_or_public():
    assert place_row([D("548.86"), D("548.86"), D("548.86")], EXPENDITURE) == [(0, 1, 2), (0, 1, 3)]


def test_no_placement_when_row_contradicts_itself():
    assert place_row([D("10.00"), D("3.00"), D("3.00")], BASIC) == []


def test_forbidden_columns_are_not_used():
    assert place_row([D(5), D(5)], BASIC, forbidden=frozenset({2})) == [(0, 1)]


def _row(key, *vals, spec=BASIC):
    values = [D(v) for v in vals]
    return PlacedRow(key, values, place_row(values, spec))


def test_column_sums_resolve_ambiguous_rows():
    # 合计 = Σ 类; each 类 = Σ its 款.  Only the column sums tell 人员 from 公用.
    rows = [_row("", "6007.36", "5421.52", "585.84"), _row("301", "5073.27", "5073.27"),
            _row("302", "744.22", "160.38", "583.84"), _row("303", "187.87", "187.87"), _row("310", "2.00", "2.00"),
            _row("31002", "2.00", "2.00")]
    resolve_table(rows, lambda k: None if k == "" else (parent_code(k) if len(k) > 3 else ""), 3)
    assert [r.candidates for r in rows] == [[(0, 1, 2)], [(0, 1)], [(0, 1, 2)], [(0, 1)], [(0, 2)], [(0, 2)]]


def test_undecidable_rows_stay_ambiguous():
    rows = [_row("301", "10.00", "10.00"), _row("30101", "10.00", "10.00")]
    resolve_table(rows, lambda k: None if len(k) == 3 else k[:3], 3)
    assert len(rows[0].candidates) == 2 and len(rows[1].candidates) == 2


def test_large_families_are_solved_exactly():
    # 14 items each either 人员 or 公用: only one subset of them sums to the parent's 人员 160.38.
    items = ["23.81", "0.50", "9.50", "0.50", "190.00", "1.30", "167.61", "13.00", "1.50", "0.85", "0.85", "45.30",
             "4.80", "160.38"]
    total = sum(D(x) for x in items)
    rows = [_row("302", str(total), "160.38", str(total - D("160.38")))] + [
        _row(f"302{i:02d}", v, v) for i, v in enumerate(items, 1)]
    resolve_table(rows, lambda k: None if len(k) == 3 else k[:3], 3)
    assert all(r.decided for r in rows)
    assert rows[-1].candidates == [(0, 1)] and rows[1].candidates == [(0, 2)]
