"""Pure functions from a `Completion` to the wire documents of each endpoint, whole or streamed.

Streams are cut from the same text and arguments the whole answer carries, and carry the same
token counts: joined deltas equal the non-streaming answer exactly.
"""

from __future__ import annotations

from collections.abc import Iterator
from json.encoder import encode_basestring as _string  # a JSON string, non-ASCII kept as is
from typing import Any, Literal

from contract.scenarios.model import cut_by_sizes
from mockserver.engine.completion import Completion
from mockserver.engine.tokens import tokenize

TOKENS_PER_DELTA = 3


def pieces(text: str, *, size: int = TOKENS_PER_DELTA) -> list[str]:
    """`text` in consecutive runs of `size` tokens (the last may be shorter)."""
    tokens = tokenize(text)
    return ["".join(tokens[i : i + size]) for i in range(0, len(tokens), size)]


def cut(text: str, deltas: tuple[int, ...]) -> list[str]:
    """`text` as a stream sends it: cut as a scenario's `deltas` ask, else a few tokens a piece."""
    return cut_by_sizes(text, deltas) if any(deltas) else pieces(text)


def native_metrics(c: Completion) -> list[dict[str, Any]]:
    return [
        {"metric": "num_completion_tokens", "value": c.completion_tokens, "unit": "tokens"},
        {"metric": "num_prompt_tokens", "value": c.prompt_tokens, "unit": "tokens"},
        {"metric": "num_total_tokens", "value": c.total_tokens, "unit": "tokens"},
    ]


def native_response(
    c: Completion, *, content_form: Literal["object", "string"] = "object"
) -> dict[str, Any]:
    """The native `/v1/chat/completions` response body (reference section 3)."""
    content: Any = {"type": "text", "text": c.text} if content_form == "object" else c.text
    return {
        "id": c.id,
        "completion_message": {
            "role": "assistant",
            "content": content,
            "stop_reason": c.stop_reason,
            "tool_calls": [
                {"id": call.id, "function": {"name": call.name, "arguments": call.arguments}}
                for call in c.tool_calls
            ],
        },
        "metrics": native_metrics(c),
    }


def native_response_bytes(
    c: Completion, *, content_form: Literal["object", "string"] = "object"
) -> bytes:
    """`native_response` as compact UTF-8 JSON, from a template (a third of the time of encoding
    the document; a test holds the two byte for byte equal)."""
    text = _string(c.text)
    content = '{"type":"text","text":' + text + "}" if content_form == "object" else text
    calls = ",".join(
        '{"id":' + _string(call.id) + ',"function":{"name":' + _string(call.name)
        + ',"arguments":' + _string(call.arguments) + "}}"
        for call in c.tool_calls
    )  # fmt: skip
    return (
        '{"id":' + _string(c.id) + ',"completion_message":{"role":"assistant","content":'
        + content + ',"stop_reason":' + _string(c.stop_reason) + ',"tool_calls":[' + calls
        + ']},"metrics":[{"metric":"num_completion_tokens","value":' + str(c.completion_tokens)
        + ',"unit":"tokens"},{"metric":"num_prompt_tokens","value":' + str(c.prompt_tokens)
        + ',"unit":"tokens"},{"metric":"num_total_tokens","value":' + str(c.total_tokens)
        + ',"unit":"tokens"}]}'
    ).encode()  # fmt: skip


def _native_event(c: Completion, event: dict[str, Any]) -> dict[str, Any]:
    return {"id": c.id, "event": event}


def native_stream(c: Completion) -> Iterator[dict[str, Any]]:
    """Native stream chunks: start -> progress* -> complete -> metrics, each with a delta."""
    empty = {"type": "text", "text": ""}
    yield _native_event(c, {"event_type": "start", "delta": dict(empty)})
    for piece in cut(c.text, c.deltas):
        yield _native_event(c, {"event_type": "progress", "delta": {"type": "text", "text": piece}})
    for call in c.tool_calls:
        opening = {"type": "tool_call", "id": call.id, "function": {"name": call.name}}
        yield _native_event(c, {"event_type": "progress", "delta": opening})
        for piece in cut(call.arguments, c.deltas):
            fragment = {"type": "tool_call", "function": {"arguments": piece}}
            yield _native_event(c, {"event_type": "progress", "delta": fragment})
    yield _native_event(
        c, {"event_type": "complete", "delta": dict(empty), "stop_reason": c.stop_reason}
    )
    yield _native_event(
        c, {"event_type": "metrics", "delta": dict(empty), "metrics": native_metrics(c)}
    )


_FINISH_REASONS = {"stop": "stop", "tool_calls": "tool_calls", "length": "length"}


def compat_id(c: Completion) -> str:
    return "chatcmpl-" + c.id


def compat_usage(c: Completion) -> dict[str, int]:
    return {
        "prompt_tokens": c.prompt_tokens,
        "completion_tokens": c.completion_tokens,
        "total_tokens": c.total_tokens,
    }


def compat_response(c: Completion, *, model: str, created: int) -> dict[str, Any]:
    """The OpenAI-compatible `chat.completion` body."""
    message: dict[str, Any] = {
        "role": "assistant",
        "content": c.text if c.text or not c.tool_calls else None,
    }
    if c.tool_calls:
        message["tool_calls"] = [
            {
                "id": call.id,
                "type": "function",
                "function": {"name": call.name, "arguments": call.arguments},
            }
            for call in c.tool_calls
        ]
    return {
        "id": compat_id(c),
        "object": "chat.completion",
        "created": created,
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": message,
                "finish_reason": _FINISH_REASONS[c.stop_reason],
                "logprobs": None,
            }
        ],
        "usage": compat_usage(c),
    }


def compat_response_bytes(c: Completion, *, model: str, created: int) -> bytes:
    """`compat_response` as compact UTF-8 JSON, from a template (a test holds the two byte for
    byte equal)."""
    content = _string(c.text) if c.text or not c.tool_calls else "null"
    calls = (
        ',"tool_calls":['
        + ",".join(
            '{"id":' + _string(call.id) + ',"type":"function","function":{"name":'
            + _string(call.name) + ',"arguments":' + _string(call.arguments) + "}}"
            for call in c.tool_calls
        )
        + "]"
        if c.tool_calls
        else ""
    )  # fmt: skip
    return (
        '{"id":' + _string(compat_id(c)) + ',"object":"chat.completion","created":' + str(created)
        + ',"model":' + _string(model) + ',"choices":[{"index":0,"message":{"role":"assistant",'
        + '"content":' + content + calls + '},"finish_reason":'
        + _string(_FINISH_REASONS[c.stop_reason]) + ',"logprobs":null}],"usage":{"prompt_tokens":'
        + str(c.prompt_tokens) + ',"completion_tokens":' + str(c.completion_tokens)
        + ',"total_tokens":' + str(c.total_tokens) + "}}"
    ).encode()  # fmt: skip


def compat_stream(
    c: Completion, *, model: str, created: int, include_usage: bool
) -> Iterator[dict[str, Any]]:
    """OpenAI `chat.completion.chunk` objects; the HTTP layer adds the final `[DONE]`."""
    head = {
        "id": compat_id(c),
        "object": "chat.completion.chunk",
        "created": created,
        "model": model,
    }
    tail = {"usage": None} if include_usage else {}

    def chunk(delta: dict[str, Any], finish_reason: str | None = None) -> dict[str, Any]:
        choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}
        return {**head, "choices": [choice], **tail}

    # As OpenAI streams it: content "" opens a text, null a tool call answer (the SDK's assembled
    # message then has content None, as the same answer unstreamed).
    yield chunk({"role": "assistant", "content": "" if c.text or not c.tool_calls else None})
    for piece in cut(c.text, c.deltas):
        yield chunk({"content": piece})
    for index, call in enumerate(c.tool_calls):
        opening = {
            "index": index,
            "id": call.id,
            "type": "function",
            "function": {"name": call.name, "arguments": ""},
        }
        yield chunk({"tool_calls": [opening]})
        for piece in cut(call.arguments, c.deltas):
            yield chunk({"tool_calls": [{"index": index, "function": {"arguments": piece}}]})
    yield chunk({}, _FINISH_REASONS[c.stop_reason])
    if include_usage:
        yield {**head, "choices": [], "usage": compat_usage(c)}
