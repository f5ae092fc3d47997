"""Where each value of an answer came from: the `x-mock-provenance` response header.

Asked for with the request header `x-mock-provenance: true`, the mock answers as it would without
it and says, for every value of each tool call's arguments (or of the `response_format`
document), whether the conversation gave it (the last user turn, an earlier user turn, a tool
result; the kind of value read and the text as written) or it was generated from the schema. It
costs nothing when not asked: the engine answers the request a second time, recording, only then.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Final

from mockserver.engine.listen.extract import Candidate, Found, Spot
from mockserver.engine.schema.facts import canonical

__all__ = [
    "PROVENANCE_HEADER",
    "PROVENANCE_HEADER_LIMIT",
    "Heard",
    "Provenance",
    "noted",
    "provenance_asked",
]

PROVENANCE_HEADER: Final = "x-mock-provenance"
PROVENANCE_HEADER_LIMIT: Final = 4096  # bytes of the header; past it, values are left out
_SAID_CHARS = 80  # of a value as written
_ASKED = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False, "": False}


def provenance_asked(value: str) -> bool | None:
    """Whether the request header asks for provenance; None for a value that means neither."""
    return _ASKED.get(value.strip().lower())


@dataclass(frozen=True, slots=True)
class Heard:
    """A value the conversation gave, and how."""

    value: Any
    source: str  # "user", "earlier", "tool", or "summary" / "user turn" (the text as a whole)
    said: str = ""  # as written
    kind: str = ""  # of value read: "name", "integer", "code"...
    nth: int = 0  # for "earlier" and "tool": 1 for the most recent such text


def noted(
    found: Found, values: Sequence[Any], spots: Sequence[Spot], read: Sequence[Candidate], way: str
) -> list[Heard]:
    """How each of `values` was given: from the value read at its place (`spots`, in order), an
    enum member mentioned there, or, with no place, the text as a whole (`way`)."""
    if not spots:
        return [Heard(value, way) for value in values]
    by_spot = {candidate.spot: candidate for candidate in read}
    heard = []
    for value, spot in zip(values, spots, strict=False):
        source = found.texts[spot[0]][0]
        nth = sum(1 for said_by, _ in found.texts[: spot[0]] if said_by == source) + 1
        candidate = by_spot.get(spot)
        if candidate is None:  # an enum member mentioned: as written there
            said = found.texts[spot[0]][1][spot[1] : spot[1] + len(str(value))]
            heard.append(Heard(value, source, said, "enum", nth))
        else:
            heard.append(Heard(value, source, candidate.text, candidate.kind, nth))
    return heard


class Provenance:
    """What one answer's values came from, built as the engine answers."""

    def __init__(self) -> None:
        self.answer: dict[str, Any] = {"answer": "text"}

    def add_call(self, name: str, arguments: Any, record: Sequence[Heard]) -> None:
        self.answer["answer"] = "tool_calls"
        calls = self.answer.setdefault("calls", [])
        calls.append({"name": name, "values": _explain(arguments, record)})

    def add_document(self, document: Any, record: Sequence[Heard]) -> None:
        self.answer = {"answer": "document", "values": _explain(document, record)}

    def header(self) -> str:
        """The answer's provenance as compact JSON (ASCII), at most `PROVENANCE_HEADER_LIMIT`
        bytes: past it, the last values are left out and `"left_out"` counts them."""
        text = _compact(self.answer)
        if len(text) <= PROVENANCE_HEADER_LIMIT:
            return text
        lists = [call["values"] for call in self.answer.get("calls", [])] or [
            self.answer.get("values", [])
        ]
        given = [list(values) for values in lists]
        total = sum(len(values) for values in given)
        for values in lists:
            values.clear()
        room = PROVENANCE_HEADER_LIMIT - len(_compact({**self.answer, "left_out": total}))
        for values, all_values in zip(lists, given, strict=True):  # the first values said first
            for value in all_values:
                size = len(_compact(value)) + 1  # and its comma
                if size > room:
                    break
                values.append(value)
                room -= size
        kept = sum(len(values) for values in lists)
        text = _compact({**self.answer, "left_out": total - kept})
        return text


def _compact(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=True)


def _explain(instance: Any, record: Sequence[Heard]) -> list[dict[str, Any]]:
    """Each leaf of `instance` with what gave it: the first recorded value equal to it, in the
    order recorded, or "generated"."""
    pending = [(canonical(heard.value), heard) for heard in record]
    out: list[dict[str, Any]] = []
    for pointer, value in _leaves(instance, ""):
        key = canonical(value)
        at = next((i for i, (recorded, _) in enumerate(pending) if recorded == key), None)
        if at is None:
            out.append({"at": pointer, "from": "generated"})
            continue
        heard = pending.pop(at)[1]
        entry: dict[str, Any] = {"at": pointer, "from": heard.source}
        if heard.kind:
            entry["kind"] = heard.kind
        if heard.said:
            entry["said"] = heard.said[:_SAID_CHARS]
        if heard.source in ("earlier", "tool"):
            entry["nth"] = heard.nth
        out.append(entry)
    return out


def _leaves(value: Any, pointer: str) -> Iterator[tuple[str, Any]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, f"{pointer}/{_escape(str(key))}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _leaves(item, f"{pointer}/{index}")
    else:
        yield pointer, value


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")
