"""Generated responses and streams are valid, and the official SDKs read them."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from llama_api_client.types import (
    CreateChatCompletionResponse,
    CreateChatCompletionResponseStreamChunk,
)
from openai.types.chat import ChatCompletion, ChatCompletionChunk

from contract import validate_response, validate_stream
from contract.strategies import chat_responses, stream_events

SETTINGS = settings(max_examples=40, deadline=None)


def _metrics(metrics):
    return {m["metric"]: m["value"] for m in metrics}


@SETTINGS
@given(response=chat_responses())
def test_native_responses_validate_and_parse_with_the_llama_sdk(response):
    result = validate_response(response, endpoint="native")
    assert not result.violations, [str(v) for v in result.violations]
    parsed = CreateChatCompletionResponse.model_validate(response)
    message = response["completion_message"]
    assert (message["stop_reason"] == "tool_calls") == bool(message["tool_calls"])
    assert [m["metric"] for m in response["metrics"]] == [
        "num_completion_tokens",
        "num_prompt_tokens",
        "num_total_tokens",
    ]
    counts = _metrics(response["metrics"])
    assert (
        counts["num_total_tokens"] == counts["num_prompt_tokens"] + counts["num_completion_tokens"]
    )
    for call in parsed.completion_message.tool_calls or []:
        json.loads(call.function.arguments)


@SETTINGS
@given(response=chat_responses(endpoint="compat"))
def test_compat_responses_validate_and_parse_with_the_openai_sdk(response):
    result = validate_response(response, endpoint="compat")
    assert not result.violations, [str(v) for v in result.violations]
    parsed = ChatCompletion.model_validate(response)
    usage = parsed.usage
    assert usage is not None
    assert usage.total_tokens == usage.prompt_tokens + usage.completion_tokens


@SETTINGS
@given(chunks=stream_events())
def test_native_streams_validate_and_every_chunk_parses(chunks):
    result = validate_stream(chunks, endpoint="native")
    assert not result.violations, [str(v) for v in result.violations]
    assert "[DONE]" not in chunks
    events = [CreateChatCompletionResponseStreamChunk.model_validate(c).event for c in chunks]
    kinds = [event.event_type for event in events]
    assert kinds[0] == "start"
    assert kinds[-2:] == ["complete", "metrics"]
    assert set(kinds[1:-2]) <= {"progress"}
    assert len({chunk["id"] for chunk in chunks}) == 1
    names = [e.delta.function.name for e in events if e.delta.type == "tool_call" and e.delta.id]
    assert (events[-2].stop_reason == "tool_calls") == bool(names)


@SETTINGS
@given(chunks=stream_events(endpoint="compat"))
def test_compat_streams_validate_end_with_done_and_parse(chunks):
    result = validate_stream(chunks, endpoint="compat")
    assert not result.violations, [str(v) for v in result.violations]
    assert chunks[-1] == "[DONE]"
    assert "[DONE]" not in chunks[:-1]
    parsed = [ChatCompletionChunk.model_validate(chunk) for chunk in chunks[:-1]]
    finishes = [c.choices[0].finish_reason for c in parsed if c.choices]
    assert finishes[-1] is not None
    assert all(reason is None for reason in finishes[:-1])


def _streamed_answer(chunks, endpoint):
    """(text, {call id: joined arguments}) as a client assembles them from the deltas."""
    text, calls, current = "", {}, None
    if endpoint == "native":
        for delta in (chunk["event"]["delta"] for chunk in chunks):
            if delta["type"] == "text":
                text += delta["text"]
                continue
            if delta.get("id"):
                current = delta["id"]
                calls[current] = ""
            calls[current] += delta["function"].get("arguments", "")
        return text, calls
    ids = {}
    for chunk in chunks[:-1]:
        for choice in chunk["choices"]:
            text += choice["delta"].get("content") or ""
            for call in choice["delta"].get("tool_calls", []):
                if call.get("id"):
                    ids[call["index"]] = call["id"]
                    calls[call["id"]] = ""
                calls[ids[call["index"]]] += call["function"].get("arguments", "")
    return text, calls


@pytest.mark.parametrize("endpoint", ["native", "compat"])
@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_streamed_deltas_assemble_into_text_or_whole_tool_calls(endpoint, data):
    chunks = data.draw(stream_events(endpoint=endpoint))
    text, calls = _streamed_answer(chunks, endpoint)
    assert not (text and calls)
    for arguments in calls.values():
        assert isinstance(json.loads(arguments), dict)
