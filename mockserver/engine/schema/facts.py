"""Everything one JSON value must satisfy, gathered from a schema, its `$ref`s and its `allOf`.

`Facts` is the merged view the instance generator works from; `anyOf`/`oneOf` stay open as
`choices` until the generator picks an alternative (see `schema_collect` for the gathering).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Literal

from contract.violations import escape_pointer_token

ProblemKind = Literal["unsatisfiable", "unsupported", "invalid"]
Part = tuple[Any, str]  # a subschema and its JSON Pointer from the root schema

JSON_TYPES = ("object", "array", "string", "integer", "number", "boolean", "null")


class SchemaProblem(Exception):
    """No instance can be made: the schema is `unsatisfiable`, uses something `unsupported` by the
    generator, or is `invalid` (a `$ref` to nowhere)."""

    def __init__(self, kind: ProblemKind, pointer: str, reason: str) -> None:
        super().__init__(f"{pointer or '/'}: {reason}")
        self.kind: ProblemKind = kind
        self.pointer = pointer
        self.reason = reason


def child(pointer: str, *tokens: str | int) -> str:
    return pointer + "".join("/" + escape_pointer_token(token) for token in tokens)


def canonical(value: Any) -> str:
    """A key equal for JSON-equal values (1 and 1.0 alike, true and 1 not)."""
    return json.dumps(_normalize(value), sort_keys=True, separators=(",", ":"))


def _normalize(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [_normalize(item) for item in value]
    if isinstance(value, dict):
        return {key: _normalize(item) for key, item in value.items()}
    return value


def exact(number: int | float) -> Fraction:
    return Fraction(number) if isinstance(number, int) else Fraction(repr(number))


@dataclass(frozen=True, slots=True)
class Bound:
    value: Fraction
    exclusive: bool
    keyword: str  # as the schema wrote it, for messages: "minimum 5"


@dataclass(frozen=True, slots=True)
class ObjectPart:
    """The property rules of one schema; a key must be allowed by every part that applies."""

    properties: Mapping[str, Any]
    patterns: tuple[tuple[Any, Any, str], ...]  # (RE2 regex, subschema, pointer)
    additional: Any  # None when absent
    pointer: str

    def allows(self, key: str) -> bool:
        return (
            key in self.properties
            or any(regex.search(key) for regex, _, _ in self.patterns)
            or self.additional is not False
        )

    def parts_for(self, key: str) -> list[Part]:
        parts: list[Part] = []
        if key in self.properties:
            parts.append((self.properties[key], child(self.pointer, "properties", key)))
        parts.extend((schema, where) for regex, schema, where in self.patterns if regex.search(key))
        if not parts and self.additional not in (None, True, False):
            parts.append((self.additional, child(self.pointer, "additionalProperties")))
        return parts


@dataclass(slots=True)
class Facts:
    pointer: str
    types: tuple[str, ...] | None = None
    const: list[Any] = field(default_factory=list)  # empty, or the one allowed value
    enum: list[Any] | None = None
    lower: Bound | None = None
    upper: Bound | None = None
    multiples: list[int | float] = field(default_factory=list)
    min_length: int = 0
    max_length: int | None = None
    patterns: list[str] = field(default_factory=list)
    formats: list[str] = field(default_factory=list)
    min_items: int = 0
    max_items: int | None = None
    unique: bool = False
    prefix: list[list[Part]] = field(default_factory=list)
    items: list[Part] = field(default_factory=list)
    contains: list[Part] = field(default_factory=list)
    items_closed: bool = False
    objects: list[ObjectPart] = field(default_factory=list)
    required: list[str] = field(default_factory=list)
    min_properties: int = 0
    max_properties: int | None = None
    choices: list[tuple[str, list[Part]]] = field(default_factory=list)
    families: list[str] = field(default_factory=list)
    min_contains: int = 1  # items that must match `contains` (when there is one)
    # (maxContains, the pointer of its `contains`): at most that many items may match that one
    max_contains: list[tuple[int, str]] = field(default_factory=list)

    def copy(self) -> Facts:
        return Facts(
            self.pointer,
            self.types,
            list(self.const),
            None if self.enum is None else list(self.enum),
            self.lower,
            self.upper,
            list(self.multiples),
            self.min_length,
            self.max_length,
            list(self.patterns),
            list(self.formats),
            self.min_items,
            self.max_items,
            self.unique,
            [list(parts) for parts in self.prefix],
            list(self.items),
            list(self.contains),
            self.items_closed,
            list(self.objects),
            list(self.required),
            self.min_properties,
            self.max_properties,
            list(self.choices),
            list(self.families),
            self.min_contains,
            list(self.max_contains),
        )
