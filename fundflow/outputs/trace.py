"""``fundflow trace`` output: a table for people, a stable JSON contract for programs.

JSON (amounts in yuan, exact decimals as strings)::

    {"units": [{"unitCode", "unit", "year", "total",
                "byLevel": {"central", "provincial", "municipal", "county"},
                "direct": {"central", "provincial"}, "shares": {...}}],
     "flows": [{"from", "to", "amount", "level", "direct", "year"}],
     "perBeneficiary": [{"project", "indicator", "beneficiaries", "perBeneficiary", "derived": true, …}]}

The table shows amounts in 万元, aligned, with totals.
"""
from __future__ import annotations

import json
import unicodedata
from decimal import Decimal
from typing import Any

import pyoxigraph as ox

from fundflow.core.errors import FundflowError
from fundflow.outputs.flowgraph import UnitSplit, flow_rows, graph_to_flows, per_beneficiary, unit_splits

WAN = Decimal(10000)


def _collect(store: ox.Store, year: int | None = None, region: str | None = None, level: str | None = None,
             direct_only: bool = False, purpose: str | None = None) -> tuple[list[UnitSplit], list[dict[str, Any]]]:
    """Store + filters → (unit splits, aggregated flows).  Raises ``FundflowError`` when nothing matches."""
    g = graph_to_flows(store, year=year, region=region, level=level, direct_only=direct_only, purpose=purpose)
    splits = unit_splits(store, year=year, region=region)
    if not g.number_of_edges() and not splits:
        raise FundflowError("no funding flows in the store for these filters",
                            hint="ingest documents first, or loosen --year/--region/--level/--direct-only")
    return splits, flow_rows(g)


def _num(x: Decimal) -> str:
    return format(x, "f")


def trace_json(store: ox.Store, **filters) -> str:
    """The JSON contract above (sorted keys, stable order)."""
    splits, flows = _collect(store, **filters)
    units = [{"unitCode": s.unit_code, "unit": s.label, "year": s.year, "total": _num(s.total),
              "byLevel": {k: _num(v) for k, v in s.by_level.items()},
              "direct": {k: _num(v) for k, v in s.direct.items()},
              "shares": {k: _num(v) for k, v in s.shares().items()}} for s in splits]
    rows = [{**r, "amount": _num(r["amount"])} for r in flows]
    extra = [{k: (_num(v) if isinstance(v, Decimal) else v) for k, v in r.items()} for r in per_beneficiary(store)]
    return json.dumps({"units": units, "flows": rows, "perBeneficiary": extra}, ensure_ascii=False, indent=2)


def _width(text: str) -> int:
    """Display width: CJK characters take two columns."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int, right: bool = False) -> str:
    fill = " " * max(0, width - _width(text))
    return fill + text if right else text + fill


def _table(header: list[str], rows: list[list[str]], numeric: set[int]) -> list[str]:
    widths = [max(_width(r[i]) for r in [header] + rows) for i in range(len(header))]
    fmt = lambda r: "  ".join(_pad(c, widths[i], i in numeric) for i, c in enumerate(r)).rstrip()
    return [fmt(header), "  ".join("-" * w for w in widths)] + [fmt(r) for r in rows]


def _wan(x: Decimal) -> str:
    return f"{(x / WAN).quantize(Decimal('0.01')):,}"


def trace_table(store: ox.Store, **filters) -> str:
    """Units by level and the flows, in 万元, with totals."""
    splits, flows = _collect(store, **filters)
    keys = ["central", "provincial", "municipal", "county"]
    rows = [[str(s.year or ""), s.unit_code or "", s.label, _wan(s.total)] + [_wan(s.by_level[k]) for k in keys]
            + [_wan(s.direct.get("central", Decimal(0)) + s.direct.get("provincial", Decimal(0)))] for s in splits]
    sums = [sum((s.by_level[k] for s in splits), Decimal(0)) for k in keys]
    rows.append(["", "", "合计", _wan(sum((s.total for s in splits), Decimal(0)))] + [_wan(x) for x in sums]
                + [_wan(sum((sum(s.direct.values(), Decimal(0)) for s in splits), Decimal(0)))])
    out = ["单位支出按资金来源（万元）"]
    out += _table(["年度", "单位编码", "单位", "支出合计", "中央", "省级", "市级", "县级", "直达资金"], rows,
                  set(range(3, 9)))
    frows = [[str(r["year"] or ""), r["from"], r["to"], _wan(r["amount"]), r["level"] or "", "是" if r["direct"] else ""]
             for r in flows]
    frows.append(["", "", "合计", _wan(sum((r["amount"] for r in flows), Decimal(0))), "", ""])
    out += ["", "资金流（万元）"] + _table(["年度", "来源", "去向", "金额", "级次", "直达"], frows, {3})
    return "\n".join(out)
