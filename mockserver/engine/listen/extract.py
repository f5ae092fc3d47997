"""What the conversation says: typed values found in its texts, in the order they were said.

The extractor reads the last user turn first, then earlier user turns, then tool results, and
turns them into `Candidate`s (numbers with units, quoted strings, capitalised names in any script,
e-mail addresses, URLs, ISO dates and times, upper-case codes, yes/no) and `lists` of candidates
of one kind ("Paris and Rome"). It never raises on any text, and its cost is bounded: each text is
cut to `MAX_TEXT_CHARS` (head and tail), and every pattern (`patterns.py`) is linear in the text.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from operator import itemgetter
from typing import Any, Literal, NamedTuple

from mockserver.engine.listen.json_values import said_in_json
from mockserver.engine.listen.patterns import LIST_GAP
from mockserver.engine.listen.said import MAX_CANDIDATES, Kind, Said
from mockserver.engine.listen.text_values import MAX_COPIES, said_in_text

__all__ = [
    "MAX_CANDIDATES",
    "MAX_COPIES",
    "MAX_TEXTS",
    "MAX_TEXT_CHARS",
    "NOTHING",
    "Candidate",
    "Found",
    "Kind",
    "Source",
    "Spot",
    "cut_text",
    "extract",
]  # fmt: skip

Source = Literal["user", "earlier", "tool"]
Spot = tuple[int, int]  # (which text, where in it): a candidate's identity and order

MAX_TEXT_CHARS = 1000  # of each text read: its head and its tail
MAX_TEXTS = 8  # texts read per conversation, the most recent ones
_START = itemgetter(3)  # of a `Said`
_new = tuple.__new__
# Kinds a list may mix ("Paris and NYC", "3 and 4.5"); any other kind lists with its own only.
_FAMILY = {"integer": "number", "number": "number", "name": "text", "code": "text", "quoted": "text"}
READ_CACHE_TEXTS = 512  # texts whose reading is kept (each at most MAX_TEXT_CHARS long)


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
    toward: str = ""  # "from" or "to": a name or code after "from", "to" ("from Berlin")


class Found(NamedTuple):  # a tuple, as `Candidate`: one per request, built far faster
    """Everything the extractor found, best source first."""

    candidates: tuple[Candidate, ...]
    lists: tuple[tuple[Candidate, ...], ...]
    texts: tuple[tuple[Source, str], ...]  # the (cut) texts read, for enum mentions

    def only(self, source: Source) -> Found:
        """What one source said (the last user turn alone, for deciding whether to call); the
        other sources' texts are left empty, in their places."""
        return Found(
            tuple(c for c in self.candidates if c.source == source),
            tuple(run for run in self.lists if run[0].source == source),
            tuple((said_by, text if said_by == source else "") for said_by, text in self.texts),
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
            _new(Candidate, (kind, value, shown, source, (index, start), unit, key, place, weak, toward))
            for kind, value, shown, start, unit, key, place, weak, toward in said
        ]
        lists.extend(tuple(found[at] for at in run) for run in runs)
        candidates.extend(found)
    return Found(tuple(candidates), tuple(lists), tuple(kept))


@lru_cache(maxsize=READ_CACHE_TEXTS)
def _read(text: str, tool: bool) -> tuple[tuple[Said, ...], tuple[tuple[int, ...], ...]]:
    """What one (cut) text says, in order, and its lists as positions in that order. Kept for
    the texts read last: clients resend the whole conversation with every turn."""
    said = said_in_json(text) if tool else None
    if said is not None:
        return tuple(said), ()
    said = sorted(said_in_text(text), key=_START)
    if len(said) > MAX_CANDIDATES:  # the first and the last values said
        said = said[: MAX_CANDIDATES // 2] + said[-(MAX_CANDIDATES // 2) :]
    return tuple(said), tuple(_lists(text, said)) if len(said) > 1 else ()


def cut_text(text: str) -> str:
    """The text read: all of it, or its head and its tail (where a question usually is)."""
    if len(text) <= MAX_TEXT_CHARS:
        return text
    half = MAX_TEXT_CHARS // 2
    return text[:half] + "\n" + text[-(MAX_TEXT_CHARS - half - 1) :]


def _lists(text: str, said: list[Said]) -> list[tuple[int, ...]]:
    """Runs of values of one family joined by ",", "and", "or" ("Paris and in Rome"), as
    positions in `said`."""
    runs: list[tuple[int, ...]] = []
    first = 0
    last = said[0]
    family = _FAMILY.get(last[0], last[0])
    for at in range(1, len(said)):
        value = said[at]
        kind_family = _FAMILY.get(value[0], value[0])
        if kind_family == family:
            gap = last[3] + len(last[2])
            if value[3] - gap <= 24 and LIST_GAP.fullmatch(text, gap, value[3]):
                last = value
                continue
        if at - first >= 2:
            runs.append(tuple(range(first, at)))
        first, last, family = at, value, kind_family
    if len(said) - first >= 2:
        runs.append(tuple(range(first, len(said))))
    return runs
