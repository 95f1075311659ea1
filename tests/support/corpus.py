"""A corpus of N distinct disclosures, the same for the same seed, with the facts each one states.

    write_corpus(folder, n, seed) -> list[Generated]

Each document is a ``support.docmodel.Disclosure`` built from ``random.Random(seed)``
(no hypothesis: the same seed gives the same bytes on every run) and printed by
``support.render`` in one of the layouts the samples are in (pdftotext stream, -layout,
tab-separated, one cell per line), in 万元 or 元.  Units and departments, regions,
years (2019–2026), 类/款/项 and economic codes, projects (中央 and 省 直达资金 among them),
performance indicators and every amount vary; amounts are multiples of 100 yuan (exact
in 万元), and the identities hold by construction (合计 = 基本 + 项目, a parent code =
Σ its children, Σ projects = 项目支出, 表6 = 基本支出).

Run as a script to write a corpus for the benchmarks or by hand:
``python tests/support/corpus.py DIR N [--seed S]``.
"""
from __future__ import annotations

import random
import sys
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make ``support`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from support.docmodel import (
    INDICATORS,
    LEI,
    PERSONNEL_ECON,
    PROJECT_NAMES,
    PUBLIC_ECON,
    STEP,
    Disclosure,
    Indicator,
    PerfBlock,
    build_econ_rows,
    build_function_rows,
    children,
)
from support.render import LAYOUTS, Quirks, render

CITIES = ("沈阳市", "大连市", "鞍山市", "抚顺市", "本溪市", "丹东市", "锦州市", "营口市", "阜新市", "辽阳市",
          "盘锦市", "铁岭市", "朝阳市", "葫芦岛市")
ORGANISATIONS = (("医疗保障事务服务中心", "医疗保障局"), ("医疗保险经办中心", "医疗保障局"),
                 ("疾病预防控制中心", "卫生健康委员会"), ("社会保险事业服务中心", "人力资源和社会保障局"),
                 ("民政事务服务中心", "民政局"))
MORE_PROJECTS = ("提前下达省财政城乡医疗救助直达资金", "下达中央财政医疗服务与保障能力提升补助资金",
                 "政府专项-城乡居民基本医疗保险补助", "提前下达中央财政城乡医疗救助补助中央直达资金")
GOALS = ("提高医保经办服务质量，确保资金使用效益。", "保障参保群众待遇及时足额支付。", "加快推进经办服务窗口标准化建设。")


@dataclass(frozen=True)
class Generated:
    """A written document: its file, what it states, how it is printed."""

    path: Path
    doc: Disclosure
    layout: str
    unit: str  # money unit of its tables: 万元 or 元


def _amount(rnd: random.Random, top: int = 9_999_999) -> Decimal:
    """0.01 … 99,999.99 万元 in yuan, or nothing (a third of the time)."""
    return Decimal(0) if rnd.random() < 1 / 3 else Decimal(rnd.randint(1, top)) * STEP


def _split(rnd: random.Random, total: Decimal, parts: int) -> list[Decimal]:
    """Exact partition of ``total`` (a multiple of STEP) into ``parts`` multiples of STEP."""
    cuts = sorted(rnd.randint(0, int(total / STEP)) for _ in range(parts - 1))
    bounds = [0, *cuts, int(total / STEP)]
    return [Decimal(bounds[i + 1] - bounds[i]) * STEP for i in range(parts)]


def _leaves(rnd: random.Random) -> dict[str, tuple[Decimal, Decimal, Decimal]]:
    """{7-digit code: (人员, 公用, 项目)} over 1–3 类, 1–2 款 each, 1–2 项 each; every leaf has money."""
    leaves = {}
    for lei in rnd.sample(LEI, rnd.randint(1, 3)):
        kuans = [k for k in children(lei) if children(k)]
        for kuan in rnd.sample(kuans, min(len(kuans), rnd.randint(1, 2))):
            xiangs = children(kuan)
            for xiang in rnd.sample(xiangs, min(len(xiangs), rnd.randint(1, 2))):
                amounts = (Decimal(0),) * 3
                while not any(amounts):
                    amounts = (_amount(rnd), _amount(rnd), _amount(rnd))
                leaves[xiang] = amounts
    return leaves


def random_disclosure(rnd: random.Random) -> Disclosure:
    """One consistent disclosure drawn from ``rnd``."""
    city = rnd.choice(CITIES)
    unit, department = rnd.choice(ORGANISATIONS)
    year = rnd.randint(2019, 2026)
    rows = build_function_rows(_leaves(rnd))
    personnel, public, project = rows[0].amounts[2], rows[0].amounts[3], rows[0].amounts[4]
    econ_p = rnd.sample(PERSONNEL_ECON, rnd.randint(1, 3))
    econ_u = rnd.sample(PUBLIC_ECON, rnd.randint(1, 3))
    econ = build_econ_rows(dict(zip(econ_p, _split(rnd, personnel, len(econ_p)))) if personnel else {},
                           dict(zip(econ_u, _split(rnd, public, len(econ_u)))) if public else {})
    projects: list[tuple[str, Decimal]] = []
    if project:
        names = rnd.sample(PROJECT_NAMES + MORE_PROJECTS, rnd.randint(1, 4))
        projects = [(n, a) for n, a in zip(names, _split(rnd, project, len(names))) if a]
    perf = tuple(_perf_block(rnd, n, a, year) for n, a in projects[:2])
    three = tuple(min(_amount(rnd), Decimal(2_000_000)) for _ in range(4))
    return Disclosure(unit=f"{city}{unit}", department=f"{city}{department}", year=year, function_rows=rows,
                      econ_rows=econ, three_costs=three, projects=tuple(projects), perf=perf)


def _perf_block(rnd: random.Random, name: str, amount: Decimal, year: int) -> PerfBlock:
    chosen = sorted(rnd.sample(INDICATORS, rnd.randint(1, 3)), key=INDICATORS.index)
    return PerfBlock(name, amount, rnd.choice(GOALS), tuple(Indicator(*i, deadline=f"{year}-12") for i in chosen))


def write_corpus(folder: Path, n: int, seed: int = 0) -> list[Generated]:
    """Write ``n`` documents into ``folder`` (created) → what each states; the same seed, the same files."""
    rnd = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(n):
        doc = random_disclosure(rnd)
        layout, unit = LAYOUTS[i % len(LAYOUTS)], rnd.choice(("万元", "元"))
        path = folder / f"generated-{seed}-{i:05d}-{layout}.txt"
        path.write_text(render(doc, layout, Quirks(unit=unit)), encoding="utf-8")
        out.append(Generated(path, doc, layout, unit))
    return out


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description="Write N generated disclosures into DIR.")
    parser.add_argument("folder", type=Path)
    parser.add_argument("n", type=int)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    print(f"{len(write_corpus(args.folder, args.n, args.seed))} documents written to {args.folder}")
