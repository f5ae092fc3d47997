"""Enum members the conversation mentions: whole words, case-insensitive, in the order said."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any

from mockserver.engine.listen.extract import Spot

__all__ = ["MAX_ENUM_MEMBERS", "mentions"]

MAX_ENUM_MEMBERS = 64  # enum members looked for in the conversation


def mentions(
    members: Iterable[Any], texts: Sequence[str], used: set[Spot]
) -> list[tuple[Spot, str]]:
    """The first unused mention of each string member in `texts` (case-folded), best first:
    by text, then by place in it."""
    found: list[tuple[Spot, str]] = []
    for member in members:
        if not isinstance(member, str) or not member.strip():
            continue
        folded = member.casefold()
        for index, text in enumerate(texts):
            if folded not in text:  # a substring search is far cheaper than the regex
                continue
            hit = next(
                (m for m in _mention(folded).finditer(text) if (index, m.start()) not in used),
                None,
            )
            if hit is not None:
                found.append(((index, hit.start()), member))
                break
    found.sort(key=lambda spot_member: spot_member[0])
    return found


@lru_cache(maxsize=1024)
def _mention(member: str) -> re.Pattern[str]:
    """A whole-word, case-folded mention of an enum member. The member opens the pattern, its
    lookbehind after it: re skips to the member's first character instead of trying every place."""
    member = re.escape(member)
    return re.compile(rf"{member}(?<!\w{member})(?!\w)")
