"""Identifiers ("u-1029", "ORD-12345", "order #4521", "user 1029"), for a field whose name says id.

"get user u-1029" names a user by an identifier the extractor does not read as one value (it
hears the number 1029). For a string field whose own name says `id` (`user_id`, `orderId`, `id`,
`sku`, `reference`), the texts the extractor kept are read again for identifiers: letters and
digits joined by "-" or "_" with at least one of each ("u-1029", "ORD-12345", "A1B2C3"), and
digits alone when a word of the field's name, or "#", "id", "no", "number", comes right before
them ("user 1029", "order #4521", "id 42": not "about 3 cats"). They are read only when such a
field asks (nothing is added to what every request reads).
"""

from __future__ import annotations

import re
from functools import lru_cache

from mockserver.engine.listen.extract import Candidate, Found, Source, Spot
from mockserver.engine.schema.plausible import hint_words, singular

__all__ = ["ID_HINTS", "Identifier", "covered", "identifier_for", "identifiers", "names_an_id"]

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
