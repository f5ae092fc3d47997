"""Where the extractor's patterns are tried: only at their marks.

re tries a pattern that opens with a lookbehind or a character class at every place of a text
(about 7 ns a character even when nothing matches: 30 us per 1,000 characters for each of the
date, time and list patterns). Each finder here yields what a scan of the whole text would, but
tries its pattern only where `str.find` finds its mark: the "-" of a date, the ":" of a time, an
"@", a ", ", a quote mark; and a value's label is read by walking back from its ":" or "=".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from mockserver.engine.listen.patterns import EMAIL, LIST_GOES_ON, QUOTE_MARKS, QUOTED, WORD_LIST

__all__ = [
    "LABEL_WINDOW",
    "MAX_LABEL",
    "at_marks",
    "emails",
    "label_before",
    "quoted",
    "word_lists",
]

LABEL_WINDOW = 48  # characters before a value where its label is looked for
MAX_LABEL = 41  # characters of a label


def label_before(text: str, start: int) -> str:
    """The "label:" or "key=" just before a value, lower case; "" when there is none: the word
    before the mark, its last `MAX_LABEL` characters from a letter or "_" on, within the
    `LABEL_WINDOW` characters before the value. (A regex anchored at the mark would be tried at
    every place of the window: a fifth of the extractor's time on a text of "key: value"s.)"""
    if text[max(0, start - 3) : start].rstrip()[-1:] not in (":", "="):
        return ""
    head = text[max(0, start - LABEL_WINDOW) : start].rstrip()[:-1].rstrip()
    end = at = len(head)
    while at > 0 and end - at < MAX_LABEL and (head[at - 1].isalnum() or head[at - 1] == "_"):
        at -= 1
    while at < end and head[at].isdecimal():  # re's \d: a label opens with [^\W\d]
        at += 1
    return head[at:end].lower()


def at_marks(
    text: str, pattern: re.Pattern[str], mark: str, offsets: tuple[int, ...]
) -> Iterator[re.Match[str]]:
    """`pattern.finditer(text)`, for a pattern whose matches hold their first `mark` at one of
    `offsets` (largest first) from their start, tried only there."""
    end = 0
    at = text.find(mark)
    while at >= 0:
        for back in offsets:
            if at - back >= end:
                match = pattern.match(text, at - back)
                if match is not None:
                    end = match.end()
                    yield match
                    break
        at = text.find(mark, max(at + 1, end))


def _run_start(text: str, end: int, in_run: Callable[[str], bool]) -> int:
    """Where the run of characters `in_run` accepts that ends at `end` starts."""
    start = end
    while start > 0 and in_run(text[start - 1]):
        start -= 1
    return start


def _in_address(char: str) -> bool:  # re's [\w.+-]: \w is str.isalnum() and "_"
    return char.isalnum() or char in "_.+-"


def emails(text: str) -> Iterator[re.Match[str]]:
    """`EMAIL`'s matches, as a scan with "no address character before" would find them, tried
    only where such a run ends in an "@"."""
    end = 0
    at = text.find("@")
    while at >= 0:
        start = _run_start(text, at, _in_address)
        match = EMAIL.match(text, start) if end <= start < at else None
        if match is not None:
            end = match.end()
            yield match
        at = text.find("@", max(at + 1, end))


def word_lists(text: str) -> Iterator[re.Match[str]]:
    """`WORD_LIST`'s matches, as a scan with "no word character before" would find them, tried
    only at the word before a ", " (a list's first item is followed by one)."""
    end = 0
    comma = text.find(", ")
    while comma >= 0:
        if LIST_GOES_ON.match(text, comma + 2):  # most commas in prose open no list
            start = _run_start(text, comma, str.isalnum)  # re's [^\W_]
            if end <= start and (start == 0 or text[start - 1] != "_"):
                match = WORD_LIST.match(text, start)
                if match is not None:
                    end = match.end()
                    yield match
        comma = text.find(", ", max(comma + 1, end))


def quoted(text: str) -> Iterator[re.Match[str]]:
    """`QUOTED`'s matches, tried only where a quote mark opens: trying the pattern at every
    position of a long text costs more than the rest of the extractor. `str.find` finds the
    marks faster than a character class would; an apostrophe after a letter ("What's") opens
    no quote, so the pattern is not tried there."""
    places: list[int] = []
    for mark in QUOTE_MARKS:
        at = text.find(mark)
        while at >= 0:
            if mark != "'" or at == 0 or not (text[at - 1].isalnum() or text[at - 1] == "_"):
                places.append(at)
            at = text.find(mark, at + 1)
    places.sort()
    end = 0
    for at in places:
        if at >= end:
            match = QUOTED.match(text, at)
            if match is not None:
                end = match.end()
                yield match
