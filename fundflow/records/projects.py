"""Project tables (项目支出预算表) → Project records.

``table_to_projects(doc, table, ctx)`` reads rows
``[unit name?, project name, description…, 总计, 本年收入合计, 一般公共预算, …]``.
The project amount is the first amount (总计 / 合计); the other amounts are
placed in the columns named by the header wording (``data/project_columns.csv``)
with the table's identities (总计 = 本年收入 + 上年结转, each group's 合计 = Σ its
funds) and, for rows that stay ambiguous, the column sums of the 合计 row.
合计 rows and unit rows (a unit's subtotal over its projects) are not projects.
A row whose name was lost (``……``) keeps its amounts, with a name derived
from its description (``label_derived=True``).

``merge_projects(records)`` merges the same project found in a project table
and in a performance table of the same document.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal

from fundflow.core.model import Project, RawRow, RawTable, Record, SourceDocument, TableIssue
from fundflow.core.normalize import (
    clean_cell,
    compact,
    display_name,
    is_amount,
    is_org_name,
    is_total_label,
    parse_amount,
    step_of,
    to_yuan,
)
from fundflow.core.terms import column_words
from fundflow.records.aligned_projects import aligned_projects
from fundflow.records.classification import distinct_meanings
from fundflow.records.columns import ColumnSpec, PlacedRow, place_row, resolve_table
from fundflow.records.context import TableContext
from fundflow.records.narrative_projects import TABLE as PROSE

_STEM = re.compile(r"(?:项目)?(?:经费|资金)?$")
_FILLER = re.compile(r"^[\s　…\.·—\-/]*$")
_PROSE = re.compile(r"[。；：;:]|^安排|^[一二三四五六七八九十]、|^\d+[.、]")
DERIVED_PREFIX = "（无名称）"
DERIVED_LENGTH = 11


def header_columns(header: tuple[str, ...]) -> ColumnSpec:
    """Header lines → amount columns (``Total``, ``CurrentYear.GeneralPublicBudget`` …) and identities.

    Returns an empty ColumnSpec when no column wording is recognised.
    """
    words = column_words()
    pattern = re.compile("|".join(re.escape(w[1]) for w in words))
    lookup = {w[1]: (w[0], w[2]) for w in words}
    tokens = [lookup[m.group(0)] for m in pattern.finditer(compact("".join(header)))]
    groups = [key for role, key in tokens if role == "group"]
    cells = [(role, key) for role, key in tokens if role != "group"]
    if not groups:
        names = tuple(key for _, key in cells)
        ids = ((0, tuple(range(1, len(names)))),) if len(names) > 1 and cells[0][0] == "total" else ()
        return ColumnSpec(names, ids)
    leaves: list[str] = ["Total"]
    parts: list[tuple[int, tuple[int, ...]]] = []
    top_parts: list[int] = []
    runs: list[list[str]] = []
    for role, key in cells[1:] if cells and cells[0][0] == "total" else cells:
        if role == "total" or not runs:
            runs.append([])
        runs[-1].append(key)
    for gi, run in enumerate(runs):
        group = groups[gi] if gi < len(groups) else f"Group{gi + 1}"
        start = len(leaves)
        leaves += [f"{group}.{key}" for key in run]
        top_parts.append(start)
        parts.append((start, tuple(range(start + 1, len(leaves)))))
    return ColumnSpec(tuple(leaves), ((0, tuple(top_parts)), *parts))


def _split_row(row: RawRow, ncols: int) -> tuple[list[str], list[str]]:
    """Row cells → (label cells, amount cells as printed)."""
    if row.aligned and ncols and len(row.cells) > ncols:
        labels, amounts = list(row.cells[:-ncols]), list(row.cells[-ncols:])
        return [c for c in labels if not _FILLER.match(c)], amounts
    labels = [c for c in row.cells if not is_amount(c) and not _FILLER.match(c)]
    return labels, [c for c in row.cells if is_amount(c)]


def _is_name(text: str) -> bool:
    t = compact(text)
    return 0 < len(t) <= 60 and not _PROSE.search(t)


def _looks_unit(text: str, known: set[str]) -> bool:
    t = compact(text)
    return t in known or (is_org_name(t) and len(t) <= 30)


def derive_name(descriptions: list[str]) -> str:
    """Description cells of a nameless row → ``（无名称）`` + a short prefix of the last description."""
    texts = [compact(d).lstrip("…. ") for d in descriptions if compact(d).lstrip("…. ")]
    if not texts:
        return DERIVED_PREFIX
    text = texts[-1]
    return f"{DERIVED_PREFIX}{text[:DERIVED_LENGTH]}{'…' if len(text) > DERIVED_LENGTH else ''}"


class _Row:
    """A body row read as (unit?, name, descriptions, amounts)."""

    def __init__(self, row: RawRow, labels: list[str], amounts: list[Decimal], aligned: bool) -> None:
        self.raw, self.labels, self.amounts, self.aligned = row, labels, amounts, aligned
        self.unit: str | None = None


def _read_rows(table: RawTable, spec: ColumnSpec, unit_money: str | None) -> tuple[list[_Row], _Row | None]:
    """Body rows → (candidate rows, the 合计 row or None); rows without amounts are dropped."""
    rows, total = [], None
    for raw in table.rows:
        labels, printed = _split_row(raw, len(spec.names))
        amounts = [to_yuan(parse_amount(c), unit_money) if is_amount(c) else None for c in printed]
        if not any(a is not None for a in amounts):
            continue
        r = _Row(raw, labels, amounts, raw.aligned and len(printed) == len(spec.names))  # type: ignore[arg-type]
        if any(is_total_label(c, subtotal=True) for c in labels):
            total = r
        else:
            rows.append(r)
    return rows, total


def _drop_unit_rows(rows: list[_Row], known_units: set[str], step: Decimal) -> list[_Row]:
    """Remove unit subtotal rows; tag each project with the unit of its block.

    ``step``: the rounding of one printed figure, in yuan (``step_of`` the table's money unit).
    """
    out, unit = [], None
    for i, r in enumerate(rows):
        first = next(a for a in r.amounts if a is not None)
        if len(r.labels) == 1 and _looks_unit(r.labels[0], known_units) and _sums_following(rows, i, first, step):
            unit = display_name(r.labels[0])
            continue
        if len(r.labels) >= 2 and _looks_unit(r.labels[0], known_units) and _is_name(r.labels[1]):
            unit = display_name(r.labels[0])
            r.labels = r.labels[1:]
        r.unit = unit
        out.append(r)
    return out


def _sums_following(rows: list[_Row], i: int, amount: Decimal, step: Decimal) -> bool:
    running = Decimal(0)
    for r in rows[i + 1:]:
        running += next(a for a in r.amounts if a is not None)
        if abs(running - amount) <= step:
            return True
    return False


def _placements(rows: list[_Row], total: _Row | None, spec: ColumnSpec, step: Decimal,
                empty: frozenset[str] = frozenset()) -> list[PlacedRow]:
    """Candidate column placements per row, narrowed by the 合计 row's column sums.

    ``step``: the rounding of one printed figure, in yuan.  ``empty``: funds the
    document shows as zero (see summary.empty_funds); no number is placed in their columns.
    """
    forbidden = frozenset(i for i, name in enumerate(spec.names) if set(re.split(r"[./]", name)) & empty)
    placed = []
    for i, r in enumerate([total] + rows if total else rows):
        values = [a for a in r.amounts if a is not None]
        if r.aligned:
            cands = [tuple(j for j, a in enumerate(r.amounts) if a is not None)]
        else:
            cands = place_row(values, spec, tol=step, forbidden=forbidden)
        placed.append(PlacedRow("" if (total and i == 0) else f"p{i}", values, cands))
    if total:
        resolve_table(placed, lambda k: "" if k else None, len(spec.names), tol=step)
        _narrow_by_group_totals(placed[0], placed[1:], spec, step)
    return placed[1:] if total else placed


def _coarse(pr: PlacedRow, cand: tuple[int, ...], cols: tuple[int, ...]) -> tuple[Decimal, ...]:
    vec = dict(zip(cand, pr.values))
    return tuple(vec.get(c, Decimal(0)) for c in cols)


def _narrow_by_group_totals(total: PlacedRow, rows: list[PlacedRow], spec: ColumnSpec, step: Decimal) -> None:
    """Decide each row's split over the group totals (本年收入 / 上年结转) from the 合计 row's sums.

    Funds inside a group are symmetric for the sums and stay undecided; the
    split between groups is kept only when exactly one combination fits.
    """
    cols = tuple(sorted({0} | {parent for parent, _ in spec.identities}))
    targets = {_coarse(total, c, cols) for c in total.candidates}
    options = [sorted({_coarse(r, c, cols) for c in r.candidates}) for r in rows]
    if len(targets) != 1 or all(len(o) <= 1 for o in options) or any(not o for o in options):
        return
    slack = step * len(options)
    solutions: list[list[tuple[Decimal, ...]]] = []

    def search(i: int, residual: tuple[Decimal, ...], chosen: list) -> None:
        if len(solutions) > 1:
            return
        if i == len(options):
            if all(abs(x) <= slack for x in residual):
                solutions.append(list(chosen))
            return
        for opt in options[i]:
            nxt = tuple(a - b for a, b in zip(residual, opt))
            if all(x >= -slack for x in nxt):
                search(i + 1, nxt, chosen + [opt])

    if sum(len(o) > 1 for o in options) <= 24:  # 2^24 at worst; pruned by the residual in practice
        search(0, targets.pop(), [])
    if len(solutions) == 1:
        for r, want in zip(rows, solutions[0]):
            r.candidates = [c for c in r.candidates if _coarse(r, c, cols) == want]


def _project(doc: SourceDocument, table: RawTable, r: _Row, pr: PlacedRow, spec: ColumnSpec) -> tuple[Project, bool]:
    """A read row → (Project, whether some of its amounts stayed without a column)."""
    names = [c for c in r.labels if not _FILLER.match(c)]
    named = bool(names) and _is_name(names[0])
    name = display_name(names[0]) if named else derive_name(names)
    ref = doc.ref(r.raw.first_line, r.raw.last_line, table=table.label)
    certain = pr.certain_columns() if spec.names else set()
    vec = pr.vector()
    columns = tuple((spec.names[j], vec[j]) for j in sorted(certain) if j in vec)
    if not spec.names:
        columns = tuple((f"col{j + 1}", v) for j, v in enumerate(pr.values))
    desc = names[1:] if named else names
    project = Project(name=name, amount=pr.values[0], ref=ref, table=table.label, unit_name=r.unit,
                      columns=columns, description="\n".join(clean_cell(d) for d in desc) or None,
                      label_derived=not named)
    return project, bool(spec.names) and len(columns) < len(pr.values)


def table_to_projects(doc: SourceDocument, table: RawTable, ctx: TableContext) -> list[Project | TableIssue]:
    """A 项目支出预算表 RawTable → one Project per project row (amounts in yuan), plus TableIssues."""
    if table.illegible:
        ref = doc.ref(table.first_line, table.last_line, table.label)
        return [TableIssue(table.label, "illegible", f"{table.title} could not be read", ref)]
    if table.columns:
        return aligned_projects(doc, table, table.money_unit or ctx.money_unit)
    if distinct_meanings(table, need=("project",)):  # text whose columns' headers say what they hold
        return aligned_projects(doc, replace(table, columns=table.header_paths),
                                table.money_unit or ctx.money_unit)
    spec = header_columns(table.header)
    known = {compact(x) for x in (table.unit_name, ctx.unit_name, ctx.department) if x}
    money = table.money_unit or ctx.money_unit
    rows, total = _read_rows(table, spec, money)
    rows = _drop_unit_rows(rows, known, step_of(money))
    out: list[Project | TableIssue] = []
    if not spec.names and rows:
        out.append(TableIssue(table.label, "unrecognised", f"column headers of {table.title} not recognised: "
                              f"{compact(''.join(table.header))[:60]}", doc.ref(table.first_line, table.first_line, table.label)))
    undecided = []
    for r, pr in zip(rows, _placements(rows, total, spec, step_of(money), ctx.empty_funds)):
        project, unsure = _project(doc, table, r, pr, spec)
        out.append(project)
        undecided += [project.name] if unsure else []
    if undecided:
        out.append(TableIssue(table.label, "ambiguous", f"fund columns of {len(undecided)} projects not decided by the "
                              f"identities (e.g. {undecided[0]})", doc.ref(table.first_line, table.last_line, table.label)))
    return out


def merge_projects(records: Sequence[Record]) -> list[Record]:
    """Records → the same list with duplicate Projects merged.

    Two Projects with the same compacted name and unit (or no unit on one side)
    are one project: the one with funding columns (the project table) is kept,
    with department / unit / description filled from the other.
    """
    kept: list[Record] = []
    index: dict[str, int] = {}
    prose = [r for r in records if isinstance(r, Project) and r.table == PROSE]
    for rec in records:
        if not isinstance(rec, Project) or rec.table == PROSE:
            if not isinstance(rec, Project):
                kept.append(rec)
            continue
        key = compact(rec.name)
        j = index.get(key)
        if j is None or not isinstance(seen := kept[j], Project) or (
                seen.unit_name and rec.unit_name and seen.unit_name != rec.unit_name):
            index[key] = len(kept)
            kept.append(rec)
            continue
        kept[j] = _merge_two(seen, rec)
    return _fold_prose(kept, prose)


def _stem(name: str) -> str:
    """A project name without its trailing 项目/经费/资金 (``科技创新专项经费`` → ``科技创新专项``)."""
    return _STEM.sub("", compact(name))


def _fold_prose(kept: list[Record], prose: list[Project]) -> list[Record]:
    """Projects described in prose join the table's project of the same name (one record), else are added."""
    for rec in prose:
        same = next(((i, k) for i, k in enumerate(kept) if isinstance(k, Project) and _stem(k.name) == _stem(rec.name)
                     and not (k.unit_name and rec.unit_name and k.unit_name != rec.unit_name)), None)
        if same is None:
            kept.append(rec)
        else:
            kept[same[0]] = _merge_two(same[1], rec)
    return kept


def _merge_two(a: Project, b: Project) -> Project:
    main, other = (a, b) if a.columns or not b.columns else (b, a)
    return replace(main, unit_name=main.unit_name or other.unit_name, department=main.department or other.department,
                   description=main.description or other.description,
                   prose_ref=main.prose_ref or other.prose_ref or (other.ref if other.table == PROSE else None),
                   executed_amount=main.executed_amount if main.executed_amount is not None else other.executed_amount)
