"""Values from the conversation for a schema: the instance generator asks here first.

A property gets the first candidate, in the order the conversation said them, that fits its type,
`format`, `enum`, `pattern`, bounds, name and description; each candidate is used once per
instance, so "12 times 34" fills `a` then `b`. A value the conversation does not offer is
`MISSING`, and the generator falls back to plausible values.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache
from typing import Any, Final

from mockserver.engine.listen.amounts import amount
from mockserver.engine.listen.extract import Candidate, Found, Spot
from mockserver.engine.listen.hints import (
    STRING_KINDS,
    SUMMARY_HINTS,
    TEXT_HINTS,
    end_rank,
    hint_words_of,
    string_kinds,
    toward,
)
from mockserver.engine.listen.lazy_values import (
    Identifier,
    covered,
    currencies,
    currency_member,
    identifier_for,
    identifiers,
    names_an_id,
)
from mockserver.engine.listen.mentions import MAX_ENUM_MEMBERS, mentions
from mockserver.engine.listen.patterns import CURRENCY_CODES
from mockserver.engine.provenance import Heard, noted
from mockserver.engine.schema.facts import Facts, canonical
from mockserver.engine.schema.plausible import hint_words, scalar_kind, singular
from mockserver.engine.schema.scalars import fits

MISSING: Final = object()


_MAX_QUERY_CHARS = 200
_SOURCE_RANK = {"user": 0, "earlier": 1, "tool": 2}


class Answers:
    """One instance's view of the conversation: which candidates are still unused."""

    def __init__(
        self,
        found: Found,
        *,
        last_user_text: str = "",
        exclude: Iterable[Spot] = (),
        report: Callable[[], str] | None = None,
    ) -> None:
        self.found = found
        self.last_user_text = last_user_text
        self.report = report  # the tool results in plain words, for one summing-up string
        self.used: set[Spot] = set(exclude)
        self.listening = bool(found.candidates or last_user_text)
        self.folded: list[str] | None = None
        self.keyed: list[Candidate] | None = None
        self.given = 0  # values given so far: a value made with no new one was generated
        self.currencies: tuple[Candidate, ...] | None = None  # read when a field asks
        self.ids: tuple[Identifier, ...] | None = None  # read when a field asks
        self.record: list[Heard] | None = None  # each value given and how, when explaining
        self.way = "user turn"  # how a value with no place in a text was given

    def fill(self, facts: Facts, hint: str, about: str) -> Any:
        """A value for a scalar with these facts from the conversation, or `MISSING`."""
        before = set(self.used) if self.record is not None else None
        value = self._fill(facts, hint, about)
        if value is not MISSING:
            self.given += 1
            if before is not None:
                self._note([value], before)
        return value

    def _fill(self, facts: Facts, hint: str, about: str) -> Any:
        if facts.const:
            return MISSING
        if facts.enum is not None:
            return self._enum(facts, hint, about)
        words = hint_words_of(hint, about)
        keyed = self._keyed(facts, hint)
        if keyed is not MISSING:
            return keyed
        if self.report is not None and words & SUMMARY_HINTS and not facts.formats:
            summary = self._summary(facts, hint)
            if summary is not MISSING:
                return summary
        if names_an_id(hint) and "string" in self._types(facts, hint):
            value = self._identifier(facts, hint)
            if value is not MISSING:
                return value
        end = toward(hint, about)
        for kind in self._types(facts, hint):
            value = self._typed(kind, facts, words, end)
            if value is not MISSING:
                return value
        return MISSING

    def fill_list(self, item: Facts, hint: str, about: str, low: int, high: int | None) -> Any:
        """A whole array from a list the user gave ("Paris and Rome"), or `MISSING`."""
        before = set(self.used) if self.record is not None else None
        value = self._fill_list(item, hint, about, low, high)
        if value is not MISSING:
            self.given += 1
            if before is not None:
                self._note(value, before)
        return value

    def _note(self, values: list[Any], before: set[Spot]) -> None:
        assert self.record is not None
        spots = sorted(self.used - before)
        self.record.extend(noted(self.found, values, spots, self.heard(set(spots)), self.way))

    def _fill_list(self, item: Facts, hint: str, about: str, low: int, high: int | None) -> Any:
        if item.enum is not None and not item.const:
            return self._enum_list(item, low, high)
        if item.const or item.objects:
            return MISSING
        types = self._types(item, hint)
        if not types or types[0] not in ("string", "integer", "number"):
            return MISSING
        kind = types[0]
        allowed = (
            string_kinds(item, hint_words_of(hint, about))[0]
            if kind == "string"
            else ("integer",)
            if kind == "integer"
            else ("integer", "number")
        )
        for listed in self.found.lists:
            if any(c.spot in self.used or c.kind not in allowed for c in listed):
                continue
            if len(listed) < low or (high is not None and len(listed) > high):
                continue
            values = [self._convert(c, kind, item.formats) for c in listed]
            distinct = len({canonical(v) for v in values}) == len(values) or not item.unique
            if distinct and all(v is not MISSING and fits(v, item) for v in values):
                self.used.update(c.spot for c in listed)
                return values
        return MISSING

    def _summary(self, facts: Facts, hint: str) -> Any:
        """The tool results in plain words, for the first string that sums them up ("summary",
        "answer"): used once."""
        if "string" not in self._types(facts, hint) or self.report is None:
            return MISSING
        said, self.report, self.way = self.report(), None, "summary"
        return said if said and fits(said, facts) else MISSING

    def _types(self, facts: Facts, hint: str) -> list[str]:
        if facts.types is not None:
            return [name for name in facts.types if name != "null"]
        if facts.families:
            return list(facts.families[:1])
        return [scalar_kind(hint)]

    def _keyed(self, facts: Facts, hint: str) -> Any:
        """A tool result's value under the property's own name ("temperature": 7)."""
        if self.keyed is None:  # values that came with a key: JSON tool results, "label: value"
            self.keyed = [c for c in self.found.candidates if c.key]
        keyed = [c for c in self.keyed if c.spot not in self.used]
        wanted = _key(hint) if keyed else ""
        for candidate in keyed:
            if not wanted or _key(candidate.key) != wanted:
                continue
            for kind in self._types(facts, hint):
                value = self._convert(candidate, kind)
                if value is MISSING and candidate.kind == "quoted" and kind in ("integer", "number"):
                    said = amount(candidate.value, whole=kind == "integer")  # "$1,250.50"
                    value = MISSING if said is None else said
                if value is not MISSING and fits(value, facts):
                    self.used.add(candidate.spot)
                    return value
        return MISSING

    def _typed(self, kind: str, facts: Facts, words: frozenset[str], end: str) -> Any:
        for candidate in self._pool(kind, facts, words, end):
            value = self._convert(candidate, kind, facts.formats)
            if value is not MISSING and fits(value, facts):
                self.used.add(candidate.spot)
                return value
        if kind == "string" and not facts.formats and words & TEXT_HINTS:
            query = " ".join(self.last_user_text.split())[:_MAX_QUERY_CHARS].strip()
            if query and fits(query, facts):
                self.last_user_text = ""  # once: a subject and a body are not the same text
                self.way = "user turn"
                return query
        return MISSING

    def _pool(
        self, kind: str, facts: Facts, words: frozenset[str], end: str = ""
    ) -> list[Candidate]:
        """Candidates that could fill a value of JSON type `kind`, best first; for one end of a
        trip (`end`, "from" or "to"), what was said after its word first, the other end's last."""
        unused = [c for c in self.found.candidates if c.spot not in self.used]
        if kind == "boolean":
            return [c for c in unused if c.kind == "boolean"]
        if kind in ("integer", "number"):
            numeric = ("integer",) if kind == "integer" else ("integer", "number")
            numbers = [c for c in unused if c.kind in numeric]
            return sorted(numbers, key=lambda c: (_rank(c), singular(c.unit) not in words, c.spot))
        if kind != "string":
            return []
        kinds, flavour = string_kinds(facts, words)
        if facts.patterns:
            kinds = (*kinds, *(k for k in (*STRING_KINDS, "integer") if k not in kinds))
        order = {name: position for position, name in enumerate(kinds)}
        pool = [c for c in unused if c.kind in order]
        if "currency" in words:  # "euros", "$20": in the place of what was read there ("US")
            named = [c for c in self._currencies() if c.spot not in self.used]
            spots = {c.spot for c in named}
            pool = [*named, *(c for c in pool if c.spot not in spots)]
        if flavour == "place":
            pool.sort(key=lambda c: (_rank(c), order[c.kind], not c.place, c.weak, c.spot))
        elif flavour == "person":  # "Put 'Ada Lovelace' down": the quoted name, not "Put"
            pool.sort(key=lambda c: (_rank(c), c.weak, order[c.kind], c.place, c.spot))
        else:
            pool.sort(key=lambda c: (_rank(c), order[c.kind], c.weak, c.spot))
        if end:  # before all else (a stable sort): "from Oslo" in an earlier turn is the origin
            pool.sort(key=lambda c: end_rank(c.toward, end))
        return pool

    @staticmethod
    def _convert(candidate: Candidate, kind: str, formats: list[str] | None = None) -> Any:
        value = candidate.value
        if kind == "boolean":
            return value if isinstance(value, bool) else MISSING
        if kind == "integer":
            if candidate.kind == "integer" or (candidate.kind == "number" and value == int(value)):
                return int(value)
            return MISSING
        if kind == "number":
            return value if candidate.kind in ("integer", "number") else MISSING
        if kind != "string":
            return MISSING
        if candidate.kind in ("integer", "number"):
            return candidate.text
        if candidate.kind == "boolean" or not isinstance(value, str):
            return MISSING
        fmt = formats[0] if formats else ""
        if candidate.kind == "datetime" and fmt == "date":
            return value[:10]
        if candidate.kind == "time" and fmt == "time":
            parts = [int(part) for part in value.split(":")] + [0]
            return f"{parts[0]:02d}:{parts[1]:02d}:{parts[2]:02d}Z"
        return value

    def _identifier(self, facts: Facts, hint: str) -> Any:
        """An identifier ("u-1029") for a string field whose name says id (`lazy_values.py`)."""
        if self.ids is None:
            self.ids = identifiers(self.found)
        candidate = identifier_for(hint, self.ids, self.used)
        if candidate is None or not fits(candidate.value, facts):
            return MISSING
        self.used.add(candidate.spot)
        self.used.update(covered(self.found, candidate))
        return candidate.value

    def heard(self, spots: set[Spot]) -> list[Candidate]:
        """The values at `spots`: a currency said in words or an identifier where another value
        was read there."""
        named = {c.spot: c for c in (*(self.currencies or ()), *(i for i, _ in self.ids or ()))
                 if c.spot in spots}  # fmt: skip
        return [
            *named.values(),
            *(c for c in self.found.candidates if c.spot in spots.difference(named)),
        ]

    def _currencies(self) -> tuple[Candidate, ...]:
        if self.currencies is None:
            self.currencies = currencies(self.found)
        return self.currencies

    def _folded(self) -> list[str]:
        if self.folded is None:
            self.folded = [text.casefold() for _, text in self.found.texts]
        return self.folded

    def _enum(self, facts: Facts, hint: str, about: str) -> Any:
        """The enum member the conversation mentions first (case-insensitive, whole words); a
        currency code also when said in words ("euros" for `EUR`), for one end of a trip (the
        field's `toward`) what was said after its word first."""
        members = [m for m in facts.enum or () if fits(m, facts)][:MAX_ENUM_MEMBERS]
        said = mentions(members, self._folded(), self.used)
        best: tuple[Spot, Any] | None = said[0] if said else None
        if CURRENCY_CODES.intersection(m for m in members if isinstance(m, str)):
            end = toward(hint, about)
            best = currency_member(self.found, said, self._currencies(), members, self.used, end)
        for member in members:
            if isinstance(member, (int, float)) and not isinstance(member, bool):
                for candidate in self._pool("number", facts, frozenset()):
                    if candidate.value == member and (best is None or candidate.spot < best[0]):
                        best = (candidate.spot, member)
                        break
        if best is None:
            return MISSING
        self.used.add(best[0])
        return best[1]

    def _enum_list(self, item: Facts, low: int, high: int | None) -> Any:
        """The string members of an item's enum that the text mentioning any mentions, each once,
        in the order said ("Portuguese and English"), or `MISSING`."""
        members = [m for m in item.enum or () if fits(m, item)][:MAX_ENUM_MEMBERS]
        said = mentions(members, self._folded(), self.used)
        said = [(spot, member) for spot, member in said if spot[0] == said[0][0][0]] if said else []
        said = said[:high] if high is not None else said
        if not said or len(said) < low:
            return MISSING
        self.used.update(spot for spot, _ in said)
        return [member for _, member in said]


@lru_cache(maxsize=4096)
def _key(name: str) -> str:
    """A key as compared: its words, singular ("conditions" takes a result's "condition")."""
    return "_".join(singular(word) for word in hint_words(name))


def _rank(candidate: Candidate) -> int:
    return _SOURCE_RANK[candidate.source]


def descriptions(parts: Iterable[tuple[Any, str]]) -> str:
    """The descriptions of the subschemas that make up one value, as one text."""
    return " ".join(
        schema["description"]
        for schema, _ in parts
        if isinstance(schema, Mapping) and isinstance(schema.get("description"), str)
    )
