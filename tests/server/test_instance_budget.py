"""Schemas whose smallest instance is too large to build get a precise 400 at once, naming the
keyword and the budget, instead of a worker spinning while its memory grows."""

from __future__ import annotations

import json

import pytest

from mockserver import MockConfig, MockService
from mockserver.core.http import MockRequest
from mockserver.engine.schema.budget import FLOOR_CHARS, HARD_CAP_CHARS, budget_chars

MODEL = "Llama-4-Maverick-17B-128E-Instruct-FP8"
HEADERS = {"authorization": "Bearer k", "content-type": "application/json"}


def _chat(body: dict, path: str = "/v1/chat/completions"):
    service = MockService(MockConfig(port=0))
    raw = json.dumps(body).encode()
    answer = service.handle(MockRequest("POST", path, HEADERS, raw, len(raw)))
    return answer.status, json.loads(answer.body)


def _structured(schema: dict, **extra) -> dict:
    return {"model": MODEL, "messages": [{"role": "user", "content": "Give me data."}],
            "response_format": {"type": "json_schema", "json_schema": {"name": "x", "schema": schema}},
            **extra}


@pytest.mark.parametrize(("schema", "where"), [
    ({"type": "array", "minItems": 100_000_000, "items": {"type": "integer"}}, "/minItems"),
    ({"type": "object", "required": ["s"],
      "properties": {"s": {"type": "string", "minLength": 1_000_000_000}}},
     "/properties/s/minLength"),
    ({"type": "array", "minItems": 1000, "items": {"type": "array", "minItems": 1000}},
     "/items/minItems"),
    ({"$defs": {"big": {"type": "string", "minLength": 500_000}},
      "anyOf": [{"$ref": "#/$defs/big"}, {"type": "array", "minItems": 300_000}]},
     "/anyOf/0/$ref/minLength"),
])
def test_an_oversized_response_format_is_a_400_naming_keyword_and_budget(schema, where):
    status, body = _chat(_structured(schema))
    assert status == 400
    [error] = body["errors"]
    assert error["rule"] == "response_format.schema.unsupported"
    assert error["path"] == "/response_format/json_schema/schema" + where
    assert f"at most {HARD_CAP_CHARS:,} characters" in error["message"]


def test_an_oversized_tool_parameter_is_a_400_on_either_endpoint():
    tools = [{"type": "function", "function": {"name": "bulk", "parameters": {
        "type": "object", "required": ["ids"],
        "properties": {"ids": {"type": "array", "minItems": 10_000_000}}}}}]
    request = {"model": MODEL, "messages": [{"role": "user", "content": "bulk"}], "tools": tools,
               "tool_choice": "required"}
    status, body = _chat(request)
    assert status == 400
    assert body["errors"][0]["path"] == "/tools/0/function/parameters/properties/ids/minItems"
    status, body = _chat(request, "/compat/v1/chat/completions")
    assert status == 400
    assert "minItems" in body["error"]["message"]


def test_the_budget_follows_max_completion_tokens_within_floor_and_cap():
    assert budget_chars(None) == HARD_CAP_CHARS
    assert budget_chars(10) == FLOOR_CHARS
    assert budget_chars(5_000) == 40_000
    assert budget_chars(10**9) == HARD_CAP_CHARS
    schema = {"type": "array", "minItems": 7_000, "items": {"type": "integer"}}  # >= 14,001 chars
    status, _ = _chat(_structured(schema, max_completion_tokens=100))
    assert status == 200  # under the floor: built, then cut at the token limit
    schema["minItems"] = 9_000
    status, body = _chat(_structured(schema, max_completion_tokens=100))
    assert status == 400
    assert f"at most {FLOOR_CHARS:,} characters" in body["errors"][0]["message"]


def test_schemas_within_the_budget_are_answered():
    schema = {"type": "object", "required": ["tags"], "properties": {
        "tags": {"type": "array", "minItems": 50, "items": {"type": "string", "minLength": 3}}}}
    status, body = _chat(_structured(schema))
    assert status == 200
    assert len(json.loads(body["completion_message"]["content"]["text"])["tags"]) >= 50
