"""A small flow graph of the ``kg.flows`` shape, and page helpers for the browser tests."""
from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import networkx as nx


def flow_graph(unit: str = "某市医疗保障事务服务中心", project: str = "提前下达中央财政城乡居民医保补助中央直达资金") -> nx.DiGraph:
    """A flow graph of the kg.flows shape: treasuries → department → unit → projects → subject code."""
    ref = {"document": "city-2024.txt", "table": "表9", "first_line": 100, "last_line": 101}
    g = nx.DiGraph()
    nodes = [("c", "中央财政", "source", "Central"), ("p", "某省财政", "source", "Provincial"),
             ("m", "某市财政", "source", "Municipal"), ("d", "某市医疗保障局", "department", None),
             ("u", unit, "unit", None), ("j1", project, "project", None),
             ("j2", "提前下达省财政城乡居民医保补助直达资金", "project", None),
             ("j3", "政府专项-城乡居民医保补助", "project", None),
             ("k", "2101202 财政对城乡居民基本医疗保险基金的补助", "code", None)]
    for key, label, kind, level in nodes:
        g.add_node(key, label=label, kind=kind, level=level, provenance=[ref] if kind == "project" else [])
    wan = Decimal(10000)
    for u, v, amt, direct in [("c", "p", 124524, True), ("p", "m", 154561, True), ("m", "d", 209551, False),
                              ("d", "u", 209551, False), ("u", "j1", 124524, True), ("u", "j2", 30037, True),
                              ("u", "j3", 54990, False), ("j1", "k", 124524, True), ("j2", "k", 30037, True),
                              ("j3", "k", 54990, False)]:
        g.add_edge(u, v, amount=amt * wan, direct=direct, inferred=v == "k", provenance=[ref])
    return g


def page_requests(driver) -> list[str]:
    """URLs the page asked for since the last call (from the performance log)."""
    urls = []
    for entry in driver.get_log("performance"):
        msg = json.loads(entry["message"])["message"]
        if msg["method"] == "Network.requestWillBeSent":
            urls.append(msg["params"]["request"]["url"])
    return urls


def file_url(path: Path) -> str:
    return path.resolve().as_uri()
