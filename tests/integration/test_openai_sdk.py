"""The openai SDK over real HTTP against the mock's OpenAI-compatible endpoint."""

from __future__ import annotations

import json

import jsonschema
import openai
import pytest
from integration_support import API_KEY, MODEL, WEATHER_TOOL


@pytest.fixture
def client(mock):
    return openai.OpenAI(api_key=API_KEY, base_url=mock.compat, max_retries=0)


def test_text(client):
    completion = client.chat.completions.create(
        model=MODEL, messages=[{"role": "user", "content": "What is the capital of France?"}]
    )
    choice = completion.choices[0]
    assert choice.finish_reason == "stop"
    assert "capital of France" in choice.message.content
    usage = completion.usage
    assert usage.total_tokens == usage.prompt_tokens + usage.completion_tokens


def test_streaming_with_usage(client):
    request = {"model": MODEL, "messages": [{"role": "user", "content": "Tell me about llamas"}]}
    plain = client.chat.completions.create(**request)
    chunks = list(
        client.chat.completions.create(
            **request, stream=True, stream_options={"include_usage": True}
        )
    )
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == plain.choices[0].message.content
    assert chunks[-1].choices == []
    assert chunks[-1].usage.total_tokens == plain.usage.total_tokens
    assert [
        c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason
    ] == ["stop"]


def test_tools(client):
    messages = [{"role": "user", "content": "What is the weather in Paris?"}]
    completion = client.chat.completions.create(
        model=MODEL, messages=messages, tools=[WEATHER_TOOL]
    )
    choice = completion.choices[0]
    assert choice.finish_reason == "tool_calls"
    call = choice.message.tool_calls[0]
    assert call.function.name == "get_weather"
    jsonschema.validate(json.loads(call.function.arguments), WEATHER_TOOL["function"]["parameters"])
    follow_up = [
        *messages,
        choice.message.model_dump(exclude_none=True),
        {"role": "tool", "tool_call_id": call.id, "content": '{"temperature": 21}'},
    ]
    answer = client.chat.completions.create(model=MODEL, messages=follow_up, tools=[WEATHER_TOOL])
    assert answer.choices[0].finish_reason == "stop"
    assert answer.choices[0].message.content


def test_a_streamed_tool_call_assembles_to_the_same_message_as_unstreamed(client):
    """The SDK's stream helper builds the message from the deltas: content None, as unstreamed
    (the first delta's content was "", so the assembled message had "" where the other had None)."""
    messages = [{"role": "user", "content": "What is the weather in Paris?"}]
    whole = client.chat.completions.create(model=MODEL, messages=messages, tools=[WEATHER_TOOL])
    with client.chat.completions.stream(
        model=MODEL, messages=messages, tools=[WEATHER_TOOL]
    ) as stream:
        streamed = stream.get_final_completion()
    assert whole.choices[0].message.content is None
    assert streamed.choices[0].message.content is None
    calls = [(c.id, c.function.name, c.function.arguments) for c in whole.choices[0].message.tool_calls]
    assert calls == [
        (c.id, c.function.name, c.function.arguments) for c in streamed.choices[0].message.tool_calls
    ]


def test_structured_output(client):
    schema = {
        "type": "object",
        "properties": {"city": {"type": "string"}, "population": {"type": "integer", "minimum": 1}},
        "required": ["city", "population"],
        "additionalProperties": False,
    }
    completion = client.chat.completions.create(
        model=MODEL,
        messages=[{"role": "user", "content": "Name a big city"}],
        response_format={"type": "json_schema", "json_schema": {"name": "City", "schema": schema}},
    )
    jsonschema.validate(json.loads(completion.choices[0].message.content), schema)


def test_bad_request_is_openai_shaped(client):
    with pytest.raises(openai.BadRequestError) as caught:
        client.chat.completions.create(model=MODEL, messages=[{"role": "wizard", "content": "hi"}])
    error = caught.value.body
    assert error["code"] == "message.role.unknown"
    assert error["param"] == "messages[0].role"
