"""References in client schemas: a `$ref` outside the schema is refused where schemas are read;
the same text in a value (`const`, `enum`, `default`, `examples`) is only a value."""

from __future__ import annotations

import json
import random
from typing import Any

import jsonschema
import pytest

from mockserver.engine import Engine, EngineError, SchemaProblem, generate_instance

MODEL = "Llama-4-Maverick-17B-128E-Instruct-FP8"
WHERE = "/tools/0/function/parameters"


def _call(schema: dict[str, Any]) -> dict[str, Any]:
    body = {
        "model": MODEL,
        "messages": [{"role": "user", "content": "go"}],
        "tools": [{"type": "function", "function": {"name": "f", "parameters": schema}}],
        "tool_choice": "required",
    }
    arguments: dict[str, Any] = json.loads(Engine().complete(body).tool_calls[0].arguments)
    jsonschema.validate(arguments, schema)
    return arguments


def _data(remote: str) -> list[dict[str, Any]]:
    ref = {"$ref": remote}
    return [
        {"type": "object", "properties": {"x": {"const": ref}}, "required": ["x"]},
        {"type": "object", "properties": {"x": {"enum": [ref, [ref]]}}, "required": ["x"]},
        {"type": "object", "properties": {"x": {"type": "string", "default": ref,
                                                "examples": [ref]}}, "required": ["x"]},
        {"type": "object", "x-vendor": ref, "properties": {}},  # an unknown keyword's value
        {"type": "object", "properties": {"x": {"const": {"properties": {"y": ref}}}},
         "required": ["x"]},
    ]  # fmt: skip


def _positions(remote: str) -> list[tuple[dict[str, Any], str]]:
    ref = {"$ref": remote}
    return [
        ({"type": "object", "properties": {"a": ref}}, "/properties/a/$ref"),
        ({"type": "object", "$defs": {"unused": ref}}, "/$defs/unused/$ref"),
        ({"type": "object", "definitions": {"d": {"items": [ref]}}}, "/definitions/d/items/0/$ref"),
        ({"type": "object", "patternProperties": {"^a": ref}}, "/patternProperties/^a/$ref"),
        ({"type": "object", "additionalProperties": ref}, "/additionalProperties/$ref"),
        ({"type": "object", "not": {"anyOf": [{}, ref]}}, "/not/anyOf/1/$ref"),
        ({"type": "object", "if": {}, "then": {"allOf": [ref]}}, "/then/allOf/0/$ref"),
        ({"type": "object", "dependentSchemas": {"a": ref}}, "/dependentSchemas/a/$ref"),
        ({"type": "object", "properties": {"l": {"prefixItems": [{}, ref]}}},
         "/properties/l/prefixItems/1/$ref"),
        ({"type": "object", "properties": {"l": {"items": {"contains": ref}}}},
         "/properties/l/items/contains/$ref"),
        ({"type": "object", "properties": {"a": {"$dynamicRef": remote}}},
         "/properties/a/$dynamicRef"),
        # A local reference makes a value a schema: what it points to is read as one.
        ({"type": "object", "properties": {"a": {"$ref": "#/x-vendor"}}, "x-vendor": ref},
         "/x-vendor/$ref"),
        ({"type": "object", "properties": {"a": {"$ref": "#/properties/b/const"},
                                           "b": {"const": ref}}}, "/properties/b/const/$ref"),
    ]  # fmt: skip


@pytest.mark.parametrize("index", range(len(_data("x"))))
def test_a_reference_in_a_value_is_only_a_value(index, listener):
    remote = listener.url + "/schema.json"
    schema = _data(remote)[index]
    arguments = _call(schema)
    if "const" in json.dumps(schema["properties"].get("x", {})):
        assert arguments["x"] == schema["properties"]["x"]["const"]
    assert listener.connections() == 0


@pytest.mark.parametrize("index", range(len(_positions("x"))))
def test_a_reference_outside_the_schema_is_refused_where_it_is(index, listener):
    remote = listener.url + "/schema.json"
    schema, pointer = _positions(remote)[index]
    with pytest.raises(EngineError) as caught:
        _call(schema)
    assert (caught.value.rule, caught.value.path) == ("tools.parameters.unsupported",
                                                      WHERE + pointer)  # fmt: skip
    assert "only references inside the schema (#/...) are read" in caught.value.message
    assert listener.connections() == 0


def test_the_generator_refuses_with_the_same_words():
    # One check: the generator, used on its own, says what the engine says.
    schema = {"type": "object", "properties": {"a": {"$ref": "file:///etc/hostname"}},
              "required": ["a"]}  # fmt: skip
    with pytest.raises(SchemaProblem) as problem:
        generate_instance(schema, rng=random.Random(0))
    with pytest.raises(EngineError) as caught:
        _call(schema)
    assert (problem.value.kind, problem.value.reason) == ("unsupported", caught.value.message)
    assert WHERE + problem.value.pointer == caught.value.path == WHERE + "/properties/a/$ref"
