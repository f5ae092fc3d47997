"""Wire documents: they parse with the official SDKs' types, and streams rebuild the answer."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st
from llama_api_client.types import (
    CreateChatCompletionResponse,
    CreateChatCompletionResponseStreamChunk,
)
from openai.types.chat import ChatCompletion, ChatCompletionChunk
from pydantic import TypeAdapter

from contract import validate_response, validate_stream
from contract.validate.stream_state import DONE
from mockserver.core.errors import json_bytes
from mockserver.engine import (
    Completion,
    Engine,
    ToolCall,
    compat_response,
    compat_stream,
    native_response,
    native_stream,
)
from mockserver.engine.render import compat_response_bytes, native_response_bytes

MODEL = "Llama-4-Maverick-17B-128E-Instruct-FP8"
NATIVE_CHUNK = TypeAdapter(CreateChatCompletionResponseStreamChunk)
NATIVE_RESPONSE = TypeAdapter(CreateChatCompletionResponse)
TEXT = Completion("AgxYOFsu1QLBrt2fWbs7pDy", "The capital of France is Paris.", (), "stop", 25, 8)
CALLS = Completion(
    "BgxYOFsu1QLBrt2fWbs7pDy",
    "",
    (
        ToolCall("call_a", "get_weather", '{"location":"Paris","unit":"celsius"}'),
        ToolCall("call_b", "get_time", '{"zone":"Europe/Paris"}'),
    ),
    "tool_calls",
    40,
    21,
)
EMPTY = Completion("CgxYOFsu1QLBrt2fWbs7pDy", "", (), "length", 3, 0)


def answers():
    engine = Engine()
    asked = {"model": MODEL, "messages": [{"role": "user", "content": "Is it raining in Oslo?"}]}
    tool = {
        "type": "function",
        "function": {"name": "get_weather", "parameters": {"type": "object"}},
    }
    return [
        TEXT,
        CALLS,
        EMPTY,
        engine.complete(asked),
        engine.complete({**asked, "max_completion_tokens": 4}),
        engine.complete({**asked, "tools": [tool]}),
    ]


def test_native_response_matches_the_reference_shape():
    assert native_response(TEXT) == {
        "id": "AgxYOFsu1QLBrt2fWbs7pDy",
        "completion_message": {
            "role": "assistant",
            "content": {"type": "text", "text": "The capital of France is Paris."},
            "stop_reason": "stop",
            "tool_calls": [],
        },
        "metrics": [
            {"metric": "num_completion_tokens", "value": 8, "unit": "tokens"},
            {"metric": "num_prompt_tokens", "value": 25, "unit": "tokens"},
            {"metric": "num_total_tokens", "value": 33, "unit": "tokens"},
        ],
    }
    assert (
        native_response(TEXT, content_form="string")["completion_message"]["content"] == TEXT.text
    )


@pytest.mark.parametrize("completion", answers())
def test_native_documents_parse_with_the_sdk(completion):
    parsed = NATIVE_RESPONSE.validate_python(native_response(completion))
    assert parsed.completion_message.content.text == completion.text
    assert [
        (c.id, c.function.name, c.function.arguments) for c in parsed.completion_message.tool_calls
    ] == [(c.id, c.name, c.arguments) for c in completion.tool_calls]
    for chunk in native_stream(completion):
        NATIVE_CHUNK.validate_python(chunk)
    json.dumps(list(native_stream(completion)))


@pytest.mark.parametrize("completion", answers())
def test_native_stream_order_ids_and_deltas(completion):
    chunks = list(native_stream(completion))
    kinds = [chunk["event"]["event_type"] for chunk in chunks]
    assert kinds[0] == "start"
    assert kinds[-2:] == ["complete", "metrics"]
    assert set(kinds[1:-2]) <= {"progress"}
    assert {chunk["id"] for chunk in chunks} == {completion.id}
    assert all("delta" in chunk["event"] for chunk in chunks)
    for chunk in (chunks[0], chunks[-2], chunks[-1]):
        assert chunk["event"]["delta"] == {"type": "text", "text": ""}
    assert chunks[-2]["event"]["stop_reason"] == completion.stop_reason
    assert chunks[-1]["event"]["metrics"] == native_response(completion)["metrics"]


@pytest.mark.parametrize("completion", answers())
def test_native_stream_rebuilds_the_answer(completion):
    text, calls = "", []
    for chunk in native_stream(completion):
        delta = NATIVE_CHUNK.validate_python(chunk).event.delta
        if delta.type == "text":
            text += delta.text
        elif delta.id:
            assert delta.function.name
            assert not delta.function.arguments
            calls.append([delta.id, delta.function.name, ""])
        else:
            assert delta.function.name is None
            calls[-1][2] += delta.function.arguments
    assert text == completion.text
    assert [tuple(call) for call in calls] == [
        (c.id, c.name, c.arguments) for c in completion.tool_calls
    ]


def test_text_deltas_carry_a_few_tokens_each():
    chunks = list(
        native_stream(
            Engine().complete({"model": MODEL, "messages": [{"role": "user", "content": "Hi"}]})
        )
    )
    progress = [
        chunk["event"]["delta"]["text"]
        for chunk in chunks
        if chunk["event"]["event_type"] == "progress"
    ]
    assert len(progress) > 3
    assert all(piece for piece in progress)


@pytest.mark.parametrize("completion", answers())
def test_compat_response_parses_with_openai(completion):
    body = compat_response(completion, model=MODEL, created=1750000000)
    parsed = ChatCompletion.model_validate(body)
    assert parsed.id == "chatcmpl-" + completion.id
    assert (parsed.model, parsed.created) == (MODEL, 1750000000)
    choice = parsed.choices[0]
    assert choice.finish_reason == completion.stop_reason
    assert (choice.message.content or "") == completion.text
    if completion.tool_calls:
        assert choice.message.content is None
        assert [
            (c.id, c.type, c.function.name, c.function.arguments) for c in choice.message.tool_calls
        ] == [(c.id, "function", c.name, c.arguments) for c in completion.tool_calls]
    else:
        assert choice.message.tool_calls is None
    assert parsed.usage.prompt_tokens == completion.prompt_tokens
    assert parsed.usage.completion_tokens == completion.completion_tokens
    assert parsed.usage.total_tokens == completion.total_tokens


@pytest.mark.parametrize("include_usage", [True, False])
@pytest.mark.parametrize("completion", answers())
def test_compat_stream_rebuilds_the_answer(completion, include_usage):
    chunks = [
        ChatCompletionChunk.model_validate(chunk)
        for chunk in compat_stream(completion, model=MODEL, created=7, include_usage=include_usage)
    ]
    assert {chunk.id for chunk in chunks} == {"chatcmpl-" + completion.id}
    assert all(chunk.object == "chat.completion.chunk" for chunk in chunks)
    if include_usage:
        usage_chunk = chunks.pop()
        assert usage_chunk.choices == []
        assert usage_chunk.usage.total_tokens == completion.total_tokens
        assert usage_chunk.usage.completion_tokens == completion.completion_tokens
        assert all(chunk.usage is None for chunk in chunks)
    assert all(len(chunk.choices) == 1 for chunk in chunks)
    assert chunks[0].choices[0].delta.role == "assistant"
    assert [chunk.choices[0].finish_reason for chunk in chunks] == [None] * (len(chunks) - 1) + [
        completion.stop_reason
    ]
    text, calls = "", {}
    for chunk in chunks:
        delta = chunk.choices[0].delta
        text += delta.content or ""
        for call in delta.tool_calls or []:
            entry = calls.setdefault(call.index, {"id": None, "name": None, "arguments": ""})
            if call.id:
                entry["id"], entry["name"] = call.id, call.function.name
            entry["arguments"] += call.function.arguments or ""
    assert text == completion.text
    assert [(c["id"], c["name"], c["arguments"]) for _, c in sorted(calls.items())] == [
        (c.id, c.name, c.arguments) for c in completion.tool_calls
    ]


@pytest.mark.parametrize("completion", answers())
def test_every_rendering_conforms_to_the_contract(completion):
    assert validate_response(native_response(completion)).violations == ()
    assert validate_response(native_response(completion, content_form="string")).violations == ()
    compat = compat_response(completion, model=MODEL, created=1)
    assert validate_response(compat, endpoint="compat").violations == ()
    assert validate_stream(list(native_stream(completion))).violations == ()
    for include_usage in (True, False):
        chunks = list(
            compat_stream(completion, model=MODEL, created=1, include_usage=include_usage)
        )
        assert validate_stream([*chunks, DONE], endpoint="compat").violations == ()


_ANY_TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)
_CALL = st.builds(ToolCall, _ANY_TEXT, _ANY_TEXT, _ANY_TEXT)
_COMPLETIONS = st.builds(
    Completion,
    _ANY_TEXT,
    _ANY_TEXT,
    st.lists(_CALL, max_size=3).map(tuple),
    st.sampled_from(["stop", "tool_calls", "length"]),
    st.integers(0, 10**6),
    st.integers(0, 10**6),
)


@given(_COMPLETIONS, _ANY_TEXT, st.integers(0, 2**31))
def test_the_templated_bytes_are_the_documents_encoded(completion, model, created):
    """The server writes answers from templates; they must be the documents, byte for byte."""
    for form in ("object", "string"):
        document = native_response(completion, content_form=form)
        assert native_response_bytes(completion, content_form=form) == json_bytes(document)
    document = compat_response(completion, model=model, created=created)
    assert compat_response_bytes(completion, model=model, created=created) == json_bytes(document)
