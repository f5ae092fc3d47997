"""What the engine answers: a `Completion`, independent of endpoint and wire format."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from contract.violations import Violation

StopReason = Literal["stop", "tool_calls", "length"]


@dataclass(frozen=True, slots=True)
class ToolCall:
    id: str
    name: str
    arguments: str  # compact JSON text


@dataclass(frozen=True, slots=True)
class Completion:
    id: str
    text: str  # "" when the answer is only tool calls
    tool_calls: tuple[ToolCall, ...]
    stop_reason: StopReason
    prompt_tokens: int
    completion_tokens: int
    deltas: tuple[int, ...] = ()  # a scripted stream's delta sizes in characters (cycled)

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


class EngineError(Exception):
    """A request the engine cannot answer; the client's fault, so the HTTP layer answers 400."""

    def __init__(self, *, rule: str, path: str, message: str) -> None:
        super().__init__(f"{path or '/'}: {message} [{rule}]")
        self.rule = rule
        self.path = path
        self.message = message

    @property
    def violation(self) -> Violation:
        return Violation(self.rule, self.path, self.message)
