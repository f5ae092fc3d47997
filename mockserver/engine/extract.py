"""What the conversation says: typed values found in its texts, in the order they were said.

The extractor reads the last user turn first, then earlier user turns, then tool results, and
turns them into `Candidate`s (numbers with units, quoted strings, capitalised names in any script,
e-mail addresses, URLs, ISO dates and times, upper-case codes, yes/no) and `lists` of candidates
of one kind ("Paris and Rome"). It never raises on any text, and its cost is bounded: each text is
cut to `MAX_TEXT_CHARS` and every pattern is anchored so that it cannot backtrack quadratically.
"""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

Kind = Literal[
    "integer", "number", "quoted", "name", "email", "url", "date", "datetime", "time", "code",
    "boolean", "word",
]  # fmt: skip
Source = Literal["user", "earlier", "tool"]
Spot = tuple[int, int]  # (which text, where in it): a candidate's identity and order

MAX_TEXT_CHARS = 4000  # of each text read
MAX_TEXTS = 8  # texts read per conversation, the most recent ones
MAX_CANDIDATES = 200  # per text
_MAX_DIGITS = 15
_JSON_DEPTH = 3
_JSON_ITEMS = 32

# Patterns start with a lookbehind that fails inside a run, so each run is tried once: linear.
_URL = re.compile(r"(?<![\w/])https?://[^\s<>\"'`]+")
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_DATETIME = re.compile(
    r"(?<!\d)\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:Z|[+-]\d{2}:\d{2})?(?!\d)"
)
_DATE = re.compile(r"(?<![\d-])\d{4}-\d{2}-\d{2}(?![\d-])")
_TIME = re.compile(r"(?<![\d:])\d{1,2}:\d{2}(?::\d{2})?(?![\d:])")
_QUOTED = re.compile(
    r"(?<!\w)\"([^\"\n]{1,200})\"|(?<!\w)'([^'\n]{1,200})'(?!\w)|\u201c([^\u201d\n]{1,200})\u201d"
    r"|\u2018([^\u2019\n]{1,200})\u2019|\u00ab([^\u00bb\n]{1,200})\u00bb|\u201e([^\u201c\u201d\n]{1,200})[\u201c\u201d]"
)
_NUMBER = re.compile(
    r"(?<![\w.,])([-+\u2212]?)([$€£¥]?)(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?(?![\d])"
    r"(?:\s?(%|[^\W\d_]{1,16}))?"
)
_CODE = re.compile(r"(?<![\w-])[A-Z]{2,6}(?![\w-])")
_WORD = re.compile(r"[^\W\d_]+(?:['\u2019\-][^\W\d_]+)*")
_WORD_LIST = re.compile(  # "red, green and blue": bounded repeats, so linear
    r"(?<!\w)[^\W\d_]{1,30}(?:, [^\W\d_]{1,30}){1,15},? (?:and|or) [^\W\d_]{1,30}(?!\w)"
)
_YES_NO = re.compile(r"(?<!\w)(yes|no|true|false)(?!\w)", re.IGNORECASE)
_LABEL = re.compile(r"([^\W\d]\w{0,40})\s*[:=]\s*$")
_LIST_GAP = re.compile(
    r"\s*(?:,\s*(?:and\s+|or\s+)?|and\s+|or\s+|&\s*|/\s*)(?:(?:in|at|for|to|from|of|the)\s+)?",
    re.IGNORECASE,
)
_SENTENCE_END = frozenset(".!?:;\n\"'\u201c\u2018\u00ab(")
_PLACE_WORDS = frozenset(("in", "at", "to", "from", "near", "into", "around", "visit", "visiting"))
_CONNECTORS = frozenset(
    ("de", "da", "do", "dos", "das", "del", "della", "di", "van", "von", "der", "den", "la", "le",
     "du", "y", "bin", "al", "el")
)  # fmt: skip
# Capitalised only because they start a sentence (or are "I"): never names on their own.
STOP_WORDS = frozenset(
    """contact ask invite message text ping notify meet cancel delete remove update change
    move copy save share post upload download install buy rent hire register sign log join
    leave follow watch listen draw paint cook bake drive walk fly ship deliver pick choose
    select sort filter count rate review edit fix solve name note mark record track list
    i i'm i've i'd i'll what what's who who's where where's when why how is are am was
    were do does did can could would should will shall may might must the a an please tell
    give show find get hi hello hey thanks thank and or but in on at for of to use add
    book write compute calculate convert send email schedule create make set remind
    translate summarize summarise search look list explain describe draft check fetch
    let's lets now then also my our we you it this that these those there here yes no ok
    okay sure dear kindly call run greet say reply respond answer repeat extract help need
    want i'd could can't don't is it's multiply divide subtract sum count compare plan
    order buy sell pay open close start stop turn play read generate return tell weather
    today tomorrow yesterday good great fine which if so as by with from into after before
    while during up down out over under again about""".split()  # noqa: SIM905
)


@dataclass(frozen=True, slots=True)
class Candidate:
    kind: Kind
    value: Any  # int, float, str or bool, as a JSON value
    text: str  # as written
    source: Source
    spot: Spot
    unit: str = ""  # the word after a number ("3 days" -> "days"), lower case
    key: str = ""  # the JSON key or "label:" the value came with, lower case
    place: bool = False  # a name after "in", "at", "to", "from"...
    weak: bool = False  # one capitalised word that starts a sentence


@dataclass(frozen=True, slots=True)
class Found:
    """Everything the extractor found, best source first."""

    candidates: tuple[Candidate, ...]
    lists: tuple[tuple[Candidate, ...], ...]
    texts: tuple[tuple[Source, str], ...]  # the (cut) texts read, for enum mentions

    def only(self, source: Source) -> Found:
        """What one source said (the last user turn alone, for deciding whether to call)."""
        return Found(
            tuple(c for c in self.candidates if c.source == source),
            tuple(run for run in self.lists if run[0].source == source),
            self.texts,
        )


def extract(texts: Sequence[tuple[Source, str]]) -> Found:
    """Candidates from `texts` (most important first); never raises on any text."""
    candidates: list[Candidate] = []
    lists: list[tuple[Candidate, ...]] = []
    kept: list[tuple[Source, str]] = []
    for index, (source, text) in enumerate(texts[:MAX_TEXTS]):
        cut = text[:MAX_TEXT_CHARS]
        kept.append((source, cut))
        found = _from_json(cut, source, index) if source == "tool" else None
        if found is None:
            found = sorted(_from_text(cut, source, index), key=lambda c: c.spot)[:MAX_CANDIDATES]
            lists.extend(_lists(cut, found))
        candidates.extend(found)
    return Found(tuple(candidates), tuple(lists), tuple(kept))


def _from_text(text: str, source: Source, index: int) -> list[Candidate]:
    taken = bytearray(len(text))
    out: list[Candidate] = []

    def claim(start: int, end: int) -> bool:
        if any(taken[start:end]):
            return False
        taken[start:end] = b"\x01" * (end - start)
        return True

    def add(kind: Kind, value: Any, start: int, end: int, **extra: Any) -> None:
        if claim(start, end):
            label = _LABEL.search(text, max(0, start - 48), start)
            key = label.group(1).lower() if label else ""
            out.append(Candidate(kind, value, text[start:end], source, (index, start), key=key,
                                 **extra))  # fmt: skip

    for match in _URL.finditer(text):
        url = match.group().rstrip(".,;:!?)]}")
        add("url", url, match.start(), match.start() + len(url))
    for match in _EMAIL.finditer(text):
        add("email", match.group().rstrip("."), match.start(), match.end())
    for match in _DATETIME.finditer(text):
        value = match.group().replace(" ", "T")
        if _valid_datetime(value):
            add("datetime", value, match.start(), match.end())
    for match in _DATE.finditer(text):
        if _valid_date(match.group()):
            add("date", match.group(), match.start(), match.end())
        else:
            claim(match.start(), match.end())  # not a date, and not three numbers either
    for match in _TIME.finditer(text):
        hours, minutes = (int(part) for part in match.group().split(":")[:2])
        if hours < 24 and minutes < 60:
            add("time", match.group(), match.start(), match.end())
    for match in _QUOTED.finditer(text):
        inner = next(group for group in match.groups() if group is not None)
        if inner.strip():
            add("quoted", inner.strip(), match.start(), match.end())
    for match in _NUMBER.finditer(text):
        sign, currency, whole, decimals, unit = match.groups()
        digits = whole.replace(",", "")
        if len(digits) + len(decimals or "") > _MAX_DIGITS:
            continue
        negative = sign in ("-", "\u2212")
        number: int | float = float(f"{digits}.{decimals}") if decimals else int(digits)
        number = -number if negative else number
        unit_text = currency or (unit or "").lower()
        end = match.end(4) if decimals else match.end(3)  # the unit may be a value of its own
        add("number" if decimals else "integer", number, match.start(), end, unit=unit_text)
    for match in _CODE.finditer(text):
        add("code", match.group(), match.start(), match.end())
    for start, end, weak in _names(text):
        before = text[max(0, start - 16) : start].split()
        place = bool(before) and before[-1].lower() in _PLACE_WORDS
        add("name", text[start:end], start, end, place=place, weak=weak)
    for match in _WORD_LIST.finditer(text):
        words = [
            w
            for w in _WORD.finditer(text, match.start(), match.end())
            if w.group() not in ("and", "or")
        ]
        if all(w.group().islower() and w.group() not in STOP_WORDS for w in words):
            for word in words:
                add("word", word.group(), word.start(), word.end())
    for match in _YES_NO.finditer(text):
        add("boolean", match.group().lower() in ("yes", "true"), match.start(), match.end())
    return out


def _names(text: str) -> Iterator[tuple[int, int, bool]]:
    """Spans of capitalised words ("Zoë Núñez", "Rio de Janeiro"), without sentence openers."""
    span: list[re.Match[str]] = []
    for match in _WORD.finditer(text):
        word = match.group()
        capital = word[0].isupper() and not (len(word) > 1 and word.isupper())
        joined = bool(span) and text[span[-1].end() : match.start()] == " "
        if capital and (joined or not span):
            span.append(match)
            continue
        if joined and word in _CONNECTORS and capital is False:
            span.append(match)
            continue
        yield from _name_span(text, span)
        span = [match] if capital else []
    yield from _name_span(text, span)


def _name_span(text: str, span: list[re.Match[str]]) -> Iterator[tuple[int, int, bool]]:
    while span and span[-1].group() in _CONNECTORS:
        span = span[:-1]
    if not span:
        return
    opens = _opens_sentence(text, span[0].start())
    if opens:
        while span and span[0].group().lower() in STOP_WORDS:
            span = span[1:]
    if not span or (len(span) == 1 and span[0].group().lower() in STOP_WORDS):
        return
    yield span[0].start(), span[-1].end(), opens and len(span) == 1


def _opens_sentence(text: str, start: int) -> bool:
    before = text[max(0, start - 8) : start].rstrip()
    return not before or before[-1] in _SENTENCE_END


def _valid_date(text: str) -> bool:
    try:
        datetime.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _valid_datetime(text: str) -> bool:
    try:
        datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def _lists(text: str, found: list[Candidate]) -> Iterator[tuple[Candidate, ...]]:
    """Runs of candidates of one family joined by ",", "and", "or" ("Paris and in Rome")."""
    run: list[Candidate] = []
    for candidate in found:
        if run and _family(run[-1]) == _family(candidate):
            gap = text[run[-1].spot[1] + len(run[-1].text) : candidate.spot[1]]
            if len(gap) <= 24 and _LIST_GAP.fullmatch(gap):
                run.append(candidate)
                continue
        if len(run) >= 2:
            yield tuple(run)
        run = [candidate]
    if len(run) >= 2:
        yield tuple(run)


def _family(candidate: Candidate) -> str:
    if candidate.kind in ("integer", "number"):
        return "number"
    return "text" if candidate.kind in ("name", "code", "quoted") else candidate.kind


def _from_json(text: str, source: Source, index: int) -> list[Candidate] | None:
    """Candidates keyed by their JSON keys, when a tool result is a JSON document."""
    stripped = text.lstrip()
    if stripped[:1] not in ("{", "["):
        return None
    try:
        document = json.loads(text)
    except ValueError:  # not JSON (or cut short): read as text
        return None
    out: list[Candidate] = []
    _walk(document, "", 0, source, index, out)
    return out


def _walk(
    value: Any, key: str, depth: int, source: Source, index: int, out: list[Candidate]
) -> None:
    if len(out) >= MAX_CANDIDATES or depth > _JSON_DEPTH:
        return
    spot = (index, len(out))
    if isinstance(value, bool):
        out.append(Candidate("boolean", value, json.dumps(value), source, spot, key=key))
    elif isinstance(value, int) and abs(value) < 10**_MAX_DIGITS:
        out.append(Candidate("integer", value, str(value), source, spot, key=key))
    elif isinstance(value, float) and value == value and abs(value) < 1e15:
        out.append(Candidate("number", value, repr(value), source, spot, key=key))
    elif isinstance(value, str):
        out.append(Candidate("quoted", value[:400], value[:400], source, spot, key=key))
    elif isinstance(value, Mapping):
        for name, item in list(value.items())[:_JSON_ITEMS]:
            _walk(item, str(name).lower(), depth + 1, source, index, out)
    elif isinstance(value, list):
        for item in value[:_JSON_ITEMS]:
            _walk(item, key, depth + 1, source, index, out)
