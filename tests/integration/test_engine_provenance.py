"""`x-mock-provenance: true`: the answer is the same, and a header says where each value came from.
Played with the official SDK (native) and the openai SDK (compat), over real HTTP."""

from __future__ import annotations

import json
from typing import Any

import httpx
import llama_api_client
import openai
import pytest
from llama_api_client import LlamaAPIClient

from mockserver.engine.provenance import PROVENANCE_HEADER_LIMIT

MODEL = "Llama-4-Maverick-17B-128E-Instruct-FP8"
ASK = {"x-mock-provenance": "true"}


def tool(name: str, properties: dict[str, Any], required: list[str] | None = None) -> Any:
    parameters = {
        "type": "object",
        "properties": properties,
        "required": required or list(properties),
    }
    return {
        "type": "function",
        "function": {"name": name, "description": "", "parameters": parameters},
    }


BOOK = tool(
    "book_tickets",
    {
        "count": {"type": "integer"},
        "show": {"type": "string"},
        "date": {"type": "string", "format": "date"},
    },
)
WEATHER = tool(
    "get_weather",
    {"city": {"type": "string"}, "unit": {"enum": ["celsius", "fahrenheit"]}},
    ["city"],
)
FINAL = tool(
    "final_result",
    {
        "city": {"type": "string"},
        "condition": {"type": "string"},
        "summary": {"type": "string"},
        "code": {"type": "string", "pattern": "^[A-Z]{3}$"},
    },
)


def told(headers: Any) -> Any:
    return json.loads(headers["x-mock-provenance"])


@pytest.mark.parametrize("stream", [False, True], ids=["whole", "stream"])
@pytest.mark.parametrize("endpoint", ["native", "compat"])
def test_each_argument_says_what_gave_it(mock, endpoint, stream):
    request = {
        "model": MODEL,
        "messages": [{"role": "user", "content": "Book 2 tickets for 'Swan Lake' on 2027-01-05"}],
        "tools": [BOOK],
        "stream": stream,
    }
    if endpoint == "native":
        client: Any = LlamaAPIClient(api_key="k", base_url=mock.native, max_retries=0)
    else:
        client = openai.OpenAI(api_key="k", base_url=mock.compat, max_retries=0)
    raw = client.chat.completions.with_raw_response.create(**request, extra_headers=ASK)
    assert told(raw.headers) == {
        "answer": "tool_calls",
        "calls": [
            {
                "name": "book_tickets",
                "values": [
                    {"at": "/count", "from": "user", "kind": "integer", "said": "2"},
                    {"at": "/show", "from": "user", "kind": "quoted", "said": "'Swan Lake'"},
                    {"at": "/date", "from": "user", "kind": "date", "said": "2027-01-05"},
                ],
            }
        ],
    }


def test_earlier_turns_tool_results_enums_and_generated_values(mock):
    client = LlamaAPIClient(api_key="k", base_url=mock.native, max_retries=0)
    earlier = client.chat.completions.with_raw_response.create(
        model=MODEL,
        messages=[
            {"role": "user", "content": "I'm in Oslo."},
            {"role": "assistant", "content": "Noted."},
            {"role": "user", "content": "The weather, in celsius"},
        ],
        tools=[WEATHER],
        tool_choice="required",
        extra_headers=ASK,
    )
    assert told(earlier.headers)["calls"][0]["values"] == [
        {"at": "/city", "from": "earlier", "kind": "name", "said": "Oslo", "nth": 1},
        {"at": "/unit", "from": "user", "kind": "enum", "said": "celsius"},
    ]
    final = client.chat.completions.with_raw_response.create(
        model=MODEL,
        messages=[
            {"role": "user", "content": "Weather in Lima?"},
            {
                "role": "assistant",
                "content": "",
                "tool_calls": [
                    {
                        "id": "c1",
                        "function": {"name": "get_weather", "arguments": '{"city":"Lima"}'},
                    }
                ],
            },
            {
                "role": "tool",
                "tool_call_id": "c1",
                "content": '{"temperature": 18, "condition": "fog"}',
            },
        ],
        tools=[WEATHER, FINAL],
        tool_choice="required",
        extra_headers=ASK,
    )
    arguments = json.loads(final.parse().completion_message.tool_calls[0].function.arguments)
    assert told(final.headers)["calls"][0]["values"] == [
        {"at": "/city", "from": "user", "kind": "name", "said": "Lima"},
        {"at": "/condition", "from": "tool", "kind": "quoted", "said": "fog", "nth": 1},
        {"at": "/summary", "from": "summary"},  # the tool results in plain words
        {"at": "/code", "from": "generated"},
    ]
    assert arguments["summary"] == "The weather in Lima: temperature 18, condition fog."


def test_a_document_and_a_text_answer(mock):
    client = openai.OpenAI(api_key="k", base_url=mock.compat, max_retries=0)
    schema = {
        "type": "object",
        "properties": {
            "name": {"type": "string"},
            "age": {"type": "integer"},
            "pet": {"type": "string"},
        },
        "required": ["name", "age", "pet"],
    }
    document = client.chat.completions.with_raw_response.create(
        model=MODEL,
        messages=[{"role": "user", "content": "Marie Curie is 66 years old"}],
        response_format={"type": "json_schema", "json_schema": {"name": "p", "schema": schema}},
        extra_headers=ASK,
    )
    assert told(document.headers) == {
        "answer": "document",
        "values": [
            {"at": "/name", "from": "user", "kind": "name", "said": "Marie Curie"},
            {"at": "/age", "from": "user", "kind": "integer", "said": "66"},
            {"at": "/pet", "from": "generated"},
        ],
    }
    text = client.chat.completions.with_raw_response.create(
        model=MODEL, messages=[{"role": "user", "content": "Hello"}], extra_headers=ASK
    )
    assert told(text.headers) == {"answer": "text"}


@pytest.mark.parametrize("path", ["/v1/chat/completions", "/compat/v1/chat/completions"])
def test_asking_changes_no_byte_of_the_answer_and_not_asking_gives_no_header(mock, path):
    body = {
        "model": MODEL,
        "messages": [{"role": "user", "content": "Weather in Kyiv?"}],
        "tools": [WEATHER],
    }
    headers = {"authorization": "Bearer k"}
    with httpx.Client(base_url=mock.base_url) as http:
        plain = http.post(path, json=body, headers=headers)
        asked = http.post(path, json=body, headers={**headers, **ASK})
        off = http.post(path, json=body, headers={**headers, "x-mock-provenance": "false"})
        again = http.post(path, json={**body, "seed": 1}, headers={**headers, **ASK})
    assert plain.status_code == asked.status_code == off.status_code == 200
    assert asked.content == plain.content == off.content
    assert "x-mock-provenance" not in plain.headers
    assert "x-mock-provenance" not in off.headers
    assert told(again.headers) == told(asked.headers)  # a new body, not the memo's answer


def test_a_value_that_is_neither_true_nor_false_is_refused(mock):
    client = LlamaAPIClient(api_key="k", base_url=mock.native, max_retries=0)
    with pytest.raises(llama_api_client.BadRequestError) as refused:
        client.chat.completions.create(
            model=MODEL,
            messages=[{"role": "user", "content": "Hi"}],
            extra_headers={"x-mock-provenance": "verbose"},
        )
    assert "provenance.invalid" in str(refused.value)
    assert "'verbose'" in str(refused.value)


def test_the_header_is_bounded(mock):
    schema = {"type": "array", "items": {"type": "integer"}, "minItems": 900, "maxItems": 900}
    wrapped = {"type": "object", "properties": {"numbers": schema}, "required": ["numbers"]}
    with httpx.Client(base_url=mock.base_url) as http:
        answer = http.post(
            "/v1/chat/completions",
            json={
                "model": MODEL,
                "messages": [{"role": "user", "content": "Numbers please"}],
                "response_format": {
                    "type": "json_schema",
                    "json_schema": {"name": "n", "schema": wrapped},
                },
            },
            headers={"authorization": "Bearer k", **ASK},
        )
    assert answer.status_code == 200
    header = answer.headers["x-mock-provenance"]
    assert len(header) <= PROVENANCE_HEADER_LIMIT
    explained = json.loads(header)
    assert explained["left_out"] + len(explained["values"]) == 900
    assert explained["values"][0] == {"at": "/numbers/0", "from": "generated"}


def test_a_scripted_answer_carries_no_provenance(mock):
    """A scenario step answers instead of the engine: nothing the engine could explain."""
    with httpx.Client(base_url=mock.base_url) as http:
        scripted = http.post(
            "/v1/chat/completions",
            json={"model": MODEL, "messages": [{"role": "user", "content": "The capital of France?"}]},
            headers={"authorization": "Bearer k", "x-mock-scenario": "seed-example", **ASK},
        )
    assert scripted.status_code == 200
    message = scripted.json()["completion_message"]
    assert message["content"]["text"] == "The capital of France is Paris."  # the step's answer
    assert "x-mock-provenance" not in scripted.headers


def test_a_call_cut_into_text_keeps_its_values():
    from mockserver.engine import Engine

    request = {
        "model": MODEL,
        "messages": [{"role": "user", "content": "Book 2 tickets for 'Swan Lake' on 2027-01-05"}],
        "tools": [BOOK],
        "max_completion_tokens": 5,
    }
    assert Engine().complete(request).stop_reason == "length"
    explained = json.loads(Engine().explain(request))
    assert explained["answer"] == "text"
    assert [value["at"] for value in explained["calls"][0]["values"]] == ["/count", "/show", "/date"]
