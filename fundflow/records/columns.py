"""A row's numbers and a table's columns → the numbers placed into columns when empty cells were dropped.

A row printed as ``548.86 548.86 548.86`` under the columns
合计 | 基本支出小计 | 人员经费 | 公用经费 | 项目支出 could be read several ways.
The table's own identities (合计 = 基本 + 项目, 基本 = 人员 + 公用) decide:
``place_row`` returns every order-preserving placement that satisfies them.
``resolve_table`` then uses the column identities between rows (a parent
code = Σ its children, the 合计 row = Σ top-level codes) to pick among the
placements of rows that are still ambiguous.  What stays ambiguous is
reported as such — never guessed silently.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from itertools import combinations, product
from math import comb

Placement = tuple[int, ...]  # column index of each value, increasing
MAX_PLACEMENTS = 200_000


@dataclass(frozen=True)
class ColumnSpec:
    """Leaf columns of a table and the row identities between them.

    ``identities``: (total column, (part columns…)) meaning total = Σ parts.
    """

    names: tuple[str, ...]
    identities: tuple[tuple[int, tuple[int, ...]], ...] = ()


def _holds(vec: dict[int, Decimal], spec: ColumnSpec, tol: Decimal) -> bool:
    for total, parts in spec.identities:
        lhs = vec.get(total)
        rhs = sum((vec[p] for p in parts if p in vec), Decimal(0))
        if lhs is None:
            if any(p in vec for p in parts) and rhs != 0:
                return False
            continue
        if abs(lhs - rhs) > tol * max(1, len(parts) - 1):
            return False
    return True


def place_row(values: list[Decimal], spec: ColumnSpec, tol: Decimal = Decimal("0.01"),
              forbidden: frozenset[int] = frozenset()) -> list[Placement]:
    """Values in printed order → every placement consistent with the identities.

    ``forbidden`` columns are known to be empty in this document (e.g. a fund
    the summary table shows as zero).  Returns [] when no placement fits (the
    row contradicts its identities) — the caller reports that.
    """
    n, k = len(spec.names), len(values)
    if k > n or comb(n, k) > MAX_PLACEMENTS:
        return []
    allowed = [i for i in range(n) if i not in forbidden]
    return [cols for cols in combinations(allowed, k) if _holds(dict(zip(cols, values)), spec, tol)]


def as_vector(values: list[Decimal], placement: Placement) -> dict[int, Decimal]:
    return dict(zip(placement, values))


@dataclass
class PlacedRow:
    """A row with its candidate placements (one = decided)."""

    key: str  # code ("" for the 合计 row)
    values: list[Decimal]
    candidates: list[Placement]

    @property
    def decided(self) -> bool:
        return len(self.candidates) == 1

    def vector(self) -> dict[int, Decimal]:
        return as_vector(self.values, self.candidates[0]) if self.candidates else {}

    def certain_columns(self) -> set[int]:
        """Columns whose value is the same in every candidate (present or absent)."""
        if not self.candidates:
            return set()
        vecs = [as_vector(self.values, c) for c in self.candidates]
        cols = set().union(*vecs)
        return {c for c in cols if len({v.get(c) for v in vecs}) == 1}


def _children(rows: list[PlacedRow], parent_of) -> dict[int, list[int]]:
    index = {r.key: i for i, r in enumerate(rows)}
    kids: dict[int, list[int]] = {}
    for i, r in enumerate(rows):
        p = parent_of(r.key)
        if p is not None and p in index and index[p] != i:
            kids.setdefault(index[p], []).append(i)
    return kids


def _family_holds(vecs: list[dict[int, Decimal]], ncols: int, tol: Decimal) -> bool:
    """vecs[0] is the parent, the rest its children: parent = Σ children in every column."""
    for c in range(ncols):
        total = vecs[0].get(c, Decimal(0))
        parts = sum((v.get(c, Decimal(0)) for v in vecs[1:]), Decimal(0))
        if abs(total - parts) > tol * max(1, len(vecs) - 1):
            return False
    return True


def resolve_table(rows: list[PlacedRow], parent_of, ncols: int, tol: Decimal = Decimal("0.01"),
                  max_combos: int = 4096) -> None:
    """Narrow ambiguous rows in place with the column identities parent = Σ children.

    Each family (a parent row and its child rows) keeps only the candidate
    combinations under which its sums hold; a row keeps the candidates that
    appear in some such combination (arc consistency, repeated to a fixpoint).
    A family whose sums hold under no combination is a discrepancy of the
    document and prunes nothing.  Nothing is chosen that the sums do not force.
    """
    kids = _children(rows, parent_of)
    changed = True
    while changed:
        changed = False
        for parent, children in kids.items():
            changed |= _narrow_family(rows, [parent] + children, ncols, tol, max_combos)


def _cents(row: PlacedRow, placement: Placement, ncols: int, sign: int) -> tuple[int, ...]:
    vec = as_vector(row.values, placement)
    return tuple(sign * int(vec.get(c, Decimal(0)) * 100) for c in range(ncols))


def _half_sums(rows, members, options, ncols, signs) -> dict[tuple[int, ...], list[tuple]]:
    sums: dict[tuple[int, ...], list[tuple]] = {}
    for combo in product(*options):
        total = [0] * ncols
        for i, cand, sign in zip(members, combo, signs):
            for c, v in enumerate(_cents(rows[i], cand, ncols, sign)):
                total[c] += v
        sums.setdefault(tuple(total), []).append(combo)
    return sums


def _exact_family_combos(rows, members, options, ncols) -> list[tuple]:
    """Meet in the middle: combinations under which parent = Σ children exactly (in cents).

    Used for families too large to enumerate (e.g. 16 economic items each
    either 人员经费 or 公用经费); rounding differences are not searched, so a
    family whose sums hold only up to rounding prunes nothing.
    """
    signs = [1] + [-1] * (len(members) - 1)
    half = len(members) // 2
    left = _half_sums(rows, members[:half], options[:half], ncols, signs[:half])
    right = _half_sums(rows, members[half:], options[half:], ncols, signs[half:])
    valid: list[tuple[int, ...]] = []
    for vec, rcombos in right.items():
        lcombos = left.get(tuple(-v for v in vec))
        if lcombos:
            valid.extend(lc + rc for lc in lcombos for rc in rcombos)
            if len(valid) > 100_000:
                return []
    return valid


def _narrow_family(rows: list[PlacedRow], members: list[int], ncols: int, tol: Decimal, max_combos: int) -> bool:
    options = [rows[i].candidates or [()] for i in members]
    count = 1
    for o in options:
        count *= len(o)
    if count == 1:
        return False
    if count <= max_combos:
        valid = [combo for combo in product(*options)
                 if _family_holds([as_vector(rows[i].values, c) for i, c in zip(members, combo)], ncols, tol)]
    elif count <= max_combos ** 2:
        valid = _exact_family_combos(rows, members, options, ncols)
    else:
        return False
    if not valid:
        return False
    changed = False
    for pos, i in enumerate(members):
        keep = sorted({combo[pos] for combo in valid})
        if rows[i].candidates and len(keep) < len(rows[i].candidates):
            rows[i].candidates = keep
            changed = True
    return changed
