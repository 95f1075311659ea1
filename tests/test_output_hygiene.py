"""Output hygiene (finding 10): control and bidi characters from documents never reach a terminal or a page raw."""
from __future__ import annotations

from dataclasses import replace

import pyoxigraph as ox

from fundflow.core.model import Project
from fundflow.core.printable import printable
from fundflow.kg.query import format_results
from tests.conftest import make_parsed

HOSTILE = "医疗\x1b[2J\x1b]0;pwned\x07保障\u202e局\u2066x\u2069\r\n"


def test_printable_shows_controls_as_codes():
    shown = printable(HOSTILE)
    assert "\x1b" not in shown and "\x07" not in shown and "\u202e" not in shown and "\u2066" not in shown
    assert "\n" not in shown and "\r" not in shown
    assert shown.startswith("医疗\\u001b[2J") and "\\u202e" in shown
    assert printable("沈阳市医疗保障局 2101202") == "沈阳市医疗保障局 2101202"


def test_table_output_neutralises_escapes():
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("http://x/u"), ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"),
                      ox.Literal(HOSTILE)))
    text = format_results(store.query("SELECT ?l { ?u ?p ?l }"), "table")
    assert "\x1b" not in text and "\u202e" not in text and "\\u202e" in text


def test_map_and_sankey_labels_neutralise_bidi(tmp_path):
    from fundflow.kg.funding_map import funding_triples
    from fundflow.kg.iris import graph_iri
    from fundflow.kg.mapper import records_to_triples
    from fundflow.kg.store import load_reference_graphs, replace_document
    from fundflow.outputs.map import load_flows, write_map
    from fundflow.outputs.sankey import sankey_html

    parsed = make_parsed()
    parsed = replace(parsed, records=tuple(replace(r, name="城乡\u202e居民\x1b[31m补助") if isinstance(r, Project) else r
                                           for r in parsed.records))
    store = ox.Store()
    load_reference_graphs(store)
    replace_document(store, graph_iri(parsed.source.name), records_to_triples(parsed) + funding_triples(parsed))
    fg = load_flows(store)
    assert any("城乡" in fg.label(n) for n in fg.nodes)
    write_map(fg, tmp_path / "map.html")
    page = (tmp_path / "map.html").read_text(encoding="utf-8")
    assert "\u202e" not in page and "\x1b" not in page
    sankey = sankey_html(fg)
    assert "\u202e" not in sankey and "\x1b" not in sankey
    assert "<title>" in sankey and "<title></title>" not in sankey


def test_a_hostile_unit_name_is_neutralised_in_trace_map_and_sankey(tmp_path):
    from pathlib import Path

    from fundflow.kg.ingest import ingest_paths
    from fundflow.outputs.map import load_flows, write_map
    from fundflow.outputs.sankey import sankey_html
    from fundflow.outputs.trace import trace_table

    sample = Path(__file__).resolve().parents[1] / "data" / "samples" / "anshan-center-2026-budget.txt"
    name = "鞍山市医疗保障事务服务中心"  # the unit the sample is the budget of
    text = sample.read_text(encoding="utf-8")
    assert name in text
    doc = tmp_path / sample.name
    doc.write_text(text.replace(name, "鞍山市\x1b]0;pwned\x07\u202e医疗保障事务服务中心"), encoding="utf-8")
    store = ox.Store()
    assert not ingest_paths(store, [doc], report=lambda _m: None).failed
    shown = trace_table(store)
    assert "医疗保障事务服务中心" in shown and "\\u202e" in shown
    write_map(load_flows(store), tmp_path / "map.html")
    for page in (shown, (tmp_path / "map.html").read_text(encoding="utf-8"), sankey_html(load_flows(store))):
        assert "\x1b" not in page and "\x07" not in page and "\u202e" not in page
