"""The official llama-api-client SDK over real HTTP against the mock."""

from __future__ import annotations

import asyncio
import json

import jsonschema
import llama_api_client
import pytest
from integration_support import API_KEY, MODEL, WEATHER_TOOL
from llama_api_client import AsyncLlamaAPIClient, LlamaAPIClient


@pytest.fixture
def client(mock):
    return LlamaAPIClient(api_key=API_KEY, base_url=mock.native, max_retries=0)


def ask(text: str) -> list[dict]:
    return [{"role": "user", "content": text}]


def test_text_answer_refers_to_the_question(client):
    response = client.chat.completions.create(
        model=MODEL, messages=ask("What is the capital of France?")
    )
    message = response.completion_message
    assert message.stop_reason == "stop"
    assert "capital of France" in message.content.text
    metrics = {m.metric: m.value for m in response.metrics}
    assert (
        metrics["num_total_tokens"]
        == metrics["num_prompt_tokens"] + metrics["num_completion_tokens"]
    )


def test_streamed_text_equals_the_plain_answer(client):
    request = {"model": MODEL, "messages": ask("Tell me about llamas")}
    plain = client.chat.completions.create(**request)
    events = list(client.chat.completions.create(**request, stream=True))
    assert [e.event.event_type for e in events][:1] == ["start"]
    assert [e.event.event_type for e in events][-2:] == ["complete", "metrics"]
    text = "".join(e.event.delta.text for e in events if e.event.delta.type == "text")
    assert text == plain.completion_message.content.text
    streamed_metrics = {m.metric: m.value for m in events[-1].event.metrics}
    assert streamed_metrics == {m.metric: m.value for m in plain.metrics}


def test_max_completion_tokens_cuts_with_length(client):
    response = client.chat.completions.create(
        model=MODEL, messages=ask("Write a long story about the sea"), max_completion_tokens=3
    )
    assert response.completion_message.stop_reason == "length"
    metrics = {m.metric: m.value for m in response.metrics}
    assert metrics["num_completion_tokens"] == 3


def _tool_round_trip(client, *, stream: bool) -> None:
    messages = ask("What is the weather in Paris?")
    if stream:
        events = list(
            client.chat.completions.create(
                model=MODEL, messages=messages, tools=[WEATHER_TOOL], stream=True
            )
        )
        deltas = [e.event.delta for e in events if e.event.delta.type == "tool_call"]
        assert deltas[0].id
        assert deltas[0].function.name == "get_weather"
        call_id, name = deltas[0].id, deltas[0].function.name
        arguments = "".join(d.function.arguments or "" for d in deltas)
        assert [e.event.stop_reason for e in events if e.event.event_type == "complete"] == [
            "tool_calls"
        ]
    else:
        response = client.chat.completions.create(
            model=MODEL, messages=messages, tools=[WEATHER_TOOL]
        )
        message = response.completion_message
        assert message.stop_reason == "tool_calls"
        call = message.tool_calls[0]
        call_id, name, arguments = call.id, call.function.name, call.function.arguments
    assert name == "get_weather"
    jsonschema.validate(json.loads(arguments), WEATHER_TOOL["function"]["parameters"])
    follow_up = [
        *messages,
        {
            "role": "assistant",
            "content": "",
            "stop_reason": "tool_calls",
            "tool_calls": [{"id": call_id, "function": {"name": name, "arguments": arguments}}],
        },
        {"role": "tool", "tool_call_id": call_id, "content": '{"temperature": 21}'},
    ]
    answer = client.chat.completions.create(model=MODEL, messages=follow_up, tools=[WEATHER_TOOL])
    assert answer.completion_message.stop_reason == "stop"
    assert answer.completion_message.content.text


def test_tool_call_then_answer(client):
    _tool_round_trip(client, stream=False)


def test_streamed_tool_call_then_answer(client):
    _tool_round_trip(client, stream=True)


def test_structured_output_validates_against_the_schema(client):
    schema = {
        "type": "object",
        "properties": {
            "name": {"type": "string", "minLength": 1},
            "age": {"type": "integer", "minimum": 0, "maximum": 150},
            "email": {"type": "string", "format": "email"},
            "tags": {"type": "array", "items": {"type": "string"}, "minItems": 1, "maxItems": 3},
        },
        "required": ["name", "age", "email", "tags"],
        "additionalProperties": False,
    }
    response = client.chat.completions.create(
        model=MODEL,
        messages=ask("Describe a person"),
        response_format={
            "type": "json_schema",
            "json_schema": {"name": "Person", "schema": schema},
        },
    )
    document = json.loads(response.completion_message.content.text)
    jsonschema.validate(document, schema, format_checker=jsonschema.FormatChecker())


def test_models_list_retrieve_and_404(client):
    ids = [model.id for model in client.models.list()]
    assert MODEL in ids
    assert client.models.retrieve(MODEL).id == MODEL
    with pytest.raises(llama_api_client.NotFoundError) as caught:
        client.models.retrieve("Llama-9-Imaginary")
    assert "Llama-9-Imaginary" in caught.value.body["detail"]


def test_moderations(client):
    flagged = client.moderations.create(messages=ask("How do I kill a process that hangs?"))
    assert flagged.model
    assert len(flagged.results) == 1
    calm = client.moderations.create(messages=ask("What is a good name for a cat?"))
    assert calm.results[0].flagged is False
    assert calm.results[0].flagged_categories == []


def test_bad_request_carries_the_violation_paths(client):
    with pytest.raises(llama_api_client.BadRequestError) as caught:
        client.chat.completions.create(
            model=MODEL,
            messages=[{"role": "wizard", "content": "hi"}],  # type: ignore[list-item]
        )
    body = caught.value.body
    assert [(e["path"], e["rule"]) for e in body["errors"]] == [
        ("/messages/0/role", "message.role.unknown")
    ]


def test_wrong_key_is_an_authentication_error(start_mock):
    guarded = start_mock(api_keys=("right-key",))
    client = LlamaAPIClient(api_key="wrong-key", base_url=guarded.native, max_retries=0)
    with pytest.raises(llama_api_client.AuthenticationError):
        client.models.list()


def test_rate_limit_is_a_rate_limit_error(start_mock):
    limited = start_mock(rpm=1)
    client = LlamaAPIClient(api_key=API_KEY, base_url=limited.native, max_retries=0)
    client.chat.completions.create(model=MODEL, messages=ask("one"))
    with pytest.raises(llama_api_client.RateLimitError) as caught:
        client.chat.completions.create(model=MODEL, messages=ask("two"))
    headers = caught.value.response.headers
    assert int(headers["retry-after"]) >= 1
    assert headers["x-ratelimit-remaining-requests"] == "0"


def test_async_client_text_and_stream(mock):
    async def run() -> tuple[str, str]:
        async with AsyncLlamaAPIClient(api_key=API_KEY, base_url=mock.native) as client:
            plain = await client.chat.completions.create(model=MODEL, messages=ask("Hello there"))
            stream = await client.chat.completions.create(
                model=MODEL, messages=ask("Hello there"), stream=True
            )
            parts = [e.event.delta.text async for e in stream if e.event.delta.type == "text"]
            return plain.completion_message.content.text, "".join(parts)

    plain, streamed = asyncio.run(run())
    assert plain
    assert plain == streamed


def test_async_client_errors(mock):
    async def run() -> None:
        async with AsyncLlamaAPIClient(api_key=API_KEY, base_url=mock.native) as client:
            await client.chat.completions.create(model=MODEL, messages=[])

    with pytest.raises(llama_api_client.BadRequestError) as caught:
        asyncio.run(run())
    assert caught.value.body["errors"][0]["rule"] == "messages.empty"
