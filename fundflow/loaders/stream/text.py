"""pdftotext stream text (cells separated by single spaces) → lines and tokens.

``doc_to_lines(doc)`` drops page furniture and blank lines and keeps, for each
remaining line, its 1-based number and whether a blank line preceded it (in
some files consecutive lines of one wrapped cell are not separated by blanks,
which tells cells apart).  ``split_cells(text)`` cuts a line into cells;
``glue_number(prev, nxt)`` says whether a number fragment continues the
previous one (``243,49`` + ``2.11``).
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from fundflow.core.model import SourceDocument
from fundflow.loaders.titles import PDF_KEY

_PAGE_NO = re.compile(r"^(?:-\s*\d{1,3}\s*-|\d{1,3}|第\s*\d{1,3}\s*页(?:\s*共\s*\d+\s*页)?)$")
FRAGMENT = re.compile(r"^-?(?=[\d,.]*\d|[,.]$)[\d,.]+$")
STRICT_AMOUNT = re.compile(r"^-?\d{1,3}(?:,\d{3})*\.\d{2}$")
AMOUNT = re.compile(r"^-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$")
OPERATOR = re.compile(r"^(?:>=|<=|=|>|<|≥|≤|＝|＞|＜|≧|≦)$")
_CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef“”‘’]")


@dataclass(frozen=True)
class Line:
    """A non-blank line of the document: 1-based number, cleaned text, blank before it."""

    no: int
    text: str
    gap: bool = True


def clean_line(text: str) -> str:
    """Raw line → text without form feeds, ``<PDF_KEY>hex`` prefix and outer blanks."""
    t = text.replace("\f", " ").strip(" \t\u3000\xa0")
    return PDF_KEY.sub("", t).strip()


def doc_to_lines(doc: SourceDocument) -> list[Line]:
    """SourceDocument → non-blank cleaned Lines, page numbers left out.

    Page numbers are those counted with the form feeds (``page_number_lines``);
    in text without such numbering, a short number alone on a line with two or
    more blank lines before it (table fragments such as ``00`` have at most one).
    """
    out: list[Line] = []
    blanks = 1
    numbered = page_number_lines(doc)
    for i, raw in enumerate(doc.lines, 1):
        t = clean_line(raw)
        if not t:
            blanks += 1
            continue
        if i in numbered:
            continue
        if not numbered and blanks >= 2 and _PAGE_NO.match(t) and _blank(doc, i):
            blanks += 1
            continue
        out.append(Line(i, t, blanks > 0))
        blanks = 0
    return out


def page_number_lines(doc: SourceDocument) -> set[int]:
    """1-based numbers of the lines that are page numbers printed at a form feed.

    A candidate is a number of 1–3 digits alone on its line just before a form
    feed (or the end of the text; amounts of a column printed after it allowed)
    or on the form-feed line itself; it is a page
    number when it runs in step with the pages (number − pages so far is the
    same for two or more candidates), so a table cell ``15`` at a page foot is
    not taken unless the pages count through it.
    """
    pages, cands = 0, []
    for i, raw in enumerate(doc.lines):
        pages += raw.count("\f")
        t = clean_line(raw)
        if re.fullmatch(r"\d{1,3}", t) and (raw.startswith("\f") or _before_feed(doc, i + 1)):
            cands.append((i + 1, int(t) - pages))
    offsets = Counter(off for _, off in cands)
    if not offsets:
        return set()
    best, hits = offsets.most_common(1)[0]
    return {no for no, off in cands if off == best} if hits >= 2 else set()


def _before_feed(doc: SourceDocument, i: int) -> bool:
    """Is the next non-blank line at 0-based index ``i`` or later a form-feed line (or none)?"""
    while i < len(doc.lines) and (not clean_line(doc.lines[i]) or STRICT_AMOUNT.match(clean_line(doc.lines[i]))):
        if "\f" in doc.lines[i]:
            return True
        i += 1
    return i >= len(doc.lines) or doc.lines[i].startswith("\f")


def _blank(doc: SourceDocument, no: int) -> bool:
    return no >= len(doc.lines) or not clean_line(doc.lines[no])


def is_cjk_edge(a: str, b: str) -> bool:
    """True when the text ``a`` ends and ``b`` starts with a CJK character."""
    return bool(a) and bool(b) and bool(_CJK.match(a[-1])) and bool(_CJK.match(b[0]))


def is_numeric(tok: str) -> bool:
    """An amount, a number fragment, a percentage or a deadline-like token."""
    return bool(FRAGMENT.match(tok)) or bool(re.match(r"^-?\d+(?:\.\d+)?%$", tok))


def split_cells(text: str, prose: bool = False) -> list[str]:
    """A line → its cells.

    Numbers, operators and percentages are cells of their own; other words
    are joined unless both sides of the space are CJK (``CHS-DRG 分组管理``
    and ``2022 年 12 月`` stay one cell, ``项目名称 医保经办经费`` are two).
    A run of single CJK characters (``合    计``, ``收 入 总 计``) is one word.
    With ``prose`` (wrapped indicator names) an integer between words is text.
    """
    toks = _join_spaced_chars(text.split())
    cells: list[str] = []
    for i, tok in enumerate(toks):
        prev = cells[-1] if cells else ""
        inner = prose and tok.isdigit() and 0 < i < len(toks) - 1 and not is_numeric(toks[i + 1])
        if prev and (inner or _joinable(prev, tok) or (prose and prev.split(" ")[-1].isdigit() and " " in prev)):
            cells[-1] = f"{prev} {tok}"
        else:
            cells.append(tok)
    return cells


def _joinable(prev: str, tok: str) -> bool:
    if is_numeric(tok) or OPERATOR.match(tok) or is_numeric(prev):
        return False
    if OPERATOR.match(prev) or is_cjk_edge(prev, tok):
        return False
    return not (re.match(r"^\d{4}-\d{1,2}$", tok))


def _join_spaced_chars(toks: list[str]) -> list[str]:
    out: list[str] = []
    run = False
    for tok in toks:
        single = len(tok) == 1 and bool(_CJK.match(tok))
        if single and run and out:
            out[-1] += tok
        else:
            out.append(tok)
        run = single
    return out


def glue_number(prev: str, nxt: str, strict: bool = True) -> bool:
    """Does the fragment ``nxt`` (first on its line) continue ``prev`` (last of the row)?

    In money tables (``strict``) a complete amount has groups of three digits
    and two decimals, so ``243,49``+``2.1``, ``100.0``+``0`` and ``3,500.``+``00``
    glue while ``243.11``+``243`` does not.
    """
    if not (FRAGMENT.match(prev) and FRAGMENT.match(nxt)):
        return False
    if nxt[0] in ",." or prev[-1] in ",.":
        return True
    if not strict or STRICT_AMOUNT.match(prev):
        return False
    whole, _, dec = prev.partition(".")
    if "." in prev:
        return len(dec) < 2 and nxt.isdigit() and len(dec) + len(nxt) == 2
    return "," in whole and len(whole.rsplit(",", 1)[1]) < 3
