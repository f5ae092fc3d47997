"""Contract features a request exercised (`native.chat`, `stream`, `tools`, `content.image_url`),
counted in reports to show what a run covered.

A row is a feature the contract defines: the roles, content kinds, `tool_choice` values,
`response_format` types and options of the dialect's request schema, read from the schema itself.
A value the contract does not define (a role `wizard`, `tool_choice: "always"`, a
`response_format` of type `json_object`, which the Llama API refuses) is no feature: it is
counted under its family's one row `message.(not in the contract)`, `content.(...)`,
`tool_choice.(...)` or `response_format.(...)`, so a run shows it sent such values (the server
checks do on purpose) without one row per value a client or a generator made up."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

NOT_IN_CONTRACT = "(not in the contract)"
_SAMPLING = ("max_completion_tokens", "max_tokens", "temperature", "top_p", "top_k",
             "repetition_penalty", "user")  # fmt: skip


@dataclass(frozen=True, slots=True)
class _Defined:
    """What one dialect's chat request schema defines."""

    options: frozenset[str]
    roles: frozenset[str]
    content_types: frozenset[str]
    tool_choices: frozenset[str]
    response_formats: frozenset[str]


def _values(schema: Any) -> set[str]:
    """The strings an `enum` or `const` allows."""
    if not isinstance(schema, dict):
        return set()
    found = {v for v in schema.get("enum", ()) if isinstance(v, str)}
    if isinstance(schema.get("const"), str):
        found.add(schema["const"])
    return found


@cache
def _defined(dialect: str) -> _Defined | None:
    from contract.schemas import SCHEMA_NAMES, shared_schema

    name = f"{dialect}-chat-request"
    if name not in SCHEMA_NAMES:
        return None
    schema = shared_schema(name)
    defs: dict[str, Any] = schema["$defs"]
    content = set()
    for def_name, definition in defs.items():
        if "content" in def_name:
            content |= _values(definition.get("properties", {}).get("type"))
    choices = set()
    for branch in defs["tool_choice"].get("allOf", ()):
        choices |= _values(branch.get("then"))
    return _Defined(
        options=frozenset(schema["properties"]),
        roles=frozenset(_values(defs["message"]["properties"]["role"])),
        content_types=frozenset(content),
        tool_choices=frozenset(choices),
        response_formats=frozenset(_values(defs["response_format"]["properties"]["type"])),
    )


def _named(family: str, value: Any, defined: frozenset[str]) -> str:
    """`family.value` for a value the contract defines, the family's one other row if not."""
    return f"{family}.{value}" if isinstance(value, str) and value in defined else (
        f"{family}.{NOT_IN_CONTRACT}")  # fmt: skip


def request_features(body: Any, *, dialect: str, endpoint: str, status: int | None) -> list[str]:
    """The features of one request: its endpoint and answer status, and for chat requests the
    options, message roles and content kinds it used (values the contract does not define under
    their family's `(not in the contract)` row)."""
    # the journal names a path no route answers "unknown": no endpoint of the contract
    found = [f"{dialect}.{NOT_IN_CONTRACT if endpoint == 'unknown' else endpoint}"]
    if status is not None:
        found.append(f"status.{status}")
    defined = _defined(dialect)
    if endpoint != "chat" or not isinstance(body, dict) or defined is None:
        return found
    if body.get("stream") is True:
        found.append("stream")
    options = body.get("stream_options")
    if ("stream_options" in defined.options and isinstance(options, dict)
            and options.get("include_usage") is True):  # fmt: skip
        found.append("stream_options.include_usage")
    if body.get("tools"):
        found.append("tools")
    if "tool_choice" in body:
        choice = body["tool_choice"]
        found.append("tool_choice.named" if isinstance(choice, dict)
                     else _named("tool_choice", choice, defined.tool_choices))  # fmt: skip
    if "response_format" in body:
        response_format = body["response_format"]
        kind = response_format.get("type") if isinstance(response_format, dict) else None
        found.append(_named("response_format", kind, defined.response_formats))
    found += [name for name in _SAMPLING if name in body and name in defined.options]
    messages = body.get("messages")
    for message in messages if isinstance(messages, list) else []:
        if isinstance(message, dict):
            found += _message_features(message, defined)
    return sorted(set(found))


def _message_features(message: Mapping[str, Any], defined: _Defined) -> list[str]:
    role = message.get("role")
    found = [_named("message", role, defined.roles)] if "role" in message else []
    content = message.get("content")
    if isinstance(content, list):
        found.append("content.array")
        found += [_named("content", item.get("type"), defined.content_types)
                  for item in content if isinstance(item, dict) and "type" in item]  # fmt: skip
    if role == "assistant" and message.get("tool_calls"):
        found.append("message.assistant.tool_calls")
    return found
