"""What a property asks for by its name and description: the kinds of value its words hint at
(`HINT_KINDS`, first match wins), and which end of a trip it is (`toward`: an origin takes what
was said after "from", a destination what was said after "to"). docs/engine.md's tables are these;
a test holds them to it."""

from __future__ import annotations

import re
from functools import lru_cache

from mockserver.engine.listen.extract import Kind
from mockserver.engine.schema.facts import Facts
from mockserver.engine.schema.plausible import hint_words, singular

__all__ = [
    "DEFAULT_KINDS",
    "FORMAT_KINDS",
    "HINT_KINDS",
    "STRING_KINDS",
    "SUMMARY_HINTS",
    "TEXT_HINTS",
    "TOWARD_HINTS",
    "end_rank",
    "hint_words_of",
    "string_kinds",
    "toward",
]


def _words_of(text: str) -> frozenset[str]:
    return frozenset(text.split())


FORMAT_KINDS: dict[str, tuple[Kind, ...]] = {
    "email": ("email",), "idn-email": ("email",), "uri": ("url",), "iri": ("url",),
    "url": ("url",), "date": ("date", "datetime"), "date-time": ("datetime",), "time": ("time",),
}  # fmt: skip
TEXT_HINTS = _words_of(
    "query q search text prompt question topic keyword term message content subject body input "
    "sentence phrase title instruction show movie book event"
)
# A string that sums up what the tools answered: after tool results, their report in plain words.
SUMMARY_HINTS = _words_of(
    "summary answer response reply result explanation conclusion report outcome recap"
)
# (words of the name or description, kinds of value taken in this order, flavour)
HINT_KINDS: tuple[tuple[frozenset[str], tuple[Kind, ...], str], ...] = (
    (_words_of("email mail"), ("email",), ""),
    (_words_of("url link website uri href homepage site"), ("url",), ""),
    (_words_of("datetime timestamp"), ("datetime", "date"), ""),
    (_words_of("date day birthday dob deadline when"), ("date", "datetime"), ""),
    (_words_of("time"), ("time",), ""),
    (
        _words_of("currency code symbol ticker iata airport abbreviation"),
        ("code", "quoted", "name"),
        "",
    ),
    (
        _words_of(
            "city location place country destination origin region address where town state venue"
        ),
        ("name", "code", "quoted"),
        "place",
    ),
    (
        _words_of(
            "name person who recipient author user contact first last full customer "
            "employee attendee guest friend"
        ),
        ("name", "quoted"),
        "person",
    ),
    (TEXT_HINTS, ("quoted", "name", "code", "word"), "text"),
)
DEFAULT_KINDS: tuple[Kind, ...] = ("quoted", "name", "code", "word")
STRING_KINDS: tuple[Kind, ...] = (
    "quoted", "name", "code", "word", "email", "url", "date", "datetime", "time",
)  # fmt: skip
# Words of a name or description that say which end of a trip (or a transfer) a value is: "from"
# and "to" count in a property's name only ("from_currency"), as a description's "to" rarely
# means a destination ("the city to check").
TOWARD_HINTS: dict[str, frozenset[str]] = {
    "from": _words_of("origin source departure depart departing sender"),
    "to": _words_of("destination dest target arrival arrive arriving recipient"),
}
_DESCRIPTION_WORD = re.compile(r"[a-z]+")


@lru_cache(maxsize=4096)
def hint_words_of(hint: str, about: str) -> frozenset[str]:
    """The words of a property's name (`hint`) and description (`about`), singular."""
    words = {singular(word) for word in hint_words(hint)}
    words.update(singular(word) for word in _DESCRIPTION_WORD.findall(about.lower()[:300]))
    return frozenset(words)


def string_kinds(facts: Facts, words: frozenset[str]) -> tuple[tuple[Kind, ...], str]:
    """The kinds of value a string takes, best first, and its flavour ("place", "person",
    "text" or "")."""
    for fmt in facts.formats:
        if fmt in FORMAT_KINDS:
            return FORMAT_KINDS[fmt], ""
    if facts.formats:
        return (), ""
    return _hinted_kinds(words)


@lru_cache(maxsize=4096)
def _hinted_kinds(words: frozenset[str]) -> tuple[tuple[Kind, ...], str]:
    for hints, kinds, flavour in HINT_KINDS:
        if words & hints:
            return kinds, flavour
    return DEFAULT_KINDS, ""


@lru_cache(maxsize=4096)
def toward(hint: str, about: str) -> str:
    """"from" for a property that names where something starts (`origin`, `from_currency`),
    "to" for where it ends (`destination`, `to_currency`), "" for any other or both."""
    named = set(hint_words(hint))
    words = hint_words_of(hint, about)
    ends = [
        end for end, hints in TOWARD_HINTS.items() if end in named or words & hints
    ]
    return ends[0] if len(ends) == 1 else ""


def end_rank(said_toward: str, end: str) -> int:
    """How a value ranks for one end of a trip (`end`, "from" or "to"): said after that end's
    word first, after no such word next, after the other end's word last."""
    return 0 if said_toward == end else 2 if said_toward else 1
