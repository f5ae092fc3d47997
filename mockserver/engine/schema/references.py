"""References that point outside a client's schema, refused before anything reads the schema.

A `$ref` to `http://...`, `file:///...` or a path relative to `$id` would make a validator fetch a
URL or read a file; the mock does neither, so such a reference is a `SchemaProblem`
("unsupported"). Only schema positions are read: `{"const": {"$ref": "https://x"}}` is a value,
not a reference, unless a local `$ref` makes it a schema by pointing into it.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import suppress
from typing import Any
from urllib.parse import unquote

from contract.validate.explain import clip
from mockserver.engine.schema.facts import SchemaProblem, child

_REFERENCES = ("$ref", "$dynamicRef")
# Keywords whose value is a schema, a list of schemas, or an object of schemas (every draft).
_ONE = ("additionalProperties", "additionalItems", "contains", "not", "if", "then", "else",
        "propertyNames", "unevaluatedItems", "unevaluatedProperties", "contentSchema")  # fmt: skip
_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")
_MAPS = ("properties", "patternProperties", "$defs", "definitions", "dependentSchemas",
         "dependencies")  # fmt: skip


def reference_problem(ref: str, pointer: str, keyword: str = "$ref") -> SchemaProblem | None:
    """The problem of `ref` (the `keyword` at `pointer`) if it points outside the schema."""
    if ref.startswith("#"):
        return None
    return SchemaProblem(
        "unsupported",
        pointer,
        f"{keyword} {clip(ref, limit=60)!r}: only references inside the schema (#/...) are read; "
        "the mock fetches no URL and reads no file",
    )


def pointed(root: Any, ref: str) -> Any:
    """What a local `#/...` reference points to in `root`; LookupError when it points to nothing."""
    target: Any = root
    for token in ref[2:].split("/") if ref not in ("#", "#/") else ():
        key = unquote(token).replace("~1", "/").replace("~0", "~")
        if isinstance(target, Mapping) and key in target:
            target = target[key]
        elif isinstance(target, list) and key.isascii() and key.isdigit() and int(key) < len(target):
            target = target[int(key)]
        else:
            raise LookupError(ref)
    return target


def outside_reference(root: Any) -> SchemaProblem | None:
    """The first reference in a schema position of `root` (or of what a local reference points
    to) that points outside `root`; None when every reference is local."""
    stack: list[tuple[Any, str]] = [(root, "")]
    seen: set[int] = set()
    while stack:
        schema, pointer = stack.pop()
        if not isinstance(schema, Mapping) or id(schema) in seen:
            continue
        seen.add(id(schema))
        for keyword in _REFERENCES:
            ref = schema.get(keyword)
            if not isinstance(ref, str):
                continue
            problem = reference_problem(ref, child(pointer, keyword), keyword)
            if problem is not None:
                return problem
            if ref == "#" or ref.startswith("#/"):
                # A reference to nothing: the collector says so where it reads it.
                with suppress(LookupError):
                    stack.append((pointed(root, ref), ref[1:]))
        stack.extend(_subschemas(schema, pointer))
    return None


def _subschemas(schema: Mapping[str, Any], pointer: str) -> list[tuple[Any, str]]:
    found = [(schema[key], child(pointer, key)) for key in _ONE if key in schema]
    items = schema.get("items")
    lists = [*_LISTS, "items"] if isinstance(items, list) else _LISTS
    if "items" in schema and not isinstance(items, list):
        found.append((items, child(pointer, "items")))
    for key in lists:
        value = schema.get(key)
        if isinstance(value, list):
            found.extend((sub, child(pointer, key, i)) for i, sub in enumerate(value))
    for key in _MAPS:
        value = schema.get(key)
        if isinstance(value, Mapping):
            found.extend((sub, child(pointer, key, name)) for name, sub in value.items())
    return found
