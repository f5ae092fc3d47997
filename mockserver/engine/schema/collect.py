"""Collecting `Facts` from a schema: local `$ref`s followed, `allOf` merged, `anyOf`/`oneOf` kept
open as choices. Contradictions found while merging (two different consts, disjoint types) raise
`SchemaProblem` with the JSON Pointer of the schema that contradicts.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeGuard

from mockserver.engine.schema.dialect import dialect_of
from mockserver.engine.schema.facts import (
    JSON_TYPES,
    Bound,
    Facts,
    ObjectPart,
    Part,
    SchemaProblem,
    canonical,
    child,
    exact,
)
from mockserver.engine.schema.linear import linear_regex
from mockserver.engine.schema.references import pointed, reference_problem

_MAX_REF_HOPS = 64
_FAMILIES = {
    "object": (
        "properties",
        "required",
        "additionalProperties",
        "patternProperties",
        "minProperties",
        "maxProperties",
    ),
    "array": (
        "items",
        "prefixItems",
        "minItems",
        "maxItems",
        "uniqueItems",
        "contains",
        "additionalItems",
    ),
    "string": ("minLength", "maxLength", "pattern", "format"),
    "number": ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"),
}
_FAMILY_OF = {keyword: family for family, keywords in _FAMILIES.items() for keyword in keywords}
_COMBINATORS = ("allOf", "anyOf", "oneOf")


def _is_number(value: Any) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _intersect_types(current: tuple[str, ...] | None, new: tuple[str, ...]) -> tuple[str, ...]:
    if current is None:
        return new
    out = [name for name in current if name in new]
    if "number" in current and "integer" in new and "integer" not in out:
        out.append("integer")
    if "integer" in current and "number" in new and "integer" not in out:
        out.append("integer")
    return tuple(out)


class Collector:
    """Adds schemas to `Facts`, following local `$ref`s and `allOf` of one root schema."""

    def __init__(self, root: Any) -> None:
        self.root = root
        self.dialect = dialect_of(root)  # the keywords the validator reads in the root's draft
        self._family_rules = {
            "object": self._add_object_rules,
            "array": self._add_array_rules,
            "string": self._add_string_rules,
            "number": self._add_number_rules,
        }

    def resolve(self, ref: str, pointer: str) -> Part:
        outside = reference_problem(ref, pointer)
        if outside is not None:
            raise outside
        if ref in ("#", "#/"):
            return self.root, ""
        if not ref.startswith("#/"):
            raise SchemaProblem(
                "unsupported", pointer, f"$ref {ref!r}: anchors are not supported; use #/$defs/..."
            )
        try:
            return pointed(self.root, ref), ref[1:]
        except LookupError:
            raise SchemaProblem(
                "invalid", pointer, f"$ref {ref!r} points to nothing in the schema"
            ) from None

    def add(self, facts: Facts, schema: Any, pointer: str, hops: int = 0) -> None:
        if schema is True:
            return
        if schema is False:
            raise SchemaProblem(
                "unsatisfiable", pointer, "the schema is false: no value is allowed here"
            )
        if not isinstance(schema, Mapping):
            raise SchemaProblem("invalid", pointer, "a schema must be an object or a boolean")
        ref = schema.get("$ref")
        if isinstance(ref, str):
            if hops >= _MAX_REF_HOPS:
                raise SchemaProblem(
                    "unsupported",
                    pointer,
                    f"$ref {ref!r} never reaches a schema (a reference cycle)",
                )
            target, where = self.resolve(ref, child(pointer, "$ref"))
            self.add(facts, target, where, hops + 1)
        self._add_value_rules(facts, schema, pointer)
        # Only the keyword families the schema uses are read: this runs for every subschema.
        present = {_FAMILY_OF[key] for key in schema if key in _FAMILY_OF}
        for family in _FAMILIES:
            if family in present:
                self._family_rules[family](facts, schema, pointer)
                if family not in facts.families:
                    facts.families.append(family)
        for keyword in _COMBINATORS:
            subschemas = schema.get(keyword)
            if not isinstance(subschemas, list):
                continue
            parts = [(sub, child(pointer, keyword, i)) for i, sub in enumerate(subschemas)]
            if keyword == "allOf":
                for sub, where in parts:
                    self.add(facts, sub, where, hops)
            elif not parts:
                raise SchemaProblem("unsatisfiable", child(pointer, keyword), f"{keyword} is empty")
            else:
                facts.choices.append((child(pointer, keyword), parts))

    def _add_value_rules(self, facts: Facts, schema: Mapping[str, Any], pointer: str) -> None:
        """type, const and enum: the rules that apply whatever the type."""
        declared = schema.get("type")
        if declared is not None:
            names = (declared,) if isinstance(declared, str) else tuple(declared)
            if not names or any(name not in JSON_TYPES for name in names):
                raise SchemaProblem(
                    "invalid",
                    child(pointer, "type"),
                    f"type {declared!r} is not a JSON Schema type",
                )
            before = facts.types
            facts.types = _intersect_types(before, names)
            if not facts.types:
                raise SchemaProblem(
                    "unsatisfiable",
                    child(pointer, "type"),
                    f"type {list(names)} contradicts type {list(before or ())} required elsewhere",
                )
        if "const" in schema:
            value = schema["const"]
            if facts.const and canonical(facts.const[0]) != canonical(value):
                raise SchemaProblem(
                    "unsatisfiable",
                    child(pointer, "const"),
                    f"const {canonical(value)} contradicts const {canonical(facts.const[0])} "
                    "required elsewhere",
                )
            facts.const[:] = [value]
        enum = schema.get("enum")
        if isinstance(enum, list):
            if facts.enum is None:
                facts.enum = list(enum)
            else:
                keys = {canonical(value) for value in enum}
                facts.enum = [value for value in facts.enum if canonical(value) in keys]
                if not facts.enum:
                    raise SchemaProblem(
                        "unsatisfiable",
                        child(pointer, "enum"),
                        "enum shares no value with the enum required elsewhere",
                    )

    def _add_number_rules(self, facts: Facts, schema: Mapping[str, Any], pointer: str) -> None:
        self._add_bounds(facts, schema)
        multiple = schema.get("multipleOf")
        if _is_number(multiple):
            if multiple <= 0:
                raise SchemaProblem(
                    "invalid", child(pointer, "multipleOf"), "multipleOf must be greater than 0"
                )
            facts.multiples.append(multiple)

    def _add_string_rules(self, facts: Facts, schema: Mapping[str, Any], pointer: str) -> None:
        if isinstance(schema.get("minLength"), int):
            facts.min_length = max(facts.min_length, schema["minLength"])
        if isinstance(schema.get("maxLength"), int):
            facts.max_length = _tighter_max(facts.max_length, schema["maxLength"])
        if isinstance(schema.get("pattern"), str):
            facts.patterns.append(schema["pattern"])
        if isinstance(schema.get("format"), str):
            facts.formats.append(schema["format"])

    def _add_bounds(self, facts: Facts, schema: Mapping[str, Any]) -> None:
        for keyword, exclusive_keyword, is_lower in (
            ("minimum", "exclusiveMinimum", True),
            ("maximum", "exclusiveMaximum", False),
        ):
            candidates: list[Bound] = []
            value, exclusive = schema.get(keyword), schema.get(exclusive_keyword)
            if _is_number(value):
                draft4_exclusive = exclusive is True
                name = exclusive_keyword if draft4_exclusive else keyword
                candidates.append(Bound(exact(value), draft4_exclusive, f"{name} {value}"))
            if _is_number(exclusive):
                candidates.append(Bound(exact(exclusive), True, f"{exclusive_keyword} {exclusive}"))
            for bound in candidates:
                current = facts.lower if is_lower else facts.upper
                if current is None or _tighter(bound, current, is_lower):
                    if is_lower:
                        facts.lower = bound
                    else:
                        facts.upper = bound

    def _add_array_rules(self, facts: Facts, schema: Mapping[str, Any], pointer: str) -> None:
        if isinstance(schema.get("minItems"), int):
            facts.min_items = max(facts.min_items, schema["minItems"])
        if isinstance(schema.get("maxItems"), int):
            facts.max_items = _tighter_max(facts.max_items, schema["maxItems"])
        facts.unique = facts.unique or schema.get("uniqueItems") is True
        prefix_keyword, rest_keyword = "prefixItems", "items"
        if isinstance(schema.get("items"), list):  # the draft 4-2019 tuple form
            prefix_keyword, rest_keyword = "items", "additionalItems"
        prefix, rest = schema.get(prefix_keyword), schema.get(rest_keyword)
        if isinstance(prefix, list):
            for i, sub in enumerate(prefix):
                while len(facts.prefix) <= i:
                    facts.prefix.append([])
                facts.prefix[i].append((sub, child(pointer, prefix_keyword, i)))
        if rest is False:
            facts.items_closed = True
        elif rest is not None and rest is not True:
            facts.items.append((rest, child(pointer, rest_keyword)))
        if "contains" in schema and self.dialect.contains:
            counted = self.dialect.contains_counts  # minContains, maxContains: 2019-09 and later
            least = schema.get("minContains", 1) if counted else 1
            least = least if isinstance(least, int) and least >= 0 else 1
            facts.min_contains = least if not facts.contains else max(facts.min_contains, least)
            facts.contains.append((schema["contains"], child(pointer, "contains")))
            most = schema.get("maxContains") if counted else None
            if isinstance(most, int) and not isinstance(most, bool) and most >= 0:
                if least > most:
                    given = "minContains" in schema
                    raise SchemaProblem("unsatisfiable", pointer, (
                        f"minContains {least} is greater than maxContains {most}" if given else
                        f"maxContains {most} but contains needs {least} matching item "
                        "(minContains defaults to 1)"))  # fmt: skip
                facts.max_contains.append((most, child(pointer, "contains")))

    def _add_object_rules(self, facts: Facts, schema: Mapping[str, Any], pointer: str) -> None:
        properties = schema.get("properties")
        patterns = schema.get("patternProperties")
        additional = schema.get("additionalProperties")
        if properties is not None or patterns is not None or additional is not None:
            facts.objects.append(self._object_part(properties, patterns, additional, pointer))
        for name in schema.get("required") or ():
            if isinstance(name, str) and name not in facts.required:
                facts.required.append(name)
        if isinstance(schema.get("minProperties"), int):
            facts.min_properties = max(facts.min_properties, schema["minProperties"])
        if isinstance(schema.get("maxProperties"), int):
            facts.max_properties = _tighter_max(facts.max_properties, schema["maxProperties"])

    def _object_part(
        self, properties: Any, patterns: Any, additional: Any, pointer: str
    ) -> ObjectPart:
        compiled: list[tuple[Any, Any, str]] = []
        for source, sub in (patterns or {}).items():
            regex = linear_regex(source) if isinstance(source, str) else None
            if regex is None:
                raise SchemaProblem(
                    "unsupported",
                    child(pointer, "patternProperties", source),
                    f"patternProperties key {source!r} is not a regular expression the mock can "
                    "read (RE2 syntax: no lookaround or backreferences)",
                )
            compiled.append((regex, sub, child(pointer, "patternProperties", source)))
        props = properties if isinstance(properties, Mapping) else {}
        return ObjectPart(props, tuple(compiled), additional, pointer)


def _tighter(new: Bound, current: Bound, is_lower: bool) -> bool:
    if new.value == current.value:
        return new.exclusive and not current.exclusive
    return new.value > current.value if is_lower else new.value < current.value


def _tighter_max(current: int | None, new: int) -> int:
    return new if current is None else min(current, new)
