"""Typed intermediate records of the pipeline (SourceDocument → RawTable → records): what each stage gives the next.

Every stage hands the next one frozen dataclasses from this module:

    Path --read_document--> SourceDocument
         --Loader.parse-->  RawTable (cells as printed, never interpreted)
         --table_to_records--> DocumentMeta / BudgetLine / Project / Indicator / ...

Money is always a ``Decimal`` in yuan (converted from 万元 once, in the records
stage).  Every record carries a ``SourceRef`` pointing at the lines of the
original file it came from (1-based, inclusive).
"""
from __future__ import annotations

import bisect
import dataclasses
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar


@dataclass(frozen=True)
class SourceRef:
    """Where a record comes from: file name, its sha256, table, line span and (for paged input) page."""

    document: str
    sha256: str
    first_line: int
    last_line: int
    table: str | None = None
    page: int | None = None

    def __str__(self) -> str:
        return f"{self.document}:p{self.page}:L{self.first_line}" if self.page else f"{self.document}:L{self.first_line}"


@dataclass(frozen=True)
class Grid:
    """A table as a grid of cells, read from a format that knows its cells (PDF geometry, HTML, XLSX).

    ``rows`` are the grid's rows top to bottom, each the same width; a cell is its text
    as printed (lines inside a cell joined with "\n"), ``""`` when empty, and ``None``
    when a merged cell to its left or above covers it.  ``lines`` gives, per row, the
    (first, last) document line it was printed on.  ``page`` is the 1-based page (PDF) or
    sheet number (XLSX), None for a web page.  ``spans`` lists the merged cells as
    (row, column, rows spanned, columns spanned) of the position holding their text
    (HTML rowspan/colspan, XLSX merged ranges, PDF cell boxes).  Nothing in a grid is interpreted.
    """

    rows: tuple[tuple[str | None, ...], ...]
    lines: tuple[tuple[int, int], ...]
    page: int | None = None
    spans: tuple[tuple[int, int, int, int], ...] = ()

    @property
    def first_line(self) -> int:
        return self.lines[0][0] if self.lines else 1

    @property
    def last_line(self) -> int:
        return self.lines[-1][1] if self.lines else 1


@dataclass(frozen=True)
class SourceDocument:
    """A decoded document: its lines without line terminators (index 0 = line 1).

    ``format`` is how it was read: ``text``, ``pdf``, ``html`` or ``xlsx``.  For a PDF the
    lines are the words of each page rebuilt into lines, for a web page its visible text,
    for a workbook its cells row by row; ``grids`` are the tables the format itself marks
    out (ruled PDF tables, ``<table>`` markup, sheets) and ``page_starts`` the first line of
    each page or sheet (1-based), so that a line's page is known.
    """

    path: str
    name: str
    sha256: str
    encoding: str
    lines: tuple[str, ...]
    format: str = "text"
    grids: tuple[Grid, ...] = ()
    page_starts: tuple[int, ...] = ()
    damage: tuple[tuple[int, int], ...] = ()  # undecodable bytes read as U+FFFD: (byte offset, line)
    ocr: bool = False  # a scan whose text was read by OCR from the page images, not printed text

    def page_of(self, line: int) -> int | None:
        """The 1-based page a 1-based line is on; None for input without pages."""
        return bisect.bisect_right(self.page_starts, line) or None if self.page_starts else None

    def ref(self, first_line: int, last_line: int | None = None, table: str | None = None) -> SourceRef:
        return SourceRef(self.name, self.sha256, first_line, last_line or first_line, table, self.page_of(first_line))


@dataclass(frozen=True)
class RawRow:
    """One logical table row as printed.

    ``cells`` are the cell texts in reading order.  When ``aligned`` is true the
    loader knows each cell's column (empty cells are kept as ""); when false,
    empty cells were dropped by the converter and the records stage must place
    the numbers into columns itself (with the table's identities).
    """

    cells: tuple[str, ...]
    first_line: int
    last_line: int
    aligned: bool = False


@dataclass(frozen=True)
class RawTable:
    """A table block found in a document; nothing in it is interpreted.

    ``kind`` is a key of ``data/table_kinds.csv`` (e.g. ``expenditure``
    for 支出预算总表) or None when the title is not recognised.  ``header`` holds
    the header text lines as printed; ``rows`` the body.  ``illegible`` marks a
    table the converter could not read (``[illegible]``).  ``columns`` is set by loaders that
    know the grid (PDF geometry, HTML, XLSX): per column, the header cells above it from the
    top joined with ``/`` (``基本支出/人员经费``), and then every row is ``aligned`` to them.
    ``header_paths`` is the same read off text by the blanks' positions (``pdftotext -layout``),
    set when every row could be aligned to those columns: the records stage reads the table by
    them when its header wording is in no row of ``data/header_maps.csv``.
    """

    kind: str | None
    number: str | None
    title: str
    money_unit: str | None
    header: tuple[str, ...]
    rows: tuple[RawRow, ...]
    first_line: int
    last_line: int
    illegible: bool = False
    unit_name: str | None = None
    columns: tuple[str, ...] = ()
    header_paths: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return f"表{self.number}" if self.number else self.title


# ---------------------------------------------------------------- records


@dataclass(frozen=True)
class UnitInfo:
    """A budget unit as printed: ``578002 沈阳市医疗保障事务服务中心-210100000``."""

    name: str
    code: str | None = None
    region_code: str | None = None


@dataclass(frozen=True)
class DocumentMeta:
    """What a document is: who published it, for which year, which kind."""

    title: str
    fiscal_year: int | None
    kind: str  # "budget" | "final_accounts"
    scope: str  # "department" (部门) | "unit" (单位)
    department: str | None
    units: tuple[UnitInfo, ...]
    money_unit: str | None  # "万元" | "元" as printed in most tables
    region: str | None = None  # e.g. 沈阳市 / 辽宁省 / 上海市普陀区
    region_code: str | None = None
    ref: SourceRef | None = None
    province: str | None = None  # the province the text names most (辽宁省), when the region does not say


@dataclass(frozen=True)
class BudgetLine:
    """One amount of one classification row in one column of one table.

    ``code_scheme``: ``function`` (支出功能分类), ``econ_dept`` (部门预算经济分类,
    3xx) or ``econ_gov`` (政府预算经济分类, 5xx).  ``amount_type`` is the
    column's meaning (Total, Basic, Personnel, Public, ProjectExpenditure,
    CarryOver, Executed …); ``fund_type`` the fund column when the table splits
    by fund (GeneralPublicBudget, GovernmentFund, StateCapital, SpecialAccount,
    UnitFunds …) or None.  ``ambiguous`` is true when the identities could not
    decide which column a dropped-cell number belongs to.
    """

    table: str
    table_kind: str
    code: str  # normalised: "2101202", "" for the 合计 row
    code_scheme: str
    name: str
    amount_type: str
    amount: Decimal
    ref: SourceRef
    fund_type: str | None = None
    unit_name: str | None = None
    unit_code: str | None = None
    ambiguous: bool = False
    derived: bool = False  # not printed: the sum of printed children (a 类 of a table that prints only 项)
    code_inferred: bool = False  # the row printed a name, no code: the code was recovered from the name


@dataclass(frozen=True)
class TableTotal:
    """A labelled amount of a summary table (表1/表4/公开01表 …)."""

    table: str
    table_kind: str
    side: str  # "income" | "expenditure"
    label: str
    amount: Decimal
    ref: SourceRef
    column: str = "Total"


@dataclass(frozen=True)
class ThreeCosts:
    """One item of the “三公”经费 table.

    ``item``: total | abroad | vehicle | vehicle_purchase | vehicle_operation |
    reception; with 会议费/培训费 columns also grand_total | meeting | training;
    ``operating_costs`` is 机关运行经费 printed beside the 三公 columns
    (Shanghai's 三公经费和机关运行经费预算表).  ``basis``: budget | actual.  ``year`` is the year the column
    is for (e.g. 2023预算数 next to 2024预算数).  ``unit_name`` names the unit of a table printed
    by unit; None for the document's own (合计) figures.
    """

    table: str
    year: int | None
    basis: str
    item: str
    amount: Decimal
    ref: SourceRef
    unit_name: str | None = None


@dataclass(frozen=True)
class Project:
    """A project (项目) with its amount and funding columns.

    ``amount`` is the budget (总计/预算资金/项目预算金额); ``executed_amount``
    the 决算 全年执行数.  ``label_derived`` is true when the printed name was lost
    (``……``) and ``name`` was derived from the description.
    """

    name: str
    amount: Decimal
    ref: SourceRef
    table: str
    unit_name: str | None = None
    unit_code: str | None = None
    department: str | None = None
    executed_amount: Decimal | None = None
    columns: tuple[tuple[str, Decimal], ...] = ()
    description: str | None = None
    label_derived: bool = False
    subject_code: str | None = None  # only when the document prints it
    prose_ref: SourceRef | None = None  # a table's project the 说明 also states (项目经费情况说明): where


@dataclass(frozen=True)
class IndicatorValues:
    """What an indicator row prints beside its names: target, deadline, actual, weight, score; None where not printed."""

    operator: str | None = None  # ">=", "<=", "=", ">", "<" or None
    target_value: Decimal | None = None
    target_text: str | None = None
    measure_unit: str | None = None
    deadline: str | None = None
    actual_value: Decimal | None = None
    actual_text: str | None = None
    weight: Decimal | None = None
    score: Decimal | None = None

    def values(self) -> dict[str, Any]:
        """The printed values by field name (to build an ``Indicator`` from a row's parts)."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(IndicatorValues)}


@dataclass(frozen=True, kw_only=True)
class Indicator(IndicatorValues):
    """A performance indicator (绩效指标) of a project or of a unit as a whole: its names, where it is
    printed and, from ``IndicatorValues``, what it prints."""

    name: str  # 三级指标
    ref: SourceRef
    table: str
    level1: str | None = None
    level2: str | None = None
    project: str | None = None  # project name; None = the unit as a whole
    unit_name: str | None = None


@dataclass(frozen=True)
class NarrativeFact:
    """An amount stated in the prose (说明): ``收入预算 1,681.43 万元``.

    ``text`` is its sentence, ``sentence`` that sentence's ordinal in the prose and
    ``position`` where the amount starts in it; ``qualifier`` is the money the statement
    speaks of (一般公共预算 / 财政拨款 / 政府性基金, named before the amount in its sentence or by
    its section's heading), "" when none is named.  ``part_of``: for an amount a list states as
    a part of another (``支出预算 1,681.43 万元，其中基本支出 1,606.73 万元，项目支出 74.70 万元``),
    the (sentence, position) of that whole; ``listed_at`` the position in its sentence where its list
    starts; ``complete`` whether the list gives every part (``包括：``) or may give some (``其中``,
    ``主要包括``).
    """

    topic: str
    amount: Decimal
    printed_unit: str
    text: str
    ref: SourceRef
    sentence: int = 0
    position: int = 0
    qualifier: str = ""
    part_of: tuple[int, int] | None = None
    listed_at: int = 0
    complete: bool = False


@dataclass(frozen=True)
class NarrativeChange:
    """A year-over-year change stated in the prose: ``比上年增加 1.23 万元，增加 0.73%``.

    ``delta`` in yuan, signed (negative for 减少 / 下降); ``printed_delta`` as printed in
    ``printed_unit``; ``sentence`` / ``position`` as for ``NarrativeFact`` (where the statement starts).
    """

    subject: str
    delta: Decimal
    printed_delta: Decimal
    printed_unit: str
    pct: Decimal
    sentence: int
    position: int
    ref: SourceRef


@dataclass(frozen=True)
class NarrativeShare:
    """A share stated in the prose: ``5,251.22 万元，占收入总计的 48.70%`` (``amount`` in yuan)."""

    amount: Decimal
    printed_unit: str
    whole: str
    pct: Decimal
    ref: SourceRef


@dataclass(frozen=True)
class Procurement:
    """One item of a 政府采购 or 政府购买服务 table.

    ``kind``: ``procurement`` (政府采购支出预算表) or ``purchase_services``
    (政府购买服务支出预算表).  ``item`` is the 采购品目 / 购买服务项目 name (the
    project name when the table prints no item column); ``amount`` the row's
    总计 in yuan.  ``category`` is 货物/工程/服务 or the 指导目录 code and name;
    ``project`` the 项目/专项 name when the table prints it readably.
    """

    table: str
    kind: str
    item: str
    amount: Decimal
    ref: SourceRef
    project: str | None = None
    category: str | None = None
    unit_name: str | None = None
    columns: tuple[tuple[str, Decimal], ...] = ()


ISSUE_KINDS = {
    "illegible": "a table whose text is illegible in the source",
    "unreadable": "an amount or a row of a table that could not be read into its columns",
    "ambiguous": "a row whose numbers fit more than one column placement",
    "unrecognised": "a table of no known kind, or whose column headers were not recognised",
    "skipped": "a table of a kind that is not read yet",
    "uncoded": "a row with no subject code printed or recovered from its name",
    "column": "header columns not understood, left out",
    "damaged": "lines whose bytes are damaged (invalid in the document's encoding)",
    "ocr": "figures read by OCR from a scan",
}
"""What a ``TableIssue`` says went wrong, by kind (``ff:issueKind``; the SHACL shapes allow these)."""


@dataclass(frozen=True)
class TableIssue:
    """A table that could not be read, or a row that could not be placed; ``kind`` one of ``ISSUE_KINDS``."""

    table: str
    kind: str
    message: str
    ref: SourceRef

    def __post_init__(self) -> None:
        if self.kind not in ISSUE_KINDS:
            raise ValueError(f"unknown table issue kind {self.kind!r}: add it to core.model.ISSUE_KINDS and the shapes")


@dataclass(frozen=True)
class SubjectName:
    """A subject (科目) name of a closed edition of the code book printed on one line of the document
    (a table's row or the prose): ``医疗卫生与计划生育支出``, the name of 210 until 2018."""

    code: str
    name: str
    until: int  # the last year the name was in the code book
    ref: SourceRef


Record = (BudgetLine | TableTotal | ThreeCosts | Project | Indicator | Procurement | NarrativeFact | NarrativeChange
          | NarrativeShare | SubjectName | TableIssue)
"""What the records stage gives for a document (``ParsedDocument.records``): one of the record classes."""

R = TypeVar("R")


@dataclass(frozen=True)
class ParsedDocument:
    """Everything the loaders read from one document."""

    source: SourceDocument
    loader: str
    meta: DocumentMeta
    tables: tuple[RawTable, ...]
    records: tuple[Record, ...] = field(default_factory=tuple)

    def of(self, cls: type[R]) -> list[R]:
        """The records of one class, in document order."""
        return [r for r in self.records if isinstance(r, cls)]


def to_jsonable(obj: Any) -> Any:
    """Records → JSON-friendly dicts (Decimal as string, type name in ``_type``)."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        out = {"_type": type(obj).__name__}
        for f in dataclasses.fields(obj):
            if f.name == "lines":
                continue
            out[f.name] = to_jsonable(getattr(obj, f.name))
        return out
    if isinstance(obj, Decimal):
        return str(obj)
    if isinstance(obj, (list, tuple)):
        return [to_jsonable(x) for x in obj]
    if isinstance(obj, dict):
        return {k: to_jsonable(v) for k, v in obj.items()}
    return obj


# ---------------------------------------------------------------- funding analysis


@dataclass(frozen=True)
class Funding:
    """Where a project's money comes from, read from its name and the document.

    ``level``: Central | Provincial | Municipal | County.  The source is the
    treasury (财政) of that level on the document's region chain, e.g.
    中央财政 / 辽宁省财政 / 沈阳市财政.  ``rules`` are the ids of every rule
    of ``data/funding_rules.csv`` that fired (provenance).
    """

    level: str
    source_name: str
    source_level: str
    source_region: str | None  # 6-digit admin code ("100000" for the central government)
    is_direct: bool
    is_advance: bool
    is_carry_over: bool
    purpose: str
    rules: tuple[str, ...] = ()


@dataclass(frozen=True)
class Inference:
    """A project's 7-digit function code inferred from exact sums of one table.

    ``code`` is set only when every exact partition of the projects over the
    codes puts the project under the same code (``unique``); ``candidates``
    lists every code it could go to.
    """

    project: Project
    code: str | None
    candidates: tuple[str, ...]
    unique: bool
    rule: str
