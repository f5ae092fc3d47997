"""Patterns a client sends in its schemas run on RE2: matching the conversation's values against
`^(a+)+$` (or naming properties after one) takes time linear in the text, never exponential.

With Python's backtracking `re`, each of these takes longer than the test suite (2**40 steps)."""

from __future__ import annotations

import json
import re

import pytest

from mockserver.engine import Engine, EngineError

EVIL = "^(a+)+$"
LONG_MISS = "a" * 40 + "!"


def _tool(parameters: dict[str, object]) -> dict[str, object]:
    return {"type": "function", "function": {"name": "lookup", "parameters": parameters}}


def test_a_value_from_the_conversation_is_checked_against_an_evil_pattern_in_linear_time():
    request = {
        "model": "m",
        "messages": [{"role": "user", "content": f"Look up '{LONG_MISS}' please"}],
        "tools": [_tool({"type": "object", "properties": {"q": {"type": "string", "pattern": EVIL}},
                         "required": ["q"]})],
        "tool_choice": "required",
    }  # fmt: skip
    call = Engine().complete(request).tool_calls[0]
    value = json.loads(call.arguments)["q"]
    assert value != LONG_MISS.strip("!")
    assert set(value) == {"a"}


def test_pattern_properties_with_an_evil_key_are_read_in_linear_time():
    schema = {
        "type": "object",
        "properties": {LONG_MISS: {"type": "integer"}},
        "patternProperties": {EVIL: {"type": "string"}},
        "required": [LONG_MISS],
    }
    request = {"model": "m", "messages": [{"role": "user", "content": "hi"}],
               "response_format": {"type": "json_schema",
                                   "json_schema": {"name": "x", "schema": schema}}}  # fmt: skip
    document = json.loads(Engine().complete(request).text)
    assert isinstance(document[LONG_MISS], int)


def test_a_pattern_re2_cannot_read_is_a_precise_client_error():
    request = {"model": "m", "messages": [{"role": "user", "content": "hi"}],
               "response_format": {"type": "json_schema", "json_schema": {"name": "x", "schema": {
                   "type": "object", "patternProperties": {"(?<=a)b": {"type": "string"}},
                   "minProperties": 1}}}}  # fmt: skip
    with pytest.raises(EngineError) as caught:
        Engine().complete(request)
    assert caught.value.rule == "response_format.schema.unsupported"
    assert "RE2" in caught.value.message


def test_a_lone_surrogate_in_the_conversation_is_no_value_for_a_pattern():
    """HTTP refuses lone surrogates before the engine; an in-process caller of `Engine` may still
    pass one, and RE2 (which reads UTF-8) must not turn it into an exception."""
    schema = {"type": "object", "properties": {"code": {"type": "string", "pattern": "^[a-z]+"}},
              "required": ["code"]}  # fmt: skip
    request = {"model": "m", "messages": [{"role": "user", "content": 'code "ab\ud800c" please'}],
               "response_format": {"type": "json_schema",
                                   "json_schema": {"name": "x", "schema": schema}}}  # fmt: skip
    document = json.loads(Engine().complete(request).text)
    assert "\ud800" not in document["code"]
    assert re.match("^[a-z]+", document["code"])
