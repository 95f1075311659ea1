"""A SPARQL query → refused or allowed: what it may ask of this machine, checked before the engine sees it.

``QueryLimits`` holds the limits (deadline, results, bytes, memory, nesting, length);
``check_query(text, limits)`` → the query form (``select`` / ``ask`` / ``construct`` /
``describe``) or ``QueryRefused``: text too long, brackets nested too deep (the engine
parses recursively: thousands of levels overflow its stack), ``SERVICE`` (federation
would make this machine fetch any address a query names) or anything but a query.
The scan is lexical: keywords inside strings, IRIs and comments are not keywords.
``fundflow serve`` and ``fundflow query`` both go through here (and ``kg.sandbox``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from fundflow.core.errors import QueryError

FORMS = ("select", "ask", "construct", "describe")
UPDATES = ("insert", "delete", "load", "clear", "create", "drop", "copy", "move", "add", "with")


@dataclass(frozen=True)
class QueryLimits:
    """Limits of one query: seconds, result rows (or triples), result bytes, worker memory, nesting, query size."""

    timeout: float = 30.0
    max_results: int = 100_000
    max_bytes: int = 64 * 2**20
    max_memory: int = 2 * 2**30
    max_depth: int = 64
    max_chars: int = 2**20

    def __post_init__(self) -> None:
        if self.timeout <= 0 or self.max_results < 1 or self.max_bytes < 1 or self.max_memory < 2**24:
            raise ValueError("query limits must be positive (memory at least 16 MiB)")


DEFAULT_LIMITS = QueryLimits()


class QueryRefused(QueryError):
    """The query is not run: it is malformed for this endpoint or asks for too much (HTTP 400)."""

    status = 400


class QueryTimeout(QueryError):
    """The query ran past its deadline and was stopped (HTTP 504)."""

    status = 504


class QueryOverload(QueryError):
    """The query could not be run now: workers busy, memory over its limit, engine failure (HTTP 503)."""

    status = 503


# Tried left to right at each position: comments, IRIs, variables, names (prefixed or keywords),
# brackets, the opening of a string (its end is found with str.find: linear on any input).
_TOKEN = re.compile(r"""
    (?P<comment>\#[^\n]*)
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$][\w\u00b7\u0300-\u036f\u203f-\u2040]+)
  | (?P<name>(?:[^\W\d][\w.-]*)?:[\w.:%\\-]*|[^\W\d][\w.-]*)
  | (?P<open>[{(\[])
  | (?P<close>[})\]])
  | (?P<quote>\"\"\"|\'\'\'|"|')
""", re.VERBOSE | re.UNICODE)
_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


def _unescape(text: str) -> str:
    """Codepoint escapes (``\\u0053``) are replaced before parsing, anywhere in a query (SPARQL 1.1 §19.2)."""
    def char(m: re.Match) -> str:
        code = int(m.group(1) or m.group(2), 16)
        return chr(code) if code < 0x110000 else m.group()
    return _CODEPOINT.sub(char, text)


def _string_end(text: str, start: int, quote: str) -> int:
    """Index just past the string opened by ``quote`` at ``start``; -1 when it is not closed."""
    pos = start + len(quote)
    while True:
        end = text.find(quote, pos)
        if end < 0 or (len(quote) == 1 and "\n" in text[pos:end]):
            return -1
        slashes = len(text[pos:end]) - len(text[pos:end].rstrip("\\"))
        if slashes % 2 == 0:  # not an escaped quote
            return end + len(quote)
        pos = end + 1


def check_query(text: str, limits: QueryLimits = DEFAULT_LIMITS) -> str:
    """SPARQL ``text`` → its form (select / ask / construct / describe).

    Raises ``QueryRefused`` with a one-line reason when the query is too long, nests
    brackets deeper than ``limits.max_depth``, uses ``SERVICE``, is an update or has no
    query form.  Syntax errors the scan cannot see are left to the engine.
    """
    if len(text) > limits.max_chars:
        raise QueryRefused(f"the query is {len(text)} characters long, more than {limits.max_chars}",
                           hint="shorten it")
    text = _unescape(text)
    depth, form, first, pos = 0, None, None, 0
    while (m := _TOKEN.search(text, pos)) is not None:
        kind, pos = m.lastgroup, m.end()
        if kind == "quote":
            pos = _string_end(text, m.start(), m.group())
            if pos < 0:
                line = text.count("\n", 0, m.start()) + 1
                raise QueryRefused(f"a string opened on line {line} is not closed", hint="close the string")
        elif kind == "open":
            depth += 1
            if depth > limits.max_depth:
                raise QueryRefused(f"brackets nested more than {limits.max_depth} deep",
                                   hint="flatten the query (nesting that deep is never needed)")
        elif kind == "close":
            depth = max(0, depth - 1)
        elif kind == "name" and ":" not in m.group():  # a prefixed name is never a keyword
            word = m.group().lower()
            if "service" in re.split(r"[.-]", word):
                raise QueryRefused("SERVICE (federated query) is refused here",
                                   hint="query the other endpoint directly")
            if first is None and word not in ("prefix", "base"):
                first = word
            if form is None and word in FORMS:
                form = word
    if first in UPDATES:
        raise QueryRefused("this is an update; only queries are run here", hint="the store is read-only")
    if form is None:
        raise QueryRefused("invalid SPARQL: no SELECT, ASK, CONSTRUCT or DESCRIBE", hint="give a SPARQL query")
    return form
