"""Documents the contract tests share: the seed request, the reference's examples, whole streams."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

DATA = Path(__file__).parent / "data"
MAVERICK = "Llama-4-Maverick-17B-128E-Instruct-FP8"
PNG_DATA_URL = "data:image/png;base64,iVBORw0KGgo="


def seed_request() -> dict[str, Any]:
    """The curl example of the seed page, verbatim (it sends max_tokens)."""
    return json.loads((DATA / "seed_request.json").read_text(encoding="utf-8"))


def chat_request(**fields: Any) -> dict[str, Any]:
    request: dict[str, Any] = {"model": MAVERICK, "messages": [{"role": "user", "content": "hi"}]}
    request.update(fields)
    return request


WEATHER_TOOL: dict[str, Any] = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Current weather of a city",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}},
            "required": ["city"],
        },
        "strict": True,
    },
}


def tool_conversation() -> dict[str, Any]:
    """A full tool round trip: the completion_message sent back unchanged, then the tool result."""
    return {
        "model": MAVERICK,
        "messages": [
            {"role": "system", "content": [{"type": "text", "text": "Be brief."}]},
            {"role": "user", "content": "Weather in Paris?"},
            {
                "role": "assistant",
                "content": {"type": "text", "text": ""},
                "stop_reason": "tool_calls",
                "tool_calls": [
                    {
                        "id": "call_1",
                        "function": {"name": "get_weather", "arguments": '{"city":"Paris"}'},
                    }
                ],
            },
            {"role": "tool", "tool_call_id": "call_1", "content": "18 C, sunny"},
        ],
        "tools": [copy.deepcopy(WEATHER_TOOL)],
        "tool_choice": "auto",
        "max_completion_tokens": 256,
        "temperature": 0.6,
        "top_p": 0.9,
        "top_k": 40,
        "repetition_penalty": 1.0,
        "stream": False,
        "user": "user-42",
        "response_format": {
            "type": "json_schema",
            "json_schema": {"name": "answer", "schema": {"type": "object"}},
        },
    }


def image_request(url: str = PNG_DATA_URL, model: str = MAVERICK) -> dict[str, Any]:
    content = [
        {"type": "text", "text": "What is this?"},
        {"type": "image_url", "image_url": {"url": url}},
    ]
    return {"model": model, "messages": [{"role": "user", "content": content}]}


# The non-streaming response of the reference, section 3, verbatim.
REFERENCE_RESPONSE: dict[str, Any] = {
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

METRICS = REFERENCE_RESPONSE["metrics"]


def native_event(event_type: str, delta: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "id": "AgxYOFsu1QLBrt2fWbs7pDy",
        "event": {"event_type": event_type, "delta": delta, **extra},
    }


def text_delta(text: str = "") -> dict[str, Any]:
    return {"type": "text", "text": text}


def native_text_stream() -> list[dict[str, Any]]:
    """A stream as the reference (section 4) describes: start, progress*, complete, metrics."""
    return [
        native_event("start", text_delta()),
        native_event("progress", text_delta("The capital of France")),
        native_event("progress", text_delta(" is Paris.")),
        native_event("complete", text_delta(), stop_reason="stop"),
        native_event("metrics", text_delta(), metrics=copy.deepcopy(METRICS)),
    ]


def native_tool_stream() -> list[dict[str, Any]]:
    """A streamed tool call: the first delta has id and name, later ones argument fragments."""
    call_start = {"type": "tool_call", "id": "call_1", "function": {"name": "get_weather"}}
    return [
        native_event("start", text_delta()),
        native_event("progress", call_start),
        native_event("progress", {"type": "tool_call", "function": {"arguments": '{"city":'}}),
        native_event("progress", {"type": "tool_call", "function": {"arguments": '"Paris"}'}}),
        native_event("complete", text_delta(), stop_reason="tool_calls"),
        native_event("metrics", text_delta(), metrics=copy.deepcopy(METRICS)),
    ]


def compat_chunk(delta: dict[str, Any], finish_reason: str | None = None) -> dict[str, Any]:
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion.chunk",
        "created": 1750000000,
        "model": MAVERICK,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}],
    }


def compat_stream(*, usage: bool = False) -> list[Any]:
    chunks: list[Any] = [
        compat_chunk({"role": "assistant", "content": ""}),
        compat_chunk({"content": "Paris."}),
        compat_chunk({}, "stop"),
    ]
    if usage:
        usage_chunk = compat_chunk({})
        usage_chunk["choices"] = []
        usage_chunk["usage"] = {"prompt_tokens": 25, "completion_tokens": 8, "total_tokens": 33}
        chunks.append(usage_chunk)
    return [*chunks, "[DONE]"]


COMPAT_RESPONSE: dict[str, Any] = {
    "id": "chatcmpl-1",
    "object": "chat.completion",
    "created": 1750000000,
    "model": MAVERICK,
    "choices": [
        {
            "index": 0,
            "message": {"role": "assistant", "content": "Paris.", "refusal": None},
            "finish_reason": "stop",
            "logprobs": None,
        }
    ],
    "usage": {"prompt_tokens": 25, "completion_tokens": 8, "total_tokens": 33},
}


def found(result: Any) -> list[tuple[str, str]]:
    """(rule, path) of every violation, in order."""
    return [(v.rule, v.path) for v in result.violations]


def errors(result: Any) -> list[tuple[str, str]]:
    return [(v.rule, v.path) for v in result.errors]

WEATHER_FUNCTION = {"name": "get_weather", "parameters": {
    "type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}  # fmt: skip


# OpenAI Chat Completions parameters neither contract defines, each with a value as the openai SDK
# sends it (`functions` names the get_weather tool of the tests).
OPENAI_PARAMETERS: dict[str, Any] = {
    "n": 2, "stop": ["\n"], "seed": 3, "logprobs": True, "top_logprobs": 2,
    "frequency_penalty": 0.5, "presence_penalty": 0.5, "logit_bias": {"50256": -100},
    "parallel_tool_calls": False, "metadata": {"run": "1"}, "store": True,
    "service_tier": "auto", "reasoning_effort": "low", "modalities": ["text"],
    "prediction": {"type": "content", "content": "x"}, "audio": {"voice": "alloy", "format": "wav"},
    "functions": [WEATHER_FUNCTION], "function_call": "auto",
}  # fmt: skip
