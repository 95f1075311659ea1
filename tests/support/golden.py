"""Actual and expected facts → nothing when they agree, else an AssertionError that reads as a diff.

    assert_matches(actual, expected, what)
    keyed(pairs), one_or_all(values)     building the two views: facts by what identifies them

Both sides are JSON-like (dicts, lists, tuples, sets, Decimals, strings, numbers, None).
Decimals are compared by value (``Decimal("120.6") == Decimal("120.60")``) and shown as
plain digits.  The message names the first differing paths with both values
(``projects.items["医疗保障工作专项经费"]: expected "205.24", got "205.25"``), then a unified
diff of the pretty-printed JSON, both capped so a failure stays a screenful.
"""
from __future__ import annotations

import difflib
import json
import re
from decimal import Decimal
from typing import Any

MAX_PATHS = 8
MAX_DIFF_LINES = 40
MAX_VALUE = 80
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class _Missing:
    def __repr__(self) -> str:
        return "(missing)"


MISSING = _Missing()


def canonical(value: Any) -> Any:
    """A JSON-able value whose equality is the facts' equality (Decimals as their plain digits)."""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value else "0"
    if isinstance(value, dict):
        return {str(k): canonical(v) for k, v in value.items()}
    if isinstance(value, set | frozenset):
        return sorted((canonical(v) for v in value), key=lambda v: json.dumps(v, ensure_ascii=False))
    if isinstance(value, list | tuple):
        return [canonical(v) for v in value]
    return value


def _key(path: str, key: str) -> str:
    return f"{path}.{key}" if _NAME.match(key) else f"{path}[{json.dumps(key, ensure_ascii=False)}]"


def differences(actual: Any, expected: Any, path: str = "") -> list[tuple[str, Any, Any]]:
    """Canonical actual and expected → (path, expected value, actual value) of each place they differ."""
    if isinstance(actual, dict) and isinstance(expected, dict):
        out = []
        for k in [*expected, *(k for k in actual if k not in expected)]:
            out += differences(actual.get(k, MISSING), expected.get(k, MISSING), _key(path, k))
        return out
    if isinstance(actual, list) and isinstance(expected, list):
        out = []
        for i in range(max(len(actual), len(expected))):
            a = actual[i] if i < len(actual) else MISSING
            e = expected[i] if i < len(expected) else MISSING
            out += differences(a, e, f"{path}[{i}]")
        return out
    same = actual == expected and type(actual) is type(expected)  # True is not 1, nor "1" 1
    return [] if same else [(path.lstrip(".") or "(top)", expected, actual)]


def _show(value: Any) -> str:
    text = repr(value) if value is MISSING else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= MAX_VALUE else text[:MAX_VALUE - 1] + "…"


def _pretty(value: Any) -> list[str]:
    return json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True).splitlines()


def mismatch_message(actual: Any, expected: Any, what: str) -> str | None:
    """None when the two agree, else the readable message (paths first, then the capped diff)."""
    a, e = canonical(actual), canonical(expected)
    found = differences(a, e)
    if not found:
        return None
    lines = [f"{what}: {len(found)} difference{'s' if len(found) > 1 else ''} (expected, the hand-checked facts,"
             " against what the code gives)"]
    lines += [f"  {path}: expected {_show(want)}, got {_show(got)}" for path, want, got in found[:MAX_PATHS]]
    if len(found) > MAX_PATHS:
        lines.append(f"  … and {len(found) - MAX_PATHS} more")
    diff = list(difflib.unified_diff(_pretty(e), _pretty(a), "expected", "actual", n=1, lineterm=""))
    lines += diff[:MAX_DIFF_LINES]
    if len(diff) > MAX_DIFF_LINES:
        lines.append(f"… diff cut at {MAX_DIFF_LINES} of {len(diff)} lines")
    return "\n".join(lines)


def keyed(pairs) -> dict[str, Any]:
    """(key, fact) pairs → a dict; a key met again gets ``#2``, ``#3`` (two facts never hide each other)."""
    out: dict[str, Any] = {}
    for k, v in pairs:
        name, n = k, 1
        while name in out:
            n += 1
            name = f"{k} #{n}"
        out[name] = v
    return out


def one_or_all(values: list) -> Any:
    """What the parse has for a key: nothing → None, one value → it, several → all of them (sorted)."""
    if not values:
        return None
    return values[0] if len(values) == 1 else sorted(values, key=lambda v: json.dumps(canonical(v), ensure_ascii=False))


def assert_matches(actual: Any, expected: Any, what: str) -> None:
    """Raise AssertionError with ``mismatch_message`` when ``actual`` and ``expected`` differ."""
    message = mismatch_message(actual, expected, what)
    if message is not None:
        raise AssertionError(message)
