"""Values read only when a field asks for them: currencies said in words, identifiers.

Nothing here is added to what every request reads: these texts are read again, from what the
extractor kept, only for a field that asks.

Currencies, for a field whose name or description says "currency": "Convert 99 euros to dollars"
says two currencies without a code; "euros" is `EUR` and "dollars" is `USD`, as "$20" is `USD`. A
currency said right after an amount ("99 euros", "$20") is the one converted *from*, unless a
"to" comes before it; so "How many yen is 50 pounds?" is from GBP to JPY.

Identifiers, for a string field whose own name says id (`user_id`, `orderId`, `id`, `sku`,
`reference`): "get user u-1029" names a user by an identifier the extractor hears as the number
1029. Read: letters and digits joined by "-" or "_" with at least one of each ("u-1029",
"ORD-12345", "A1B2C3"), and digits alone when a word of the field's name, or "#", "id", "no",
"number", comes right before them ("user 1029", "order #4521", "id 42": not "about 3 cats").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from mockserver.engine.listen.extract import Candidate, Found, Source, Spot
from mockserver.engine.listen.hints import end_rank
from mockserver.engine.listen.patterns import (
    CURRENCY_SYMBOLS,
    CURRENCY_WORD,
    CURRENCY_WORDS,
)
from mockserver.engine.listen.text_values import pointed_toward
from mockserver.engine.schema.plausible import hint_words, singular

__all__ = [
    "ID_HINTS",
    "Identifier",
    "covered",
    "currencies",
    "currency_member",
    "identifier_for",
    "identifiers",
    "names_an_id",
]

_AMOUNT_END = re.compile(r"\d[\s\u00a0]*\Z")  # what comes right before a currency after an amount


def currencies(found: Found) -> tuple[Candidate, ...]:
    """The currencies `found`'s texts name in words and its amounts by symbol, as `code`
    candidates of their codes, in the order said."""
    return _in_words(found.texts) + _by_symbol(found.candidates)


@lru_cache(maxsize=64)
def _in_words(texts: tuple[tuple[Source, str], ...]) -> tuple[Candidate, ...]:
    found: list[Candidate] = []
    for index, (source, text) in enumerate(texts):
        folded = text.casefold()
        if len(folded) != len(text):  # positions would not be the text's: read it as it is
            folded = text.lower()
            if len(folded) != len(text):
                continue
        for match in CURRENCY_WORD.finditer(folded):
            start = match.start()
            toward = pointed_toward(text, start)
            if not toward and _AMOUNT_END.search(text, max(0, start - 16), start):
                toward = "from"
            found.append(
                Candidate(
                    "code", CURRENCY_WORDS[match.group()], text[start : match.end()],
                    source, (index, start), toward=toward,
                )
            )  # fmt: skip
    return tuple(found)


def _by_symbol(candidates: tuple[Candidate, ...]) -> tuple[Candidate, ...]:
    """The code of each amount written with a currency symbol ("$20"): at the place after the
    symbol, so that the amount and its currency are two values."""
    return tuple(
        Candidate(
            "code",
            CURRENCY_SYMBOLS[c.unit],
            c.unit,
            c.source,
            (c.spot[0], c.spot[1] + 1),
            toward="from",
        )
        for c in candidates
        if c.unit in CURRENCY_SYMBOLS and c.kind in ("integer", "number")
    )


def currency_member(
    found: Found,
    mentioned: list[tuple[Spot, Any]],
    named: tuple[Candidate, ...],
    members: Sequence[Any],
    used: set[Spot],
    end: str,
) -> tuple[Spot, Any] | None:
    """For an enum of currency codes: the member said first, as a code (`mentioned`) or in words
    (`named`); for one end of a trip (`end`), what was said after its word first."""
    heard = [
        (spot, member, pointed_toward(found.texts[spot[0]][1], spot[1]))
        for spot, member in mentioned
    ]
    heard += [
        (c.spot, c.value, c.toward) for c in named if c.value in members and c.spot not in used
    ]
    if end:
        heard.sort(key=lambda h: (end_rank(h[2], end), h[0]))
    else:
        heard.sort(key=lambda h: h[0])
    return (heard[0][0], heard[0][1]) if heard else None


# Identifiers.

ID_HINTS = frozenset(("id", "identifier", "sku", "uuid", "ref", "reference"))
_ANCHORS = frozenset(("#", "id", "no", "nr", "num", "number", "ref", "reference"))
_TOKEN = re.compile(r"(?<![\w-])(#\s?)?([A-Za-z0-9]+(?:[-_][A-Za-z0-9]+)*)(?![\w-])")
_WORD_BEFORE = re.compile(r"([^\W\d_]+)[\s:]*\Z")
_UNIT_OR_ORDINAL = re.compile(r"\d+[a-z]{1,3}")  # "3km", "10th", "5pm": a number, not an id
_MAX_IDS = 64  # per conversation

# (the identifier, the word right before it, lower case and singular, "#" after a hash sign)
Identifier = tuple[Candidate, str]


@lru_cache(maxsize=4096)
def names_an_id(hint: str) -> bool:
    """Whether a property's own name says it holds an identifier (`user_id`, `orderId`, `sku`)."""
    return not ID_HINTS.isdisjoint(hint_words(hint))


def identifiers(found: Found) -> tuple[Identifier, ...]:
    """The identifiers `found`'s texts say, in the order said, best source first."""
    return _read(found.texts)


@lru_cache(maxsize=64)
def _read(texts: tuple[tuple[Source, str], ...]) -> tuple[Identifier, ...]:
    read: list[Identifier] = []
    for index, (source, text) in enumerate(texts):
        for match in _TOKEN.finditer(text):
            token = match.group(2)
            if not any(ch.isdigit() for ch in token):
                continue
            if match.group(1):
                before = "#"
            else:
                word = _WORD_BEFORE.search(text, max(0, match.start() - 40), match.start())
                before = singular(word.group(1).lower()) if word else ""
            candidate = Candidate("id", token, token, source, (index, match.start(2)))
            read.append((candidate, before))
            if len(read) >= _MAX_IDS:
                return tuple(read)
    return tuple(read)


def identifier_for(hint: str, ids: tuple[Identifier, ...], used: set[Spot]) -> Candidate | None:
    """The identifier for the field named `hint`: the first said right after a word of its name
    (or "#", "id", "number"), else the first that mixes letters and digits."""
    anchors = _ANCHORS | {singular(word) for word in hint_words(hint)}
    fresh = [(c, before) for c, before in ids if c.spot not in used]
    anchored = next((c for c, before in fresh if before in anchors), None)
    if anchored is not None:
        return anchored
    return next((c for c, _ in fresh if _mixed(c.value)), None)


def _mixed(token: str) -> bool:
    return any(ch.isalpha() for ch in token) and not _UNIT_OR_ORDINAL.fullmatch(token)


def covered(found: Found, candidate: Candidate) -> set[Spot]:
    """The spots of what the extractor read over `candidate`'s text (the 1029 of "u-1029", the
    name "Customer C" of "Customer C-778"): used with it."""
    index, start = candidate.spot
    end = start + len(candidate.text)
    return {c.spot for c in found.candidates
            if c.spot[0] == index and c.spot[1] < end and c.spot[1] + len(c.text) > start}  # fmt: skip
