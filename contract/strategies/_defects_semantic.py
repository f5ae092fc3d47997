"""Defect builders for the semantic request rules: tool results and choices, tool and response
schemas, images, tool call arguments."""

from __future__ import annotations

import copy

from hypothesis import strategies as st

from contract.strategies._common import (
    JSON,
    TEXT_ONLY_MODELS,
    Endpoint,
    image_urls,
    texts,
    tool_names,
)
from contract.strategies._defects import add_image, base_request, image_items, role_indices
from contract.strategies._messages import assistant_tool_call_message, tool_message
from contract.strategies._schemas import broken_schemas, object_schemas


@st.composite
def tool_result_unanswered(draw: st.DrawFn, endpoint: Endpoint) -> JSON:
    request = base_request(draw, endpoint)
    answered = [request["messages"][i]["tool_call_id"] for i in role_indices(request, "tool")]
    if len(answered) > 0 and draw(st.booleans()):
        # A result placed before the call it answers answers no *earlier* call.
        first_call = min(
            i
            for i in role_indices(request, "assistant")
            if request["messages"][i].get("tool_calls")
        )
        orphan = tool_message(draw, tool_call_id=draw(st.sampled_from(answered)))
        request["messages"].insert(first_call, orphan)
    else:
        request["messages"].append(tool_message(draw, tool_call_id=f"orphan_{len(answered)}"))
    return request


def _fresh_name(taken: set[str]) -> str:
    index = 0
    while f"undeclared_{index}" in taken:
        index += 1
    return f"undeclared_{index}"


@st.composite
def tool_choice_undeclared(draw: st.DrawFn, endpoint: Endpoint) -> JSON:
    request = base_request(draw, endpoint, tools=True)
    name = _fresh_name({tool["function"]["name"] for tool in request["tools"]})
    request["tool_choice"] = {"type": "function", "function": {"name": name}}
    return request


@st.composite
def tool_choice_without_tools(draw: st.DrawFn, endpoint: Endpoint) -> JSON:
    request = base_request(draw, endpoint, tools=False)
    named = {"type": "function", "function": {"name": draw(tool_names())}}
    request["tool_choice"] = draw(st.sampled_from(("auto", "required", named)))
    return request


@st.composite
def tools_duplicate_name(draw: st.DrawFn, endpoint: Endpoint) -> JSON:
    request = base_request(draw, endpoint, tools=True)
    twin = copy.deepcopy(draw(st.sampled_from(request["tools"])))
    if draw(st.booleans()):
        twin["function"]["description"] = draw(texts())
    request["tools"].insert(draw(st.integers(0, len(request["tools"]))), twin)
    return request


@st.composite
def tools_parameters_invalid(draw: st.DrawFn, endpoint: Endpoint) -> JSON:
    request = base_request(draw, endpoint, tools=True)
    function = draw(st.sampled_from(request["tools"]))["function"]
    function["parameters"] = draw(
        broken_schemas(function.get("parameters") or draw(object_schemas()))
    )
    return request


@st.composite
def response_schema_invalid(draw: st.DrawFn, endpoint: Endpoint) -> JSON:
    request = base_request(draw, endpoint)
    schema = draw(broken_schemas(draw(object_schemas())))
    request["response_format"] = {
        "type": "json_schema",
        "json_schema": {"name": "answer", "schema": schema},
    }
    return request


_MALFORMED_DATA_URLS = (
    "data:image/png;base64,not base64!!",
    "data:image/png;base64,iVBORw0KGgo",
    "data:image/jpeg;base64,%%%%",
    "data:text/plain;base64,aGVsbG8=",
    "data:application/pdf;base64,JVBERi0=",
    "data:image/png,rawbytes",
    "data:;base64,aGVsbG8=",
)
_BAD_SCHEMES = (
    "http://example.com/cat.png",
    "ftp://example.com/cat.png",
    "file:///etc/passwd",
    "example.com/cat.png",
    "gs://bucket/cat.png",
    "javascript:alert(1)",
)


@st.composite
def image_data_url_malformed(draw: st.DrawFn, endpoint: Endpoint) -> JSON:
    request = base_request(draw, endpoint, images=True)
    draw(st.sampled_from(image_items(request)))["image_url"]["url"] = draw(
        st.sampled_from(_MALFORMED_DATA_URLS)
    )
    return request


@st.composite
def image_url_scheme(draw: st.DrawFn, endpoint: Endpoint) -> JSON:
    request = base_request(draw, endpoint, images=True)
    draw(st.sampled_from(image_items(request)))["image_url"]["url"] = draw(
        st.sampled_from(_BAD_SCHEMES)
    )
    return request


@st.composite
def image_unsupported_model(draw: st.DrawFn, endpoint: Endpoint) -> JSON:
    request = base_request(draw, endpoint, images=False)
    request["model"] = draw(st.sampled_from(TEXT_ONLY_MODELS))
    add_image(request, draw(image_urls()))
    return request


_NOT_JSON = ("{'city': 'Paris'}", "city=Paris", '{"city": "Paris"', "", "NaN", "{city: 1}", "[1,]")


@st.composite
def arguments_not_json(draw: st.DrawFn, endpoint: Endpoint) -> JSON:
    request = base_request(draw, endpoint)
    declared = [tool["function"]["name"] for tool in request.get("tools", ())]
    name = draw(st.sampled_from(declared)) if declared else draw(tool_names())
    ident = "call-not-json"  # "-" never occurs in generated ids, so this one is fresh
    calls = [(ident, name, draw(st.sampled_from(_NOT_JSON)))]
    request["messages"].append(assistant_tool_call_message(draw, endpoint=endpoint, calls=calls))
    request["messages"].append(tool_message(draw, tool_call_id=ident))
    return request


@st.composite
def response_format_unsupported(draw: st.DrawFn, endpoint: Endpoint) -> JSON:
    request = base_request(draw, endpoint)
    kind = draw(st.sampled_from(("json_object", "xml", "JSON", "markdown")))
    request["response_format"] = {"type": kind}
    return request
