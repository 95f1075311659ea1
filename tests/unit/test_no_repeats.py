"""No block of six or more logical lines is written twice with only names changed.

Each logical line is read as tokens with every identifier replaced by one placeholder; string and
number literals, keywords and operators are kept, so two blocks that differ only in the names they
use read alike, and a mapping that writes other fields ("item" where the other writes "topic") does
not.  Docstrings, comments, imports, decorators and lines that only close a bracket are left out,
and so are blocks of fewer than ``SIZE`` characters of shapes: six fields of a record class
(``label: str``) are declarations, not logic written twice.
"""
import io
import keyword
import tokenize
from collections import defaultdict
from pathlib import Path

import fundflow

WINDOW = 6
SIZE = 120
PROJECT = Path(fundflow.__file__).parent.parent
_SKIP = {tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT,
         tokenize.ENCODING, tokenize.ENDMARKER}
_TRIVIAL = {")", "]", "}", ") :", "N", "else :", "try :", "return N", "pass", "return"}


def _shapes(source: str) -> list[tuple[int, str]]:
    """Source → (line number, shape) per logical line that carries code."""
    lines: dict[int, list[str]] = defaultdict(list)
    for t in tokenize.generate_tokens(io.StringIO(source).readline):
        if t.type in _SKIP or (t.type == tokenize.STRING and t.string.lstrip("rbuf").startswith(('"""', "'''"))):
            continue
        word = "N" if t.type == tokenize.NAME and not keyword.iskeyword(t.string) else t.string
        lines[t.start[0]].append(word)
    out = []
    for n in sorted(lines):
        shape = " ".join(lines[n])
        if shape in _TRIVIAL or shape.startswith(("import ", "from ", "@")):
            continue
        out.append((n, shape))
    return out


def repeats(files: dict[str, str], window: int = WINDOW) -> list[list[tuple[str, int]]]:
    """Name → source → the blocks of ``window`` shapes found in more than one place (each place: name, line)."""
    seen: dict[tuple[str, ...], list[tuple[str, int]]] = defaultdict(list)
    for name, source in files.items():
        shapes = _shapes(source)
        for i in range(len(shapes) - window + 1):
            block = tuple(s for _, s in shapes[i:i + window])
            if sum(map(len, block)) >= SIZE:
                seen[block].append((name, shapes[i][0]))
    return [places for places in seen.values() if len(places) > 1]


def _sources() -> dict[str, str]:
    return {str(p.relative_to(PROJECT)): p.read_text(encoding="utf-8")
            for folder in ("fundflow", "tests", "benchmarks") for p in sorted((PROJECT / folder).rglob("*.py"))}


def test_the_detector_sees_a_block_repeated_with_other_names():
    one = ("def total(rows, unit):\n    out = {}\n    for r in rows:\n        key = (r.code, unit, r.year, r.kind)\n"
           "        out[key] = out.get(key, 0) + r.amount\n    if not out:\n        raise ValueError('nothing given')\n"
           "    return {k: v for k, v in out.items() if v}\n")
    other = one.replace("total", "summed").replace("rows", "lines").replace("key", "k").replace("out", "acc")
    assert repeats({"a.py": one, "b.py": other})
    assert not repeats({"a.py": one, "b.py": other.replace("'nothing given'", "'empty'").replace("r.amount", "2")})


def test_no_block_of_six_lines_is_written_twice():
    found = repeats(_sources())
    assert not found, "blocks written twice with only names changed: " + "; ".join(
        " and ".join(f"{name}:{line}" for name, line in places) for places in found[:10])
