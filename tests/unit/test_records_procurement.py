"""政府采购 / 政府购买服务 tables → Procurement records, per layout, and in the store."""
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest

from fundflow.core.model import Procurement, RawRow, RawTable, SourceDocument, TableIssue
from fundflow.kg import vocab
from fundflow.kg.ingest import ingest_paths
from fundflow.kg.mapper import records_to_triples
from fundflow.kg.query import load_query, run_query
from fundflow.records.context import TableContext
from fundflow.records.pipeline import parse_document
from fundflow.records.procurement import label_roles, table_to_procurement

SAMPLES = Path(__file__).resolve().parents[2] / "data" / "samples"
W = Decimal(10000)
FUNDS = ("合计", "一般公共预算", "政府性基金预算", "国有资本经营预算", "财政专户管理资金", "单位资金")
HEAD = ("单位名称 项目名称 总计", "本年收入 上年结转结余", " ".join(FUNDS + FUNDS))
CTX = TableContext(money_unit="万元", unit_name="某市某中心", department="某市某局")


def _doc(n: int = 40) -> SourceDocument:
    return SourceDocument("d.txt", "d.txt", "0" * 64, "utf-8", tuple(f"line {i}" for i in range(n)))


def _table(kind, header, rows, aligned=False) -> RawTable:
    raw = tuple(RawRow(tuple(cells), 10 + i, 10 + i, aligned) for i, cells in enumerate(rows))
    return RawTable(kind, "14", "政府采购支出预算表", "万元", header, raw, 1, 30)


def test_header_roles_from_wording():
    assert label_roles(HEAD) == ("unit", "project")
    assert label_roles(("采购品目大", "专项名称 经济科目 采购物品名称 采购组织形式 总计", "类")) == (
        "category", "project", "subject", "item", "method")
    assert label_roles(("单位名称 支出功能分类（类级） 购买服务项目名称 购买服务指导目录对应项目（三级目录代码及名称）",)) == (
        "unit", "function", "item", "category")


def test_stream_rows_run_together_unit_split_off_and_sum_checked():
    rows = [("合计", "70.00", "70.00", "70.00"), ("某市某中心办公设备购置", "50.00", "50.00", "50.00"),
            ("某市某中心印刷服务", "20.00", "20.00", "20.00")]
    out = table_to_procurement(_doc(), _table("procurement", HEAD, rows), CTX)
    assert [(p.item, p.project, p.unit_name, p.amount) for p in out] == [
        ("办公设备购置", "办公设备购置", "某市某中心", 50 * W), ("印刷服务", "印刷服务", "某市某中心", 20 * W)]
    bad = table_to_procurement(_doc(), _table("procurement", HEAD, [rows[0], rows[1]]), CTX)
    assert len(bad) == 1 and isinstance(bad[0], TableIssue) and bad[0].kind == "unreadable"


def test_stream_row_columns_placed_only_when_the_identities_decide():
    full = ("30.00", "20.00", "20.00", "0", "0", "0", "0", "10.00", "0", "0", "0", "0", "10.00")
    (p,) = table_to_procurement(_doc(), _table("procurement", HEAD, [("某市某中心甲",) + full]), CTX)
    cols = dict(p.columns)
    assert (cols["Total"], cols["CurrentYear.GeneralPublicBudget"], cols["CarryOver.UnitFunds"]) == (30 * W, 20 * W, 10 * W)
    (q,) = table_to_procurement(_doc(), _table("procurement", HEAD, [("某市某中心甲", "5.00", "5.00", "5.00")]), CTX)
    assert q.amount == 5 * W and q.columns == ()


def test_aligned_rows_by_column_and_empty_tables_give_nothing():
    head = ("单位名称\t支出功能分类（类级）\t购买服务项目名称\t购买服务指导目录对应项目（三级目录代码及名称）\t总计\t本年收入",
            "合计\t一般公共预算")
    row = ("某市某中心", "208", "经办服务", "B0101 社会保险经办服务", "12.50", "12.50", "12.50")
    (p,) = table_to_procurement(_doc(), _table("purchase_services", head, [row], aligned=True), CTX)
    assert (p.kind, p.item, p.category, p.unit_name, p.amount) == (
        "purchase_services", "经办服务", "B0101 社会保险经办服务", "某市某中心", 125000)
    empty = [("合计",) + ("",) * 6, ("1", "无", "", "", "", "", "")]
    seq_head = ("序号\t单位名称\t功能科目（类级）\t购买项目名称\t购买方式\t预算数合计",)
    assert table_to_procurement(_doc(), _table("purchase_services", seq_head, empty, aligned=True), CTX) == []


TREE_HEAD = ("采购品目大类 专项名称 经济科目 采购物品名称 采购组织形式 总计",)


def test_tree_rows_items_under_subtotals_and_categories():
    rows = [("", "合计", "", "", "", "30.00"), ("一、货物 A", "", "", "", "", "10.00"),
            ("设备购置", "办公设备购置", "", "", "", "10.00"), ("", "", "复印机", "部门集中采购", "", "4.00"),
            ("", "", "台式计算机", "政府集中采购", "", "6.00"), ("三、服务 C", "", "", "", "", "20.00"),
            ("会务", "会议费", "", "", "", "20.00"), ("", "", "会议服务", "分散自行组织", "20.00", "")]
    out = table_to_procurement(_doc(), _table("procurement", TREE_HEAD, rows, aligned=True), CTX)
    assert [(p.item, p.project, p.category, p.amount) for p in out] == [
        ("复印机", "设备购置", "货物", 4 * W), ("台式计算机", "设备购置", "货物", 6 * W), ("会议服务", "会务", "服务", 20 * W)]


def test_tree_wrapped_project_name_left_unnamed_and_bad_sums_unreadable():
    rows = [("一、货物 A", "", "", "", "", "10.00"), ("", "网络、电子", "", "", "", ""),
            ("", "检务维护费", "办公设备购置", "", "", "10.00"), ("", "", "路由器", "部门集中采购", "", "10.00")]
    (p,) = table_to_procurement(_doc(), _table("procurement", TREE_HEAD, rows, aligned=True), CTX)
    assert p.project is None and p.item == "路由器"
    rows[-1] = ("", "", "路由器", "部门集中采购", "", "9.00")
    (issue,) = table_to_procurement(_doc(), _table("procurement", TREE_HEAD, rows, aligned=True), CTX)
    assert isinstance(issue, TableIssue) and issue.kind == "unreadable"


# -- the samples


@pytest.fixture(scope="module")
def center():
    return parse_document(SAMPLES / "shenyang-center-2024-budget.txt")


def test_shenyang_center_table_14_adds_up_to_its_total(center):
    items = center.of(Procurement)
    assert [(p.table, p.item, p.unit_name) for p in items] == [
        ("表14", "医保中心业务耗材、办公设备、设备维修经费（耗材购置）", "沈阳市医疗保障事务服务中心")]
    assert sum(p.amount for p in items) == Decimal("60.85") * W  # 合计 row of 表14, L2025
    assert not [i for i in center.of(TableIssue) if i.table in ("表14", "表15")]


@pytest.mark.parametrize("name", ["anshan-center-2026-budget.txt", "fushun-center-2023-budget.txt",
                                  "shenyang-bureau-2019-budget.txt"])
def test_empty_procurement_tables_give_no_records_and_no_issue(name):
    parsed = parse_document(SAMPLES / name)
    assert parsed.of(Procurement) == []
    assert not [i for i in parsed.of(TableIssue) if i.kind != "illegible" and ("采购" in i.message or "购买服务" in i.message)]


def test_item_node_linked_to_its_project(center):
    triples = records_to_triples(center)
    items = {t.subject for t in triples if t.predicate == vocab.A and t.object == vocab.FF("ProcurementItem")}
    (item,) = items
    linked = [t.object for t in triples if t.subject == item and t.predicate == vocab.FF("project")]
    assert len(linked) == 1
    assert any(t.subject == linked[0] and t.object == vocab.FF("Project") for t in triples)


def test_bundled_query_answers(tmp_path):
    store = ox.Store(str(tmp_path / "s"))
    assert not ingest_paths(store, [SAMPLES / "shenyang-center-2024-budget.txt"], report=lambda _m: None).failed
    rows = list(run_query(store, load_query("procurement")))
    assert [(r["item"].value, Decimal(r["amount"].value), r["linked"].value) for r in rows] == [
        ("医保中心业务耗材、办公设备、设备维修经费（耗材购置）", Decimal("608500.00"), "true")]
