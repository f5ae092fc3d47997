"""Cross-check with the official SDKs: what our schemas accept, the SDK's own types parse."""

from __future__ import annotations

import copy

import pytest
from contract_samples import COMPAT_RESPONSE, REFERENCE_RESPONSE, compat_stream, native_text_stream
from contract_strategies import mutated, native_chunks, native_responses
from hypothesis import HealthCheck, given, settings
from llama_api_client._models import validate_type
from llama_api_client.types import (
    CreateChatCompletionResponse,
    CreateChatCompletionResponseStreamChunk,
)
from openai.types.chat import ChatCompletion, ChatCompletionChunk
from pydantic import ValidationError

from contract.validate.documents import compiled_schema

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _parses(model: type, document: object) -> bool:
    try:
        validate_type(type_=model, value=document)
    except ValidationError:
        return False
    return True


@SETTINGS
@given(mutated(native_responses))
def test_every_response_the_schema_accepts_parses_with_the_llama_sdk(response):
    if compiled_schema("native-chat-response").is_valid(response):
        assert _parses(CreateChatCompletionResponse, response)


@SETTINGS
@given(mutated(native_chunks))
def test_every_chunk_the_schema_accepts_parses_with_the_llama_sdk(chunk):
    if compiled_schema("native-stream-chunk").is_valid(chunk):
        assert _parses(CreateChatCompletionResponseStreamChunk, chunk)


def _reference_with(path, value):
    document = copy.deepcopy(REFERENCE_RESPONSE)
    target = document
    for part in path[:-1]:
        target = target[part]
    if value is None:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return document


REJECTED_RESPONSES = [
    _reference_with(["completion_message", "content"], [{"type": "text", "text": "x"}]),
    _reference_with(["completion_message", "content"], {"type": "image", "text": "x"}),
    _reference_with(["completion_message", "role"], "user"),
    _reference_with(["completion_message"], None),
    _reference_with(["completion_message", "tool_calls"], [{"id": "1"}]),
]


@pytest.mark.parametrize("response", REJECTED_RESPONSES)
def test_responses_the_schema_rejects_do_not_parse_with_the_sdk(response):
    assert not compiled_schema("native-chat-response").is_valid(response)
    assert not _parses(CreateChatCompletionResponse, response)


def _chunk(event):
    return {"id": "x", "event": event}


REJECTED_CHUNKS = [
    _chunk({"delta": {"type": "text", "text": ""}}),  # no event_type
    _chunk({"event_type": "metrics", "metrics": []}),  # no delta
    _chunk({"event_type": "progress", "delta": {"type": "audio", "text": ""}}),
    _chunk({"event_type": "progress", "delta": {"type": "tool_call"}}),  # no function
    _chunk({"event_type": "finish", "delta": {"type": "text", "text": ""}}),
]


@pytest.mark.parametrize("chunk", REJECTED_CHUNKS)
def test_chunks_the_schema_rejects_do_not_parse_with_the_sdk(chunk):
    assert not compiled_schema("native-stream-chunk").is_valid(chunk)
    assert not _parses(CreateChatCompletionResponseStreamChunk, chunk)


def test_the_reference_documents_parse_with_the_sdks():
    assert _parses(CreateChatCompletionResponse, REFERENCE_RESPONSE)
    for chunk in native_text_stream():
        assert _parses(CreateChatCompletionResponseStreamChunk, chunk)
    ChatCompletion.model_validate(COMPAT_RESPONSE)
    for chunk in compat_stream(usage=True)[:-1]:
        ChatCompletionChunk.model_validate(chunk)
