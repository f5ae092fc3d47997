"""The schema files: loadable by name, valid 2020-12 schemas, self-contained, consistent."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import pytest

from contract import RULES, SCHEMA_NAMES, load_schema, schema_path
from contract.schemas import SCHEMA_BASE_URI, UnknownSchemaError
from contract.validate.documents import compiled_schema, lenient_variant


def _walk(node: Any) -> list[dict[str, Any]]:
    nodes: list[dict[str, Any]] = []
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            nodes.append(item)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return nodes


def test_there_are_the_twelve_documented_schemas():
    assert len(SCHEMA_NAMES) == 12
    assert all(schema_path(name).is_file() for name in SCHEMA_NAMES)


@pytest.mark.parametrize("name", SCHEMA_NAMES)
def test_each_schema_is_a_valid_self_contained_2020_12_schema(name):
    schema = load_schema(name)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == f"{SCHEMA_BASE_URI}{name}.json"
    assert schema["title"]
    assert schema["description"]
    jsonschema.Draft202012Validator.check_schema(schema)
    refs = [node["$ref"] for node in _walk(schema) if isinstance(node.get("$ref"), str)]
    assert all(ref.startswith("#/$defs/") for ref in refs)  # no reference to another file
    for ref in refs:
        assert ref.removeprefix("#/$defs/") in schema["$defs"]


@pytest.mark.parametrize("name", SCHEMA_NAMES)
def test_schema_file_is_plain_json_at_its_path(name):
    assert json.loads(schema_path(name).read_text(encoding="utf-8")) == load_schema(name)


def test_unions_are_discriminated_without_one_of_or_any_of():
    for name in SCHEMA_NAMES:
        for node in _walk(load_schema(name)):
            assert "oneOf" not in node
            assert "anyOf" not in node


def test_every_rule_a_schema_names_is_in_the_catalog():
    named = {
        rule
        for name in SCHEMA_NAMES
        for node in _walk(load_schema(name))
        for rule in node.get("x-rules", {}).values()
    }
    assert named >= {"message.role.unknown", "content.type.unknown", "delta.type.unknown"}
    assert named <= set(RULES)


def test_request_schemas_close_every_object_they_describe():
    for name in ("native-chat-request", "compat-chat-request", "moderation-request"):
        schema = load_schema(name)
        assert schema["additionalProperties"] is False
        conditions = [id(node["if"]) for node in _walk(schema) if "if" in node]
        for node in _walk(schema):
            if "properties" in node and id(node) not in conditions:
                is_union_head = "allOf" in node  # its branches close the object
                assert is_union_head or node.get("additionalProperties") is False, node


def test_moderation_messages_are_the_native_messages():
    native = load_schema("native-chat-request")["$defs"]
    moderation = load_schema("moderation-request")["$defs"]
    assert moderation == {name: native[name] for name in moderation}


def test_tolerated_fields_are_named_in_the_native_request_schema():
    schema = load_schema("native-chat-request")
    assert "stream_options" in schema["x-tolerated"]
    assert "name" in schema["$defs"]["user_message"]["x-tolerated"]
    assert schema["$defs"]["tool_call"]["properties"]["type"] == {"const": "function"}


def test_load_schema_returns_a_copy_the_caller_may_change():
    schema = load_schema("model")
    schema["required"].clear()
    assert load_schema("model")["required"]


def test_an_unknown_schema_name_lists_the_known_ones():
    with pytest.raises(KeyError) as caught:
        load_schema("native-chat")
    assert isinstance(caught.value, UnknownSchemaError)
    assert "native-chat-request" in str(caught.value)
    with pytest.raises(UnknownSchemaError):
        schema_path("nope")


def test_lenient_variant_drops_only_closed_object_markers():
    schema = load_schema("native-chat-request")
    lenient = lenient_variant(schema)
    assert all(node.get("additionalProperties") is not False for node in _walk(lenient))
    assert lenient["properties"].keys() == schema["properties"].keys()
    assert lenient["$defs"]["message"] == schema["$defs"]["message"]
    tricky = {"properties": {"additionalProperties": {"const": {"additionalProperties": False}}}}
    assert lenient_variant(tricky) == tricky


def test_response_schemas_have_no_lenient_variant():
    assert compiled_schema("native-chat-response").lenient is None
    assert compiled_schema("native-chat-request").lenient is not None
