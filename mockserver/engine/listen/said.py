"""A value as one text says it: the scanners' output, before the extractor knows which text it
came from (`extract.Candidate` adds that)."""

from __future__ import annotations

from typing import Any, Literal

Kind = Literal[
    "integer", "number", "quoted", "name", "email", "url", "date", "datetime", "time", "code",
    "boolean", "word", "id",
]  # fmt: skip
# (kind, value, as written, start, unit, key, place, weak, toward): a `Candidate`'s fields but its
# source.
Said = tuple[Kind, Any, str, int, str, str, bool, bool, str]

MAX_CANDIDATES = 64  # per text
MAX_DIGITS = 15  # in a number read, before and after its point
