"""Flow graph → map view, Sankey data and filters: columns, amounts in 万元, shares, provenance, escaping."""
from __future__ import annotations

import json
import re
import sys
from decimal import Decimal
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "browser"))
from mapgraph import flow_graph

from fundflow.core.errors import FundflowError
from fundflow.outputs.map import cut_flows, flow_view, map_html, script_json, wan
from fundflow.outputs.sankey import flows_to_sankey


def test_columns_run_from_central_treasury_to_subject_code():
    view = flow_view(flow_graph())
    by_label = {n["tip"][0]: n["level"] for n in view.nodes}
    assert [by_label[k] for k in ("中央财政", "某省财政", "某市财政", "某市医疗保障局", "某市医疗保障事务服务中心")] == [0, 1, 2, 3, 4]
    assert by_label["2101202 财政对城乡居民基本医疗保险基金的补助"] == 6
    assert [c[1] for c in view.columns][:2] == ["中央财政", "省级财政"]


def test_tooltip_amount_share_and_source():
    view = flow_view(flow_graph())
    tip = next(n["tip"] for n in view.nodes if n["tip"][0].startswith("提前下达中央"))
    assert tip[1] == "项目 · 124,524.00 万元"
    assert "占 某市医疗保障事务服务中心 的 59.4%" in tip
    assert "来源：city-2024.txt 表9 第100–101行" in tip


def test_size_and_width_grow_with_the_square_root_of_the_amount():
    view = flow_view(flow_graph())
    widths = {tuple(e["tip"][:1]): e["width"] for e in view.edges}
    assert widths[("某市财政 → 某市医疗保障局",)] == 16
    assert widths[("某市医疗保障事务服务中心 → 提前下达省财政城乡居民医保补助直达资金",)] < 16 * 0.5


def test_amounts_are_exact():
    assert wan(Decimal("1245240000.00")) == "124,524.00 万元"
    assert wan(Decimal(12345)) == "1.23 万元" or wan(Decimal(12345)) == "1.24 万元"
    assert wan(None) == "金额不详"


def test_script_json_cannot_close_the_script_element():
    text = script_json({"n": "</script><!--<img src=x onerror=alert(1)>&"})
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text)["n"].startswith("</script>")


def test_page_is_self_contained_and_carries_names_only_as_escaped_data():
    page = map_html(flow_graph(unit="<img src=x onerror=alert(1)>", project="</script><script>alert(2)</script>"))
    assert "onerror=alert(1)" not in page.replace("\\u003cimg src=x onerror=alert(1)\\u003e", "")
    assert "<script>alert(2)" not in page
    assert not re.search(r"<(script|link)[^>]+(src|href)=", page)
    assert "vis.Network" in page


def test_unknown_node_kind_is_a_clear_error():
    g = flow_graph()
    g.add_node("x", kind="planet")
    with pytest.raises(FundflowError, match="unknown kind"):
        flow_view(g)


def test_cut_to_direct_funds_and_to_a_unit():
    g = flow_graph()
    direct = cut_flows(g, direct_only=True)
    assert "j3" not in direct and "j1" in direct and "d" not in direct
    g.add_node("u2", label="另一单位", kind="unit", code="999001")
    g.add_edge("d", "u2", amount=Decimal(5))
    assert set(cut_flows(g, unit="999001")) == {"c", "p", "m", "d", "u2"}


def test_sankey_folds_projects_into_unit_to_class_to_item_links():
    s = flows_to_sankey(flow_graph())
    assert "210 卫生健康支出" in s.labels and any(x.startswith("21012 ") for x in s.labels)
    unit, lei = s.labels.index("某市医疗保障事务服务中心"), s.labels.index("210 卫生健康支出")
    assert {(a, b): v for a, b, v in s.links}[unit, lei] == Decimal(209551) * 10000
    assert not any("提前下达" in x for x in s.labels)
