"""Reading a validated chat request: message texts, the last turn, tool results, prompt tokens."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from mockserver.engine.tokens import count_tokens

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


def prompt_tokens(request: Mapping[str, Any]) -> int:
    """Tokens of every message text, tool call and tool definition, plus fixed per-message and
    per-image counts."""
    total = 0
    for message in messages_of(request):
        content = message.get("content")
        total += TOKENS_PER_MESSAGE + count_tokens(content_text(content))
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
    """The tool message that ends a conversation, with the name of the function it answers."""

    name: str
    text: str


@dataclass(frozen=True, slots=True)
class Turn:
    """What the answer responds to."""

    last_role: str
    user_text: str | None  # text of the last user message, if any
    user_images: int
    tool_result: ToolResult | None  # set when the last message is a tool result


def read_turn(messages: Sequence[Mapping[str, Any]]) -> Turn:
    last_role = str(messages[-1].get("role", "")) if messages else ""
    user_text: str | None = None
    user_images = 0
    for message in reversed(messages):
        if message.get("role") == "user":
            user_text = content_text(message.get("content"))
            user_images = image_count(message.get("content"))
            break
    tool_result = None
    if last_role == "tool":
        last = messages[-1]
        name = _called_function(messages[:-1], last.get("tool_call_id")) or "tool"
        tool_result = ToolResult(name, content_text(last.get("content")))
    return Turn(last_role, user_text, user_images, tool_result)


def _called_function(messages: Sequence[Mapping[str, Any]], call_id: Any) -> str:
    """The function name of the latest tool call with this id, or ""."""
    for message in reversed(messages):
        for call in _tool_calls(message):
            if call.get("id") == call_id:
                return _call_function(call)[0]
    return ""
