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
import unicodedata
from dataclasses import dataclass, replace
from decimal import Decimal

from fundflow.core.model import NarrativeChange, NarrativeFact, NarrativeShare, RawTable, SourceDocument
from fundflow.core.normalize import compact, parse_amount, to_yuan

# A printed amount: thousands separators or none, blanks a converter left inside it.
NUMBER = r"\d{1,3}(?:\s?[,，]\s?\d{3})+(?:\s?\.\s?\d+)?|\d+(?:\s?\.\s?\d+)?"
_AMOUNT = re.compile(rf"(?<![\d.×xX*＝=/])({NUMBER})\s*(亿元|万元|元)(?![/／以每])(?!\s*[×xX*])")
_BOUNDARY = re.compile(r"[，。；：,;:、？！]|其中|包括")
_ORDINAL = re.compile(r"^(?:[（(][一二三四五六七八九十\d]+[）)]|[一二三四五六七八九十]+[、.．]|\d+[、.．](?!\d)\s*)+")
_LEADING = re.compile(r"^(?:\d{4}\s*年(?:度|末|初)?|今年|本年|其中|主要是|全年|安排|合计|共计|为)+")
# whose money a phrase speaks of, before the year: ``某某局2026年收入预算`` names the 收入预算
_OWNER_YEAR = re.compile(r"^[^\d，。；：、]{2,40}?(?<![比较与])\d{4}\s*年(?:度)?(?!\d)")
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
_LIST = re.compile(r"(?P<some>其中|主要包括)[：:，,]?|包括[：:]?")  # a list of the parts of the amount before it
_LIST_END = re.compile(r"[；;。]")
CHANGE_WORD = re.compile(r"比|较|增加|减少|增长|下降|降低|上升|与上年")  # a phrase stating a change
QUALIFIERS = ("一般公共预算", "财政拨款", "政府性基金")
# a qualifier as printed: ``一般公共预算财政拨款`` is one (the first)
_QUALIFIER = re.compile("|".join(rf"{q}(?:财政)?(?:拨款)?" for q in QUALIFIERS))
NarrativeRecord = NarrativeFact | NarrativeChange | NarrativeShare


@dataclass(frozen=True)
class Sentence:
    """A prose sentence: its text and the lines it spans (1-based)."""

    text: str
    first_line: int
    last_line: int
    offsets: tuple[tuple[int, int], ...]  # (char offset in text, line number), ascending
    heading: bool = False  # a numbered heading (（四）…, 一、…) printed without punctuation

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
    them — reads as one.  A numbered line without punctuation is a heading of its
    own (``Sentence.heading``) unless the next line continues it: its tail when the
    heading filled the line (``（二）关于…情况说`` / ``明``), or the amount it names
    (``（2）国防支出（类）国防动员（款）交通战备（项）`` / ``16.5 万元，…``).
    """
    covered = table_lines(tables)
    prose = [(no, line) for no, line in enumerate((raw.strip().lstrip("-*#> ").strip() for raw in doc.lines), start=1)
             if no not in covered and line and not _TABLE_TITLE.search(line)]
    full = full_width([line for _, line in prose])
    out: list[Sentence] = []
    buf, offsets = "", list[tuple[int, int]]()
    wrapped = False  # the last line was a heading without punctuation, filling the line: what follows continues it
    pending = False  # the last line was a heading without punctuation: it ends unless the next line continues it

    def flush(last: int, heading: bool = False) -> None:
        nonlocal buf, offsets
        out.append(Sentence(buf, offsets[0][1], last, tuple(offsets), heading))
        buf, offsets = "", []

    for no, line in prose:
        heading = bool(_ORDINAL.match(line)) or bool(_PART.match(line))
        if pending and (heading or not ((wrapped and _tail(line)) or _AMOUNT.match(line))):
            flush(offsets[-1][1], True)  # a heading of its own: the next line does not continue it
        elif heading and buf:  # a numbered line starts a new statement even when the last one has no 。
            flush(offsets[-1][1])
        continued = pending and bool(buf)  # a heading's wrapped tail, or the amount its phrase names (on the next line)
        offsets.append((len(buf), no))
        buf += line
        plain = not _PUNCT.search(line)
        pending = (heading or continued) and plain and not _AMOUNT.search(line)
        wrapped = pending and width(line) >= full
        if not pending and (buf.endswith(("。", "！", "？")) or len(buf) > 2000):
            flush(no)
    if buf:
        flush(offsets[-1][1], pending)
    return [part for s in out for part in _split(s)]


def _tail(line: str) -> bool:
    """Can the line be the tail of a wrapped heading or numbered statement: no punctuation, or only after an
    amount it names (``会工作事务支出（项）0.64 万元。主要用于…``) or the money unit of a figure that wrapped."""
    m = _PUNCT.search(line)
    amount = _AMOUNT.search(line)
    return m is None or (amount is not None and amount.start() < m.start()) or line.startswith(("亿元", "万元", "元"))


def width(line: str) -> int:
    """A line's printed width in half-width columns (a Chinese character takes two; blanks, which a
    converter adds around figures, none)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 0 if c.isspace() else 1 for c in line)


def full_width(lines: list[str]) -> int:
    """The width of a full line of the prose (a line the page wrapped): 90% of that of the widest tenth of the
    lines.

    Lines that end a paragraph or a heading are shorter; the wrapped ones fill the column, give
    or take a figure's digits and the punctuation a line may not begin with.
    """
    widths = sorted(width(line) for line in lines)
    if len(widths) < 5:
        return 10 ** 6  # too little prose to tell: no heading is taken to wrap
    return widths[len(widths) * 9 // 10] * 9 // 10


def _split(s: Sentence) -> list[Sentence]:
    """A joined block → one Sentence per ``。`` (a line may end one sentence and start the next)."""
    cuts = [m.end() for m in re.finditer(r"[。！？]", s.text) if m.end() < len(s.text)]
    if not cuts:
        return [s]
    parts, start = [], 0
    for end in cuts + [len(s.text)]:
        first = s.line_at(start)
        offs = [(0, first)] + [(off - start, no) for off, no in s.offsets if start < off < end]
        parts.append(Sentence(s.text[start:end], first, s.line_at(end - 1), tuple(offs), s.heading and start == 0))
        start = end
    return parts


def topic_before(text: str, pos: int) -> str:
    """The phrase naming the amount that starts at ``pos``: from the last boundary, without ordinals or years."""
    head = text[:pos]
    cut = 0
    for m in _BOUNDARY.finditer(head):
        cut = m.end()
    topic = _OWNER_YEAR.sub("", re.sub(r"\s+", "", head[cut:]))
    for _ in range(3):
        topic = _LEADING.sub("", _ORDINAL.sub("", topic))
    return _TRAILING.sub("", topic)


def _amount(printed: str, unit: str) -> Decimal:
    return to_yuan(parse_amount(printed.replace("，", ",")), unit)


def sentence_facts(doc: SourceDocument, s: Sentence, k: int = 0, section: str = "") -> list[NarrativeFact]:
    """Sentence ``k`` of the prose → a NarrativeFact for each money amount in it.

    ``section``: the qualifier its heading names; ``qualifier_of`` says which one each amount gets.
    """
    out = []
    for m in _AMOUNT.finditer(s.text):
        try:
            amount = _amount(m.group(1), m.group(2))
        except ValueError:
            continue
        line = s.line_at(m.start())
        out.append(NarrativeFact(topic_before(s.text, m.start()), amount, m.group(2), s.text,
                                 doc.ref(line, line, "说明"), k, m.start(), qualifier_of(s.text, m.start(), section)))
    return out


def qualifier_of(text: str, pos: int, section: str = "") -> str:
    """Whose money the amount at ``pos`` is: the qualifier its own phrase prints, else the one its heading names
    (``section``), else that of the whole it is part of (``…财政拨款支出 X 万元，其中：基本支出 Y 万元``); '' for none.

    Blanks are ignored, so a qualifier printed with its characters spaced out (``财 政 拨 款``) is one.
    ``收入包括：一般公共预算拨款 A 万元、政府性基金拨款 B 万元、其他收入 C 万元``: A is 一般公共预算
    money, B 政府性基金 money, C neither.
    """
    head = text[:pos]
    cut = max((m.end() for m in _BOUNDARY.finditer(head)), default=0)
    own = _qualifier_in(head[cut:])
    if own or section:
        return own or section
    whole = max((m.start() for m in re.finditer("其中", head)), default=-1)
    return _qualifier_in(head[:whole]) if whole >= 0 else ""


def _qualifier_in(text: str) -> str:
    """The qualifier printed last in ``text``, '' for none."""
    found = _QUALIFIER.findall(compact(text))
    return next(q for q in QUALIFIERS if found[-1].startswith(q)) if found else ""


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


_LEVELS = (re.compile(r"^第[一二三四五六七八九十]+部分"), re.compile(r"^[一二三四五六七八九十]+[、.．]"),
           re.compile(r"^[（(][一二三四五六七八九十]+[）)]"), re.compile(r"^\d+[、.．](?!\d)"),
           re.compile(r"^[（(]\d+[）)]"))


def parts_lists(text: str, facts: list[NarrativeFact], before: list[NarrativeFact]) -> list[NarrativeFact]:
    """A sentence's facts with the lists of parts it states marked (``part_of``, ``complete``).

    A list starts at ``其中`` / ``包括：`` and runs to the next ``；`` or ``。``; its whole is the
    amount stated last before it, or the whole of the list that amount is a part of (``收入包括：…；
    支出包括：…`` both list the parts of one total), or — for a list that opens its sentence
    (``收入包括：``) — the last amount of the sentence before, or that amount's whole (``before``: the
    facts of the two sentences before).  Amounts that state a change (``比上年增加``) are
    neither parts nor wholes.
    """
    amounts = [f for f in facts if not CHANGE_WORD.search(f.topic)]
    listed: dict[int, tuple[NarrativeFact | None, int, bool]] = {}  # a part's position → (whole, list, complete)
    last_end = -1
    for m in _LIST.finditer(text):
        if m.start() < last_end:
            continue  # a second word of a list already open (包括：其中)
        end = e.start() if (e := _LIST_END.search(text, m.end())) else len(text)
        last_end = end
        parts = [f for f in amounts if m.end() <= f.position < end]
        prior = [f for f in amounts if f.position < m.start()]
        opening = compact(text[:m.start()])
        whole: NarrativeFact | None = None
        if prior:  # a list after a list shares its whole (收入包括：…；支出包括：…)
            whole = listed[prior[-1].position][0] if prior[-1].position in listed else prior[-1]
        elif len(opening) <= 4 and not _PUNCT.search(opening):
            last = max((f.sentence for f in before), default=-1)
            whole = next((f for f in reversed(before) if f.sentence == last and not CHANGE_WORD.search(f.topic)),
                         None)
            if whole is not None and whole.part_of is not None:  # the sentence before ended a list: its whole
                whole = next((f for f in before if (f.sentence, f.position) == whole.part_of), None)
        for f in parts:
            listed[f.position] = (whole, m.start(), not m.group("some"))
    out = []
    for f in facts:
        whole, at, complete = listed.get(f.position, (None, 0, False))
        if whole is not None:
            f = replace(f, part_of=(whole.sentence, whole.position), listed_at=at, complete=complete)
        out.append(f)
    return out


def heading_level(text: str) -> int:
    """A heading's level by its ordinal's style: 第一部分 0, 一、 1, （一） 2, 1. 3, （1） 4; 5 for another."""
    return next((i for i, pattern in enumerate(_LEVELS) if pattern.match(text)), len(_LEVELS))


def heading_qualifier(text: str) -> str:
    """The qualifier a heading names (its first), '' for none: ``（四）…财政拨款收支预算情况的总体说明`` → 财政拨款."""
    found = _QUALIFIER.findall(compact(text[:80]))
    return next(q for q in QUALIFIERS if found[0].startswith(q)) if found else ""


def narrative_records(doc: SourceDocument, tables) -> list[NarrativeRecord]:
    """Prose → its NarrativeFacts, then its NarrativeChanges, then its NarrativeShares, each in reading order.

    A heading (``二、…``, ``（四）…``) that names a qualifier sets it for the facts of its part, down to
    the next heading of its level or above.
    """
    facts: list[NarrativeRecord] = []
    changes_: list[NarrativeRecord] = []
    shares_: list[NarrativeRecord] = []
    named: dict[int, str] = {}  # heading level → the qualifier its heading names
    by_sentence: dict[int, list[NarrativeFact]] = {}
    for k, s in enumerate(sentences(doc, tables)):
        level = heading_level(s.text) if s.heading or _SECTION.match(s.text) else None
        if level is not None:  # a heading sets whose money its part speaks of, and ends its lower headings' parts
            named = {lv: q for lv, q in named.items() if lv < level} | {level: heading_qualifier(s.text)}
        section = next((q for _, q in sorted(named.items(), reverse=True) if q), "")
        stated = parts_lists(s.text, sentence_facts(doc, s, k, section), by_sentence.get(k - 2, []) + by_sentence.get(k - 1, []))
        by_sentence[k] = stated
        facts += stated
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
