"""The prose (说明) of a document → ``NarrativeFact``, ``NarrativeChange`` and ``NarrativeShare`` records.

``narrative_records(doc, tables)`` reads every line outside the document's
tables once, joins wrapped lines into sentences and picks out each money amount
with the phrase that names it: ``（一）收入预算 1,681.43 元`` →
``NarrativeFact(topic="收入预算", amount=Decimal("1681.43"), printed_unit="元")``.
The amount is in yuan, with the printed precision kept (``5.4 万元`` →
``Decimal("54000.0")``) so that checks know how it was rounded; each fact also
says which money it speaks of (its ``qualifier``).  The same pass reads the
statements the reconciliation checks recompute: ``比上年增加 1.23 万元，增加 0.73%``
(``NarrativeChange``) and ``占收入总计的 48.70%`` (``NarrativeShare``).
``narrative_facts``, ``changes`` and ``shares`` give one kind of them.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from fundflow.core.model import NarrativeChange, NarrativeFact, NarrativeShare, RawTable, SourceDocument
from fundflow.core.normalize import parse_amount, to_yuan

# A printed amount: thousands separators or none, blanks a converter left inside it.
NUMBER = r"\d{1,3}(?:\s?[,，]\s?\d{3})+(?:\s?\.\s?\d+)?|\d+(?:\s?\.\s?\d+)?"
_AMOUNT = re.compile(rf"(?<![\d.×xX*＝=/])({NUMBER})\s*(亿元|万元|元)(?![/／以每])(?!\s*[×xX*])")
_BOUNDARY = re.compile(r"[，。；：,;:、？！]|其中|包括")
_ORDINAL = re.compile(r"^(?:[（(][一二三四五六七八九十\d]+[）)]|[一二三四五六七八九十]+[、.．]|\d+[、.．](?!\d)\s*)+")
_LEADING = re.compile(r"^(?:\d{4}\s*年(?:度|末|初)?|今年|本年|其中|主要是|全年|安排|合计|共计|为)+")
_TRAILING = re.compile(r"(?:为|是|达|共计|总额为|约)+$")
_CHANGE = re.compile(
    r"(?P<subject>[^，。；：,;:]*?)(?:比上年|比上一年|较上年|比\d{4}\s*年(?:预算数?|决算数?)?|与上年相比[，,]?[^，。；]*?)"
    r"(?P<subject2>[^，。；\d]*?)(?P<dir>增加|减少|增长|下降|降低|上升)\s*(?P<delta>" + NUMBER + r")\s*(?P<unit>亿元|万元|元)"
    r"\s*[，,]?\s*(?:(?:增加|减少|增长|下降|降低|上升|增幅|降幅)(?:了)?)?\s*(?P<pct>\d+(?:\s?\.\s?\d+)?)\s*[%％]")
_SHARE = re.compile(r"(?P<amount>" + NUMBER + r")\s*(?P<unit>亿元|万元|元)\s*[，,]\s*占(?P<whole>[^，。；的]{2,20})的\s*"
                    r"(?P<pct>\d+(?:\s?\.\s?\d+)?)\s*[%％]")
_PART = re.compile(r"^第[一二三四五六七八九十]+部分")
_PUNCT = re.compile(r"[，。；：,;:]")
_TABLE_TITLE = re.compile(r"(?:预算|决算)?表\s*\d{0,2}$|^\s*单位[:：]")
_SECTION = re.compile(r"^[一二三四五六七八九十]+、")
QUALIFIERS = ("一般公共预算", "财政拨款", "政府性基金")
NarrativeRecord = NarrativeFact | NarrativeChange | NarrativeShare


@dataclass(frozen=True)
class Sentence:
    """A prose sentence: its text and the lines it spans (1-based)."""

    text: str
    first_line: int
    last_line: int
    offsets: tuple[tuple[int, int], ...]  # (char offset in text, line number), ascending

    def line_at(self, pos: int) -> int:
        line = self.first_line
        for off, no in self.offsets:
            if off > pos:
                break
            line = no
        return line


def table_lines(tables: tuple[RawTable, ...] | list[RawTable]) -> set[int]:
    covered: set[int] = set()
    for t in tables:
        covered.update(range(t.first_line, t.last_line + 1))
    return covered


def sentences(doc: SourceDocument, tables) -> list[Sentence]:
    """The document's prose (lines outside its tables) → sentences ending at ``。``.

    Wrapped lines are joined without a blank (Chinese text has none), so a
    sentence broken over lines — or over blank lines, as pdftotext prints
    them — reads as one.
    """
    covered = table_lines(tables)
    out: list[Sentence] = []
    buf, offsets = "", list[tuple[int, int]]()
    for no, raw in enumerate(doc.lines, start=1):
        line = raw.strip().lstrip("-*#> ").strip()
        if no in covered or not line or _TABLE_TITLE.search(line):
            continue
        heading = bool(_ORDINAL.match(line)) or bool(_PART.match(line))
        if heading and buf:  # a numbered line starts a new statement even when the last one has no 。
            out.append(Sentence(buf, offsets[0][1], offsets[-1][1], tuple(offsets)))
            buf, offsets = "", []
        offsets.append((len(buf), no))
        buf += line
        if buf.endswith(("。", "！", "？")) or len(buf) > 2000 or (heading and not _PUNCT.search(line)):
            out.append(Sentence(buf, offsets[0][1], no, tuple(offsets)))
            buf, offsets = "", []
    if buf:
        out.append(Sentence(buf, offsets[0][1], offsets[-1][1], tuple(offsets)))
    return [part for s in out for part in _split(s)]


def _split(s: Sentence) -> list[Sentence]:
    """A joined block → one Sentence per ``。`` (a line may end one sentence and start the next)."""
    cuts = [m.end() for m in re.finditer(r"[。！？]", s.text) if m.end() < len(s.text)]
    if not cuts:
        return [s]
    parts, start = [], 0
    for end in cuts + [len(s.text)]:
        first = s.line_at(start)
        offs = [(0, first)] + [(off - start, no) for off, no in s.offsets if start < off < end]
        parts.append(Sentence(s.text[start:end], first, s.line_at(end - 1), tuple(offs)))
        start = end
    return parts


def topic_before(text: str, pos: int) -> str:
    """The phrase naming the amount that starts at ``pos``: from the last boundary, without ordinals or years."""
    head = text[:pos]
    cut = 0
    for m in _BOUNDARY.finditer(head):
        cut = m.end()
    topic = re.sub(r"\s+", "", head[cut:])
    for _ in range(3):
        topic = _LEADING.sub("", _ORDINAL.sub("", topic))
    return _TRAILING.sub("", topic)


def _amount(printed: str, unit: str) -> Decimal:
    return to_yuan(parse_amount(printed.replace("，", ",")), unit)


def sentence_facts(doc: SourceDocument, s: Sentence, k: int = 0, section: str = "") -> list[NarrativeFact]:
    """Sentence ``k`` of the prose → a NarrativeFact for each money amount in it.

    ``section``: the qualifier its section's heading names; a qualifier printed
    before the amount in the sentence takes precedence.
    """
    out = []
    for m in _AMOUNT.finditer(s.text):
        try:
            amount = _amount(m.group(1), m.group(2))
        except ValueError:
            continue
        line = s.line_at(m.start())
        qualifier = next((q for q in QUALIFIERS if q in s.text[:m.start()]), section)
        out.append(NarrativeFact(topic_before(s.text, m.start()), amount, m.group(2), s.text,
                                 doc.ref(line, line, "说明"), k, m.start(), qualifier))
    return out


def sentence_changes(doc: SourceDocument, s: Sentence, k: int = 0) -> list[NarrativeChange]:
    """Sentence ``k`` → the year-over-year change statements in it that state both an amount and a percentage."""
    out: list[NarrativeChange] = []
    for m in _CHANGE.finditer(s.text):
        try:
            printed = parse_amount(m.group("delta").replace("，", ","))
            pct = parse_amount(m.group("pct"))
        except ValueError:
            continue
        sign = -1 if m.group("dir") in ("减少", "下降", "降低") else 1
        subject = topic_before(m.group("subject") + m.group("subject2"), len(m.group("subject") + m.group("subject2")))
        line = s.line_at(m.start("delta"))
        out.append(NarrativeChange(subject, sign * to_yuan(printed, m.group("unit")), printed, m.group("unit"), pct, k,
                                   m.start(), doc.ref(line, line, "说明")))
    return out


def sentence_shares(doc: SourceDocument, s: Sentence) -> list[NarrativeShare]:
    """A sentence → its ``X 万元，占 Y 的 Z%`` statements."""
    out: list[NarrativeShare] = []
    for m in _SHARE.finditer(s.text):
        try:
            amount = _amount(m.group("amount"), m.group("unit"))
            pct = parse_amount(m.group("pct"))
        except ValueError:
            continue
        line = s.line_at(m.start())
        out.append(NarrativeShare(amount, m.group("unit"), m.group("whole"), pct, doc.ref(line, line, "说明")))
    return out


def narrative_records(doc: SourceDocument, tables) -> list[NarrativeRecord]:
    """Prose → its NarrativeFacts, then its NarrativeChanges, then its NarrativeShares, each in reading order.

    A top-level heading (``二、…``) sets the qualifier of the facts of its section.
    """
    facts: list[NarrativeRecord] = []
    changes_: list[NarrativeRecord] = []
    shares_: list[NarrativeRecord] = []
    section = ""
    for k, s in enumerate(sentences(doc, tables)):
        if _SECTION.match(s.text):  # a top-level heading sets whose money the section speaks of
            section = next((q for q in QUALIFIERS if q in s.text[:60]), "")
        facts += sentence_facts(doc, s, k, section)
        changes_ += sentence_changes(doc, s, k)
        shares_ += sentence_shares(doc, s)
    return facts + changes_ + shares_


def narrative_facts(doc: SourceDocument, tables) -> list[NarrativeFact]:
    """Prose → one NarrativeFact per stated money amount (in yuan, printed precision kept)."""
    return [r for r in narrative_records(doc, tables) if isinstance(r, NarrativeFact)]


def changes(doc: SourceDocument, tables) -> list[NarrativeChange]:
    """Prose → the year-over-year change statements that state both an amount and a percentage."""
    return [r for r in narrative_records(doc, tables) if isinstance(r, NarrativeChange)]


def shares(doc: SourceDocument, tables) -> list[NarrativeShare]:
    """Prose → ``X 万元，占 Y 的 Z%`` statements."""
    return [r for r in narrative_records(doc, tables) if isinstance(r, NarrativeShare)]
