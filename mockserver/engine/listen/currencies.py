"""Currencies said in words or by symbol, as ISO 4217 codes, for a field that asks for a currency.

"Convert 99 euros to dollars" says two currencies without a code: for a field whose name or
description says "currency", "euros" is `EUR` and "dollars" is `USD`, as "$20" is `USD`. They are
read only when such a field asks (nothing is added to what every request reads), from the texts
the extractor kept. A currency said right after an amount ("99 euros", "$20") is the one converted
*from*, unless a "to" comes before it; so "How many yen is 50 pounds?" is from GBP to JPY.
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

__all__ = ["currencies", "currency_member"]

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
