"""Matching a request against a step's conditions, and the keys that identify a conversation.

Pure functions: no server, no state. A failed match says which condition failed first and why, so
the mock can answer an unmatched request with the closest step and its first failed condition.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from contract.scenarios.model import CHAT_PATH_SUFFIX, Endpoint, Match, Step
from contract.scenarios.patterns import MAX_SUBJECT_CHARS, search_bounded
from contract.validate.explain import clip, with_article

_SHOWN = 60  # characters of a request's text quoted in a match failure


@dataclass(frozen=True, slots=True)
class MatchRequest:
    """What matching looks at: the dialect, path, lower-case headers and the parsed JSON body."""

    endpoint: Endpoint
    path: str
    headers: Mapping[str, str]
    body: Any = None

    @property
    def messages(self) -> list[Any]:
        if isinstance(self.body, dict) and isinstance(self.body.get("messages"), list):
            return list(self.body["messages"])
        return []


@dataclass(frozen=True, slots=True)
class MatchOutcome:
    matched: bool
    condition: str = ""  # the first condition that failed, e.g. "last_user_message.contains"
    reason: str = ""  # what was wanted and what the request had

    def describe(self) -> str:
        return "matched" if self.matched else f"{self.condition}: {self.reason}"


def normalized_path(path: str) -> str:
    """`/chat/completions` and `/v1/chat/completions/` -> `/v1/chat/completions`."""
    path = path.split("?", 1)[0].rstrip("/") or "/"
    if not path.startswith(("/v1/", "/compat/v1/")) and path not in ("/v1", "/compat/v1"):
        path = "/v1" + path
    return path


def content_text(content: Any) -> str:
    """The text of a message's content: a string, one text object, or a list of items."""
    if isinstance(content, str):
        return content
    if isinstance(content, dict):
        return str(content.get("text", "")) if content.get("type") == "text" else ""
    if isinstance(content, list):
        texts = [str(item.get("text", "")) for item in content
                 if isinstance(item, dict) and item.get("type") == "text"]
        return "\n".join(texts)
    return ""


def last_user_text(messages: Sequence[Any]) -> str | None:
    """Text of the last user message (at most `MAX_SUBJECT_CHARS`), or None when there is none."""
    for message in reversed(messages):
        if isinstance(message, dict) and message.get("role") == "user":
            return content_text(message.get("content"))[:MAX_SUBJECT_CHARS]
    return None


def _tool_names(body: Any) -> list[str]:
    tools = body.get("tools") if isinstance(body, dict) else None
    names = []
    for tool in tools if isinstance(tools, list) else []:
        function = tool.get("function") if isinstance(tool, dict) else None
        if isinstance(function, dict) and isinstance(function.get("name"), str):
            names.append(function["name"])
    return names


Check = Callable[[Match, MatchRequest], tuple[str, str] | None]
"""A condition: None when it holds (or is not set), else (condition name, reason)."""


def _check_path(match: Match, request: MatchRequest) -> tuple[str, str] | None:
    path = normalized_path(request.path)
    if match.path is None:
        if path.endswith(CHAT_PATH_SUFFIX):
            return None
        return "path", f"the step answers chat completions; the request is for {request.path}"
    return None if path == match.path else ("path", f"wanted {match.path}, got {request.path}")


def _check_endpoint(match: Match, request: MatchRequest) -> tuple[str, str] | None:
    if match.endpoint is None or match.endpoint == request.endpoint:
        return None
    return "endpoint", f"wanted {match.endpoint}, got {request.endpoint}"


def _check_model(match: Match, request: MatchRequest) -> tuple[str, str] | None:
    if not match.models:
        return None
    model = request.body.get("model") if isinstance(request.body, dict) else None
    if model in match.models:
        return None
    return "model", f"wanted {' or '.join(match.models)}, got {model!r}"


def _check_stream(match: Match, request: MatchRequest) -> tuple[str, str] | None:
    if match.stream is None:
        return None
    stream = isinstance(request.body, dict) and request.body.get("stream") is True
    if stream == match.stream:
        return None
    return "stream", f"wanted stream {str(match.stream).lower()}, got {str(stream).lower()}"


def _check_tools(match: Match, request: MatchRequest) -> tuple[str, str] | None:
    if match.tools is None:
        return None
    offered = _tool_names(request.body)
    if match.tools is False:
        return None if not offered else ("tools", "wanted no tools, got " + ", ".join(offered))
    if not offered:
        return "tools", "wanted tools, the request offers none"
    missing = [name for name in match.tool_names if name not in offered]
    if missing:
        return "tools", f"wanted {', '.join(missing)} among the tools, got {', '.join(offered)}"
    return None


def _check_tool_result(match: Match, request: MatchRequest) -> tuple[str, str] | None:
    if match.tool_result is None:
        return None
    messages = request.messages
    last = messages[-1] if messages else None
    role = last.get("role") if isinstance(last, dict) else None
    if (role == "tool") == match.tool_result:
        return None
    wanted = "a tool result last" if match.tool_result else "no tool result last"
    found = f"{with_article(clip(str(role)))} message" if role else "missing"
    return "tool_result", f"wanted {wanted}, the last message is {found}"


def _check_user(match: Match, request: MatchRequest) -> tuple[str, str] | None:
    if match.user_contains is None and match.user_regex is None:
        return None
    text = last_user_text(request.messages)
    condition = "last_user_message." + ("contains" if match.user_contains is not None else "regex")
    if text is None:
        return condition, "the request has no user message"
    if match.user_contains is not None and match.user_contains not in text:
        return ("last_user_message.contains",
                f"wanted {clip(match.user_contains, limit=_SHOWN)!r} in "
                f"{clip(text, limit=_SHOWN)!r} (case-sensitive)")
    if match.user_regex is not None and not search_bounded(match.user_regex, text):
        return ("last_user_message.regex",
                f"/{match.user_regex.pattern}/ does not match {clip(text, limit=_SHOWN)!r}")
    return None


def _check_headers(match: Match, request: MatchRequest) -> tuple[str, str] | None:
    for name, wanted in match.headers:
        got = request.headers.get(name)
        if got != wanted:
            shown = "no such header" if got is None else f"got {clip(got, limit=_SHOWN)!r}"
            return f"headers.{name}", f"wanted {clip(wanted, limit=_SHOWN)!r}, {shown}"
    return None


CHECKS: tuple[Check, ...] = (
    _check_path, _check_endpoint, _check_model, _check_stream, _check_tools, _check_tool_result,
    _check_user, _check_headers,
)


# Whether a step states each condition of CHECKS (an unstated one holds for any request).
_STATED: tuple[Callable[[Match], bool], ...] = (
    lambda m: m.path is not None, lambda m: m.endpoint is not None, lambda m: bool(m.models),
    lambda m: m.stream is not None, lambda m: m.tools is not None,
    lambda m: m.tool_result is not None,
    lambda m: m.user_contains is not None or m.user_regex is not None, lambda m: bool(m.headers),
)


def match_request(match: Match, request: MatchRequest) -> MatchOutcome:
    """Check the conditions in a fixed order; stop at the first that fails."""
    for check in CHECKS:
        failed = check(match, request)
        if failed is not None:
            return MatchOutcome(False, failed[0], failed[1])
    return MatchOutcome(True)


def closeness(match: Match, request: MatchRequest) -> tuple[int, int]:
    """How near a step came to answering `request`, higher is nearer: the conditions it states
    that hold, then fewer that fail. Unstated conditions do not count, so a step that states
    little is not near every request."""
    held = failed = 0
    for stated, check in zip(_STATED, CHECKS, strict=True):
        if stated(match):
            if check(match, request) is None:
                held += 1
            else:
                failed += 1
    return held, -failed


def closest_step(steps: Sequence[Step], request: MatchRequest) -> tuple[Step, MatchOutcome] | None:
    """The step that came nearest to answering (the earliest of equals), and why it did not."""
    if not steps:
        return None
    step = max(steps, key=lambda candidate: closeness(candidate.match, request))
    return step, match_request(step.match, request)


# Conversation keys: how the mock recognises the same conversation across turns without a session.


def _canonical_arguments(arguments: Any) -> Any:
    if isinstance(arguments, str):
        try:
            return json.loads(arguments)
        except ValueError:
            return arguments
    return arguments


def _canonical_message(message: Any) -> Any:
    """The parts of a message that identify it, whatever form the client writes it back in."""
    if not isinstance(message, dict):
        return message
    content = message.get("content")
    images = [item.get("image_url", {}).get("url") for item in content
              if isinstance(item, dict) and item.get("type") == "image_url"] \
        if isinstance(content, list) else []
    calls = []
    for call in message.get("tool_calls") or []:
        function = call.get("function", {}) if isinstance(call, dict) else {}
        if isinstance(function, dict):
            calls.append([call.get("id"), function.get("name"),
                          _canonical_arguments(function.get("arguments"))])
    return [message.get("role"), content_text(content), images, calls, message.get("tool_call_id")]


def _digest(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def history_split(messages: Sequence[Any]) -> int:
    """Where the last turn starts: just after the last assistant message (or the system prompt)."""
    for index in range(len(messages) - 1, -1, -1):
        message = messages[index]
        if isinstance(message, dict) and message.get("role") == "assistant":
            return index + 1
    leading = 0
    while leading < len(messages) and isinstance(messages[leading], dict) \
            and messages[leading].get("role") == "system":
        leading += 1
    return leading


def history_key(messages: Sequence[Any]) -> str:
    """Key of the conversation so far: the messages before the last turn."""
    return "hist:" + _digest([_canonical_message(m) for m in messages[: history_split(messages)]])


def continuation_key(messages: Sequence[Any], answer: Mapping[str, Any]) -> str:
    """The `history_key` the next turn will have, once the client appends `answer` (the assistant
    message it got) and its next user message or tool results."""
    return "hist:" + _digest([_canonical_message(m) for m in [*messages, dict(answer)]])


def request_key(path: str, body: Any) -> str:
    """Key of one exact request (what a retry repeats)."""
    return "req:" + _digest([normalized_path(path), body])
