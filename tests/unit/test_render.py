"""Flow graph → map view, Sankey data and filters: columns, amounts in 万元, shares, provenance, escaping."""
from __future__ import annotations

import json
import re
import sys
from decimal import Decimal
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "browser"))
from mapgraph import flow_graph, two_years

from fundflow.analysis.flows import FlowNode, Period
from fundflow.core.errors import FundflowError
from fundflow.outputs.map import flow_view, map_html, script_json, wan
from fundflow.outputs.sankey import SANKEY_COLUMNS, flows_to_sankey

W = Decimal(10000)


def test_columns_run_from_central_treasury_to_subject_code():
    view = flow_view(flow_graph())
    by_name = {n["tip"][0]: n["level"] for n in view.nodes}
    assert [by_name[k] for k in ("中央财政", "某省财政", "某市财政", "某市医疗保障局", "某市医疗保障事务服务中心")] == [0, 1, 2, 3, 4]
    assert by_name["2101202"] == 6
    assert [c[1] for c in view.columns][:2] == ["中央财政", "省级财政"]


def test_labels_carry_the_amount_and_the_unit_folds_its_projects():
    view = flow_view(flow_graph())
    unit = next(n for n in view.nodes if n["tip"][0] == "某市医疗保障事务服务中心")
    assert unit["label"].split("\n") == ["某市医疗保障事务服务中心", "209,551.00 万元", "3 个项目 ▸"]
    assert unit["open"] is False
    projects = [n for n in view.nodes if n["role"] == "project"]
    assert len(projects) == 3 and {p["unit"] for p in projects} == {unit["id"]}
    assert next(n for n in view.nodes if n["role"] == "code")["projects"] == sorted(p["id"] for p in projects)
    opened = flow_view(flow_graph(), open_units=frozenset({"u"}))
    assert next(n for n in opened.nodes if n["role"] == "unit")["open"] is True


def test_tooltip_amount_share_sources_and_levels():
    view = flow_view(flow_graph())
    tip = next(n["tip"] for n in view.nodes if n["tip"][0].startswith("提前下达中央"))
    assert tip[1] == "项目 · 124,524.00 万元"
    assert "占 某市医疗保障事务服务中心 的 59.4%" in tip  # 124,524 / 209,551
    assert "来源：city-2024.txt 表9 第100–101行" in tip
    unit = next(n["tip"] for n in view.nodes if n["tip"][0] == "某市医疗保障事务服务中心")
    assert {"资金来源：中央（直达资金） 124,524.00 万元", "资金来源：省级（直达资金） 30,037.00 万元",
            "资金来源：市级 54,990.00 万元"} <= set(unit)


def test_edges_are_coloured_by_the_level_the_money_comes_from():
    view = flow_view(flow_graph())
    colour = {e["tip"][0]: e["color"] for e in view.edges}
    assert colour["中央财政 → 某省财政"] == "#c0392b"
    assert colour["某市医疗保障事务服务中心 → 政府专项-城乡居民医保补助"] == "#d4ac0d"
    mixed = next(e for e in view.edges if e["tip"][0] == "某市财政 → 某市医疗保障局")
    assert mixed["color"] == "#7f8c8d" and "市级 54,990.00 万元" in mixed["tip"]


def test_size_and_width_grow_with_the_square_root_of_the_amount():
    view = flow_view(flow_graph())
    widths = {e["tip"][0]: e["width"] for e in view.edges}
    assert widths["某市财政 → 某市医疗保障局"] == 14
    assert widths["某市医疗保障事务服务中心 → 提前下达省财政城乡居民医保补助直达资金"] < 14 * 0.5


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


def test_a_node_of_unknown_role_is_refused():
    with pytest.raises(ValueError, match="role"):
        FlowNode("x", "x", "planet")


def test_direct_funds_and_one_unit():
    g = flow_graph()
    direct = g.select(direct_only=True)
    assert {"j1", "j2"} <= set(direct.used_nodes()) and "j3" not in direct.used_nodes()
    assert all(e.direct for e in direct.edges)
    other = flow_graph(unit="另一单位")
    assert set(g.around(lambda n: n.unit_code == "578002").used_nodes()) == set(g.used_nodes())
    assert other.around(lambda n: n.label == "某市医疗保障事务服务中心").edges == ()


def test_years_are_never_drawn_summed():
    g = two_years()
    assert g.periods() == [Period(2023), Period(2024)]
    for draw in (flow_view, flows_to_sankey, lambda x: x.to_networkx()):
        with pytest.raises(FundflowError, match="period"):
            draw(g)
    one = g.select(year=2024)
    assert {x.amount for x in one.combined() if x.source == "c"} == {124524 * W}
    data = json.loads(re.search(r'id="ff-data">(.*?)</script>', map_html(g), re.DOTALL).group(1))
    assert [p["key"] for p in data["periods"]] == ["2024-budget", "2023-budget"]
    assert data["periods"][0]["units"][0]["central"] == "124,524.00"


def test_sankey_folds_projects_into_unit_to_class_to_item_links_per_level():
    s = flows_to_sankey(flow_graph())
    name = [x.split("<br>")[0] for x in s.labels]
    assert "210 卫生健康支出" in name and any(x.startswith("21012 ") for x in name)
    unit, lei = name.index("某市医疗保障事务服务中心"), name.index("210 卫生健康支出")
    links = {(a, b, lv): v for a, b, v, lv in s.links}
    assert links[unit, lei, "Central"] == 124524 * W and links[unit, lei, "Municipal"] == 54990 * W
    assert not any("提前下达" in x for x in s.labels)
    assert s.labels[unit].endswith("209,551.00 万元")


def test_sankey_keeps_every_node_in_its_levels_column():
    s = flows_to_sankey(flow_graph())
    name = [x.split("<br>")[0] for x in s.labels]
    xs = {s.columns[i]: s.x[i] for i in range(len(name))}
    order = [c for c in SANKEY_COLUMNS if c in xs]
    assert order == ["Central", "Provincial", "Municipal", "department", "unit", "lei", "kuan"]
    assert [xs[c] for c in order] == sorted(xs[c] for c in order)
    assert len({s.x[i] for i in range(len(name)) if s.columns[i] == "lei"}) == 1
