"""A deterministic generator of JSON instances for the JSON Schema subset people use.

Covers type (and type lists), properties, required, additionalProperties, patternProperties,
items, prefixItems, contains, min/maxItems, uniqueItems, enum, const, allOf (merged),
anyOf/oneOf (an alternative picked at random, the others tried when it fails), local
$ref/$defs/definitions (recursion bounded), numeric bounds, multipleOf, min/maxLength, simple
patterns and common formats. Values are plausible for their property names. A schema no instance
can satisfy raises `SchemaProblem` naming why and where.
"""

from __future__ import annotations

import copy
import random
from collections.abc import Callable
from typing import Any

from contract.validate.explain import show
from mockserver.engine.listen.answers import MISSING, Answers, descriptions
from mockserver.engine.schema.collect import Collector
from mockserver.engine.schema.exclusive import OneOfCheck
from mockserver.engine.schema.facts import Facts, Part, SchemaProblem, canonical
from mockserver.engine.schema.make.arrays import ArrayMaker
from mockserver.engine.schema.make.objects import ObjectMaker
from mockserver.engine.schema.plausible import scalar_kind
from mockserver.engine.schema.scalars import (
    fits,
    make_integer,
    make_number,
    make_string,
    unsatisfiable,
)

SOFT_DEPTH = 3  # deeper than this: only required properties and minItems items
HARD_DEPTH = 40  # more than plain nesting can reach under the request depth limit
_BUDGET = 512  # alternatives tried per instance, against exponential anyOf nesting
_MAX_OPEN_CHOICES = 64  # anyOf/oneOf decided inside one value, against cycles through them
_MAX_LISTENED_OPTIONS = 8  # anyOf/oneOf alternatives offered to the conversation's values
_OVERLAP_TRIES = 4  # values made for one oneOf alternative that match another too

__all__ = ["SchemaProblem", "generate_instance"]

Maker = Callable[[Facts, int, str, frozenset[str]], Any]


def generate_instance(
    schema: Any,
    *,
    rng: random.Random,
    answers: Answers | None = None,
    minimal: bool = False,
    exclusive: bool = False,
    heard_optional_only: bool = False,
) -> Any:
    """An instance of `schema`; values the conversation offers (`answers`) come first. With
    `minimal`, objects get only their required properties and arrays their fewest items; with
    `exclusive`, a value made for one alternative of a oneOf that matches another is not taken;
    with `heard_optional_only` (a tool call's arguments), the top object gets an optional
    property only when the conversation gives its value, as a model leaves out what it was not
    told."""
    generator = _Generator(schema, rng, answers, minimal, exclusive, heard_optional_only)
    return generator.value([(schema, "")], 0, "")


class _Generator(ArrayMaker, ObjectMaker):
    def __init__(
        self,
        root: Any,
        rng: random.Random,
        answers: Answers | None,
        minimal: bool = False,
        exclusive: bool = False,
        heard_optional_only: bool = False,
    ) -> None:
        self.collector = Collector(root)
        self.subschemas = OneOfCheck(root)  # compiled on first use only
        self.one_of = self.subschemas if exclusive else None
        self.rng = rng
        self.answers = answers
        self.heard_optional_only = heard_optional_only
        self.shallow_from = 0 if minimal else SOFT_DEPTH  # depth from which only what is needed
        self.budget = _BUDGET
        self.open_choices = 0
        self.makers: dict[str, Maker] = {
            "null": self._null,
            "boolean": self._boolean,
            "integer": lambda facts, _depth, hint, avoid: make_integer(facts, rng, hint, avoid),
            "number": lambda facts, _depth, hint, avoid: make_number(facts, rng, hint, avoid),
            "string": lambda facts, _depth, hint, avoid: make_string(facts, rng, hint, avoid),
            "array": self._array,
            "object": self._object,
        }

    def value(
        self,
        parts: list[Part],
        depth: int,
        hint: str,
        avoid: frozenset[str] = frozenset(),
        *,
        pointer: str = "",
    ) -> Any:
        pointer = parts[0][1] if parts else pointer
        if depth > HARD_DEPTH:
            raise unsatisfiable(
                pointer,
                f"the schema requires values nested deeper than {HARD_DEPTH} levels "
                "(a recursive $ref that is always required?)",
            )
        facts = Facts(pointer)
        for schema, where in parts:
            self.collector.add(facts, schema, where)
        if self.answers is not None and self.answers.listening:
            heard = self._listen(facts, hint, descriptions(parts))
            if heard is not MISSING and (not avoid or canonical(heard) not in avoid):
                return heard
        return self._choose(facts, depth, hint, avoid)

    def _listen(self, facts: Facts, hint: str, about: str) -> Any:
        """What the conversation offers for this value; an optional (anyOf with null) value too."""
        assert self.answers is not None
        if not facts.choices:
            return self.answers.fill(facts, hint, about)
        if len(facts.choices) > 1:
            return MISSING
        group, options = facts.choices[0]
        for index, option in enumerate(options[:_MAX_LISTENED_OPTIONS]):
            attempt = facts.copy()
            attempt.choices = []
            try:
                self.collector.add(attempt, *option)
            except SchemaProblem:
                continue
            if attempt.choices or attempt.types == ("null",):
                continue
            heard = self.answers.fill(attempt, hint, about)
            if heard is not MISSING and self._also_matches(group, options, index, heard) is None:
                return heard
        return MISSING

    def _also_matches(self, group: str, options: list[Part], chosen: int, value: Any) -> int | None:
        """Another alternative of the oneOf at `group` that `value` matches (when `exclusive`)."""
        if self.one_of is None or not group.endswith("/oneOf"):
            return None
        return self.one_of.other_match(value, options, chosen)

    def _choose(self, facts: Facts, depth: int, hint: str, avoid: frozenset[str]) -> Any:
        """Decide the open anyOf/oneOf groups one by one, backtracking when an alternative fails."""
        if not facts.choices:
            return self._generate(facts, depth, hint, avoid)
        pointer, options = facts.choices.pop(0)
        order = list(range(len(options)))
        self.rng.shuffle(order)
        problems: list[SchemaProblem] = []
        for index in order:
            self.budget -= 1
            if self.budget < 0 or self.open_choices >= _MAX_OPEN_CHOICES:
                raise SchemaProblem(
                    "unsupported",
                    pointer,
                    "too many anyOf/oneOf alternatives to try (or a reference cycle through them)",
                )
            attempt = facts.copy()
            self.open_choices += 1
            try:
                self.collector.add(attempt, *options[index])
                again = attempt.copy() if self.one_of is not None else attempt
                value = self._choose(attempt, depth, hint, avoid)
                return self._only_one(pointer, options, index, value, again, depth, hint, avoid)
            except SchemaProblem as problem:
                if problem.kind == "invalid" or self.budget < 0:
                    raise
                problems.append(problem)
            finally:
                self.open_choices -= 1
        if len(problems) == 1:
            raise problems[0]
        hopeless = all(problem.kind == "unsatisfiable" for problem in problems)
        first = next(p for p in problems if hopeless or p.kind == "unsupported")
        keyword = pointer.rsplit("/", 1)[-1]
        raise SchemaProblem(
            first.kind,
            first.pointer,
            f"no alternative of {keyword} at {pointer or '/'} works; for example: {first.reason}",
        )

    def _only_one(
        self, group: str, options: list[Part], index: int, value: Any, facts: Facts, depth: int,
        hint: str, avoid: frozenset[str],
    ) -> Any:  # fmt: skip
        """`value`, made for alternative `index`, or when it matches another alternative of the
        oneOf too (2 for integer and number), another value made for it (2.5)."""
        taken = set(avoid)
        for _ in range(_OVERLAP_TRIES):
            other = self._also_matches(group, options, index, value)
            if other is None:
                return value
            taken.add(canonical(value))
            try:
                value = self._choose(facts.copy(), depth, hint, frozenset(taken))
            except SchemaProblem:
                break  # no other value: the overlap is the reason to give
        raise SchemaProblem("unsupported", group, (
            f"the value {show(value, limit=40)} made for alternative {index} matches "
            f"alternative {other} too, and oneOf takes exactly one"))  # fmt: skip

    def _generate(self, facts: Facts, depth: int, hint: str, avoid: frozenset[str]) -> Any:
        if facts.const:
            return self._pick(facts, facts.const, avoid, "const")
        if facts.enum is not None:
            return self._pick(facts, facts.enum, avoid, "enum")
        problems: list[SchemaProblem] = []
        for name in self._type_order(facts, hint):
            try:
                return self.makers[name](facts, depth, hint, avoid)
            except SchemaProblem as problem:
                problems.append(problem)
        raise problems[0]

    def _pick(self, facts: Facts, values: list[Any], avoid: frozenset[str], keyword: str) -> Any:
        if not values:
            raise unsatisfiable(facts.pointer, "enum is empty: no value is allowed")
        fitting = [value for value in values if fits(value, facts)]
        if keyword == "const" and facts.enum is not None:
            allowed = {canonical(value) for value in facts.enum}
            fitting = [value for value in fitting if canonical(value) in allowed]
        if not fitting:
            shown = canonical(values[0]) if keyword == "const" else f"with {len(values)} values"
            raise unsatisfiable(
                facts.pointer,
                f"{keyword} {shown} fits none of the other constraints "
                "(type, enum, bounds, lengths, pattern)",
            )
        fresh = [value for value in fitting if canonical(value) not in avoid]
        if not fresh:
            raise unsatisfiable(
                facts.pointer, f"uniqueItems needs more distinct values than {keyword} allows"
            )
        return copy.deepcopy(self.rng.choice(fresh))

    def _type_order(self, facts: Facts, hint: str) -> list[str]:
        """Types to try: those the keywords suggest first, null last."""
        if facts.types is None:
            return [facts.families[0] if facts.families else scalar_kind(hint)]
        inferred = [name for name in facts.families if name in facts.types]
        if "number" in facts.families and "integer" in facts.types:
            inferred.append("integer")
        rest = [name for name in facts.types if name not in inferred and name != "null"]
        return [*inferred, *rest, *(["null"] if "null" in facts.types else [])]

    def _null(self, facts: Facts, depth: int, hint: str, avoid: frozenset[str]) -> Any:
        if "null" in avoid:
            raise unsatisfiable(facts.pointer, "uniqueItems needs more than one null")
        return None

    def _boolean(self, facts: Facts, depth: int, hint: str, avoid: frozenset[str]) -> Any:
        fresh = [value for value in (True, False) if canonical(value) not in avoid]
        if not fresh:
            raise unsatisfiable(facts.pointer, "uniqueItems needs more than two booleans")
        return self.rng.choice(fresh)
