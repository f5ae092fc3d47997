"""The client adapter contract: what the client runner hands an adapter, and what it gets back.

An adapter is a function `(base_url, api_key, conversation) -> ClientOutcome` that makes the
client under test run ONE call of a conversation against `base_url` and reports what the client
produced. It never raises for the client's errors: it returns them in `ClientOutcome.error`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from contract.scenarios.loading import Scenario, Step
from contract.violations import Violation

Endpoint = Literal["native", "compat"]
Operation = Literal["chat", "models", "moderation"]


class Unsupported(Exception):
    """Raised by an adapter for a conversation its client cannot make (e.g. a native call for an
    OpenAI-compatible client): the case is reported as skipped, not failed."""


class CallTimedOut(TimeoutError):
    """The error of the outcome given for a call that did not return within the call timeout:
    the client neither answered nor raised, it hung (`call_returned` fails the case)."""


@dataclass(frozen=True, slots=True)
class Conversation:
    """One call the client makes: `operation` on `endpoint` with the request body `request`.

    `headers` must be sent with every request of the call (retries included): they tell the mock
    which scenario and session answer. Most clients take them as default headers.
    """

    scenario: str
    step: str
    endpoint: Endpoint
    operation: Operation
    request: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def stream(self) -> bool:
        return self.request.get("stream") is True

    @property
    def wants_document(self) -> bool:
        response_format = self.request.get("response_format")
        return isinstance(response_format, dict) and response_format.get("type") == "json_schema"


@dataclass(frozen=True, slots=True)
class ToolCallOutcome:
    name: str
    arguments: Any  # JSON text as the client got it, or the client's parsed value
    id: str | None = None

    def parsed_arguments(self) -> Any:
        if isinstance(self.arguments, str):
            try:
                return json.loads(self.arguments)
            except ValueError:
                return self.arguments
        return self.arguments


@dataclass(slots=True)
class ClientOutcome:
    """What the client produced for one call: text, tool calls, parsed document, or an error."""

    text: str | None = None
    tool_calls: list[ToolCallOutcome] = field(default_factory=list)
    document: Any = None  # the parsed structured output, when the client parses it
    stop_reason: str | None = None
    error: BaseException | None = None

    def describe(self) -> dict[str, Any]:
        """A JSON-safe summary for reports."""
        return {
            "text": self.text,
            "tool_calls": [
                {"id": c.id, "name": c.name, "arguments": c.arguments
                 if isinstance(c.arguments, str) else json.dumps(c.arguments)}
                for c in self.tool_calls
            ],
            "document": None if self.document is None else json.dumps(self.document),
            "stop_reason": self.stop_reason,
            "error": None if self.error is None else f"{type(self.error).__name__}: {self.error}",
        }  # fmt: skip


Adapter = Callable[[str, str, Conversation], ClientOutcome]


@dataclass(frozen=True, slots=True)
class RequestSeen:
    """One HTTP request the server saw during a call (from the mock's journal)."""

    started: float  # epoch seconds
    method: str
    path: str
    status: int
    body: Any
    violations: tuple[Violation, ...] = ()
    step: str | None = None  # the scenario step that answered
    # When the mock's scenario refused the request as matching no step: the rule of its 404
    # (scenario.no_match, scenario.finished; scenario.unknown, a 400, for an x-mock-scenario
    # naming no scenario) and its message, which says which matcher failed. None: a step answered.
    scenario_miss: str | None = None
    miss_message: str | None = None
    sessionless: bool = False  # sent during the call without the conversation's session header

    @property
    def matched(self) -> bool:
        """The scenario answered this request (no refusal as matching no step)."""
        return self.scenario_miss is None


@dataclass(frozen=True, slots=True)
class ClientCase:
    """The subject of client checks: one call of a scenario, what the client made of it and the
    requests the server saw."""

    scenario: Scenario
    step: Step
    conversation: Conversation
    outcome: ClientOutcome
    seen: tuple[RequestSeen, ...]

    @property
    def answering_step(self) -> Step:
        """The step whose answer the client got last (a retry is answered by a later step)."""
        for request in reversed(self.seen):
            if request.step is not None:
                found = self.scenario.step_named(request.step)
                if found is not None:
                    return found
        return self.step
