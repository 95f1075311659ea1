"""Project → 7-digit function code, inferred from exact sums.

Documents list projects (项目支出预算表) without their subject code, and the
project expenditure (项目支出) per function code in another table (表3 支出总表).
Each code's amount must equal the sum of a subset of the projects, the subsets
partitioning the projects.  ``infer_subject_codes(projects, lines)`` enumerates
the exact partitions (in cents) and asserts a code for a project only when every
partition puts it under the same code; otherwise it lists the candidates.

Subset sums are searched with bitset dynamic programming over amounts divided
by their greatest common divisor (a Python int is the bitset): prefix
reachability lets the search walk straight to the subsets that hit the target,
without dead ends.  Searches are capped; a capped search asserts nothing.
"""
from __future__ import annotations

from collections.abc import Iterator, Sequence
from decimal import Decimal
from math import gcd

from fundflow.core.model import BudgetLine, Inference, Project

MAX_PARTITIONS = 200  # beyond this the partition is far from unique: assert nothing
MAX_SUBSETS = 400  # subsets of one code explored per search node
MAX_NODES = 3000  # search nodes per unit (bounds the time; a capped search asserts nothing)
MAX_BITS = 1 << 30  # bitset memory guard: target width (amount / gcd) × items, in bits
_PREFERRED_TABLES = ("expenditure", "general_expenditure", "appropriation_expenditure", "function_budget")

RULE_UNIQUE = "exact-partition"
RULE_AMBIGUOUS = "exact-partition-ambiguous"
RULE_NONE = "no-exact-partition"


def cents(amount: Decimal) -> int:
    """Yuan → integer cents (amounts are exact to the cent)."""
    return int((amount * 100).to_integral_value())


def project_lines(lines: Sequence[BudgetLine]) -> dict[str, Decimal]:
    """Project expenditure per 7-digit function code, from one table only.

    Prefers the 支出总表 (it includes non-appropriation money such as 上年结转)
    over the 一般公共预算 tables; lines with a fund split are skipped.
    """
    usable = [b for b in lines if b.amount_type == "ProjectExpenditure" and b.code_scheme == "function"
              and len(b.code) == 7 and not b.ambiguous and b.fund_type in (None, "Total")]
    tables = sorted({(b.table_kind, b.table) for b in usable},
                    key=lambda t: (_PREFERRED_TABLES.index(t[0]) if t[0] in _PREFERRED_TABLES else 99, t[1]))
    if not tables:
        return {}
    kind, table = tables[0]
    out: dict[str, Decimal] = {}
    for b in usable:
        if (b.table_kind, b.table) == (kind, table) and b.amount:
            out.setdefault(b.code, b.amount)  # a table split over pages repeats no code
    return out


def _subsets(amounts: Sequence[int], items: Sequence[int], target: int) -> Iterator[tuple[int, ...]]:
    """Subsets of ``items`` (indices into ``amounts``) summing to ``target``, without dead ends.

    ``reach[i]`` has bit s set when s is a sum of a subset of the first i items.
    """
    # Only items that fit, smallest first: the bitsets stay as narrow as the sums so far.
    items = sorted((i for i in items if amounts[i] <= target), key=lambda i: amounts[i])
    mask = (1 << (target + 1)) - 1
    reach = [1]
    for i in items:
        reach.append((reach[-1] | (reach[-1] << amounts[i])) & mask)
    if not (reach[-1] >> target) & 1:
        return
    stack: list[tuple[int, int, tuple[int, ...]]] = [(len(items), target, ())]
    while stack:
        k, rest, chosen = stack.pop()
        if k == 0:
            yield chosen
            continue
        a = amounts[items[k - 1]]
        if (reach[k - 1] >> rest) & 1:
            stack.append((k - 1, rest, chosen))
        if rest >= a and (reach[k - 1] >> (rest - a)) & 1:
            stack.append((k - 1, rest - a, chosen + (items[k - 1],)))


def _partitions(amounts: list[int], targets: list[tuple[str, int]]) -> tuple[list[dict[int, str]], bool]:
    """Exact partitions of the items over the targets → (assignments, complete?).

    Codes are taken smallest amount first (they have the fewest subsets).
    ``complete`` is false when a cap was hit: the list may then miss partitions.
    """
    found: list[dict[int, str]] = []
    complete, nodes = True, 0

    def walk(items: tuple[int, ...], todo: list[tuple[str, int]], assigned: dict[int, str]) -> None:
        nonlocal complete, nodes
        nodes += 1
        if len(found) >= MAX_PARTITIONS or nodes > MAX_NODES:
            complete = False
            return
        if not todo:
            if not items:
                found.append(dict(assigned))
            return
        code, target = todo[0]
        if target * (len(items) + 1) > MAX_BITS:
            complete = False
            return
        for n, subset in enumerate(_subsets(amounts, items, target)):
            if n >= MAX_SUBSETS:
                complete = False
                break
            left = tuple(i for i in items if i not in subset)
            walk(left, todo[1:], assigned | dict.fromkeys(subset, code))

    walk(tuple(range(len(amounts))), sorted(targets, key=lambda t: t[1]), {})
    return found, complete


def _scaled(projects: Sequence[Project], codes: dict[str, Decimal]) -> tuple[list[int], list[tuple[str, int]]]:
    """Amounts in cents divided by their common divisor (narrower bitsets)."""
    raw = [cents(p.amount) for p in projects]
    tgt = [(c, cents(a)) for c, a in codes.items()]
    g = 0
    for x in raw + [t for _, t in tgt]:
        g = gcd(g, x)
    g = g or 1
    return [x // g for x in raw], [(c, t // g) for c, t in tgt]


def infer_subject_codes(projects: Sequence[Project], lines: Sequence[BudgetLine]) -> list[Inference]:
    """Projects of one unit + the budget lines of its document → one ``Inference`` per project.

    Projects with a printed code keep it (rule ``printed``).  Nothing is
    asserted when the amounts admit no exact partition, several partitions that
    disagree about a project, or when the search was capped.
    """
    codes = project_lines(lines)
    todo = [p for p in projects if not p.subject_code and p.amount > 0]
    out = {id(p): Inference(p, p.subject_code, (p.subject_code,), True, "printed")
           for p in projects if p.subject_code}
    amounts, targets = _scaled(todo, codes)
    feasible = bool(todo) and bool(codes) and sum(amounts) == sum(t for _, t in targets)
    found, complete = _partitions(amounts, targets) if feasible else ([], False)
    for i, p in enumerate(todo):
        seen = tuple(sorted({f[i] for f in found}))
        if len(seen) == 1 and complete:
            out[id(p)] = Inference(p, seen[0], seen, True, RULE_UNIQUE)
        else:
            out[id(p)] = Inference(p, None, seen, False, RULE_AMBIGUOUS if found else RULE_NONE)
    return [out.get(id(p)) or Inference(p, None, (), False, RULE_NONE) for p in projects]
