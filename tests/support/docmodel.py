"""A small, self-consistent model of a unit budget disclosure and the facts it states.

``Disclosure`` holds what a document says (year, unit, the rows of 表3/表5/表6,
三公, projects, performance blocks) with every amount an exact ``Decimal`` in
yuan and a multiple of 100 (so it prints exactly in 万元 with two decimals and
in 元).  The identities hold by construction: 合计 = 基本 + 项目, 基本 = 人员 + 公用,
a parent code = Σ its children, the 合计 row = Σ 类, Σ projects = 项目支出.

``disclosures()`` is a hypothesis strategy of such documents, codes and names
drawn from the package's code lists; ``expected_lines(doc)`` and friends give
the records the loaders must produce, whatever the layout.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from hypothesis import strategies as st

from fundflow.core.resources import read_csv

FN_COLUMNS = ("Total", "Basic", "Personnel", "Public", "ProjectExpenditure")
ECON_COLUMNS = ("Total", "Personnel", "Public")
STEP = Decimal(100)  # one cent of 万元, in yuan


@dataclass(frozen=True)
class Row:
    """One classification row: code ("" for 合计), name and amounts (yuan) in the table's columns."""

    code: str
    name: str
    amounts: tuple[Decimal, ...]


@dataclass(frozen=True)
class Indicator:
    level1: str
    level2: str
    name: str
    operator: str  # ">=", "<=", "="
    value: str  # "140"
    unit: str  # "人", "%"
    deadline: str  # "2024-12"


@dataclass(frozen=True)
class PerfBlock:
    """One project's 表17 block."""

    project: str
    amount: Decimal
    goal: str
    indicators: tuple[Indicator, ...]


@dataclass(frozen=True)
class Disclosure:
    unit: str
    department: str
    year: int
    function_rows: tuple[Row, ...]  # 表3 and 表5: 合计, 类, 款, 项 in printed order
    econ_rows: tuple[Row, ...]  # 表6: 合计, 301 …
    three_costs: tuple[Decimal, Decimal, Decimal, Decimal]  # abroad, vehicle purchase, vehicle operation, reception
    projects: tuple[tuple[str, Decimal], ...]
    perf: tuple[PerfBlock, ...]

    @property
    def total(self) -> Row:
        return self.function_rows[0]

    def lei_rows(self) -> list[Row]:
        return [r for r in self.function_rows if len(r.code) == 3]


# ---------------------------------------------------------------- code lists


def _read(name: str) -> list[dict[str, str]]:
    return list(read_csv(name))


LEI_NAMES = {r["code"]: r["name_zh_2019_plus"] for r in _read("func_class_lei.csv")}
FN_NAMES = {r["code"]: r["name_zh"] for r in _read("func_class_selected_kuan_xiang.csv")}
LEI = ("208", "210", "221")
ECON_NAMES = {r["code"]: r["name_zh"] for r in _read("econ_class_department_budget.csv")}
PERSONNEL_ECON = tuple(c for c in ECON_NAMES if len(c) == 5 and c[:3] in ("301", "303"))
PUBLIC_ECON = tuple(c for c in ECON_NAMES if len(c) == 5 and c[:3] == "302")


def children(code: str) -> list[str]:
    """Code → its printed children in the code list (款 of a 类, 项 of a 款), sorted."""
    n = len(code) + 2
    return sorted(c for c in FN_NAMES if len(c) == n and c.startswith(code))


PROJECT_NAMES = (
    "医保中心购买服务岗位补充经费", "医保基金监管经费", "信息系统运行维护经费", "经办大厅业务保障经费",
    "提前下达中央财政城乡居民基本医疗保险补助中央直达资金", "城乡医疗救助资金", "档案数字化整理经费",
    "医保政策宣传经费", "异地就医结算服务经费",
)
INDICATORS = (
    ("产出指标", "数量指标", "聘请服务人员数", ">=", "140", "人"),
    ("产出指标", "质量指标", "资金到位率", "=", "100", "%"),
    ("产出指标", "时效指标", "资金拨付及时率", ">=", "95", "%"),
    ("效益指标", "社会效益指标", "参保人员覆盖率", ">=", "98", "%"),
    ("满意度指标", "服务对象满意度指标", "服务对象满意度", ">=", "90", "%"),
)


# ---------------------------------------------------------------- building a consistent document


def _sum(rows: list[tuple[Decimal, ...]], width: int) -> tuple[Decimal, ...]:
    return tuple(sum((r[i] for r in rows), Decimal(0)) for i in range(width))


def fn_amounts(personnel: Decimal, public: Decimal, project: Decimal) -> tuple[Decimal, ...]:
    """A leaf's three free amounts → 合计, 基本(小计), 人员, 公用, 项目."""
    basic = personnel + public
    return (basic + project, basic, personnel, public, project)


def build_function_rows(leaves: dict[str, tuple[Decimal, Decimal, Decimal]]) -> tuple[Row, ...]:
    """{7-digit code: (人员, 公用, 项目)} → rows 合计, 类, 款, 项 with parents summed."""
    leaf_rows = {c: fn_amounts(*v) for c, v in leaves.items()}
    out: list[Row] = []
    for lei in sorted({c[:3] for c in leaves}):
        lei_leaves = [v for c, v in leaf_rows.items() if c.startswith(lei)]
        out.append(Row(lei, LEI_NAMES[lei], _sum(lei_leaves, 5)))
        for kuan in sorted({c[:5] for c in leaves if c.startswith(lei)}):
            items = sorted(c for c in leaves if c.startswith(kuan))
            out.append(Row(kuan, FN_NAMES[kuan], _sum([leaf_rows[c] for c in items], 5)))
            out.extend(Row(c, FN_NAMES[c], leaf_rows[c]) for c in items)
    total = _sum([r.amounts for r in out if len(r.code) == 3], 5)
    return (Row("", "合计", total), *out)


def build_econ_rows(personnel: dict[str, Decimal], public: dict[str, Decimal]) -> tuple[Row, ...]:
    """Per-economic-code 人员/公用 amounts → 表6 rows 合计, 类, 款 (合计 = 人员 + 公用)."""
    leaves = {c: (personnel.get(c, Decimal(0)), public.get(c, Decimal(0))) for c in {*personnel, *public}}
    out: list[Row] = []
    for lei in sorted({c[:3] for c in leaves}):
        items = sorted(c for c in leaves if c.startswith(lei))
        rows = [Row(c, ECON_NAMES[c], (sum(leaves[c]), *leaves[c])) for c in items]
        out.append(Row(lei, ECON_NAMES[lei], _sum([r.amounts for r in rows], 3)))
        out.extend(rows)
    total = _sum([r.amounts for r in out if len(r.code) == 3], 3)
    return (Row("", "合计", total), *out)


def _split(draw, total: Decimal, parts: int) -> list[Decimal]:
    """Exact partition of ``total`` (a multiple of STEP) into ``parts`` positive-or-zero multiples of STEP."""
    units = int(total / STEP)
    cuts = sorted(draw(st.lists(st.integers(0, units), min_size=parts - 1, max_size=parts - 1)))
    bounds = [0, *cuts, units]
    return [Decimal(bounds[i + 1] - bounds[i]) * STEP for i in range(parts)]


_amount = st.integers(1, 9_999_999).map(lambda n: Decimal(n) * STEP)  # 0.01 … 99,999.99 万元
_maybe = st.one_of(st.just(Decimal(0)), _amount)


@st.composite
def disclosures(draw) -> Disclosure:
    """A random consistent disclosure (see module docstring)."""
    year = draw(st.integers(2019, 2026))
    leaves: dict[str, tuple[Decimal, Decimal, Decimal]] = {}
    for lei in draw(st.lists(st.sampled_from(LEI), min_size=1, max_size=3, unique=True)):
        kuans = [k for k in children(lei) if children(k)]
        for kuan in draw(st.lists(st.sampled_from(kuans), min_size=1, max_size=2, unique=True)):
            for xiang in draw(st.lists(st.sampled_from(children(kuan)), min_size=1, max_size=2, unique=True)):
                leaves[xiang] = draw(st.tuples(_maybe, _maybe, _maybe).filter(any))
    rows = build_function_rows(leaves)
    total = rows[0].amounts
    personnel, public, project = total[2], total[3], total[4]
    econ_p = draw(st.lists(st.sampled_from(PERSONNEL_ECON), min_size=1, max_size=3, unique=True))
    econ_u = draw(st.lists(st.sampled_from(PUBLIC_ECON), min_size=1, max_size=3, unique=True))
    econ = build_econ_rows(dict(zip(econ_p, _split(draw, personnel, len(econ_p)))) if personnel else {},
                           dict(zip(econ_u, _split(draw, public, len(econ_u)))) if public else {})
    projects: list[tuple[str, Decimal]] = []
    if project:
        names = draw(st.lists(st.sampled_from(PROJECT_NAMES), min_size=1, max_size=3, unique=True))
        projects = [(n, a) for n, a in zip(names, _split(draw, project, len(names))) if a]
    perf = tuple(_perf_block(draw, n, a, year) for n, a in projects[:2])
    three = draw(st.tuples(_maybe, _maybe, _maybe, _maybe).map(lambda t: tuple(min(x, 2_000_000) for x in t)))
    return Disclosure(unit="某市医疗保障事务服务中心", department="某市医疗保障局", year=year,
                      function_rows=rows, econ_rows=econ, three_costs=three, projects=tuple(projects), perf=perf)


def _perf_block(draw, name: str, amount: Decimal, year: int) -> PerfBlock:
    chosen = draw(st.lists(st.sampled_from(INDICATORS), min_size=1, max_size=3, unique=True))
    chosen.sort(key=INDICATORS.index)
    inds = tuple(Indicator(*i, deadline=f"{year}-12") for i in chosen)
    return PerfBlock(name, amount, "提高医保经办服务质量，确保资金使用效益。", inds)


# ---------------------------------------------------------------- expected records


def expected_lines(doc: Disclosure) -> set[tuple[str, str, str, Decimal]]:
    """(table, code, amount_type, yuan) of every non-zero amount of 表3, 表5 and 表6."""
    out = set()
    for table in ("表3", "表5"):
        for r in doc.function_rows:
            out |= {(table, r.code, t, a) for t, a in zip(FN_COLUMNS, r.amounts) if a}
    for r in doc.econ_rows:
        out |= {("表6", r.code, t, a) for t, a in zip(ECON_COLUMNS, r.amounts) if a}
    return out


def three_costs_items(doc: Disclosure) -> dict[str, Decimal]:
    """三公 item → yuan: total, abroad, vehicle, vehicle_purchase, vehicle_operation, reception."""
    abroad, purchase, operation, reception = doc.three_costs
    vehicle = purchase + operation
    return {"total": abroad + vehicle + reception, "abroad": abroad, "vehicle": vehicle,
            "vehicle_purchase": purchase, "vehicle_operation": operation, "reception": reception}


def summary_totals(doc: Disclosure) -> dict[tuple[str, str], Decimal]:
    """表1 (side, label) → yuan for the figures a reader of any layout must find."""
    total = doc.total.amounts[0]
    out = {("income", "一般公共预算拨款收入"): total, ("income", "本年收入合计"): total,
           ("expenditure", "本年支出合计"): total, ("income", "收入总计"): total, ("expenditure", "支出总计"): total}
    for r in doc.lei_rows():
        out[("expenditure", r.name)] = r.amounts[0]
    return out


def example() -> Disclosure:
    """A fixed disclosure: three 类, a leaf with every column, leaves with one kind of money only."""
    def y(s):
        return Decimal(s) * 10000
    rows = build_function_rows({
        "2080505": (y("548.86"), y(0), y(0)),
        "2080502": (y("169.12"), y("4.24"), y(0)),
        "2101202": (y(0), y(0), y("209551.00")),
        "2101550": (y("3936.38"), y("581.60"), y("95.75")),
        "2210201": (y("533.50"), y(0), y(0)),
    })
    personnel, public = rows[0].amounts[2], rows[0].amounts[3]
    econ = build_econ_rows({"30101": y("1373.28"), "30102": personnel - y("1373.28")},
                           {"30201": y("23.81"), "30239": public - y("23.81")})
    projects = (("提前下达中央财政城乡居民基本医疗保险补助中央直达资金", y("124524.00")),
                ("政府专项-城乡居民基本医疗保险补助", y("85027.00")), ("医保中心购买服务岗位补充经费", y("95.75")))
    perf = (PerfBlock(projects[2][0], projects[2][1], "加快推进医保经办服务窗口标准化建设。",
                      (Indicator("产出指标", "数量指标", "聘请服务人员数", ">=", "140", "人", "2024-12"),
                       Indicator("产出指标", "质量指标", "资金到位率", "=", "100", "%", "2024-12"),
                       Indicator("满意度指标", "服务对象满意度指标", "服务对象满意度", ">=", "90", "%", "2024-12"))),)
    return Disclosure("某市医疗保障事务服务中心", "某市医疗保障局", 2024, rows, econ,
                      (Decimal(0), Decimal(0), y("4.80"), y("0.85")), projects, perf)
