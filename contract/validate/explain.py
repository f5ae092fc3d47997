"""Turning JSON Schema errors into violations: a rule id, a JSON Pointer and a plain message each.

The compiled validator (jsonschema-rs) only decides; the pure-Python `jsonschema` library explains,
because its errors carry the schema node that failed (title, bounds, `x-rules`, `x-tolerated`).
Schemas may annotate a node with `"x-rules": {keyword: rule_id}` to give a keyword's failure a
more specific rule (e.g. an unknown role), and `"x-tolerated": {field: why}` to explain unknown
fields that real clients send.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from functools import cache, lru_cache
from typing import Any

from jsonschema import Draft202012Validator, ValidationError, validators
from jsonschema.protocols import Validator

from contract.violations import Violation, closest, json_pointer

PathParts = Sequence[str | int]

# Unknown fields that stand for a known field under another name, whatever the spelling distance.
FIELD_ALIASES: dict[str, str] = {"max_tokens": "max_completion_tokens"}

_KEYWORD_RULES: dict[str, str] = {
    "type": "field.type",
    "enum": "field.enum",
    "const": "field.enum",
    "minimum": "field.range",
    "maximum": "field.range",
    "exclusiveMinimum": "field.range",
    "exclusiveMaximum": "field.range",
    "minLength": "field.length",
    "maxLength": "field.length",
    "minItems": "field.length",
    "maxItems": "field.length",
    "pattern": "field.pattern",
    "required": "field.required",
    "additionalProperties": "field.unknown",
}
_RS_KIND_KEYWORDS: dict[str, str] = {
    "Type": "type", "Enum": "enum", "Constant": "const", "Minimum": "minimum", "Maximum": "maximum",
    "ExclusiveMinimum": "exclusiveMinimum", "ExclusiveMaximum": "exclusiveMaximum",
    "MinLength": "minLength", "MaxLength": "maxLength", "MinItems": "minItems",
    "MaxItems": "maxItems", "Pattern": "pattern", "Required": "required",
    "AdditionalProperties": "additionalProperties",
}  # fmt: skip


@cache
def _ecma_regex(pattern: str) -> re.Pattern[str]:
    # ECMA-262 (and jsonschema-rs) `$` matches only at the very end; Python's also before a final
    # newline. Translating a trailing `$` keeps both validators agreeing on "name\n".
    return re.compile(re.sub(r"(?<!\\)\$$", r"\\Z", pattern))


def _ecma_pattern(
    validator: Validator, pattern: str, instance: Any, schema: dict[str, Any]
) -> Iterable[ValidationError]:
    if validator.is_type(instance, "string") and not _ecma_regex(pattern).search(instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


ExplainingValidator: type[Validator] = validators.extend(  # type: ignore[no-untyped-call]
    Draft202012Validator, {"pattern": _ecma_pattern}
)


def json_type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def clip(text: str, *, limit: int = 120) -> str:
    """A client's text (a path, a header value) cut for a message: never the whole of a long one."""
    return text if len(text) <= limit else text[: limit - 3] + "..."


def show(value: Any, *, limit: int = 60) -> str:
    """A short JSON rendering of a value for messages."""
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError, RecursionError):
        text = repr(value) if not isinstance(value, dict | list) else json_type_name(value)
    return clip(text, limit=limit)


def _quoted(values: Iterable[Any]) -> str:
    return ", ".join(show(value) for value in values)


def _field_name(path: PathParts) -> str:
    for part in reversed(path):
        if isinstance(part, str):
            return part
    return "the document"


def _noun(schema: dict[str, Any]) -> str:
    """What the object is, with its article: "an assistant message", "a tool call", "this object"."""
    return with_article(str(schema.get("title") or "this object"))


def with_article(noun: str) -> str:
    """`noun` after "a" or "an" as it is spoken ("an image URL", "a user message"); a noun that
    already starts with "this" or "the" as it is."""
    first = noun.split(maxsplit=1)[0].lower() if noun.strip() else ""
    if first in ("this", "the", "these", "those"):
        return noun
    # A "u" that sounds like "you" (usage, user, unique) takes "a"; other vowels take "an".
    vowel = first[:1] in ("a", "e", "i", "o") or (
        first[:1] == "u" and not first.startswith(("us", "uni", "ur", "uti"))
    )
    return f"{'an' if vowel else 'a'} {noun}"


def closest_field(key: str, known: Iterable[str]) -> str | None:
    """The known field `key` most likely stands for, if any is close enough."""
    known = list(known)
    alias = FIELD_ALIASES.get(key)
    if alias in known:
        return alias
    by_lower = {name.lower(): name for name in known}
    found = closest(key.lower(), by_lower)
    return by_lower[found] if found is not None else None


def unknown_field(path: PathParts, key: str, schema: dict[str, Any]) -> Violation:
    """A field.unknown warning for `key` of the object at `path`, which `schema` describes."""
    key = str(key)  # JSON keys are strings; a Python caller's may not be
    note = schema.get("x-tolerated", {}).get(key)
    known = tuple(schema.get("properties", {}))
    message = _unknown_field_message(key, known, str(note) if note else None, _noun(schema))
    return Violation("field.unknown", json_pointer([*path, key]), message, "warning")


@lru_cache(maxsize=1024)
def _unknown_field_message(key: str, known: tuple[str, ...], note: str | None, noun: str) -> str:
    # Cached: the same unknown field (say `max_tokens`) comes with every request of a client.
    message = f"unknown field {show(key)}"
    if note:
        return f"{message}: {note}"
    suggestion = closest_field(key, [name for name in known if name != key])
    if suggestion:
        return f"{message}; did you mean {show(suggestion)}?"
    return f"{message}; the known fields of {noun} are {', '.join(known)}" if known else message


def _range_text(schema: dict[str, Any]) -> str:
    low = schema.get("minimum", schema.get("exclusiveMinimum"))
    high = schema.get("maximum", schema.get("exclusiveMaximum"))
    if low is not None and high is not None:
        return f"{low} to {high}"
    if low is not None:
        return f"more than {low}" if "exclusiveMinimum" in schema else f"at least {low}"
    return f"less than {high}" if "exclusiveMaximum" in schema else f"at most {high}"


def _size_text(keyword: str, instance: Any, limit: Any) -> str:
    unit = "items" if isinstance(instance, list) else "characters"
    bound = "at least" if keyword.startswith("min") else "at most"
    return f"{len(instance)} {unit}, {bound} {limit} allowed"


def _message(error: ValidationError, path: PathParts) -> str:
    keyword, value = str(error.validator), error.instance
    expected: Any = error.validator_value
    schema: dict[str, Any] = error.schema if isinstance(error.schema, dict) else {}
    name = _field_name(path)
    if keyword == "type":
        types = expected if isinstance(expected, list) else [expected]
        found = "null" if value is None else f"{json_type_name(value)} {show(value, limit=30)}"
        return f"'{name}' is {found}; expected " + " or ".join(types)
    if keyword == "enum":
        return f"{show(value)} is not allowed for '{name}'; allowed: {_quoted(expected)}"
    if keyword == "const":
        return (
            f"{show(value)} is not allowed for '{name}'; the only value allowed: {show(expected)}"
        )
    if keyword in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        return f"'{name}' is {show(value)}; allowed: {_range_text(schema)}"
    if keyword in ("minLength", "maxLength", "minItems", "maxItems"):
        if keyword == "minItems" and not value:
            return f"'{name}' is an empty array; at least {expected} item(s) required"
        return f"'{name}' has {_size_text(keyword, value, expected)}"
    if keyword == "pattern":
        return f"{show(value)} does not match the pattern {expected} required for '{name}'"
    return error.message


def explain(validator: Validator, payload: Any) -> list[Violation]:
    """Every schema finding of `payload`, each mistake once."""
    found: list[Violation] = []
    for error in validator.iter_errors(payload):
        found.extend(_violations_of(error))
    return found


def _violations_of(error: ValidationError) -> list[Violation]:
    path = list(error.absolute_path)
    keyword = str(error.validator)
    schema = error.schema if isinstance(error.schema, dict) else {}
    instance = error.instance
    if keyword == "additionalProperties" and isinstance(instance, dict):
        allowed = schema.get("properties", {})
        patterns = list(schema.get("patternProperties", {}))
        return [
            unknown_field(path, key, schema)
            for key in instance
            if key not in allowed and not any(re.search(p, key) for p in patterns)
        ]
    if keyword == "required" and isinstance(instance, dict):
        return [
            Violation(
                "field.required",
                json_pointer([*path, name]),
                f"{show(name)} is missing; it is required in {_noun(schema)}",
            )
            for name in _names_of(error.validator_value)
            if name not in instance
        ]
    rule = schema.get("x-rules", {}).get(keyword) or _KEYWORD_RULES.get(keyword, "field.type")
    return [Violation(rule, json_pointer(path), _message(error, path))]


def _names_of(value: Any) -> list[str]:
    return [str(name) for name in value] if isinstance(value, list) else []


def _schema_node(schema: dict[str, Any], parts: PathParts) -> dict[str, Any]:
    node: Any = schema
    for part in parts:
        if part == "$ref" and isinstance(node, dict) and isinstance(node.get("$ref"), str):
            node = _schema_node(schema, node["$ref"].removeprefix("#/").split("/"))
        else:
            node = node[part]
    return node if isinstance(node, dict) else {}


def unknown_fields_compiled(
    compiled: Any, schema: dict[str, Any], payload: Any
) -> list[Violation] | None:
    """The unknown fields of a payload that passes the lenient schema, found by jsonschema-rs.

    Returns None when some error is not about unknown fields (the caller then explains fully).
    """
    found: list[Violation] = []
    for error in compiled.iter_errors(payload):
        if type(error.kind).__name__ != "AdditionalProperties":
            return None
        node = _schema_node(schema, list(error.schema_path)[:-1])
        path = list(error.instance_path)
        found.extend(unknown_field(path, str(key), node) for key in error.kind.unexpected)
    return found


def compiled_error_violations(compiled: Any, payload: Any) -> list[Violation]:
    """A last resort when the explaining validator finds nothing the compiled one rejected."""
    found: list[Violation] = []
    for error in compiled.iter_errors(payload):
        keyword = _RS_KIND_KEYWORDS.get(type(error.kind).__name__, "type")
        found.append(
            Violation(
                _KEYWORD_RULES.get(keyword, "field.type"),
                json_pointer(list(error.instance_path)),
                str(error.message),
            )
        )
    return found
