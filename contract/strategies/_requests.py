"""Valid chat completion requests for the native and the OpenAI-compatible endpoint."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from contract.strategies._common import (
    ALL_MODELS,
    IMAGE_MODELS,
    JSON,
    Endpoint,
    check_endpoint,
    check_flag,
    texts,
)
from contract.strategies._messages import build_conversation, tools
from contract.strategies._schemas import output_schemas

MAX_TURNS = 4


def _unit_floats() -> st.SearchStrategy[float]:
    return st.floats(min_value=0.0, max_value=1.0)


@st.composite
def _response_format(draw: st.DrawFn) -> JSON:
    if draw(st.booleans()):
        return {"type": "text"}
    name = draw(st.sampled_from(("answer", "weather_report", "order-summary", "Result1")))
    return {"type": "json_schema", "json_schema": {"name": name, "schema": draw(output_schemas())}}


def _tool_choice(draw: st.DrawFn, declared: list[JSON]) -> Any:
    """A tool_choice consistent with the tools, or None to leave it out."""
    if not declared:
        return draw(st.sampled_from((None, "none")))
    choice = draw(st.sampled_from((None, "none", "auto", "required", "named")))
    if choice != "named":
        return choice
    name = draw(st.sampled_from([tool["function"]["name"] for tool in declared]))
    return {"type": "function", "function": {"name": name}}


def _sampling_fields(draw: st.DrawFn, endpoint: Endpoint) -> JSON:
    fields: JSON = {}
    if draw(st.booleans()):
        field = "max_completion_tokens"
        if endpoint == "compat" and draw(st.booleans()):
            field = "max_tokens"
        fields[field] = draw(st.integers(min_value=1, max_value=4096))
    if draw(st.booleans()):
        fields["temperature"] = draw(_unit_floats())
    if draw(st.booleans()):
        fields["top_p"] = draw(_unit_floats())
    if endpoint == "native":
        if draw(st.booleans()):
            fields["top_k"] = draw(st.integers(min_value=0, max_value=1000))
        if draw(st.booleans()):
            fields["repetition_penalty"] = draw(st.floats(min_value=1.0, max_value=2.0))
    return fields


def _add_tolerated_extras(draw: st.DrawFn, request: JSON, endpoint: Endpoint) -> None:
    """Fields real clients send that the contract does not define (warnings, never errors)."""
    if endpoint == "native" and draw(st.booleans()):
        request["max_tokens"] = draw(st.integers(min_value=1, max_value=4096))
    if endpoint == "native" and request.get("stream") and draw(st.booleans()):
        request["stream_options"] = {"include_usage": draw(st.booleans())}
    if draw(st.booleans()):
        user = next(m for m in request["messages"] if m["role"] == "user")
        user["name"] = draw(st.sampled_from(("alice", "bob", "agent-7")))


@st.composite
def build_request(
    draw: st.DrawFn,
    *,
    endpoint: Endpoint,
    stream: bool | None,
    tools_wanted: bool | None,
    images: bool | None,
    strict: bool,
    min_turns: int = 1,
    max_turns: int = MAX_TURNS,
) -> JSON:
    with_images = draw(st.booleans()) if images is None else images
    model = draw(st.sampled_from(IMAGE_MODELS if with_images else ALL_MODELS))
    with_tools = draw(st.booleans()) if tools_wanted is None else tools_wanted
    declared = draw(tools(min_size=1, max_size=3)) if with_tools else []
    request: JSON = {
        "model": model,
        "messages": build_conversation(
            draw,
            min_turns=min_turns,
            max_turns=max_turns,
            declared=declared,
            images=with_images,
            require_image=with_images,
            endpoint=endpoint,
        ),
    }
    if declared:
        request["tools"] = declared
    tool_choice = _tool_choice(draw, declared)
    if tool_choice is not None:
        request["tool_choice"] = tool_choice
    request.update(_sampling_fields(draw, endpoint))
    if draw(st.booleans()):
        request["response_format"] = draw(_response_format())
    if draw(st.booleans()):
        request["user"] = draw(texts(max_size=20))
    streaming = draw(st.sampled_from((None, False, True))) if stream is None else stream
    if streaming is not None:
        request["stream"] = streaming
    if endpoint == "compat" and streaming and draw(st.booleans()):
        request["stream_options"] = {"include_usage": draw(st.booleans())}
    if not strict:
        _add_tolerated_extras(draw, request, endpoint)
    return request


def chat_requests(
    *,
    endpoint: str = "native",
    stream: bool | None = None,
    tools: bool | None = None,
    images: bool | None = None,
    strict: bool = False,
) -> st.SearchStrategy[JSON]:
    """Valid chat completion requests. `stream`, `tools`, `images`: None lets the strategy choose,
    True/False forces. With `strict=True` the requests carry nothing beyond the contract (valid
    under strict validation, no warnings); otherwise they may carry fields real clients add."""
    where = check_endpoint(endpoint)
    for name, value in (("stream", stream), ("tools", tools), ("images", images)):
        check_flag(name, value, optional=True)
    check_flag("strict", strict, optional=False)
    return build_request(
        endpoint=where, stream=stream, tools_wanted=tools, images=images, strict=strict
    )
