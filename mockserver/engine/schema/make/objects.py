"""Objects for the instance generator: required and optional properties, additionalProperties,
patternProperties, min/maxProperties. A part of `_Generator` (instances.py), kept apart for size."""

from __future__ import annotations

from typing import Any

from mockserver.engine.schema.facts import Facts, SchemaProblem
from mockserver.engine.schema.make.parts import GeneratorPart
from mockserver.engine.schema.patterns import PatternError, pattern_string
from mockserver.engine.schema.plausible import filler_word
from mockserver.engine.schema.scalars import unsatisfiable


class ObjectMaker(GeneratorPart):
    """The object half of the generator."""

    def _object(self, facts: Facts, depth: int, hint: str, avoid: frozenset[str]) -> Any:
        for name in facts.required:
            blocker = next((part for part in facts.objects if not part.allows(name)), None)
            if blocker is not None:
                raise unsatisfiable(
                    blocker.pointer,
                    f"required property {name!r} is not allowed: it is not among the properties "
                    "and additionalProperties is false",
                )
        optional: list[str] = []
        for part in facts.objects:
            for name in part.properties:
                if (
                    name not in optional
                    and name not in facts.required
                    and self._allowed(facts, name)
                ):
                    optional.append(name)
        if facts.max_properties is not None:
            if len(facts.required) > facts.max_properties:
                raise unsatisfiable(
                    facts.pointer,
                    f"{len(facts.required)} properties are required "
                    f"but maxProperties is {facts.max_properties}",
                )
            optional = optional[: facts.max_properties - len(facts.required)]
        out = {name: self._property(facts, name, depth) for name in facts.required}
        wanted = facts.min_properties if depth >= self.shallow_from else len(out) + len(optional)
        heard_only = depth == 0 and self.heard_optional_only
        generated: list[tuple[str, Any]] = []  # optional values no conversation gave
        for name in optional:
            if len(out) >= wanted:
                break
            given = self.answers.given if self.answers is not None else 0
            try:
                value = self._property(facts, name, depth)
            except SchemaProblem as problem:  # an optional property that cannot exist is left out
                if problem.kind != "unsatisfiable":
                    raise
                continue
            if heard_only and (self.answers is None or self.answers.given == given):
                generated.append((name, value))
            else:
                out[name] = value
        for name, value in generated:  # only as many as minProperties asks for
            if len(out) >= facts.min_properties:
                break
            out[name] = value
        extra = 0
        while len(out) < facts.min_properties:
            extra += 1
            word = f"{filler_word(self.rng)}_{extra}"
            filler = (  # with additionalProperties false, a name a patternProperties key matches
                word if self._allowed(facts, word) else self._patterned_name(facts, out, extra)
            )
            if extra > 64 or filler is None:
                raise unsatisfiable(
                    facts.pointer,
                    f"minProperties {facts.min_properties} but fewer properties are allowed",
                )
            out[filler] = self._property(facts, filler, depth)
        return out

    def _patterned_name(self, facts: Facts, taken: dict[str, Any], extra: int) -> str | None:
        """A new property name some patternProperties key matches and every part allows."""
        for part in facts.objects:
            for regex, _, _ in part.patterns:
                try:
                    made = pattern_string(regex.pattern, self.rng)
                except PatternError:
                    continue
                for name in (made, f"{made}{extra}", f"{made}_{extra}"):
                    if name not in taken and self._allowed(facts, name):
                        return name
        return None

    @staticmethod
    def _allowed(facts: Facts, name: str) -> bool:
        return all(part.allows(name) for part in facts.objects)

    def _property(self, facts: Facts, name: str, depth: int) -> Any:
        parts = [part for obj in facts.objects for part in obj.parts_for(name)]
        return self.value(parts, depth + 1, name, pointer=facts.pointer)
