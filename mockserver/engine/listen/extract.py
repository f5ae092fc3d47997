"""What the conversation says: typed values found in its texts, in the order they were said.

The extractor reads the last user turn first, then earlier user turns, then tool results, and
turns them into `Candidate`s (numbers with units, quoted strings, capitalised names in any script,
e-mail addresses, URLs, ISO dates and times, upper-case codes, yes/no) and `lists` of candidates
of one kind ("Paris and Rome"). It never raises on any text, and its cost is bounded: each text is
cut to `MAX_TEXT_CHARS` (head and tail), and every pattern (`patterns.py`) is linear in the text.
"""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from operator import itemgetter
from typing import Any, Literal, NamedTuple

from mockserver.engine.conversation import json_document
from mockserver.engine.listen.patterns import (
    ASCII_CAPITALISED,
    ASCII_NUMBERS,
    CAPITALISED,
    CONNECTORS,
    CURRENCIES,
    DATE,
    DATETIME,
    EMAIL,
    LABEL,
    LIST_GAP,
    LOWER_YES_NO,
    NUMBERS,
    PLACE_WORDS,
    QUOTE_MARKS,
    QUOTED,
    SENTENCE_END,
    STOP_WORDS,
    TIME,
    UNIT,
    URL,
    WORD,
    WORD_LIST,
)

Kind = Literal[
    "integer", "number", "quoted", "name", "email", "url", "date", "datetime", "time", "code",
    "boolean", "word",
]  # fmt: skip
Source = Literal["user", "earlier", "tool"]
Spot = tuple[int, int]  # (which text, where in it): a candidate's identity and order
# A value as one text says it: (kind, value, as written, start, unit, key, place, weak), the
# fields of a `Candidate` before it knows which text it came from.
_Said = tuple[Kind, Any, str, int, str, str, bool, bool]

MAX_TEXT_CHARS = 1000  # of each text read: its head and its tail
MAX_TEXTS = 8  # texts read per conversation, the most recent ones
MAX_CANDIDATES = 64  # per text
_MAX_DIGITS = 15
MAX_COPIES = 4  # candidates of one number (as written) per text: "12 times 12" needs two
_ONCE = frozenset(("name", "code"))  # kinds kept once per text
_START = itemgetter(3)  # of a `_Said`
_new = tuple.__new__
_SIGNS = frozenset("-+\u2212")
# Kinds a list may mix ("Paris and NYC", "3 and 4.5"); any other kind lists with its own only.
_FAMILY = {"integer": "number", "number": "number", "name": "text", "code": "text", "quoted": "text"}
READ_CACHE_TEXTS = 512  # texts whose reading is kept (each at most MAX_TEXT_CHARS long)
_JSON_DEPTH = 3
_JSON_ITEMS = 32

class Candidate(NamedTuple):  # a tuple: built far faster than a frozen dataclass, and as immutable
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


NOTHING = Found((), (), ())


def extract(texts: Sequence[tuple[Source, str]]) -> Found:
    """Candidates from `texts` (most important first); never raises on any text."""
    candidates: list[Candidate] = []
    lists: list[tuple[Candidate, ...]] = []
    kept: list[tuple[Source, str]] = []
    for index, (source, text) in enumerate(texts[:MAX_TEXTS]):
        cut = cut_text(text)
        kept.append((source, cut))
        said, runs = _read(cut, source == "tool")
        found = [  # tuple.__new__ skips the NamedTuple's Python-level __new__: a third faster
            _new(Candidate, (kind, value, as_written, source, (index, start), unit, key, place, weak))
            for kind, value, as_written, start, unit, key, place, weak in said
        ]
        lists.extend(tuple(found[at] for at in run) for run in runs)
        candidates.extend(found)
    return Found(tuple(candidates), tuple(lists), tuple(kept))


@lru_cache(maxsize=READ_CACHE_TEXTS)
def _read(text: str, tool: bool) -> tuple[tuple[_Said, ...], tuple[tuple[int, ...], ...]]:
    """What one (cut) text says, in order, and its lists as positions in that order. Kept for
    the texts read last: clients resend the whole conversation with every turn."""
    said = _from_json(text) if tool else None
    if said is not None:
        return tuple(said), ()
    said = sorted(_from_text(text), key=_START)
    if len(said) > MAX_CANDIDATES:  # the first and the last values said
        said = said[: MAX_CANDIDATES // 2] + said[-(MAX_CANDIDATES // 2) :]
    return tuple(said), tuple(_lists(text, said)) if len(said) > 1 else ()


def cut_text(text: str) -> str:
    """The text read: all of it, or its head and its tail (where a question usually is)."""
    if len(text) <= MAX_TEXT_CHARS:
        return text
    half = MAX_TEXT_CHARS // 2
    return text[:half] + "\n" + text[-(MAX_TEXT_CHARS - half - 1) :]


def _from_text(text: str) -> list[_Said]:
    taken = bytearray(len(text))
    out: list[_Said] = []
    scanning = False
    claimed = False  # whether an earlier pattern (URL, date, quote...) took a span

    def claim(start: int, end: int) -> None:
        nonlocal claimed
        taken[start:end] = b"\x01" * (end - start)
        claimed = True

    said: set[tuple[str, Any]] = set()
    labelled = ":" in text or "=" in text

    def add(
        kind: Kind, value: Any, start: int, end: int, unit: str = "", place: bool = False,
        weak: bool = False,
    ) -> None:  # fmt: skip
        if kind in _ONCE:  # a name said again adds nothing; a number said again may ("12 + 12")
            if (kind, value) in said:
                return
            said.add((kind, value))
        if claimed and any(taken[start:end]):
            return
        if not scanning:
            claim(start, end)
        key = _label_before(text, start) if labelled else ""
        out.append((kind, value, text[start:end], start, unit, key, place, weak))

    for match in URL.finditer(text) if "://" in text else ():
        url = match.group().rstrip(".,;:!?)]}")
        add("url", url, match.start(), match.start() + len(url))
    for match in EMAIL.finditer(text) if "@" in text else ():
        add("email", match.group().rstrip("."), match.start(), match.end())
    dashed = "-" in text
    for match in DATETIME.finditer(text) if dashed else ():
        value = match.group().replace(" ", "T")
        if _valid_datetime(value):
            add("datetime", value, match.start(), match.end())
    for match in DATE.finditer(text) if dashed else ():
        if _valid_date(match.group()):
            add("date", match.group(), match.start(), match.end())
        elif not (claimed and any(taken[match.start() : match.end()])):
            claim(match.start(), match.end())  # not a date, and not three numbers either
    for match in TIME.finditer(text) if ":" in text else ():
        hours, minutes = (int(part) for part in match.group().split(":")[:2])
        if hours < 24 and minutes < 60:
            add("time", match.group(), match.start(), match.end())
    for match in _quoted(text):
        inner = next(group for group in match.groups() if group is not None)
        if inner.strip():
            add("quoted", inner.strip(), match.start(), match.end())
    listed = "," in text and (" and " in text or " or " in text)
    for match in WORD_LIST.finditer(text) if listed else ():
        items = [
            w
            for w in WORD.finditer(text, match.start(), match.end())
            if w.group() not in ("and", "or")
        ]
        if all(w.group().islower() and w.group() not in STOP_WORDS for w in items):
            for item in items:
                add("word", item.group(), item.start(), item.end())
    scanning = True
    runs: set[str] = set()
    copies: dict[str, int] = {}
    joined: list[tuple[int, int]] = []  # names with "-" or "'" inside, which a yes/no may follow
    spoken = "no" in text or "yes" in text or "true" in text or "false" in text
    plain = text.isascii()
    for match in (ASCII_CAPITALISED if plain else CAPITALISED).finditer(text):
        kind, said_as = match.lastgroup, match.group()
        if kind == "name":
            if spoken and ("-" in said_as or "'" in said_as or "\u2019" in said_as):
                joined.append(match.span())
            if said_as not in runs:  # the same words again add no name
                runs.add(said_as)
                _names(match, add)
        elif kind == "code":
            add("code", said_as, match.start(), match.end())
        else:
            add("boolean", said_as in ("Yes", "YES", "True", "TRUE"), match.start(), match.end())
    for match in (ASCII_NUMBERS if plain else NUMBERS).finditer(text):
        said_as = match.group()
        seen = copies.get(said_as, 0)
        if seen < MAX_COPIES:
            copies[said_as] = seen + 1
            _number(match, add)
    for word, pattern in LOWER_YES_NO if spoken else ():
        for match in pattern.finditer(text) if word in text else ():
            if joined and any(start < match.start() < end for start, end in joined):
                continue  # "A-yes" is one name
            add("boolean", word in ("yes", "true"), match.start(), match.end())
    return out


def _label_before(text: str, start: int) -> str:
    """The "label:" or "key=" just before a value, lower case; "" when there is none."""
    if text[max(0, start - 3) : start].rstrip()[-1:] not in (":", "="):
        return ""
    label = LABEL.search(text, max(0, start - 48), start)
    return label.group(1).lower() if label else ""


def _quoted(text: str) -> Iterator[re.Match[str]]:
    """`QUOTED`'s matches, tried only where a quote mark opens: trying the pattern at every
    position of a long text costs more than the rest of the extractor. `str.find` finds the
    marks faster than a character class would."""
    end = 0
    for at in sorted(at for mark in QUOTE_MARKS if mark in text for at in _places(text, mark)):
        if at >= end:
            match = QUOTED.match(text, at)
            if match is not None:
                end = match.end()
                yield match


def _places(text: str, mark: str) -> Iterator[int]:
    at = text.find(mark)
    while at >= 0:
        yield at
        at = text.find(mark, at + 1)


def _number(match: re.Match[str], add: Callable[..., None]) -> None:
    said = match.group()
    sign = said[0] if said[0] in _SIGNS else ""
    currency = said[len(sign)] if said[len(sign)] in CURRENCIES else ""
    decimals = match.group("decimals")
    digits = said[len(sign) + len(currency) :].partition(".")[0].replace(",", "")
    if len(digits) + len(decimals or "") > _MAX_DIGITS:
        return
    number: int | float = float(f"{digits}.{decimals}") if decimals else int(digits)
    if sign in ("-", "\u2212"):
        number = -number
    unit = currency
    if not unit:
        after = UNIT.match(match.string, match.end())
        unit = after.group(1).lower() if after else ""
    add("number" if decimals else "integer", number, match.start(), match.end(), unit)


def _names(match: re.Match[str], add: Callable[..., None]) -> None:
    """A name from a run of capitalised words, without the words that only open a sentence;
    all-capital words in it are codes."""
    text, offset, said = match.string, match.start(), match.group()
    if " " not in said and not (len(said) > 1 and said.isupper()):  # one word: most names
        if said.lower() not in STOP_WORDS:  # (a capitalised word is never a connector)
            before = text[max(0, offset - 16) : offset].split()
            place = bool(before) and before[-1].lower() in PLACE_WORDS
            weak = _opens_sentence(text, offset)
            add("name", said, offset, offset + len(said), place=place, weak=weak)
        return
    run: list[tuple[int, str]] = []
    for word in said.split(" "):
        if len(word) > 1 and word.isupper():
            _name(text, run, add)
            add("code", word, offset, offset + len(word))
            run = []
        else:
            run.append((offset, word))
        offset += len(word) + 1
    _name(text, run, add)


def _name(text: str, run: list[tuple[int, str]], add: Callable[..., None]) -> None:
    while run and run[-1][1] in CONNECTORS:
        run = run[:-1]
    if not run:
        return
    opens = _opens_sentence(text, run[0][0])
    if opens:
        while run and (run[0][1].lower() in STOP_WORDS or run[0][1] in CONNECTORS):
            run = run[1:]
    if not run or (len(run) == 1 and run[0][1].lower() in STOP_WORDS):
        return
    start, end = run[0][0], run[-1][0] + len(run[-1][1])
    before = text[max(0, start - 16) : start].split()
    place = bool(before) and before[-1].lower() in PLACE_WORDS
    add("name", text[start:end], start, end, place=place, weak=opens and len(run) == 1)


def _opens_sentence(text: str, start: int) -> bool:
    before = text[max(0, start - 8) : start].rstrip()
    return not before or before[-1] in SENTENCE_END


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


def _lists(text: str, said: list[_Said]) -> Iterator[tuple[int, ...]]:
    """Runs of values of one family joined by ",", "and", "or" ("Paris and in Rome"), as
    positions in `said`."""
    run: list[int] = []
    family = ""
    for at, value in enumerate(said):
        kind_family = _FAMILY.get(value[0], value[0])
        if run and kind_family == family:
            last = said[run[-1]]
            gap = text[last[3] + len(last[2]) : value[3]]
            if len(gap) <= 24 and LIST_GAP.fullmatch(gap):
                run.append(at)
                continue
        if len(run) >= 2:
            yield tuple(run)
        run, family = [at], kind_family
    if len(run) >= 2:
        yield tuple(run)


def _from_json(text: str) -> list[_Said] | None:
    """Values keyed by their JSON keys, when a tool result is a JSON document."""
    stripped = text.lstrip()
    if stripped[:1] not in ("{", "["):
        return None
    document = json_document(text)
    if document is None:  # not JSON, cut short, nested too deep or not writable: read as text
        return None
    out: list[_Said] = []
    _walk(document, "", 0, out)
    return out


def _walk(value: Any, key: str, depth: int, out: list[_Said]) -> None:
    if len(out) >= MAX_CANDIDATES or depth > _JSON_DEPTH:
        return
    at = len(out)  # a JSON value's place is its position among the values
    if isinstance(value, bool):
        out.append(("boolean", value, json.dumps(value), at, "", key, False, False))
    elif isinstance(value, int) and abs(value) < 10**_MAX_DIGITS:
        out.append(("integer", value, str(value), at, "", key, False, False))
    elif isinstance(value, float) and value == value and abs(value) < 1e15:
        out.append(("number", value, repr(value), at, "", key, False, False))
    elif isinstance(value, str):
        out.append(("quoted", value[:400], value[:400], at, "", key, False, False))
    elif isinstance(value, Mapping):
        for name, item in list(value.items())[:_JSON_ITEMS]:
            _walk(item, str(name).lower(), depth + 1, out)
    elif isinstance(value, list):
        for item in value[:_JSON_ITEMS]:
            _walk(item, key, depth + 1, out)
