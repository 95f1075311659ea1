"""A read document and its tables → whether it is a budget or final-accounts disclosure at all: ``check_disclosure(doc, tables)``.

Decided by what the document says, never by its file name: a disclosure has a table of a
known kind (``data/table_kinds.csv``: 收支总表, 支出表, 项目支出表, 绩效目标表 …), or a title
of a budget, final accounts or performance evaluation at its top (``预算``, ``决算``,
``绩效自评``, ``绩效目标``) and figures in its text — a narrative-only 情况说明.  Anything else (a
drug list, a notice, a price table) is rejected with one line saying so and quoting how the
document begins, so that the user sees what the file is.

``check_vocabulary(name, lines)`` is the quick form of the same test for a long text before
its tables are rebuilt: a text that never uses the words every budget table title and
disclosure title is made of (预算, 决算, 绩效, 支出, 收入, 拨款 …) and has no line titled as a
table of a known kind cannot be one.
"""
from __future__ import annotations

import re

from fundflow.core.errors import DocumentError
from fundflow.core.model import RawTable, SourceDocument
from fundflow.core.normalize import compact
from fundflow.loaders.titles import match_title

_TOP_LINES = 40  # non-empty lines at the top where a disclosure states what it is
_DISCLOSURE_WORDS = re.compile(r"预算|决算|绩效自评|绩效目标")
_MONEY = re.compile(r"\d[\d,，]*(?:\.\d+)?\s*(?:万元|千元|亿元|元)|(?<![\d.])\d{1,3}(?:,\d{3})+\.\d{2}(?!\d)")
_QUOTE = 40
_BUDGET_VOCABULARY = re.compile(r"预\s*算|决\s*算|绩\s*效|支\s*出|收\s*入|拨\s*款|三\s*公|经\s*费")


def _top(lines: tuple[str, ...] | list[str]) -> list[str]:
    return [t for t in (compact(line) for line in lines) if t][:_TOP_LINES]


def _begins(top: list[str]) -> str:
    begins = next((t for t in top if len(t) >= 4), top[0] if top else "")
    return begins[:_QUOTE] + ("…" if len(begins) > _QUOTE else "")


def _not_a_budget(name: str, top: list[str]) -> DocumentError:
    return DocumentError(f"not a budget disclosure: no budget tables or budget title found (it begins “{_begins(top)}”)",
                         file=name, hint="give a 部门预算/单位预算/部门决算 disclosure")


def check_vocabulary(name: str, lines: tuple[str, ...] | list[str]) -> None:
    """Raise ``DocumentError`` when a text uses no budget word at all and titles no table of a known kind."""
    if any(_BUDGET_VOCABULARY.search(line) for line in lines) or any(match_title(line) for line in lines):
        return
    raise _not_a_budget(name, _top(lines))


def _figures(doc: SourceDocument) -> int:
    return sum(len(_MONEY.findall(line)) for line in doc.lines)


def check_disclosure(doc: SourceDocument, tables: tuple[RawTable, ...]) -> None:
    """Raise ``DocumentError`` when ``doc`` (read into ``tables``) is not a budget or final-accounts
    disclosure: no table of a known kind, and no disclosure title with figures."""
    if any(t.kind for t in tables):
        return
    top = _top(doc.lines)
    titled = any(_DISCLOSURE_WORDS.search(t) for t in top)
    if titled and (_figures(doc) or any(t.rows for t in tables)):
        return
    if titled:
        raise DocumentError(f"a budget title but no figures: an index or a notice, not a disclosure (it begins "
                            f"“{_begins(top)}”)", file=doc.name,
                            hint="give the disclosure itself (its tables or 情况说明 with the amounts)")
    raise _not_a_budget(doc.name, top)
