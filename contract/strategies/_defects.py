"""Defect builders for the schema-level request rules (fields, roles, content types, unknowns),
and the helpers every builder shares: a valid request to break, and where its parts are."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hypothesis import strategies as st

from contract.strategies._common import (
    JSON,
    Endpoint,
    image_item,
    image_urls,
    text_item,
    texts,
)
from contract.strategies._requests import build_request
from contract.strategies._schemas import object_schemas

Defect = Callable[[Endpoint], st.SearchStrategy[JSON]]


def base_request(
    draw: st.DrawFn,
    endpoint: Endpoint,
    *,
    tools: bool | None = None,
    images: bool | None = None,
    min_turns: int = 1,
) -> JSON:
    """A request valid under strict validation, to be broken in one place."""
    request: JSON = draw(
        build_request(
            endpoint=endpoint,
            stream=None,
            tools_wanted=tools,
            images=images,
            strict=True,
            min_turns=min_turns,
        )
    )
    return request


def role_indices(request: JSON, *roles: str) -> list[int]:
    return [i for i, message in enumerate(request["messages"]) if message["role"] in roles]


def last_user(request: JSON) -> JSON:
    message: JSON = request["messages"][role_indices(request, "user")[-1]]
    return message


def add_image(request: JSON, url: str) -> None:
    user = last_user(request)
    content = user["content"]
    items = [text_item(content)] if isinstance(content, str) else content
    user["content"] = [*items, image_item(url)]


def image_items(request: JSON) -> list[JSON]:
    return [
        item
        for message in request["messages"]
        if message["role"] == "user" and isinstance(message["content"], list)
        for item in message["content"]
        if item["type"] == "image_url"
    ]


@st.composite
def field_required(draw: st.DrawFn, endpoint: Endpoint) -> JSON:
    variant = draw(st.sampled_from(("model", "messages", "content", "schema_name", "image_url")))
    request = base_request(draw, endpoint, images=True if variant == "image_url" else None)
    if variant in ("model", "messages"):
        del request[variant]
    elif variant == "content":
        index = draw(st.sampled_from(role_indices(request, "system", "user", "tool")))
        del request["messages"][index]["content"]
    elif variant == "schema_name":
        request["response_format"] = {
            "type": "json_schema",
            "json_schema": {"schema": draw(object_schemas())},
        }
    else:
        del draw(st.sampled_from(image_items(request)))["image_url"]["url"]
    return request


@st.composite
def field_type(draw: st.DrawFn, endpoint: Endpoint) -> JSON:
    request = base_request(draw, endpoint)
    variant = draw(
        st.sampled_from(
            ("temperature", "top_p", "max_completion_tokens", "stream", "messages", "content")
        )
    )
    if variant in ("temperature", "top_p"):
        request[variant] = draw(st.sampled_from(("0.5", "high", [0.5], {"value": 0.5})))
    elif variant == "max_completion_tokens":
        request[variant] = draw(st.sampled_from(("256", 1.5, [256])))
    elif variant == "stream":
        request[variant] = draw(st.sampled_from(("true", 1, "yes")))
    elif variant == "messages":
        request["messages"] = request["messages"][0]
    else:
        index = draw(st.sampled_from(role_indices(request, "system", "user", "tool")))
        request["messages"][index]["content"] = draw(st.sampled_from((42, True, {"text": "hi"})))
    return request


@st.composite
def field_enum(draw: st.DrawFn, endpoint: Endpoint) -> JSON:
    extra = "stop_reason" if endpoint == "native" else "image_detail"
    variant = draw(st.sampled_from(("tool_choice", "tool_type", extra)))
    request = base_request(
        draw, endpoint, min_turns=2, tools=variant == "tool_type", images=variant == "image_detail"
    )
    if variant == "tool_choice":
        request["tool_choice"] = draw(st.sampled_from(("always", "any", "Auto", "function")))
    elif variant == "tool_type":
        draw(st.sampled_from(request["tools"]))["type"] = draw(
            st.sampled_from(("retrieval", "code_interpreter", "Function"))
        )
    elif variant == "image_detail":
        image = draw(st.sampled_from(image_items(request)))
        image["image_url"]["detail"] = draw(st.sampled_from(("ultra", "medium", "HIGH")))
    else:
        index = draw(st.sampled_from(role_indices(request, "assistant")))
        request["messages"][index]["stop_reason"] = draw(
            st.sampled_from(("end_turn", "done", "STOP"))
        )
    return request


def _out_of_range(
    low: float | None, high: float | None, *, integer: bool
) -> st.SearchStrategy[Any]:
    sides: list[st.SearchStrategy[Any]] = []
    if integer:
        if low is not None:
            sides.append(st.integers(max_value=int(low) - 1, min_value=-(10**6)))
        if high is not None:
            sides.append(st.integers(min_value=int(high) + 1, max_value=10**6))
    else:  # a margin keeps -0.0 (which equals 0) out of "below 0"
        if low is not None:
            sides.append(st.floats(min_value=-1e6, max_value=low - 1e-9))
        if high is not None:
            sides.append(st.floats(min_value=high + 1e-9, max_value=1e6))
    return st.one_of(sides)


# field -> (minimum, maximum, integer). Compat shares the native bounds (same models), also
# temperature 0..1 where OpenAI allows 0..2.
_RANGES: dict[Endpoint, dict[str, tuple[float | None, float | None, bool]]] = {
    "native": {
        "temperature": (0, 1, False),
        "top_p": (0, 1, False),
        "top_k": (0, None, True),
        "repetition_penalty": (1, 2, False),
        "max_completion_tokens": (1, None, True),
    },
    "compat": {
        "temperature": (0, 1, False),
        "top_p": (0, 1, False),
        "max_completion_tokens": (1, None, True),
        "max_tokens": (1, None, True),
    },
}


@st.composite
def field_length(draw: st.DrawFn, endpoint: Endpoint) -> JSON:
    request = base_request(draw, endpoint)
    request["model"] = ""
    return request


@st.composite
def field_range(draw: st.DrawFn, endpoint: Endpoint) -> JSON:
    request = base_request(draw, endpoint)
    name = draw(st.sampled_from(sorted(_RANGES[endpoint])))
    low, high, integer = _RANGES[endpoint][name]
    request[name] = draw(_out_of_range(low, high, integer=integer))
    if name in ("max_tokens", "max_completion_tokens"):
        request.pop("max_completion_tokens" if name == "max_tokens" else "max_tokens", None)
    return request


@st.composite
def field_pattern(draw: st.DrawFn, endpoint: Endpoint) -> JSON:
    request = base_request(draw, endpoint, tools=True)
    tool = draw(st.sampled_from(request["tools"]))
    name = tool["function"]["name"][:63]
    at = draw(st.integers(0, len(name)))
    bad = draw(st.sampled_from((" ", ".", "/", "é", "!", ":", "$")))
    tool["function"]["name"] = name[:at] + bad + name[at:]
    if isinstance(request.get("tool_choice"), dict):
        request["tool_choice"] = "required"  # keep the named choice from pointing at the bad name
    return request


@st.composite
def role_unknown(draw: st.DrawFn, endpoint: Endpoint) -> JSON:
    request = base_request(draw, endpoint)
    index = draw(st.sampled_from(role_indices(request, "system", "user")))
    request["messages"][index]["role"] = draw(
        st.sampled_from(("wizard", "human", "bot", "Assistant", ""))
    )
    return request


@st.composite
def content_type_unknown(draw: st.DrawFn, endpoint: Endpoint) -> JSON:
    request = base_request(draw, endpoint, images=True)
    variant = draw(st.sampled_from(("user", "system", "tool")))
    if variant == "user":
        kind = draw(st.sampled_from(("video_url", "audio_clip", "Text", "image")))
        last_user(request)["content"].append({"type": kind, "text": "x"})
        return request
    # An image where the role takes only text; models here take images, so only the role is wrong.
    image = image_item(draw(image_urls()))
    targets = role_indices(request, variant) or role_indices(request, "system")
    if not targets:
        request["messages"].insert(0, {"role": "system", "content": [image]})
        return request
    message = request["messages"][draw(st.sampled_from(targets))]
    content = message["content"]
    message["content"] = [*([text_item(content)] if isinstance(content, str) else content), image]
    return request


@st.composite
def messages_empty(draw: st.DrawFn, endpoint: Endpoint) -> JSON:
    request = base_request(draw, endpoint, tools=False)
    request["messages"] = []
    return request


_UNKNOWN_FIELDS: dict[Endpoint, tuple[str, ...]] = {
    "native": ("max_tokens", "temprature", "presence_penalty", "seed", "x_trace_id"),
    "compat": ("temprature", "maxTokens", "x_trace_id"),
}


@st.composite
def field_unknown(draw: st.DrawFn, endpoint: Endpoint) -> JSON:
    request = base_request(draw, endpoint)
    value = draw(st.one_of(st.integers(0, 100), texts(max_size=10), st.booleans()))
    if draw(st.booleans()):
        request[draw(st.sampled_from(_UNKNOWN_FIELDS[endpoint]))] = value
    else:
        last_user(request)["x_note"] = value
    return request


@st.composite
def model_unknown(draw: st.DrawFn, endpoint: Endpoint) -> JSON:
    request = base_request(draw, endpoint)
    request["model"] = draw(
        st.sampled_from(("gpt-4o", "Llama-5-Titan", "llama-4-scout", "mistral-large"))
    )
    return request
