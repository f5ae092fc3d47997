"""Valid chat completion responses and whole streams, for both endpoints."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from contract.strategies._common import (
    ALL_MODELS,
    JSON,
    Endpoint,
    call_id,
    check_endpoint,
    compact_json,
    opaque_ids,
    text_item,
    texts,
    tool_names,
)
from contract.strategies._schemas import arguments_for, object_schemas


@dataclass(frozen=True, slots=True)
class _Answer:
    """What the model said, independent of how an endpoint renders it."""

    text: str
    calls: tuple[tuple[str, str, str], ...]  # (id, name, arguments JSON text)
    stop_reason: str
    prompt_tokens: int
    completion_tokens: int


@st.composite
def _answers(draw: st.DrawFn) -> _Answer:
    if draw(st.integers(0, 3)) == 0:
        count = draw(st.integers(1, 3))
        names = draw(st.lists(tool_names(), min_size=count, max_size=count))
        calls = tuple(
            (call_id(draw, index), name, arguments_for(draw, draw(object_schemas())))
            for index, name in enumerate(names)
        )
        return _Answer("", calls, "tool_calls", *_token_counts(draw))
    text = draw(st.one_of(texts(max_size=80), st.just(compact_json({"city": "Paris"}))))
    return _Answer(text, (), draw(st.sampled_from(("stop", "length"))), *_token_counts(draw))


def _token_counts(draw: st.DrawFn) -> tuple[int, int]:
    return draw(st.integers(1, 100_000)), draw(st.integers(1, 4096))


def _native_metrics(answer: _Answer) -> list[JSON]:
    total = answer.prompt_tokens + answer.completion_tokens
    return [
        {"metric": "num_completion_tokens", "value": answer.completion_tokens, "unit": "tokens"},
        {"metric": "num_prompt_tokens", "value": answer.prompt_tokens, "unit": "tokens"},
        {"metric": "num_total_tokens", "value": total, "unit": "tokens"},
    ]


def _usage(answer: _Answer) -> JSON:
    return {
        "prompt_tokens": answer.prompt_tokens,
        "completion_tokens": answer.completion_tokens,
        "total_tokens": answer.prompt_tokens + answer.completion_tokens,
    }


def _compat_tool_calls(answer: _Answer) -> list[JSON]:
    return [
        {"id": ident, "type": "function", "function": {"name": name, "arguments": arguments}}
        for ident, name, arguments in answer.calls
    ]


@st.composite
def _native_response(draw: st.DrawFn) -> JSON:
    answer = draw(_answers())
    # The live service sent the object form; the schema also allows a plain string.
    content: Any = text_item(answer.text) if draw(st.integers(0, 3)) else answer.text
    message: JSON = {
        "role": "assistant",
        "content": content,
        "stop_reason": answer.stop_reason,
        "tool_calls": [
            {"id": ident, "function": {"name": name, "arguments": arguments}}
            for ident, name, arguments in answer.calls
        ],
    }
    return {
        "id": draw(opaque_ids(prefix="")),
        "completion_message": message,
        "metrics": _native_metrics(answer),
    }


@st.composite
def _compat_envelope(draw: st.DrawFn, kind: str) -> JSON:
    return {
        "id": draw(opaque_ids(prefix="chatcmpl-")),
        "object": kind,
        "created": draw(st.integers(1_700_000_000, 1_900_000_000)),
        "model": draw(st.sampled_from(ALL_MODELS)),
    }


@st.composite
def _compat_response(draw: st.DrawFn) -> JSON:
    answer = draw(_answers())
    message: JSON = {"role": "assistant", "content": answer.text if not answer.calls else None}
    if answer.calls:
        message["tool_calls"] = _compat_tool_calls(answer)
    response = draw(_compat_envelope("chat.completion"))
    response["choices"] = [{"index": 0, "message": message, "finish_reason": answer.stop_reason}]
    response["usage"] = _usage(answer)
    return response


def chat_responses(*, endpoint: str = "native") -> st.SearchStrategy[JSON]:
    """Valid non-streaming responses: stop_reason agrees with the tool calls, metrics add up."""
    return _native_response() if check_endpoint(endpoint) == "native" else _compat_response()


def _pieces(draw: st.DrawFn, text: str) -> list[str]:
    """`text` cut into non-empty pieces that join back to it (none for the empty text)."""
    if len(text) <= 1:
        return [text] if text else []
    cuts = draw(st.lists(st.integers(1, len(text) - 1), unique=True, max_size=6))
    bounds = [0, *sorted(cuts), len(text)]
    return [text[start:end] for start, end in itertools.pairwise(bounds)]


def _empty_text() -> JSON:
    return text_item("")


def _native_stream(draw: st.DrawFn, answer: _Answer) -> list[JSON]:
    events: list[JSON] = [{"event_type": "start", "delta": _empty_text()}]
    for piece in _pieces(draw, answer.text):
        events.append({"event_type": "progress", "delta": text_item(piece)})
    for ident, name, arguments in answer.calls:
        head = {"type": "tool_call", "id": ident, "function": {"name": name}}
        events.append({"event_type": "progress", "delta": head})
        for piece in _pieces(draw, arguments):
            fragment = {"type": "tool_call", "function": {"arguments": piece}}
            events.append({"event_type": "progress", "delta": fragment})
    events.append(
        {"event_type": "complete", "stop_reason": answer.stop_reason, "delta": _empty_text()}
    )
    events.append(
        {"event_type": "metrics", "metrics": _native_metrics(answer), "delta": _empty_text()}
    )
    ident = draw(opaque_ids(prefix=""))
    return [{"id": ident, "event": event} for event in events]


def _compat_stream(draw: st.DrawFn, answer: _Answer) -> list[JSON | str]:
    envelope = draw(_compat_envelope("chat.completion.chunk"))

    def chunk(delta: JSON, finish_reason: str | None = None) -> JSON:
        choice = {"index": 0, "delta": delta, "finish_reason": finish_reason}
        return {**envelope, "choices": [choice]}

    chunks: list[JSON | str] = [chunk({"role": "assistant", "content": ""})]
    chunks.extend(chunk({"content": piece}) for piece in _pieces(draw, answer.text))
    for index, (ident, name, arguments) in enumerate(answer.calls):
        head = {
            "index": index,
            "id": ident,
            "type": "function",
            "function": {"name": name, "arguments": ""},
        }
        chunks.append(chunk({"tool_calls": [head]}))
        for piece in _pieces(draw, arguments):
            fragment = {"index": index, "function": {"arguments": piece}}
            chunks.append(chunk({"tool_calls": [fragment]}))
    chunks.append(chunk({}, answer.stop_reason))
    if draw(st.booleans()):  # stream_options.include_usage
        chunks.append({**envelope, "choices": [], "usage": _usage(answer)})
    chunks.append("[DONE]")
    return chunks


def stream_events(*, endpoint: str = "native") -> st.SearchStrategy[list[Any]]:
    """Whole valid streams as lists of chunk dicts (parsed `data:` payloads). Native: start ->
    progress* -> complete -> metrics, one id, a delta on every event. Compat: OpenAI chunks,
    an optional usage chunk, then the string "[DONE]"."""
    return _stream(check_endpoint(endpoint))


@st.composite
def _stream(draw: st.DrawFn, endpoint: Endpoint) -> list[Any]:
    answer = draw(_answers())
    if endpoint == "native":
        return list(_native_stream(draw, answer))
    return _compat_stream(draw, answer)
