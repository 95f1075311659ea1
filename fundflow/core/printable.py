"""Text from documents made safe to show: ``printable(text)`` → the text with control and bidi characters visible.

A printed name passes through a terminal (table output) and into HTML labels.
Terminal escape sequences (ESC …, C1 controls) would drive the terminal; bidi
controls (U+202E and the others) would reorder what is shown, so that a label
reads other than it is.  Each such character is shown as its code (``\\u202e``);
line breaks and tabs inside a label become spaces.
"""
from __future__ import annotations

import re

_SPACE = re.compile(r"[\t\n\r\v\f\u2028\u2029]")
_HIDDEN = re.compile(r"[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """``text`` with line breaks as spaces and control / bidi characters as ``\\uXXXX``."""
    return _HIDDEN.sub(lambda m: f"\\u{ord(m.group()):04x}", _SPACE.sub(" ", text))
