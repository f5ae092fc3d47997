"""Patterns in client schemas: the contract accepts exactly what the mock's validator reads."""

from __future__ import annotations

from typing import Any

import pytest

from contract import validate_request
from mockserver.engine import Engine, EngineError

MODEL = "Llama-4-Maverick-17B-128E-Instruct-FP8"
# RE2 (and some Python `re`) syntax that ECMA-262, JSON Schema's regex dialect, does not have.
NOT_ECMA = [r"\C", r"\Qa.b\E", r"^\Q1+1\E$", r"a{,3}", r"(?>a)b", r"\Z", r"(a{1000}){1000}"]
# What clients send: Unicode property escapes, named groups, lookaround, plain classes.
ECMA = [r"\p{Lu}", r"^(?<first>\p{Lu})\p{Ll}+$", r"^[0-9]+$", r"^(?!admin).*$", r"\u00e9", r"\cJ"]


def _structured(schema: dict[str, Any]) -> dict[str, Any]:
    return {
        "model": MODEL,
        "messages": [{"role": "user", "content": "My name is Ada"}],
        "response_format": {"type": "json_schema", "json_schema": {"name": "a", "schema": schema}},
    }


def _tool(schema: dict[str, Any]) -> dict[str, Any]:
    function = {"name": "f", "parameters": schema}
    return {
        "model": MODEL,
        "messages": [{"role": "user", "content": "My name is Ada"}],
        "tools": [{"type": "function", "function": function}],
        "tool_choice": "required",
    }


def _schemas(pattern: str) -> list[tuple[dict[str, Any], str]]:
    """Schemas using `pattern` as a pattern and as a patternProperties key, with the pointer
    (below the schema) of the pattern."""
    key = pattern.replace("~", "~0").replace("/", "~1")
    return [
        ({"type": "object", "properties": {"name": {"type": "string", "pattern": pattern}}},
         "/properties/name/pattern"),
        ({"type": "object", "patternProperties": {pattern: {"type": "string"}}},
         "/patternProperties/" + key),
        # Draft 4's metaschema does not make these keys regexes; the mock's validator does.
        ({"$schema": "http://json-schema.org/draft-04/schema#", "type": "object",
          "properties": {"a": {"patternProperties": {pattern: {}}}}},
         "/properties/a/patternProperties/" + key),
    ]  # fmt: skip


@pytest.mark.parametrize("pattern", NOT_ECMA)
def test_a_pattern_ecma_262_does_not_have_is_an_invalid_schema(pattern):
    for schema, where in _schemas(pattern):
        for body, rule, at in (
            (_structured(schema), "response_format.schema.invalid", "/response_format/json_schema/schema"),
            (_tool(schema), "tools.parameters.invalid_schema", "/tools/0/function/parameters"),
        ):  # fmt: skip
            violations = validate_request(body).violations
            assert [(v.rule, v.path) for v in violations] == [(rule, at + where)]
            assert "ECMA-262" in violations[0].message


@pytest.mark.parametrize("pattern", NOT_ECMA + ECMA)
def test_the_contract_and_the_mock_agree_on_every_pattern(pattern):
    # What the contract calls valid the mock reads; what it refuses the mock could not read.
    for schema, _ in _schemas(pattern):
        for body in (_structured(schema), _tool(schema)):
            valid = validate_request(body).ok
            try:
                Engine().complete(body)
            except EngineError as error:
                read = not error.message.startswith("not a valid JSON Schema")
            else:
                read = True
            assert valid == read, (valid, read)
            assert valid == (pattern in ECMA)


@pytest.mark.parametrize("pattern", [["a"], {"a": 1}, 5, None])
def test_a_pattern_that_is_no_string_is_a_type_error_not_a_crash(pattern):
    body = _structured({"type": "string", "pattern": pattern})
    assert [(v.rule, v.path) for v in validate_request(body).violations] == [
        ("response_format.schema.invalid", "/response_format/json_schema/schema/pattern")]  # fmt: skip
