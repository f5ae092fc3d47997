"""A scenario step's own answer: a scripted completion (text, tool calls, metrics) or an error."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from contract.scenarios.loading import Respond
from contract.violations import Violation
from mockserver.core.errors import error_response, json_bytes
from mockserver.core.http import MockResponse
from mockserver.engine import Completion, ToolCall, prompt_tokens, tokenize

if TYPE_CHECKING:
    from mockserver.core.chat import ChatCall


def error_answer(call: ChatCall, respond: Respond) -> MockResponse:
    if isinstance(respond.error, dict):
        return MockResponse(respond.status, json_bytes(respond.error))
    message = respond.error or f"the scenario answers {respond.status}"
    return error_response(
        respond.status,
        [Violation("fault.injected", "", message)],
        dialect=call.dialect,
        detail=message,
    )


def scripted_completion(call: ChatCall, respond: Respond, key: str) -> Completion:
    digest = hashlib.sha256(key.encode()).hexdigest()
    calls = tuple(
        ToolCall(
            spec.id or f"call_{digest[index * 4 : index * 4 + 24]}", spec.name, spec.arguments
        )
        for index, spec in enumerate(respond.tool_calls)
    )
    text = respond.content_text
    used = len(tokenize(text)) + sum(
        len(tokenize(c.name)) + len(tokenize(c.arguments)) for c in calls
    )
    return Completion(
        id="scn" + digest[:20],
        text=text,
        tool_calls=calls,
        stop_reason=respond.resolved_stop_reason,
        prompt_tokens=respond.prompt_tokens
        if respond.prompt_tokens is not None
        else prompt_tokens(call.payload),
        completion_tokens=respond.completion_tokens
        if respond.completion_tokens is not None
        else used,
        deltas=respond.deltas,
    )


def assistant_message(completion: Completion) -> dict[str, Any]:
    return {
        "role": "assistant",
        "content": completion.text,
        "tool_calls": [
            {"id": c.id, "function": {"name": c.name, "arguments": c.arguments}}
            for c in completion.tool_calls
        ],
    }


def apply_step_headers(response: MockResponse, headers: Sequence[tuple[str, str]]) -> None:
    """A step's headers replace the mock's of the same names (one content-type, one rate-limit
    header of each kind), and its content-type is the answer's."""
    if not headers:
        return
    names = {name.lower() for name, _ in headers}
    kept = [header for header in response.headers if header[0].lower() not in names]
    for name, value in headers:
        if name.lower() == "content-type":
            response.content_type = value
        else:
            kept.append((name, value))
    response.headers = kept
