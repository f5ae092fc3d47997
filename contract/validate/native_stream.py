"""Validating streams: each chunk against its schema, and the whole stream's order, ids and totals.

A stream is given as its `data:` payloads, one per record: parsed chunk dicts, or raw strings (so
that `[DONE]` can be seen). Violations carry `line`, the 1-based number of the record.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from contract.validate.compat_stream import CompatStream
from contract.validate.documents import Endpoint, finish, validate_response
from contract.validate.explain import show
from contract.validate.response_rules import stop_reason_findings, token_metrics
from contract.validate.stream_state import StreamState, chunk_findings
from contract.violations import ValidationResult

_NEXT_EVENTS: dict[str | None, tuple[str, ...]] = {
    None: ("start",),
    "start": ("progress", "complete"),
    "progress": ("progress", "complete"),
    "complete": ("metrics",),
    "metrics": (),
}
_RANK = {"start": 0, "progress": 1, "complete": 2, "metrics": 3}
_ORDER_TEXT = "events go start -> progress* -> complete -> metrics"


def validate_chunk(payload: Any, *, endpoint: Endpoint = "native") -> ValidationResult:
    """One stream chunk on its own (no order or [DONE] checks)."""
    return validate_response(payload, endpoint=endpoint, kind="chunk")


def validate_stream(chunks: Iterable[Any], *, endpoint: Endpoint = "native") -> ValidationResult:
    """Check a whole stream: every chunk, then order, ids, tool calls, totals and `[DONE]`."""
    if endpoint not in ("native", "compat"):
        raise ValueError(f"unknown endpoint {endpoint!r}; use 'native' or 'compat'")
    if isinstance(chunks, str | bytes | bytearray | dict):
        raise TypeError("pass the stream's records (one chunk or data payload each), not one value")
    state: CompatStream | NativeStream = CompatStream() if endpoint == "compat" else NativeStream()
    state.run(chunks)
    return finish(state.found, [])


class NativeStream(StreamState):
    """A native stream: start -> progress* -> complete -> metrics, no [DONE]."""

    def __init__(self) -> None:
        super().__init__()
        self.event: str | None = None
        self.stop_reason: Any = None
        self.complete_line: int | None = None
        self.metrics_seen: tuple[int, dict[str, Any]] | None = None

    def done(self, line: int) -> None:
        self.add(
            line,
            "stream.done.native",
            "",
            "'data: [DONE]' on a native stream; the official SDK parses every record "
            "as JSON and fails on it",
        )

    def chunk(self, line: int, chunk: dict[str, Any]) -> None:
        self.chunks += 1
        self.found.extend(chunk_findings(chunk, line, endpoint="native"))
        self.check_id(line, chunk)
        event = chunk.get("event")
        if not isinstance(event, dict):
            return
        event_type = event.get("event_type")
        if event_type in _NEXT_EVENTS:
            self.order(line, str(event_type))
        delta = event.get("delta")
        if isinstance(delta, dict) and delta.get("type") == "tool_call":
            function = delta.get("function")
            function = function if isinstance(function, dict) else {}
            call_id = delta.get("id")
            key = call_id if isinstance(call_id, str) else self.last_call
            self.tool_call_delta(
                line, key, call_id, function.get("name"), function.get("arguments"), "/event/delta"
            )
        if event_type == "complete":
            self.complete_line, self.stop_reason = line, event.get("stop_reason")
            if self.stop_reason is None:
                message = "the complete event has no stop_reason (stop, tool_calls or length)"
                self.add(line, "stream.stop_reason.missing", "/event/stop_reason", message)
        if isinstance(event.get("metrics"), list):
            self.compare_metrics(line, event["metrics"])

    def order(self, line: int, event_type: str) -> None:
        allowed = _NEXT_EVENTS[self.event]
        if event_type not in allowed:
            if self.event is None:
                found = f"the stream starts with {show(event_type)}; the first event is 'start'"
            else:
                found = f"{show(event_type)} after {show(self.event)}"
                found += f"; expected {' or '.join(map(show, allowed))}" if allowed else ""
            self.add(line, "stream.order", "/event/event_type", f"{found}; {_ORDER_TEXT}")
            if self.event is not None and _RANK[event_type] <= _RANK[self.event]:
                return  # a stray event: keep the place, so the events after it are judged fairly
        self.event = event_type

    def unfinished(self) -> str:
        """What a stream that stops before its metrics event lacks, and how it must end."""
        must = 'a native stream must end with a "complete" event, then a "metrics" event'
        if self.event is None:
            return f"no record has an event_type of start, progress, complete or metrics; {must}"
        missing = ('"metrics" event' if self.event == "complete"
                   else '"complete" event and no "metrics" event')  # fmt: skip
        return f"the stream ends after {show(self.event)}, with no {missing}; {must}"

    def compare_metrics(self, line: int, metrics: list[Any]) -> None:
        values = {name: value for name, (_, value) in token_metrics(metrics).items()}
        if self.metrics_seen is None:
            self.metrics_seen = (line, values)
        elif values != self.metrics_seen[1]:
            self.add(
                line,
                "metrics.inconsistent",
                "/event/metrics",
                f"these metrics {show(values)} differ from those of record "
                f"{self.metrics_seen[0]} {show(self.metrics_seen[1])}",
            )

    def end(self) -> None:
        if self.chunks == 0:
            self.add(max(self.last_line, 1), "stream.empty", "", "the stream has no events")
            return
        if self.event != "metrics":
            self.add(self.last_line, "stream.order", "", self.unfinished())
        self.check_tool_arguments()
        if self.complete_line is not None:
            calls = list(self.calls.values())
            where = ["event", "stop_reason"]
            for violation in stop_reason_findings(self.stop_reason, calls, where):
                self.found.append(violation.at_line(self.complete_line))
