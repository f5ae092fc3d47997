"""The table of invalid requests: one mistake a row, with the rule and path it is reported at."""

from __future__ import annotations

import copy
from typing import Any, NamedTuple

from contract_samples import (
    PNG_DATA_URL,
    WEATHER_TOOL,
    chat_request,
    image_request,
    seed_request,
    tool_conversation,
)


class Case(NamedTuple):
    name: str
    payload: dict[str, Any]
    strict: bool
    rule: str
    path: str


def with_change(path: list[Any], value: Any, base: dict[str, Any] | None = None) -> dict[str, Any]:
    payload = copy.deepcopy(base if base is not None else tool_conversation())
    target: Any = payload
    for part in path[:-1]:
        target = target[part]
    if value is DELETE:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return payload


DELETE = object()
MSG = ["messages"]
INVALID: list[Case] = [
    Case(
        "unknown role",
        with_change([*MSG, 1, "role"], "wizard"),
        False,
        "message.role.unknown",
        "/messages/1/role",
    ),
    Case(
        "role not a string",
        with_change([*MSG, 1, "role"], 5),
        False,
        "message.role.unknown",
        "/messages/1/role",
    ),
    Case(
        "role missing",
        with_change([*MSG, 1, "role"], DELETE),
        False,
        "field.required",
        "/messages/1/role",
    ),
    Case(
        "user content missing",
        with_change([*MSG, 1, "content"], DELETE),
        False,
        "field.required",
        "/messages/1/content",
    ),
    Case(
        "content a number",
        with_change([*MSG, 1, "content"], 5),
        False,
        "field.type",
        "/messages/1/content",
    ),
    Case(
        "audio content item",
        with_change([*MSG, 1, "content"], [{"type": "audio", "data": "x"}]),
        False,
        "content.type.unknown",
        "/messages/1/content/0/type",
    ),
    Case(
        "image in a system message",
        with_change(
            [*MSG, 0, "content", 0], {"type": "image_url", "image_url": {"url": PNG_DATA_URL}}
        ),
        False,
        "content.type.unknown",
        "/messages/0/content/0/type",
    ),
    Case(
        "text item without text",
        with_change([*MSG, 0, "content", 0, "text"], DELETE),
        False,
        "field.required",
        "/messages/0/content/0/text",
    ),
    Case(
        "assistant content as array",
        with_change([*MSG, 2, "content"], [{"type": "text", "text": "x"}]),
        False,
        "field.type",
        "/messages/2/content",
    ),
    Case(
        "assistant stop_reason unknown",
        with_change([*MSG, 2, "stop_reason"], "done"),
        False,
        "field.enum",
        "/messages/2/stop_reason",
    ),
    Case(
        "tool message without tool_call_id",
        with_change([*MSG, 3, "tool_call_id"], DELETE),
        False,
        "field.required",
        "/messages/3/tool_call_id",
    ),
    Case(
        "tool call without id",
        with_change([*MSG, 2, "tool_calls", 0, "id"], DELETE),
        False,
        "field.required",
        "/messages/2/tool_calls/0/id",
    ),
    Case(
        "tool call arguments an object",
        with_change([*MSG, 2, "tool_calls", 0, "function", "arguments"], {"city": "Paris"}),
        False,
        "field.type",
        "/messages/2/tool_calls/0/function/arguments",
    ),
    Case("model missing", with_change(["model"], DELETE), False, "field.required", "/model"),
    Case("model empty", with_change(["model"], ""), False, "field.length", "/model"),
    Case("model a number", with_change(["model"], 4), False, "field.type", "/model"),
    Case(
        "messages missing", with_change(["messages"], DELETE), False, "field.required", "/messages"
    ),
    Case("messages empty", with_change(["messages"], []), False, "messages.empty", "/messages"),
    Case("messages a string", with_change(["messages"], "hi"), False, "field.type", "/messages"),
    Case(
        "temperature above 1",
        with_change(["temperature"], 1.5),
        False,
        "field.range",
        "/temperature",
    ),
    Case(
        "temperature below 0",
        with_change(["temperature"], -0.1),
        False,
        "field.range",
        "/temperature",
    ),
    Case(
        "temperature a string",
        with_change(["temperature"], "hot"),
        False,
        "field.type",
        "/temperature",
    ),
    Case("top_p above 1", with_change(["top_p"], 1.01), False, "field.range", "/top_p"),
    Case("top_k negative", with_change(["top_k"], -1), False, "field.range", "/top_k"),
    Case("top_k fractional", with_change(["top_k"], 1.5), False, "field.type", "/top_k"),
    Case(
        "repetition_penalty below 1",
        with_change(["repetition_penalty"], 0.5),
        False,
        "field.range",
        "/repetition_penalty",
    ),
    Case(
        "repetition_penalty above 2",
        with_change(["repetition_penalty"], 2.5),
        False,
        "field.range",
        "/repetition_penalty",
    ),
    Case(
        "max_completion_tokens 0",
        with_change(["max_completion_tokens"], 0),
        False,
        "field.range",
        "/max_completion_tokens",
    ),
    Case(
        "max_completion_tokens a boolean",
        with_change(["max_completion_tokens"], True),
        False,
        "field.type",
        "/max_completion_tokens",
    ),
    Case("stream a string", with_change(["stream"], "yes"), False, "field.type", "/stream"),
    Case("user a number", with_change(["user"], 42), False, "field.type", "/user"),
    Case(
        "json_object response format",
        with_change(["response_format"], {"type": "json_object"}),
        False,
        "response_format.unsupported",
        "/response_format/type",
    ),
    Case(
        "json_schema format without json_schema",
        with_change(["response_format"], {"type": "json_schema"}),
        False,
        "field.required",
        "/response_format/json_schema",
    ),
    Case(
        "json_schema without name",
        with_change(["response_format", "json_schema", "name"], DELETE),
        False,
        "field.required",
        "/response_format/json_schema/name",
    ),
    Case(
        "response schema not a schema",
        with_change(["response_format", "json_schema", "schema"], {"type": "objekt"}),
        False,
        "response_format.schema.invalid",
        "/response_format/json_schema/schema/type",
    ),
    Case(
        "tool name with a space",
        with_change(["tools", 0, "function", "name"], "get weather"),
        False,
        "field.pattern",
        "/tools/0/function/name",
    ),
    Case(
        "tool name of 65 characters",
        with_change(["tools", 0, "function", "name"], "a" * 65),
        False,
        "field.pattern",
        "/tools/0/function/name",
    ),
    Case(
        "tool name ending in a newline",
        with_change(["tools", 0, "function", "name"], "get_weather\n"),
        False,
        "field.pattern",
        "/tools/0/function/name",
    ),
    Case(
        "tool of another type",
        with_change(["tools", 0, "type"], "retrieval"),
        False,
        "field.enum",
        "/tools/0/type",
    ),
    Case(
        "tool without function",
        with_change(["tools", 0, "function"], DELETE),
        False,
        "field.required",
        "/tools/0/function",
    ),
    Case(
        "tool parameters not a schema",
        with_change(["tools", 0, "function", "parameters"], {"type": "object", "required": "city"}),
        False,
        "tools.parameters.invalid_schema",
        "/tools/0/function/parameters/required",
    ),
    Case(
        "duplicate tool names",
        with_change(["tools"], [WEATHER_TOOL, WEATHER_TOOL]),
        False,
        "tools.duplicate_name",
        "/tools/1/function/name",
    ),
    Case(
        "tool_choice unknown word",
        with_change(["tool_choice"], "always"),
        False,
        "field.enum",
        "/tool_choice",
    ),
    Case(
        "tool_choice a number", with_change(["tool_choice"], 1), False, "field.type", "/tool_choice"
    ),
    Case(
        "named tool_choice without function",
        with_change(["tool_choice"], {"type": "function"}),
        False,
        "field.required",
        "/tool_choice/function",
    ),
    Case(
        "named tool_choice undeclared",
        with_change(["tool_choice"], {"type": "function", "function": {"name": "get_time"}}),
        False,
        "tool_choice.undeclared",
        "/tool_choice/function/name",
    ),
    Case(
        "tool_choice auto without tools",
        chat_request(tool_choice="auto"),
        False,
        "tool_choice.without_tools",
        "/tool_choice",
    ),
    Case(
        "tool_choice required with empty tools",
        chat_request(tool_choice="required", tools=[]),
        False,
        "tool_choice.without_tools",
        "/tool_choice",
    ),
    Case(
        "tool result answering nothing",
        with_change([*MSG, 3, "tool_call_id"], "call_9"),
        False,
        "tool_result.unanswered",
        "/messages/3/tool_call_id",
    ),
    Case(
        "tool result before its call",
        with_change(["messages"], [{"role": "tool", "tool_call_id": "call_1", "content": "x"}]),
        False,
        "tool_result.unanswered",
        "/messages/0/tool_call_id",
    ),
    Case(
        "tool call arguments not JSON",
        with_change([*MSG, 2, "tool_calls", 0, "function", "arguments"], "city=Paris"),
        False,
        "tool_call.arguments.not_json",
        "/messages/2/tool_calls/0/function/arguments",
    ),
    Case(
        "image over http",
        image_request("http://example.com/cat.jpg"),
        False,
        "image.url.scheme",
        "/messages/0/content/1/image_url/url",
    ),
    Case(
        "image path without scheme",
        image_request("cat.jpg"),
        False,
        "image.url.scheme",
        "/messages/0/content/1/image_url/url",
    ),
    Case(
        "data URL of text",
        image_request("data:text/plain;base64,aGk="),
        False,
        "image.data_url.malformed",
        "/messages/0/content/1/image_url/url",
    ),
    Case(
        "data URL not base64",
        image_request("data:image/png,rawbytes"),
        False,
        "image.data_url.malformed",
        "/messages/0/content/1/image_url/url",
    ),
    Case(
        "data URL with bad base64",
        image_request("data:image/png;base64,not base64!"),
        False,
        "image.data_url.malformed",
        "/messages/0/content/1/image_url/url",
    ),
    Case(
        "data URL with no data",
        image_request("data:image/png;base64,"),
        False,
        "image.data_url.malformed",
        "/messages/0/content/1/image_url/url",
    ),
    Case(
        "image without url",
        with_change([*MSG, 0, "content", 1, "image_url"], {}, image_request()),
        False,
        "field.required",
        "/messages/0/content/1/image_url/url",
    ),
    Case(
        "image to Llama-3.3",
        image_request(model="Llama-3.3-70B-Instruct"),
        False,
        "image.unsupported_model",
        "/messages/0/content/1",
    ),
    Case("unknown top-level field, strict", seed_request(), True, "field.unknown", "/max_tokens"),
    Case(
        "unknown message field, strict",
        with_change([*MSG, 1, "name"], "alice"),
        True,
        "field.unknown",
        "/messages/1/name",
    ),
    Case("unknown model, strict", chat_request(model="gpt-4o"), True, "model.unknown", "/model"),
]

REQUEST_RULES = {
    "field.required", "field.unknown", "field.type", "field.enum", "field.range", "field.length",
    "field.pattern", "message.role.unknown", "content.type.unknown", "messages.empty",
    "model.unknown", "tool_result.unanswered", "tool_choice.undeclared",
    "tool_choice.without_tools", "tools.duplicate_name", "tools.parameters.invalid_schema",
    "response_format.schema.invalid", "image.data_url.malformed", "image.url.scheme",
    "image.unsupported_model", "tool_call.arguments.not_json", "response_format.unsupported",
}  # fmt: skip
