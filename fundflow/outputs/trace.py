"""Flow rows → ``fundflow trace`` output: a table for people, a stable JSON contract for programs.

Nothing is summed across fiscal years or across budget and final accounts: the
table gives one column per period for the units' totals, then one section per
period (units split by the level of government their money comes from, and the
flows); every JSON row carries its ``year`` and ``phase``.

JSON (amounts in yuan, exact decimals as strings)::

    {"periods": ["2024-budget", …],
     "units": [{"unitCode", "unit", "year", "phase", "total",
                "byLevel": {"central", "provincial", "municipal", "county", "unattributed"},
                "direct": {"central", "provincial"}, "shares": {...}, "directShare", "advance", "document"}],
     "flows": [{"from", "to", "amount", "level", "direct", "year", "phase"}],
     "perBeneficiary": [{"year", "project", "indicator", "beneficiaries", "perBeneficiary", "derived": true, …}],
     "notes": ["… not counted again"]}
"""
from __future__ import annotations

import json
import unicodedata
from collections import defaultdict
from decimal import Decimal
from typing import Any

import pyoxigraph as ox

from fundflow.analysis.flows import LEVELS, UNATTRIBUTED, FlowGraph, Period, UnitSplit, unit_splits
from fundflow.core.errors import FundflowError
from fundflow.core.normalize import in_wan
from fundflow.outputs.flowgraph import load_graph, per_beneficiary

ZERO = Decimal(0)
LEVEL_NAMES = {"Central": "中央", "Provincial": "省级", "Municipal": "市级", "County": "县级"}


def _collect(store: ox.Store, year: int | None = None, region: str | None = None, level: str | None = None,
             direct_only: bool = False, purpose: str | None = None) -> tuple[FlowGraph, list[UnitSplit]]:
    """Store + filters → (flow graph, unit splits).  Raises ``FundflowError`` when nothing matches."""
    fg = load_graph(store, year=year, region=region, level=level, direct_only=direct_only, purpose=purpose)
    splits = unit_splits(fg)
    if not fg.edges and not splits:
        raise FundflowError("no funding flows in the store for these filters",
                            hint="ingest documents first, or loosen --year/--region/--level/--direct-only")
    return fg, splits


def flow_rows(fg: FlowGraph) -> list[dict[str, Any]]:
    """Flows summed per (period, from, to, level, 直达), code links excepted; every row names its year and phase."""
    sums: dict[tuple, Decimal] = defaultdict(Decimal)
    for e in fg.edges:
        if e.level is not None:
            sums[e.period, e.source, e.target, e.level, e.direct] += e.amount
    rank = {n: _rank(fg, n) for n in fg.nodes}
    rows = [{"from": fg.label(a), "to": fg.label(b), "amount": amount, "level": level, "direct": direct,
             "year": period.year, "phase": period.phase, "_order": (period, rank.get(a, 9), -amount)}
            for (period, a, b, level, direct), amount in sums.items()]
    rows.sort(key=lambda r: (*r.pop("_order"), r["from"], r["to"]))
    return rows


def _rank(fg: FlowGraph, n: str) -> int:
    node = fg.nodes[n]
    if node.role == "treasury":
        return LEVELS.index(node.level) if node.level in LEVELS else len(LEVELS)
    return {"department": 5, "unit": 6, "project": 7}.get(node.role, 8)


def _num(x: Decimal) -> str:
    return format(x, "f")


def _unit_json(s: UnitSplit) -> dict[str, Any]:
    return {"unitCode": s.unit_code, "unit": s.label, "year": s.year, "phase": s.period.phase, "total": _num(s.total),
            "byLevel": {k: _num(v) for k, v in s.by_level.items()}, "direct": {k: _num(v) for k, v in s.direct.items()},
            "shares": {k: _num(v) for k, v in s.shares().items()}, "directShare": _num(s.share_of(s.direct_total)),
            "advance": _num(s.advance), "document": s.document}


def trace_json(store: ox.Store, **filters) -> str:
    """The JSON contract above (stable order)."""
    fg, splits = _collect(store, **filters)
    rows = [{**r, "amount": _num(r["amount"])} for r in flow_rows(fg)]
    years = {p.year for p in fg.periods()}
    extra = [{k: (_num(v) if isinstance(v, Decimal) else v) for k, v in r.items()} for r in per_beneficiary(store)
             if r["year"] in years]
    return json.dumps({"periods": [p.key for p in fg.periods()], "units": [_unit_json(s) for s in splits],
                       "flows": rows, "perBeneficiary": extra, "notes": list(fg.notes)},
                      ensure_ascii=False, indent=2)


def _width(text: str) -> int:
    """Display width: CJK characters take two columns."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int, right: bool = False) -> str:
    fill = " " * max(0, width - _width(text))
    return fill + text if right else text + fill


def _table(header: list[str], rows: list[list[str]], numeric: set[int]) -> list[str]:
    widths = [max(_width(r[i]) for r in [header] + rows) for i in range(len(header))]
    def fmt(r):
        return "  ".join(_pad(c, widths[i], i in numeric) for i, c in enumerate(r)).rstrip()
    return [fmt(header), "  ".join("-" * w for w in widths)] + [fmt(r) for r in rows]




def _pct(x: Decimal) -> str:
    return f"{(x * 100).quantize(Decimal('0.1'))}%"


def _side_by_side(splits: list[UnitSplit], periods: list[Period]) -> list[str]:
    """Each unit's total, one column per period (never added across periods)."""
    by_unit: dict[str, dict[Period, UnitSplit]] = defaultdict(dict)
    for s in splits:
        by_unit[s.org][s.period] = s
    rows = []
    for _org, cells in sorted(by_unit.items(), key=lambda kv: (next(iter(kv[1].values())).unit_code or "~",
                                                               next(iter(kv[1].values())).label)):
        first = next(iter(cells.values()))
        rows.append([first.unit_code or "", first.label] + [in_wan(cells[p].total) if p in cells else "" for p in periods])
    out = ["单位支出合计（万元；各年度并列，不相加）"]
    return out + _table(["单位编码", "单位"] + [p.label for p in periods], rows, set(range(2, 2 + len(periods))))


def _period_units(splits: list[UnitSplit]) -> list[str]:
    keys = ["central", "provincial", "municipal"] + [k for k in ("county", UNATTRIBUTED)
                                                     if any(s.by_level[k] for s in splits)]
    names = {"central": "中央", "provincial": "省级", "municipal": "市级", "county": "县级", UNATTRIBUTED: "未标明级次"}
    rows = [[s.unit_code or "", s.label, in_wan(s.total)] + [in_wan(s.by_level[k]) for k in keys]
            + [in_wan(s.direct_total), _pct(s.share_of(s.direct_total)), in_wan(s.advance)] for s in splits]
    if len(splits) > 1:
        rows.append(["", "合计", in_wan(sum((s.total for s in splits), ZERO))]
                    + [in_wan(sum((s.by_level[k] for s in splits), ZERO)) for k in keys]
                    + [in_wan(sum((s.direct_total for s in splits), ZERO)), "", in_wan(sum((s.advance for s in splits), ZERO))])
    header = ["单位编码", "单位", "支出合计"] + [names[k] for k in keys] + ["直达资金", "直达占比", "提前下达"]
    return _table(header, rows, set(range(2, len(header))))


def trace_table(store: ox.Store, **filters) -> str:
    """Units' totals side by side per period, then per period: units by level of government, and the flows (万元)."""
    fg, splits = _collect(store, **filters)
    periods = fg.periods()
    out: list[str] = []
    if len(periods) > 1 and splits:
        out += _side_by_side(splits, periods) + [""]
    flows = flow_rows(fg)
    for p in periods:
        mine = [s for s in splits if s.period == p]
        out.append(f"== {p.label} ==")
        if mine:
            out += ["单位支出按资金来源（万元）：支出合计 = 中央 + 省级 + 本级政府"
                    + (" + 未标明级次" if any(s.by_level[UNATTRIBUTED] for s in mine) else "")] + _period_units(mine)
            if any(s.by_level[UNATTRIBUTED] for s in mine):
                out.append("未标明级次：项目支出中未列出项目的部分，文件未说明其资金来源级次")
            out.append("")
        rows = [[r["from"], r["to"], in_wan(r["amount"]), LEVEL_NAMES.get(r["level"], r["level"] or ""),
                 "是" if r["direct"] else ""] for r in flows if (r["year"], r["phase"]) == (p.year, p.phase)]
        if rows:
            out += ["资金流（万元）"] + _table(["来源", "去向", "金额", "级次", "直达"], rows, {2}) + [""]
    if fg.notes:
        out += ["注：" + n for n in fg.notes]
    return "\n".join(out).rstrip()
