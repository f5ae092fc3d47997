"""Small JSON Schemas (tool parameters, structured output), documents valid against them, and
schemas broken in one place (for the invalid-schema rules)."""

from __future__ import annotations

import copy
import functools
from collections.abc import Mapping
from typing import Any

from hypothesis import strategies as st

from contract.strategies._common import JSON, compact_json, texts

_PROPERTY_NAMES = (
    "city",
    "unit",
    "order_id",
    "query",
    "amount",
    "currency",
    "limit",
    "date",
    "email",
    "include_details",
    "language",
    "count",
)
_PROPERTY_TYPES = ("string", "integer", "number", "boolean")
_PROPERTY_NAME_LISTS = st.lists(
    st.one_of(st.sampled_from(_PROPERTY_NAMES), st.text(min_size=1, max_size=12)),
    max_size=4,
    unique=True,
)
_ENUM_WORDS = ("celsius", "fahrenheit", "kelvin", "low", "medium", "high", "en", "fr", "de")


@st.composite
def _draw_property_schema(draw: st.DrawFn) -> JSON:
    kind = draw(st.sampled_from(_PROPERTY_TYPES))
    schema: JSON = {"type": kind}
    if draw(st.booleans()):
        schema["description"] = draw(texts(max_size=30))
    if kind == "string" and draw(st.booleans()):
        schema["enum"] = draw(
            st.lists(st.sampled_from(_ENUM_WORDS), min_size=1, max_size=3, unique=True)
        )
    elif kind in ("integer", "number") and draw(st.booleans()):
        low = draw(st.integers(-1000, 1000))
        schema["minimum"] = low
        schema["maximum"] = low + draw(st.integers(0, 1000))
    return schema


@functools.cache
def _property_schema() -> st.SearchStrategy[JSON]:
    return _draw_property_schema()


@functools.cache
def object_schemas() -> st.SearchStrategy[JSON]:
    """`{"type": "object", "properties": ..., "required": [...]}`, up to four simple properties."""
    return _draw_object_schema()


@functools.cache
def output_schemas() -> st.SearchStrategy[JSON]:
    """A structured-output schema: mostly an object, sometimes an array or a scalar."""
    return _draw_output_schema()


@st.composite
def _draw_object_schema(draw: st.DrawFn) -> JSON:
    """`{"type": "object", "properties": ..., "required": [...]}`, up to four simple properties."""
    names = draw(_PROPERTY_NAME_LISTS)
    properties = {name: draw(_property_schema()) for name in names}
    schema: JSON = {"type": "object", "properties": properties}
    required = [name for name in names if draw(st.booleans())]
    if required:
        schema["required"] = required
    if draw(st.booleans()):
        schema["additionalProperties"] = False
    return schema


@st.composite
def _draw_output_schema(draw: st.DrawFn) -> JSON:
    """A structured-output schema: mostly an object, sometimes an array or a scalar."""
    shape = draw(st.sampled_from(("object", "object", "array", "scalar")))
    if shape == "object":
        return draw(object_schemas())
    if shape == "array":
        return {
            "type": "array",
            "items": draw(_property_schema()),
            "maxItems": draw(st.integers(1, 5)),
        }
    return draw(_property_schema())


def _value_for(draw: st.DrawFn, schema: Any, strings: st.SearchStrategy[str] | None = None) -> Any:
    if not isinstance(schema, Mapping):
        return None
    if isinstance(schema.get("enum"), list) and schema["enum"]:
        return draw(st.sampled_from(schema["enum"]))
    kind = schema.get("type")
    low, high = schema.get("minimum"), schema.get("maximum")
    bounded = isinstance(low, int) and isinstance(high, int) and low <= high
    if kind == "string":
        return draw(strings if strings is not None else texts(min_size=0, max_size=20))
    if kind == "integer":
        return draw(st.integers(low, high) if bounded else st.integers(-(10**6), 10**6))
    if kind == "number":
        if bounded:
            return draw(st.floats(low, high, allow_nan=False, allow_infinity=False))
        return draw(st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False))
    if kind == "boolean":
        return draw(st.booleans())
    if kind == "object":
        return _object_for(draw, schema, strings)
    if kind == "array":
        items = schema.get("items")
        return [_value_for(draw, items, strings) for _ in range(draw(st.integers(0, 2)))]
    return None


def _object_for(
    draw: st.DrawFn, schema: Mapping[str, Any], strings: st.SearchStrategy[str] | None = None
) -> JSON:
    properties = schema.get("properties")
    if not isinstance(properties, Mapping):
        return {}
    required = schema.get("required")
    required_names = set(required) if isinstance(required, list) else set()
    return {
        name: _value_for(draw, sub, strings)
        for name, sub in properties.items()
        if name in required_names or draw(st.booleans())
    }


def arguments_for(
    draw: st.DrawFn, parameters: Any, *, strings: st.SearchStrategy[str] | None = None
) -> str:
    """Compact JSON text of an arguments object for a function with these `parameters`;
    `strings` draws its string values (default: mostly readable words)."""
    if not isinstance(parameters, Mapping):
        return "{}"
    return compact_json(_object_for(draw, parameters, strings))


# Each defect breaks the JSON Schema meta-schema in one place while the schema stays an object.
_SCHEMA_DEFECTS: tuple[tuple[str, Any], ...] = (
    ("type", "objekt"),
    ("type", 12),
    ("required", "city"),
    ("properties", ["city"]),
    ("additionalProperties", "no"),
    ("minProperties", -1),
    ("enum", "celsius"),
    ("allOf", {}),
)
_PROPERTY_DEFECTS: tuple[tuple[str, Any], ...] = (
    ("type", "strnig"),
    ("type", ["string", 7]),
    ("minLength", -1),
    ("maximum", "ten"),
    ("items", 3),
)


@st.composite
def broken_schemas(draw: st.DrawFn, base: JSON) -> JSON:
    """`base` (an object schema) with exactly one keyword made invalid under the meta-schema."""
    broken = copy.deepcopy(base)
    properties = broken.get("properties")
    if isinstance(properties, dict) and properties and draw(st.booleans()):
        name = draw(st.sampled_from(sorted(properties)))
        keyword, value = draw(st.sampled_from(_PROPERTY_DEFECTS))
        properties[name] = {**properties[name], keyword: value}
    else:
        keyword, value = draw(st.sampled_from(_SCHEMA_DEFECTS))
        broken[keyword] = value
    return broken
