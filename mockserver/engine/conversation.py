"""Reading a validated chat request: message texts, the last turn, tool results, prompt tokens."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from contract.reading import ReadError, parse_json
from mockserver.engine.tokens import count_resent_tokens, count_tokens

TOKENS_PER_MESSAGE = 4
TOKENS_PER_IMAGE = 64


def content_text(content: Any) -> str:
    """The text of a message's content: a string, one text item object, or a list of items."""
    if isinstance(content, str):
        return content
    if isinstance(content, Mapping):
        text = content.get("text")
        return text if isinstance(text, str) else ""
    if isinstance(content, list):
        return "\n".join(
            item["text"]
            for item in content
            if isinstance(item, Mapping) and isinstance(item.get("text"), str)
        )
    return ""


def json_document(text: str) -> Any | None:
    """The JSON document a message text holds (a tool result, a call's arguments), read by the
    rules of request bodies; None when it holds none the mock can write back: not JSON, nested
    past 64 levels, a lone surrogate escape ("\\ud800") that UTF-8 cannot carry."""
    try:
        return parse_json(text)
    except ReadError:
        return None


def image_count(content: Any) -> int:
    if not isinstance(content, list):
        return 0
    return sum(
        1 for item in content if isinstance(item, Mapping) and item.get("type") == "image_url"
    )


def messages_of(request: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    messages = request.get("messages")
    if not isinstance(messages, list):
        return []
    return [message for message in messages if isinstance(message, Mapping)]


def _tool_calls(message: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    calls = message.get("tool_calls")
    if not isinstance(calls, list):
        return []
    return [call for call in calls if isinstance(call, Mapping)]


def _call_function(call: Mapping[str, Any]) -> tuple[str, str]:
    function = call.get("function")
    if not isinstance(function, Mapping):
        return "", ""
    name, arguments = function.get("name"), function.get("arguments")
    return (name if isinstance(name, str) else ""), (
        arguments if isinstance(arguments, str) else ""
    )


def prompt_tokens(
    request: Mapping[str, Any], messages: Sequence[Mapping[str, Any]] | None = None
) -> int:
    """Tokens of every message text, tool call and tool definition, plus fixed per-message and
    per-image counts (`messages`: the request's `messages_of`, when the caller has them)."""
    total = 0
    listed = messages_of(request) if messages is None else messages
    last = len(listed) - 1
    for index, message in enumerate(listed):
        content = message.get("content")
        text = content_text(content)  # all but the last message were likely sent before
        count = count_tokens if index == last else count_resent_tokens
        total += TOKENS_PER_MESSAGE + count(text)
        total += TOKENS_PER_IMAGE * image_count(content)
        for call in _tool_calls(message):
            name, arguments = _call_function(call)
            total += count_tokens(name) + count_tokens(arguments)
    tools = request.get("tools")
    if tools:
        total += count_tokens(json.dumps(tools, separators=(",", ":"), ensure_ascii=False))
    return total


@dataclass(frozen=True, slots=True)
class ToolResult:
    """A tool message, with the call it answers."""

    name: str  # "tool" when no call in the conversation has its tool_call_id
    text: str
    arguments: str  # the call's arguments (JSON text), "" when unknown


@dataclass(frozen=True, slots=True)
class Turn:
    """What the answer responds to, and what the conversation said before."""

    last_role: str
    user_text: str | None  # text of the last user message, if any
    user_images: int
    tool_results: tuple[ToolResult, ...]  # the tool messages that end the conversation
    answered: tuple[ToolResult, ...]  # every tool message, most recent first
    earlier_user_texts: tuple[str, ...]  # user messages before the last one, most recent first

    @property
    def called(self) -> frozenset[str]:
        """Names of the functions whose results are in the conversation."""
        return frozenset(result.name for result in self.answered)


def read_turn(messages: Sequence[Mapping[str, Any]]) -> Turn:
    last_role = str(messages[-1].get("role", "")) if messages else ""
    user_texts: list[str] = []
    user_images = 0
    calls: dict[Any, tuple[str, str]] = {}
    answered: list[ToolResult] = []
    trailing: list[ToolResult] = []
    for message in messages:
        role = message.get("role")
        if role == "user":
            user_texts.append(content_text(message.get("content")))
            user_images = image_count(message.get("content"))
            trailing = []
        elif role == "assistant":
            for call in _tool_calls(message):
                call_id = call.get("id")
                if isinstance(call_id, str):
                    calls[call_id] = _call_function(call)
            trailing = []
        elif role == "tool":
            name, arguments = calls.get(message.get("tool_call_id"), ("tool", ""))
            result = ToolResult(name, content_text(message.get("content")), arguments)
            answered.append(result)
            trailing.append(result)
    return Turn(
        last_role,
        user_texts[-1] if user_texts else None,
        user_images,
        tuple(trailing) if last_role == "tool" else (),
        tuple(reversed(answered)),
        tuple(reversed(user_texts[:-1])),
    )
