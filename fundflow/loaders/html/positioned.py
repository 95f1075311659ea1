"""Absolutely positioned text fragments of a web page → lines laid out by their coordinates.

Some pages (converted from PDF or a spreadsheet) place every word with
``style="position:absolute; left:120px; top:340px"``.  ``fragment_of(el)`` reads one such
element; ``render_fragments`` puts the fragments of one page back together: fragments whose
tops are close form a line, and within a line each fragment starts at the column its
``left`` gives (in half-em steps), so that a table's columns line up by blanks the way
``pdftotext -layout`` prints them and the layout loaders read them.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from statistics import median
from typing import Any

_POSITION = re.compile(r"position\s*:\s*absolute", re.IGNORECASE)
_COORD = r"(?<![-\w]){}\s*:\s*(-?\d+(?:\.\d+)?)\s*(px|pt|em)?"
_DEFAULT_FONT = 16.0
_SPACE = re.compile(r"[ \t\r\n\f\v\xa0\u3000]+")
_CJK_END = re.compile(r"[\u3400-\u9fff]$")
_CJK_START = re.compile(r"[\u3400-\u9fff]")


@dataclass(frozen=True)
class Fragment:
    top: float
    left: float
    size: float  # font size, in the unit of the coordinates
    text: str


def _style_value(style: str, name: str) -> float | None:
    m = re.search(_COORD.format(name), style, re.IGNORECASE)
    if not m:
        return None
    value = float(m.group(1))
    return value * _DEFAULT_FONT if m.group(2) == "em" else value


_CLASS_RULE = re.compile(r"\.([\w-]+)\s*\{([^}]*)\}")


def class_sizes(css: str) -> dict[str, float]:
    """A page's style sheets → the font size each class sets (``.ft10{font-size:33px;…}``, as PDF-to-HTML
    converters write them)."""
    out = {}
    for name, body in _CLASS_RULE.findall(css):
        size = _style_value(body, "font-size")
        if size:
            out[name] = size
    return out


def _inherited_size(el: Any, sizes: dict[str, float]) -> float:
    node = el
    while node is not None:
        size = _style_value(node.get("style") or "", "font-size")
        if size:
            return size
        size = next((sizes[c] for c in (node.get("class") or "").split() if c in sizes), None)
        if size:
            return size
        node = node.getparent()
    return _DEFAULT_FONT


def fragment_of(el: Any, sizes: dict[str, float] | None = None) -> Fragment | None:
    """An absolutely positioned element with text and no positioned element inside → its fragment.

    ``sizes``: the font size of each style-sheet class (``class_sizes``), for an element whose
    size a class sets rather than its own style.
    """
    style = el.get("style") or ""
    if not _POSITION.search(style):
        return None
    top, left = _style_value(style, "top"), _style_value(style, "left")
    if top is None or left is None:
        return None
    if any(_POSITION.search(d.get("style") or "") for d in el.iterdescendants() if isinstance(d.tag, str)):
        return None
    text = _SPACE.sub(" ", el.text_content()).strip()
    if not text:
        return None
    size = max(_inherited_size(el, sizes or {}), 1.0)
    return Fragment(top, left, size, text)


def _lines(fragments: list[Fragment]) -> list[list[Fragment]]:
    """Fragments → lines: sorted by top, a fragment within half a font size of the line's top joins it."""
    out: list[list[Fragment]] = []
    for f in sorted(fragments, key=lambda f: (f.top, f.left)):
        if out and abs(f.top - out[-1][0].top) <= max(1.0, out[-1][0].size * 0.5):
            out[-1].append(f)
        else:
            out.append([f])
    return out


def _width(f: Fragment) -> float:
    """A fragment's printed width: a CJK or full-width character is an em, anything else half of one."""
    return sum(f.size if unicodedata.east_asian_width(ch) in "WF" else f.size / 2 for ch in f.text)


def render_fragments(fragments: list[Fragment]) -> list[str]:
    """The positioned fragments of one page → its lines of text, columns placed by ``left``.

    A fragment that starts where the one before it ends (a word split into pieces) is joined
    to it; any other starts at its own column, two blanks at least after the one before.
    """
    if not fragments:
        return []
    step = median(f.size for f in fragments) / 2  # half an em: the width of a digit
    out = []
    for line in _lines(fragments):
        text, end = "", None
        for f in sorted(line, key=lambda f: f.left):
            if end is not None and f.left - end < f.size * 0.3:
                # close pieces: one word split at a change of font (项目 | 支出, starting where the other ends),
                # or two cells printed close together (国有资本经营 | 财政专户管理, a little apart): Chinese
                # wording has no blanks, so a single one marks the second, which header lines are parted at
                apart = f.left - end > f.size * 0.05 and _CJK_END.search(text) and _CJK_START.match(f.text)
                text += (" " if apart else "") + f.text
            else:
                # a Chinese character is an em wide but one character of text: centre the text in the width
                # it is printed over, so that a header's centre lines up with the figures under it as printed
                inset = max(0.0, (_width(f) / step - len(f.text)) / 2)
                gap = round(f.left / step + inset) - len(text)
                text += " " * (max(gap, 2) if text else max(gap, 0)) + f.text
            end = f.left + _width(f)
        out.append(text.rstrip())
    return out
