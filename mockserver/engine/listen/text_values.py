"""What one text says: the values a text written by a person holds, in the order said (numbers
with units, quoted strings, names in any script, e-mail addresses, URLs, ISO dates and times,
upper-case codes, yes/no, listed words). Every pattern (`patterns.py`) is linear in the text.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from typing import Any

from mockserver.engine.listen.marks import at_marks, emails, label_before, quoted, word_lists
from mockserver.engine.listen.patterns import (
    ASCII_TOKENS,
    CONNECTORS,
    CURRENCIES,
    CURRENCY_WORDS,
    DATE,
    DATETIME,
    LOWER_YES_NO,
    PLACE_WORDS,
    SENTENCE_END,
    STOP_WORDS,
    TIME,
    TOKENS,
    TOWARD,
    UNIT,
    URL,
    WORD,
)
from mockserver.engine.listen.said import MAX_DIGITS, Kind, Said

MAX_COPIES = 4  # candidates of one number (as written) per text: "12 times 12" needs two
_ONCE = frozenset(("name", "code"))  # kinds kept once per text
_SIGNS = frozenset("-+\u2212")
_YES_NO_WORDS = frozenset(("Yes", "YES", "No", "NO", "True", "TRUE", "False", "FALSE"))


def said_in_text(text: str) -> list[Said]:
    """The values `text` holds, each once where it was said (a span taken by one kind is no
    other's: a date is not three numbers), in no particular order."""
    out: list[Said] = []
    taken = bytearray(len(text))
    claimed = False  # whether an earlier pattern (URL, date, quote...) took a span
    scanning = False
    said: set[tuple[str, Any]] = set()
    labelled = ":" in text or "=" in text

    def claim(start: int, end: int) -> None:
        nonlocal claimed
        taken[start:end] = b"\x01" * (end - start)
        claimed = True

    def add(
        kind: Kind, value: Any, start: int, end: int, unit: str = "", place: bool = False,
        weak: bool = False, toward: str = "",
    ) -> None:  # fmt: skip
        if kind in _ONCE:  # a name said again adds nothing; a number said again may ("12 + 12")
            if (kind, value) in said:
                return
            said.add((kind, value))
        if claimed and any(taken[start:end]):
            return
        if not scanning:
            claim(start, end)
        key = label_before(text, start) if labelled else ""
        out.append((kind, value, text[start:end], start, unit, key, place, weak, toward))

    _spans(text, add, claim, taken)
    scanning = True
    runs: set[str] = set()
    copies: dict[str, int] = {}
    joined: list[tuple[int, int]] = []  # names with "-" or "'" inside, which a yes/no may follow
    spoken = "no" in text or "yes" in text or "true" in text or "false" in text
    done: set[str] = set()  # tokens that add nothing when said again
    for match in (ASCII_TOKENS if text.isascii() else TOKENS).finditer(text):
        said_as = match.group()
        if said_as in done:
            continue
        kind = match.lastgroup
        if kind == "number":
            seen = copies.get(said_as, 0) + 1
            copies[said_as] = seen
            if seen == MAX_COPIES:
                done.add(said_as)
            _number(match, said_as, add)
        elif kind == "name":
            if spoken and ("-" in said_as or "'" in said_as or "\u2019" in said_as):
                joined.append(match.span())  # every time: a yes/no inside it is no yes/no
            elif said_as not in _YES_NO_WORDS:  # said elsewhere, a yes/no word is a boolean
                done.add(said_as)
            if said_as not in runs:  # the same words again add no name
                runs.add(said_as)
                _names(text, match.start(), said_as, add)
        elif kind == "code":
            add("code", said_as, match.start(), match.end(), toward=pointed_toward(text, match.start()))
        else:
            add("boolean", said_as in ("Yes", "YES", "True", "TRUE"), match.start(), match.end())
    for word, pattern in LOWER_YES_NO if spoken else ():
        for match in pattern.finditer(text) if word in text else ():
            if joined and any(start < match.start() < end for start, end in joined):
                continue  # "A-yes" is one name
            add("boolean", word in ("yes", "true"), match.start(), match.end())
    return out


def _spans(
    text: str, add: Callable[..., None], claim: Callable[[int, int], None], taken: bytearray
) -> None:
    """URLs, e-mail addresses, dates and times, quotes and listed words: each takes its span
    (`claim`), so no later pattern reads inside it."""
    for match in URL.finditer(text) if "://" in text else ():
        url = match.group().rstrip(".,;:!?)]}")
        add("url", url, match.start(), match.start() + len(url))
    for match in emails(text) if "@" in text else ():
        add("email", match.group().rstrip("."), match.start(), match.end())
    dashed = "-" in text
    for match in at_marks(text, DATETIME, "-", (4,)) if dashed else ():
        value = match.group().replace(" ", "T")
        if _valid_datetime(value):
            add("datetime", value, match.start(), match.end())
    for match in at_marks(text, DATE, "-", (4,)) if dashed else ():
        if _valid_date(match.group()):
            add("date", match.group(), match.start(), match.end())
        elif not any(taken[match.start() : match.end()]):
            claim(match.start(), match.end())  # not a date, and not three numbers either
    for match in at_marks(text, TIME, ":", (2, 1)) if ":" in text else ():
        hours, minutes = (int(part) for part in match.group().split(":")[:2])
        if hours < 24 and minutes < 60:
            add("time", match.group(), match.start(), match.end())
    quoting = '"' in text or "'" in text or not text.isascii()  # the other marks are not ASCII
    for match in quoted(text) if quoting else ():
        inner = next(group for group in match.groups() if group is not None)
        if inner.strip():
            add("quoted", inner.strip(), match.start(), match.end())
    listed = "," in text and (" and " in text or " or " in text)
    for match in word_lists(text) if listed else ():
        items = [
            w
            for w in WORD.finditer(text, match.start(), match.end())
            if w.group() not in ("and", "or")
        ]
        if all(w.group().islower() and w.group() not in STOP_WORDS for w in items):
            for item in items:
                add("word", item.group(), item.start(), item.end())


def _number(match: re.Match[str], said: str, add: Callable[..., None]) -> None:
    end = match.end()
    if said.isdecimal():  # most numbers: digits alone
        if len(said) <= MAX_DIGITS:
            after = UNIT.match(match.string, end)
            add("integer", int(said), end - len(said), end, after.group(1).lower() if after else "")
        return
    first = said[0]
    sign = first if first in _SIGNS else ""
    currency = said[len(sign)] if said[len(sign)] in CURRENCIES else ""
    decimals = match.group("decimals")
    digits = said[len(sign) + len(currency) :]
    if match.group("cents"):  # "1.299,99"
        digits, _, decimals = digits.partition(",")
        digits = digits.replace(".", "")
    elif decimals:
        digits = digits.partition(".")[0]
    if "," in digits:
        digits = digits.replace(",", "")
    if len(digits) + len(decimals or "") > MAX_DIGITS:
        return
    number: int | float = float(f"{digits}.{decimals}") if decimals else int(digits)
    if sign and sign != "+":
        number = -number
    unit = currency
    if not unit:
        after = UNIT.match(match.string, end)
        unit = after.group(1).lower() if after else ""
    add("number" if decimals else "integer", number, match.start(), end, unit)


def _names(text: str, offset: int, said: str, add: Callable[..., None]) -> None:
    """A name from a run of capitalised words (`said`, at `offset`), without the words that only
    open a sentence; all-capital words in it are codes."""
    if " " not in said and not (len(said) > 1 and said.isupper()):  # one word: most names
        if said.lower() not in STOP_WORDS:  # (a capitalised word is never a connector)
            before = text[max(0, offset - 16) : offset]
            last = before.rsplit(None, 1)[-1:]
            word = last[0].lower() if last else ""
            opening = before[-8:].rstrip()  # as `_opens_sentence` reads it
            # after a colon a word is what was named, not a sentence's first ("team: Ana")
            weak = not opening or (opening[-1] in SENTENCE_END and opening[-1] != ":")
            place = word in PLACE_WORDS and said.casefold() not in CURRENCY_WORDS  # "in Yen"
            add("name", said, offset, offset + len(said), "", place, weak, TOWARD.get(word, ""))
        return
    run: list[tuple[int, str]] = []
    for word in said.split(" "):
        if len(word) > 1 and word.isupper():
            _name(text, run, add)
            add("code", word, offset, offset + len(word), toward=pointed_toward(text, offset))
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
        words = len(run)
        while run and (run[0][1].lower() in STOP_WORDS or run[0][1] in CONNECTORS):
            run = run[1:]
        opens = len(run) == words  # "Compare Paris": Paris does not open the sentence
    if not run or (len(run) == 1 and run[0][1].lower() in STOP_WORDS):
        return
    start, end = run[0][0], run[-1][0] + len(run[-1][1])
    last = text[max(0, start - 16) : start].rsplit(None, 1)[-1:]
    word = last[0].lower() if last else ""
    weak = opens and len(run) == 1 and not text[max(0, start - 8) : start].rstrip().endswith(":")
    said = text[start:end]
    place = word in PLACE_WORDS and said.casefold() not in CURRENCY_WORDS
    add("name", said, start, end, "", place, weak, TOWARD.get(word, ""))


def pointed_toward(text: str, start: int) -> str:
    """ "from" or "to" when the word before `start` is one that points so ("to JPY")."""
    last = text[max(0, start - 16) : start].rsplit(None, 1)[-1:]
    return TOWARD.get(last[0].lower(), "") if last else ""


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
