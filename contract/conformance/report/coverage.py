"""Contract features a request exercised (`native.chat`, `stream`, `tools`, `content.image_url`),
counted in reports to show what a run covered."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

_SAMPLING = ("max_completion_tokens", "max_tokens", "temperature", "top_p", "top_k",
             "repetition_penalty", "user")  # fmt: skip


def request_features(body: Any, *, dialect: str, endpoint: str, status: int | None) -> list[str]:
    """The features of one request: its endpoint and answer status, and for chat requests the
    options, message roles and content kinds it used."""
    found = [f"{dialect}.{endpoint}"]
    if status is not None:
        found.append(f"status.{status}")
    if endpoint != "chat" or not isinstance(body, dict):
        return found
    if body.get("stream") is True:
        found.append("stream")
    options = body.get("stream_options")
    if isinstance(options, dict) and options.get("include_usage") is True:
        found.append("stream_options.include_usage")
    if body.get("tools"):
        found.append("tools")
    choice = body.get("tool_choice")
    if isinstance(choice, str):
        found.append(f"tool_choice.{choice}")
    elif isinstance(choice, dict):
        found.append("tool_choice.named")
    response_format = body.get("response_format")
    if isinstance(response_format, dict) and isinstance(response_format.get("type"), str):
        found.append(f"response_format.{response_format['type']}")
    found += [name for name in _SAMPLING if name in body]
    messages = body.get("messages")
    for message in messages if isinstance(messages, list) else []:
        if isinstance(message, dict):
            found += _message_features(message)
    return sorted(set(found))


def _message_features(message: Mapping[str, Any]) -> list[str]:
    role = message.get("role")
    found = [f"message.{role}"] if isinstance(role, str) else []
    content = message.get("content")
    if isinstance(content, list):
        found.append("content.array")
        found += [f"content.{item['type']}" for item in content
                  if isinstance(item, dict) and isinstance(item.get("type"), str)]  # fmt: skip
    if role == "assistant" and message.get("tool_calls"):
        found.append("message.assistant.tool_calls")
    return found
