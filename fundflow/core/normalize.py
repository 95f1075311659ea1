"""Printed cells → amounts (Decimal yuan), codes and names in one normal form.

``parse_amount("5, 298. 00") == Decimal("5298.00")``;
``to_yuan(Decimal("1.5"), "万元") == Decimal("15000.00")``;
``normalize_code("208 05 01") == "2080501"``.
"""
from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation

# A printed amount: optional sign, digits with optional thousands separators
# (possibly OCR-spaced: "5, 298. 00"), optional decimals.  Percentages are not
# amounts.
_AMOUNT = re.compile(r"^[-−–]?\s*\d{1,3}(?:\s?,\s?\d{3})*(?:\s?\.\s?\d+)?$|^[-−–]?\d+(?:\.\d+)?$")
_FULLWIDTH = str.maketrans("０１２３４５６７８９，．－", "0123456789,.-")
_BLANKS = "\u3000\xa0\u2002\u2003\u2009\ufeff"
_CODE = re.compile(r"^\d{3}(?:\s*\d{2}){0,2}$")
MONEY_FACTORS = {"万元": Decimal(10000), "元": Decimal(1), "千元": Decimal(1000), "亿元": Decimal(100000000)}
STEP_DIGITS = Decimal("0.01")  # tables print amounts with two decimals


def clean_cell(text: str) -> str:
    """Strip ordinary and ideographic blanks around a cell."""
    return text.strip(" \t\r\n" + _BLANKS)


def is_amount(text: str) -> bool:
    """True when ``text`` reads as a printed amount (``1,234.50``, ``5, 298. 00``, ``0``)."""
    t = clean_cell(text).translate(_FULLWIDTH)
    return bool(t) and bool(_AMOUNT.match(t))


def parse_amount(text: str) -> Decimal:
    """Printed amount → Decimal, exactly as printed (no rounding).

    Raises ``ValueError`` when the text is not an amount.
    """
    t = clean_cell(text).translate(_FULLWIDTH)
    if not _AMOUNT.match(t):
        raise ValueError(f"not an amount: {text!r}")
    t = re.sub(r"\s+", "", t).replace(",", "").replace("−", "-").replace("–", "-")
    try:
        return Decimal(t)
    except InvalidOperation as err:  # pragma: no cover - guarded by the regex
        raise ValueError(f"not an amount: {text!r}") from err


def to_yuan(amount: Decimal, money_unit: str | None) -> Decimal:
    """Amount in the printed unit → yuan.  Unknown unit: taken as 万元 (the usual one)."""
    return amount * MONEY_FACTORS.get(money_unit or "万元", Decimal(10000))


def step_of(money_unit: str | None) -> Decimal:
    """Printed money unit → the rounding step of its figures, in yuan: a cent of the unit
    (tables print two decimals), so 万元 → 100 and 元 → 0.01.  Unknown unit: 万元."""
    return to_yuan(STEP_DIGITS, money_unit)


def terms_tolerance(step: Decimal, n_terms: int) -> Decimal:
    """Half a step for each term and for the total: ``0=1+2`` in 万元 → 150 yuan."""
    return step * (n_terms + 1) / 2


def is_code(text: str) -> bool:
    """A classification code as printed: ``210``, ``21012``, ``2101202`` or ``210 12 02``."""
    return bool(_CODE.match(clean_cell(text)))


def normalize_code(text: str) -> str:
    """``'208 05 01'`` / ``'2080501'`` → ``'2080501'``."""
    return re.sub(r"\s+", "", clean_cell(text))


def parent_code(code: str) -> str | None:
    """Parent by prefix: 7 → 5 → 3 digits (function codes); 5 → 3 (economic)."""
    return {7: code[:5], 5: code[:3]}.get(len(code))


def normalize_name(text: str) -> str:
    """Compact a printed name: NFKC, no inner blanks (Chinese text has none)."""
    t = unicodedata.normalize("NFKC", text)
    t = re.sub(r"\s+", "", t.strip(_BLANKS))
    return t


def compact(text: str) -> str:
    """Remove every blank: used to match header and title wording."""
    return re.sub(r"[\s" + _BLANKS + "]+", "", text)


def cell_text(text: str) -> str:
    """A cell's text printed over several lines → one line: the pieces are joined directly
    (a wrapped name, a number whose last digits wrapped: ``1682.7`` / ``6`` → ``1682.76``),
    with a blank only between two Latin letters; blanks inside a line are kept."""
    pieces = [p.strip(" \t\r" + _BLANKS) for p in text.split("\n")]
    out = ""
    for piece in (p for p in pieces if p):
        out += (" " if out and out[-1].isascii() and out[-1].isalpha() and piece[0].isascii() and piece[0].isalpha()
                else "") + piece
    return out


def display_name(text: str) -> str:
    """A printed name as a label: blanks between Chinese characters go (they are wrapping
    or letter-spacing artefacts), a blank between two Latin words stays.

    ``'医保中心 专家审查费'`` → ``'医保中心专家审查费'``; ``'<img src=x>'`` stays as it is.
    """
    parts = re.split(r"([\s" + _BLANKS + "]+)", text.strip(" \t\r\n" + _BLANKS))
    out = []
    for i, part in enumerate(parts):
        if i % 2 == 0:
            out.append(part)
            continue
        before, after = parts[i - 1][-1:], parts[i + 1][:1]
        out.append(" " if before.isascii() and after.isascii() and before and after else "")
    return "".join(out)


# How a budget unit's name ends (局, 中心, 委员会 …; 本级 / 机关 for a department's own office).
_ORG_NAME = re.compile(r"(?:局|委员会|委|厅|院|办公室|中心|所|站|部|会|处|队|馆|校|社)(?:本级|机关)?$")
_TOTAL_LABEL = re.compile(r"^[*＊]*(?:部门|单位)?(?:合计|总计)$")


def is_org_name(text: str) -> bool:
    """``'沈阳市医疗保障局本级'`` → True: the name of an organisation (by its ending)."""
    return bool(_ORG_NAME.search(compact(text)))


# A label's leading ordinals: 九、 / （二） / 1. (not 1.5) / 其中：, as many as are printed.
_ORDINAL = re.compile(r"^(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十\d]+[）)]|\d+[、.．](?!\d)|其中[:：]?)+")


def strip_ordinal(text: str) -> str:
    """``九、卫生健康支出`` / ``（二）行政事业单位医疗`` / ``1.行政运行`` / ``收 入 总 计`` → the label, compacted."""
    return _ORDINAL.sub("", compact(text))


def is_total_label(text: str, subtotal: bool = False) -> bool:
    """``'合计'``, ``'合 计'``, ``'部门合计'``, ``'*总计'`` (and ``'小计'`` when ``subtotal``) → True."""
    t = compact(text)
    return bool(_TOTAL_LABEL.match(t)) or (subtotal and t == "小计")


def in_wan(amount: Decimal) -> str:
    """Yuan → 万元 to the cent with thousands separators: 2434921100 → ``243,492.11``."""
    return f"{(amount / 10000).quantize(Decimal('0.01')):,}"
