"""Classification tables (rows keyed by a function or economic code) → BudgetLines.

The columns come from the header wording (``data/header_maps.csv``: a new
province's header is a new row there); numbers of rows whose empty cells
were dropped are placed with the table's identities (``columns.py``).  A function table that
prints names and no code at all (``九、卫生健康支出`` / ``行政运行``) is kept as an ``UncodedTable``
until the document's code book is known; ``coded_by_names`` then gives its rows the codes of
their names (``named_codes``, marked inferred) and only then applies the column identities.
"""
from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from fundflow.core.errors import TableError
from fundflow.core.model import BudgetLine, RawRow, RawTable, SourceDocument, TableIssue
from fundflow.core.normalize import (
    clean_cell,
    compact,
    is_amount,
    is_code,
    is_org_name,
    is_total_label,
    normalize_code,
    parent_code,
    parse_amount,
    to_yuan,
)
from fundflow.core.resources import read_csv
from fundflow.loaders.titles import kinds_where
from fundflow.records.aligned import aligned_lines, code_scheme, names_function_subjects
from fundflow.records.columns import ColumnSpec, PlacedRow, place_row, resolve_table
from fundflow.records.concepts import column_roles
from fundflow.records.named_codes import CodeBook, UncodedRow, is_subject_name, resolve_names

CLASSIFICATION_KINDS = kinds_where("classification")
UNIT_KEY = "unit:"  # rows of a table by unit (收入/支出预算按单位分类汇总表, 表2 by unit)
NAME_KEY = "name:"  # a row that prints a name and no code, until the code book gives its code


@dataclass
class UncodedTable:
    """A text classification table that prints names and no codes, read as far as it can be
    before the document's code book is known: each row's numbers with their placements by the
    row identities.  ``coded_by_names`` finishes it (codes, then the column identities)."""

    table: RawTable
    spec: ColumnSpec
    placed: list[PlacedRow]
    meta: list[tuple[str, RawRow]]
    issues: list[TableIssue]
    money_unit: str | None


@dataclass(frozen=True)
class HeaderVariant:
    kinds: frozenset[str]
    requires: tuple[str, ...]
    excludes: tuple[str, ...]
    spec: ColumnSpec


@lru_cache(maxsize=1)
def header_variants() -> tuple[HeaderVariant, ...]:
    out = []
    for r in read_csv("header_maps.csv"):
        ids = tuple((int(a), tuple(int(x) for x in b.split("+")))
                    for a, b in (i.split("=") for i in r["identities"].split(";") if i))
        out.append(HeaderVariant(frozenset(r["kinds"].split()), tuple(r["requires"].split("+")),
                                 tuple(x for x in r["excludes"].split("+") if x),
                                 ColumnSpec(tuple(r["columns"].split("|")), ids)))
    return tuple(out)


def column_spec(table: RawTable) -> ColumnSpec:
    """The table's leaf columns, chosen by its kind and header wording.

    Raises ``TableError`` naming the headers seen when no variant matches.
    """
    head = compact("".join(table.header))
    fits = [v for v in header_variants()
            if table.kind in v.kinds and all(w in head for w in v.requires) and not any(w in head for w in v.excludes)]
    if not fits:
        raise TableError(f"{table.label} {table.title}: header not recognised ({head[:80]!r})",
                         hint="add its wording as a row of data/header_maps.csv")
    return max(fits, key=lambda v: sum(len(w) for w in v.requires)).spec


def distinct_meanings(table: RawTable, need: tuple[str, ...] = ()) -> bool:
    """The header paths a text table's columns were read with (``RawTable.header_paths``) can be trusted:
    every column that prints something means something, no two amount columns mean the same (a heading
    printed narrower than the columns it spans is read as part of one column's own text, and its other
    columns then repeat their neighbours' meaning), and the roles ``need`` names are there."""
    if not table.header_paths:
        return False
    roles = column_roles(table.header_paths, table.kind == "revenue")
    tokens = [c.token for c in roles if c.role == "amount"]
    printed = [any(i < len(r.cells) and clean_cell(r.cells[i]) for r in table.rows) for i in range(len(roles))]
    return (bool(tokens) and len(tokens) == len(set(tokens)) and all(r in {c.role for c in roles} for r in need)
            and all(c.role != "unknown" or not shown for c, shown in zip(roles, printed)))


def _segments(row: RawRow, multi: bool) -> list[list[str]]:
    """Split a row into (code, name, values…) groups; several when codes repeat side by side."""
    cells = [clean_cell(c) for c in row.cells]
    if not multi:
        return [cells]
    segs: list[list[str]] = [[]]
    for i, c in enumerate(cells):
        nxt = cells[i + 1] if i + 1 < len(cells) else ""
        if segs[-1] and is_code(c) and nxt and not is_amount(nxt):
            segs.append([])
        segs[-1].append(c)
    return segs


def _key_and_values(cells: list[str], aligned: bool) -> tuple[str, str, list[str]] | None:
    """cells → (code or "" for 合计, name, value cells); None for rows that are not code rows."""
    if not cells:
        return None
    first = cells[0]
    rest = cells[1:]
    if aligned and first == "" and rest and is_total_label(rest[0]):
        return "", compact(rest[0]), rest[1:]
    if is_total_label(first):
        return "", compact(first), rest
    skip = 1 if ((aligned and first == "") or re.fullmatch(r"\d{6}", compact(first))) and rest else 0
    label = re.sub(r"^\d{6}", "", compact(rest[0]) if skip else compact(first))
    if not is_code(first) and is_org_name(label) and not is_subject_name(label) and any(is_amount(c) for c in rest):
        return UNIT_KEY + label, label, rest[skip:]
    if not is_code(first):
        return None
    name = rest[0] if rest and not is_amount(rest[0]) else ""
    return normalize_code(first), compact(name), rest[1:] if name or (aligned and rest and rest[0] == "") else rest


def _values(cells: list[str], aligned: bool, ncols: int) -> tuple[list[Decimal | None], bool]:
    """Value cells → amounts; aligned rows keep positions (None = empty)."""
    vals: list[Decimal | None] = []
    for c in cells:
        c = clean_cell(c)
        if not c or c in ("-", "—", "－"):
            vals.append(None)
        elif is_amount(c):
            vals.append(parse_amount(c))
        else:
            raise ValueError(c)
    if aligned and len(vals) == ncols:
        return vals, True
    if aligned and len(vals) > ncols and all(v is None for v in vals[ncols:]):
        return vals[:ncols], True
    return [v for v in vals if v is not None], False


def table_to_budget_lines(doc: SourceDocument, table: RawTable, money_unit: str | None,
                          empty: frozenset[str] = frozenset()
                          ) -> list[BudgetLine | TableIssue | UncodedRow | UncodedTable]:
    """A classification table → BudgetLines (yuan) and TableIssues for what could not be placed.

    ``empty``: column tokens (fund names, CarryOver …) known to be zero in this
    document; numbers of dropped-cell rows are never placed there.
    """
    if table.columns:
        return list(aligned_lines(doc, table, money_unit))
    by_name = names_function_subjects(table.kind) and not code_rows_present(table)
    if by_name and not any(_named(_segments(row, False)[0]) for row in table.rows):
        by_name = False
    if not code_rows_present(table) and not _total_row_present(table) and not by_name:
        return []
    try:
        spec = column_spec(table)
    except TableError as err:
        if distinct_meanings(table):  # no wording row fits: read the
            # columns by what their headers mean
            return list(aligned_lines(doc, dataclasses.replace(table, columns=table.header_paths), money_unit))
        return [TableIssue(table.label, "unrecognised", str(err), doc.ref(table.first_line, table.last_line, table.label))]
    forbidden = frozenset(i for i, name in enumerate(spec.names) if set(name.split("/")) & empty)
    multi = compact("".join(table.header)).count("科目名称") > 1
    placed, meta, issues = [], [], []
    for row in table.rows:
        for cells in _segments(row, multi):
            kv = _key_and_values(cells, row.aligned)
            if kv is None and by_name:
                kv = _named(cells)
            if kv is None:
                continue
            code, name, raw = kv
            try:
                vals, known = _values(raw, row.aligned, len(spec.names))
            except ValueError as bad:
                issues.append(TableIssue(table.label, "unreadable", f"cannot read amount {bad} in {table.label} row {code or name}",
                                         doc.ref(row.first_line, row.last_line, table.label)))
                continue
            amounts = [v for v in vals if v is not None]  # a row not known aligned has no empty cells
            if known:
                cands = [tuple(i for i, v in enumerate(vals) if v is not None)]
            else:
                cands = place_row(amounts, spec, forbidden=forbidden) if amounts else [()]
            placed.append(PlacedRow(code, amounts, cands))
            meta.append((name, row))
    if any(pr.key.startswith(NAME_KEY) for pr in placed):
        if not any(pr.key.startswith(UNIT_KEY) for pr in placed):
            return [UncodedTable(table, spec, placed, meta, issues, money_unit)]
        # a table by unit whose units' subjects print no code: the subjects are not read, and it is said
        kept = [i for i, pr in enumerate(placed) if not pr.key.startswith(NAME_KEY)]
        left = [meta[i] for i in range(len(placed)) if i not in set(kept)]
        issues.append(TableIssue(table.label, "uncoded", f"{table.label} {table.title}: {len(left)} subject row(s) under "
                                 f"its units print no code and are not read (first: {left[0][0]}); the units' totals are",
                                 doc.ref(left[0][1].first_line, left[-1][1].last_line, table.label)))
        placed, meta = [placed[i] for i in kept], [meta[i] for i in kept]
    resolve_table(placed, lambda k: _parent(k), len(spec.names))
    if any(not pr.candidates or not pr.decided for pr in placed) and \
            distinct_meanings(table):
        # the wording's columns do not hold every row's numbers, the columns read off the text do
        return list(aligned_lines(doc, dataclasses.replace(table, columns=table.header_paths), money_unit))
    lines: list[BudgetLine | TableIssue | UncodedRow | UncodedTable] = []
    for pr, (name, row) in zip(placed, meta):
        lines.extend(_row_lines(doc, table, spec, pr, name, row, money_unit, issues))
    return lines + issues


def _named(cells: list[str]) -> tuple[str, str, list[str]] | None:
    """A row of a table that prints no code → (NAME_KEY, its name, value cells) when a name
    (not a figure, not a total) is followed by figures."""
    texts = [c for c in cells if clean_cell(c)]
    if len(texts) < 2 or is_amount(clean_cell(texts[0])) or is_total_label(texts[0]):
        return None
    values = cells[1:]
    if not any(is_amount(clean_cell(c)) for c in values):
        return None
    return NAME_KEY, compact(cells[0]), values


def coded_by_names(doc: SourceDocument, ut: UncodedTable, book: CodeBook) -> list[BudgetLine | TableIssue]:
    """An ``UncodedTable`` → BudgetLines whose codes are recovered from the row names
    (``named_codes.resolve_names``: the code book and the rows' order), marked inferred; then
    the column identities (a 类 = Σ its 款, 合计 = Σ 类) settle what the row identities left
    open, exactly as for a printed code.  A name given no code is reported and its figures left
    out (its row takes part in no sum)."""
    named = [i for i, pr in enumerate(ut.placed) if pr.key.startswith(NAME_KEY)]
    resolved = resolve_names([ut.meta[i][0] for i in named], book)
    issues = list(ut.issues)
    unplaced: set[int] = set()
    for i, res in zip(named, resolved):
        pr = ut.placed[i]
        if res.code:
            pr.key = res.code
            ut.meta[i] = (res.name, ut.meta[i][1])
        else:
            row = ut.meta[i][1]
            issues.append(TableIssue(ut.table.label, "uncoded", f"{ut.table.label} row {res.name!r} prints no code "
                                     f"and none was recovered: {res.reason}",
                                     doc.ref(row.first_line, row.last_line, ut.table.label)))
            pr.key = f"{NAME_KEY}{i}"
            unplaced.add(i)
    resolve_table(ut.placed, _parent, len(ut.spec.names))
    lines: list[BudgetLine | TableIssue] = []
    for i, (pr, (name, row)) in enumerate(zip(ut.placed, ut.meta)):
        if i in unplaced:
            continue
        got = _row_lines(doc, ut.table, ut.spec, pr, name, row, ut.money_unit, issues)
        lines.extend(dataclasses.replace(b, code_inferred=True) if i in named else b for b in got)
    return lines + issues


def _parent(code: str) -> str | None:
    if code == "" or code.startswith(NAME_KEY):
        return None
    if code.startswith(UNIT_KEY):
        return ""  # 合计 = Σ units
    return parent_code(code) if len(code) > 3 else ""


def _row_lines(doc, table, spec, pr: PlacedRow, name, row, money_unit, issues) -> list[BudgetLine]:
    ref = doc.ref(row.first_line, row.last_line, table.label)
    if not pr.candidates:
        issues.append(TableIssue(table.label, "unreadable",
                                 f"{table.label} row {pr.key or name}: numbers {', '.join(map(str, pr.values))} fit no column placement",
                                 ref))
        return []
    certain = pr.certain_columns()
    if not pr.decided:
        issues.append(TableIssue(table.label, "ambiguous",
                                 f"{table.label} row {pr.key or name}: {len(pr.candidates)} column placements fit the identities",
                                 ref))
    unit = pr.key[len(UNIT_KEY):] if pr.key.startswith(UNIT_KEY) else None
    code = "" if unit else pr.key
    scheme = code_scheme(code, table.kind)
    out = []
    for col, amount in pr.vector().items():
        kind = spec.names[col]
        if kind == "-":
            continue
        amount_type, _, fund = kind.partition("/")
        out.append(BudgetLine(table.label, table.kind or "", code, scheme, "合计" if unit else (name or "合计"),
                              amount_type, to_yuan(amount, table.money_unit or money_unit), ref, fund or None,
                              unit_name=unit, ambiguous=col not in certain))
    return out


def _total_row_present(table: RawTable) -> bool:
    return any(any(is_total_label(c) for c in row.cells[:2]) and any(is_amount(c) for c in row.cells)
               for row in table.rows)


def code_rows_present(table: RawTable) -> bool:
    """True when some row starts with a classification code (possibly after an empty cell)."""
    return any(any(is_code(clean_cell(c)) for c in row.cells[:2]) for row in table.rows)

