"""三公经费 tables → ThreeCosts records (crafted rows and the samples)."""
from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from pathlib import Path

from fundflow.core.model import RawRow, RawTable, SourceDocument, TableIssue, ThreeCosts
from fundflow.records.context import TableContext
from fundflow.records.three_costs import item_of, table_to_threecosts

SAMPLES = Path(__file__).resolve().parents[2] / "data" / "samples"
CTX = TableContext(money_unit="万元", fiscal_year=2024, kind="budget", unit_name=None, department=None)
HEADER_2024 = ("2023预算数 2024预算数", "合计", "因公出国", "（境）费", "公务用车购置及运行费", "公务接待费 合计", "因公出国",
               "（境）费", "公务用车购置及运行费", "公务接待费", "小计", "公务用车购", "置费", "公务用车运", "行费", "小计",
               "公务用车购", "置费", "公务用车运", "行费")


def _doc() -> SourceDocument:
    return SourceDocument("x.txt", "x.txt", "0" * 64, "utf-8", tuple(f"l{i}" for i in range(1, 41)))


def _table(rows, header, unit="万元", aligned=False) -> RawTable:
    raw = tuple(RawRow(tuple(c), i + 10, i + 10, aligned) for i, c in enumerate(rows))
    return RawTable("three_costs", "7", "三公经费支出表", unit, header, raw, 1, 30)


def _by_key(out) -> dict:
    return {(r.year, r.basis, r.item): r.amount for r in out if isinstance(r, ThreeCosts)}


def test_two_year_groups_placed_by_identities_and_ambiguity_reported():
    row = ["23.65", "22.80", "18.00", "4.80", "0.85", "4.80", "4.80", "4.80"]
    out = table_to_threecosts(_doc(), _table([row], HEADER_2024), CTX)
    got = _by_key(out)
    assert got[(2023, "budget", "total")] == Decimal("236500.00")
    assert got[(2023, "budget", "vehicle_purchase")] == Decimal("180000.00")
    assert got[(2023, "budget", "reception")] == Decimal("8500.00")
    assert got[(2023, "budget", "abroad")] == 0
    assert got[(2024, "budget", "vehicle")] == Decimal("48000.00")
    assert (2024, "budget", "vehicle_purchase") not in got  # 购置 or 运行: not decided by the identities
    [issue] = [r for r in out if isinstance(r, TableIssue)]
    assert issue.kind == "ambiguous" and "2024.budget.vehicle_operation" in issue.message
    assert all(r.ref.first_line == 10 for r in out)


def test_aligned_row_with_empty_cells():
    header = ("“三公”经费合计", "因公出国（境）费", "公务用车购置及运行费", "公务接待费", "小计", "公务用车购置费", "公务用车运行费")
    out = table_to_threecosts(_doc(), _table([["3.00", "", "3.00", "", "3.00", ""]], header, aligned=True), CTX)
    got = _by_key(out)
    assert got[(2024, "budget", "vehicle_operation")] == Decimal("30000.00") and got[(2024, "budget", "reception")] == 0


def test_final_accounts_vertical_table():
    rows = [["项目", "预算数", "决算数"], ["合    计", "16.10", "15.33"], ["1、因公出国（境）费"], ["2、公务接待费", "1.20", "0.43"],
            ["3、公务用车购置及运行费", "14.90", "14.90"], ["其中:（1）公务用车运行维护费", "14.90", "14.90"], ["（2）公务用车购置费"]]
    out = table_to_threecosts(_doc(), _table(rows, ("项    目 预算数 决算数",)), replace(CTX, kind="final_accounts"))
    got = _by_key(out)
    assert got[(2024, "budget", "total")] == Decimal("161000.00") and got[(2024, "actual", "total")] == Decimal("153300.00")
    assert got[(2024, "actual", "reception")] == Decimal("4300.00") and got[(2024, "actual", "abroad")] == 0
    assert got[(2024, "budget", "vehicle_operation")] == Decimal("149000.00")


def test_table_money_unit_wins_over_document_default():
    header = ("“三公”经费预算数", "机关运行经费预算", "公务用车购置及运行费", "数", "合计 因公出国(境)费 公务接待费", "小计 购置费 运行费")
    out = table_to_threecosts(_doc(), _table([["1.00", "1.00", "171.01"]], header, unit="万元"), replace(CTX, money_unit="元"))
    got = _by_key(out)
    assert got[(2024, "budget", "total")] == Decimal("10000.00")  # 万元 per the table, though the document is in 元
    assert any(isinstance(r, TableIssue) for r in out)  # 1.00 could be 出国 or 接待 without positions


def test_item_wording():
    assert item_of("其中:（1）公务用车运行维护费") == "vehicle_operation"
    assert item_of("3、公务用车购置及运行费") == "vehicle" and item_of("合    计") == "total" and item_of("会议费") == "meeting" and item_of("培训费") == "training"


def test_samples():
    from fundflow.loaders import registry
    from fundflow.loaders.document import read_document
    doc = read_document(SAMPLES / "liaoning-bureau-2024-final-accounts.txt")
    [table] = [t for t in registry.choose(doc).parse(doc) if t.kind == "three_costs"]
    got = _by_key(table_to_threecosts(doc, table, replace(CTX, kind="final_accounts")))
    assert got[(2024, "actual", "total")] == Decimal("153300.00") and got[(2024, "budget", "reception")] == Decimal("12000.00")


HEADER_WIDE = ("“三公”经费", "公务用车购置及运行维护费", "合计 因公出 公务接 会议费 培训费",
               "国（境） 公务用车购 公务用车运", "小计 费 小计 待费", "置费 行维护费")


def test_three_costs_with_meeting_and_training_columns():
    row = ["1276.7", "418.26", "80", "237", "237", "101.26", "158.44", "700"]  # 购置费 empty, dropped
    out = table_to_threecosts(_doc(), _table([row], HEADER_WIDE), CTX)
    got = {item: amount for (_, _, item), amount in _by_key(out).items()}
    assert got["grand_total"] == Decimal(12767000) and got["total"] == Decimal(4182600)
    assert got["meeting"] == Decimal(1584400) and got["training"] == Decimal(7000000)
    assert got["abroad"] == Decimal(800000) and got["reception"] == Decimal(1012600)
    assert got["vehicle"] == Decimal(2370000)
    assert "vehicle_purchase" not in got  # 237 is 购置费 or 运行维护费: the identities cannot tell
    assert any(isinstance(r, TableIssue) and r.kind == "ambiguous" for r in out)


# Column-aligned header (pdftotext -layout): 公务接待费 printed before 公务用车, 机关运行经费 after.
POSITIONED = ("                            “三公”经费预算数",
              "                                                             机关运行经费预算",
              "                                          公务用车购置及运行费",
              "                                                                 数",
              "   合计          因公出国(境)费   公务接待费",
              "                                     小计      购置费       运行费")


def test_aligned_row_read_by_the_header_x_positions():
    ctx = replace(CTX, fiscal_year=2025)
    row = ["1.00", "", "1.00", "", "", "", "171.01"]
    out = table_to_threecosts(_doc(), _table([row], POSITIONED, aligned=True), ctx)
    got = _by_key(out)
    assert got[(2025, "budget", "reception")] == Decimal("10000.00")
    assert got[(2025, "budget", "abroad")] == 0
    assert got[(2025, "budget", "operating_costs")] == Decimal("1710100.00")
    assert not [r for r in out if isinstance(r, TableIssue)]


def test_unaligned_row_with_the_same_header_stays_undecided():
    ctx = replace(CTX, fiscal_year=2025)
    out = table_to_threecosts(_doc(), _table([["1.00", "1.00", "171.01"]], POSITIONED), ctx)
    got = _by_key(out)
    assert got[(2025, "budget", "operating_costs")] == Decimal("1710100.00")
    assert (2025, "budget", "reception") not in got
    [issue] = [r for r in out if isinstance(r, TableIssue)]
    assert "abroad" in issue.message and "reception" in issue.message


def test_tolerance_is_the_printed_step_of_the_tables_money_unit():
    header = ("“三公”经费合计", "因公出国（境）费", "公务用车购置及运行费", "公务接待费", "小计", "公务用车购置费", "公务用车运行费")
    # 元 table: 0 + 228,000.00 + 8,500.00 is 50 yuan short of the 合计 236,550.00: the row does not fit
    yuan = table_to_threecosts(_doc(), _table([["236,550.00", "", "228,000.00", "180,000.00", "48,000.00", "8,500.00"]],
                                              header, unit="元", aligned=True), CTX)
    assert not _by_key(yuan)
    assert [r.kind for r in yuan if isinstance(r, TableIssue)] == ["unreadable"]
    # 万元 table: 22.80 + 0.85 printed under 23.66 is a cent of rounding: the row is read
    wan = table_to_threecosts(_doc(), _table([["23.66", "", "22.80", "18.00", "4.80", "0.85"]], header, aligned=True), CTX)
    got = _by_key(wan)
    assert got[(2024, "budget", "total")] == Decimal("236600.00") and got[(2024, "budget", "reception")] == Decimal("8500.00")
    assert not [r for r in wan if isinstance(r, TableIssue)]
