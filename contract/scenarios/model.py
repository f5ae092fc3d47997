"""What a loaded scenario is: immutable dataclasses, built and checked in `scenario_build`."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from contract.scenarios.faults import FaultSpec
from contract.scenarios.patterns import ScenarioPattern

Endpoint = Literal["native", "compat"]
StopReason = Literal["stop", "tool_calls", "length"]
WhenDone = Literal["repeat_last", "restart", "fail"]
CHAT_PATH_SUFFIX = "/chat/completions"
# Final statuses a step may answer with but HTTP sends without a body (the respond rules say why).
BODILESS_STATUSES = frozenset({204, 205})


def cut_by_sizes(text: str, sizes: tuple[int, ...]) -> list[str]:
    """`text` in pieces of the given sizes in characters, repeated until the text ends (0: an
    empty piece): how a scenario's `deltas` cut a streamed text or arguments."""
    if not any(sizes):
        raise ValueError("delta sizes need one above 0")
    out: list[str] = []
    start = 0
    while start < len(text):
        size = sizes[len(out) % len(sizes)]
        out.append(text[start : start + size])
        start += size
    return out


@dataclass(frozen=True, slots=True)
class Match:
    """Conditions a request must meet for a step to answer it; unset conditions always hold."""

    endpoint: Endpoint | None = None
    path: str | None = None  # None: the chat completions endpoint of either dialect
    models: tuple[str, ...] = ()  # any of these
    stream: bool | None = None
    tools: bool | None = None
    tool_names: tuple[str, ...] = ()  # all of these are offered
    tool_result: bool | None = None  # the last message is a tool result
    user_contains: str | None = None  # case-sensitive substring of the last user message
    user_regex: ScenarioPattern | None = None
    headers: tuple[tuple[str, str], ...] = ()  # lower-case name, exact value

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.endpoint is not None:
            out["endpoint"] = self.endpoint
        if self.path is not None:
            out["path"] = self.path
        if self.models:
            out["model"] = self.models[0] if len(self.models) == 1 else list(self.models)
        if self.stream is not None:
            out["stream"] = self.stream
        if self.tool_names:
            out["tools"] = list(self.tool_names)
        elif self.tools is not None:
            out["tools"] = self.tools
        if self.tool_result is not None:
            out["tool_result"] = self.tool_result
        user: dict[str, str] = {}
        if self.user_contains is not None:
            user["contains"] = self.user_contains
        if self.user_regex is not None:
            user["regex"] = self.user_regex.pattern
        if user:
            out["last_user_message"] = user
        if self.headers:
            out["headers"] = dict(self.headers)
        return out


@dataclass(frozen=True, slots=True)
class ToolCallSpec:
    name: str
    arguments: str  # the JSON text the answer carries (kept verbatim when written as a string)
    id: str | None = None


@dataclass(frozen=True, slots=True)
class Pacing:
    ttft_ms: float = 0.0
    tokens_per_second: float = 0.0  # 0: no pacing after the first token


@dataclass(frozen=True, slots=True)
class Respond:
    """A scripted answer. Without text, tool calls, document, body, an error or a bodiless status
    the engine writes it."""

    text: str | None = None
    tool_calls: tuple[ToolCallSpec, ...] = ()
    document: Any = None  # structured output: sent as the compact JSON text of the content
    stop_reason: StopReason | None = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    status: int = 200
    error: str | dict[str, Any] | None = None  # detail text, or a whole error body sent verbatim
    headers: tuple[tuple[str, str], ...] = ()
    pacing: Pacing | None = None
    deltas: tuple[int, ...] = ()  # stream delta sizes in characters, cycled; 0: an empty delta
    body: Any = None  # a literal JSON body, for any endpoint
    has_body: bool = False

    @property
    def is_error(self) -> bool:
        return self.status >= 400

    @property
    def bodiless(self) -> bool:
        """A status HTTP sends without a body (204, 205): the answer is the status alone."""
        return self.status in BODILESS_STATUSES

    def to_dict(self) -> dict[str, Any]:
        """The scripted answer as a scenario file writes it (content, stop reason, metrics and
        stream deltas; error answers and literal bodies are written by hand)."""
        out: dict[str, Any] = {}
        if self.document is not None:
            out["document"] = self.document
        elif self.text is not None:
            out["text"] = self.text
        if self.tool_calls:
            out["tool_calls"] = [
                {"name": c.name, "arguments": c.arguments, **({"id": c.id} if c.id else {})}
                for c in self.tool_calls
            ]
        if self.stop_reason is not None:
            out["stop_reason"] = self.stop_reason
        metrics = {
            key: value
            for key, value in (("prompt_tokens", self.prompt_tokens),
                               ("completion_tokens", self.completion_tokens))
            if value is not None
        }  # fmt: skip
        if metrics:
            out["metrics"] = metrics
        if self.deltas:
            out["deltas"] = list(self.deltas)
        return out

    @property
    def scripted(self) -> bool:
        """True when the file says what the answer is (rather than leaving it to the engine)."""
        return (self.text is not None or bool(self.tool_calls) or self.document is not None
                or self.has_body or self.is_error or self.bodiless)

    @property
    def content_text(self) -> str:
        if self.document is not None:
            return json.dumps(self.document, ensure_ascii=False, separators=(",", ":"))
        return self.text or ""

    @property
    def resolved_stop_reason(self) -> StopReason:
        if self.stop_reason is not None:
            return self.stop_reason
        return "tool_calls" if self.tool_calls else "stop"


@dataclass(frozen=True, slots=True)
class Expect:
    """What a conforming client (or server) must show for a step."""

    status: int | None = None
    stop_reason: StopReason | None = None
    text_contains: str | None = None
    text_regex: ScenarioPattern | None = None
    tools_called: tuple[str, ...] = ()
    tool_calls: int | None = None
    document: bool | None = None  # the text is a JSON document
    raises: bool | None = None  # the client surfaces an error (an exception, a failed stream)
    requests: int | None = None  # HTTP requests the server sees for this step, retries included
    min_retry_wait_ms: float | None = None
    warnings: tuple[str, ...] = ()  # rule ids of contract warnings the answer carries


@dataclass(frozen=True, slots=True)
class Step:
    index: int
    name: str
    match: Match = field(default_factory=Match)
    respond: Respond | None = None
    faults: tuple[FaultSpec, ...] = ()
    expect: Expect | None = None
    times: int = 1
    request: dict[str, Any] | None = None  # the request a client sends at this step (an example)
    description: str = ""
    line: int | None = None

    @property
    def label(self) -> str:
        return f"step {self.index + 1} ({self.name!r})"


@dataclass(frozen=True, slots=True)
class Scenario:
    name: str
    steps: tuple[Step, ...]
    description: str = ""
    tags: tuple[str, ...] = ()
    when_done: WhenDone = "repeat_last"
    source: Path | None = None

    def step_named(self, name: str) -> Step | None:
        return next((step for step in self.steps if step.name == name), None)

    def summary_line(self) -> str:
        """One line: name first, then step count, tags and description."""
        tags = f" [{', '.join(self.tags)}]" if self.tags else ""
        count = len(self.steps)
        steps = f"{count} step{'s' if count != 1 else ''}"
        return f"{self.name}  {steps}{tags}  {self.description}".rstrip()
