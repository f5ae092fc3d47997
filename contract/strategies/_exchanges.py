"""Whole exchanges: a request a client sends and the answer the mock is told to give it.

A `ClientExchange` is data: a conforming request, a scripted answer drawn to reach the contract's edge
cases (empty deltas mid-stream, text in any script, arguments cut through strings and escapes,
several tool calls, every stop reason, optional token counts) and, on request, a fault from the
fault vocabulary. `ClientExchange.scenario()` turns it into a one-step scenario, the mechanism the mock
already serves, so a client can be played against it and graded by the client checks.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from contract.scenarios.faults import FaultSpec, make_fault
from contract.scenarios.model import (
    Expect,
    Match,
    Respond,
    Scenario,
    Step,
    ToolCallSpec,
    cut_by_sizes,
)
from contract.strategies._common import (
    JSON,
    Endpoint,
    call_id,
    check_endpoint,
    check_flag,
    texts,
)
from contract.strategies._requests import chat_requests
from contract.strategies._schemas import _value_for, arguments_for

SCENARIO_NAME = "generated-exchange"
# Pieces real answers carry and clients mangle: combining marks, emoji sequences, flags,
# right-to-left scripts, astral characters, escapes and whitespace.
_TRICKY = (
    "e\u0301", "n\u0303o", "\U0001f469\u200d\U0001f4bb", "\U0001f1eb\U0001f1f7", "\U0001f44d\U0001f3fd",
    "\u05e9\u05dc\u05d5\u05dd", "\u0645\u0631\u062d\u0628\u0627", "\U0001d518\U0001d52b",
    "\u4f60\u597d", "\\", '"', "\n", "\t", " ", "\u00a0", "\u200b", "ok", "\ufeff",
)  # fmt: skip
_PADDING = ("", "", "", " ", "\n", "  \t")
_DELTA_SIZES = (0, 0, 1, 1, 2, 3, 5, 8)  # characters a delta; 0 an empty delta
_ERROR_STATUSES = (400, 401, 403, 404, 408, 409, 413, 422, 429, 500, 502, 503, 504)
_BREAKING = frozenset(("http_error", "truncate_stream", "stream_error", "malformed_sse",
                       "malformed_json", "empty_response", "rate_limit", "reset"))  # fmt: skip


@dataclass(frozen=True, slots=True)
class ClientExchange:
    """One call: the request the client sends and what the mock answers."""

    endpoint: Endpoint
    request: dict[str, Any]
    respond: Respond
    faults: tuple[FaultSpec, ...] = field(default=())

    @property
    def stream(self) -> bool:
        return self.request.get("stream") is True

    @property
    def breaks(self) -> bool:
        """Whether the answer is an error the client must surface (a fault on purpose)."""
        return any(fault.name in _BREAKING for fault in self.faults)

    @property
    def replaced(self) -> bool:
        """Whether a fault replaces the answer (an error status, a dropped connection)."""
        return any(fault.kind.role == "replace" for fault in self.faults)

    def content_deltas(self) -> int:
        """How many content deltas a stream of this answer carries (text and arguments)."""
        respond = self.respond
        texts_sent = [respond.content_text, *(call.arguments for call in respond.tool_calls)]
        if not respond.deltas:
            return sum(1 for text in texts_sent if text)
        return sum(len(cut_by_sizes(text, respond.deltas)) for text in texts_sent)

    def scenario(self, name: str = SCENARIO_NAME) -> Scenario:
        """A one-step scenario that gives this answer to this request."""
        path = ("/compat/v1" if self.endpoint == "compat" else "/v1") + "/chat/completions"
        step = Step(
            index=0,
            name="exchange",
            match=Match(endpoint=self.endpoint, path=path),
            respond=self.respond,
            faults=self.faults,
            expect=Expect(raises=True) if self.breaks else None,
            request=self.request,
        )
        return Scenario(name=name, steps=(step,), description="a generated exchange")

    def to_data(self, name: str = SCENARIO_NAME) -> dict[str, Any]:
        """The exchange as a scenario file's data (JSON, which YAML reads too)."""
        step: dict[str, Any] = {
            "name": "exchange",
            "match": {"endpoint": self.endpoint, "stream": self.stream},
            "request": self.request,
        }
        if not self.replaced:  # a fault that replaces the answer sends no respond at all
            step["respond"] = self.respond.to_dict()
        if self.faults:
            step["fault"] = [fault.to_dict() for fault in self.faults]
        if self.breaks:
            step["expect"] = {"raises": True}
        return {"name": name, "description": "a generated exchange", "steps": [step]}

    def __str__(self) -> str:
        return json.dumps(self.to_data(), ensure_ascii=False, indent=2)

    def __repr__(self) -> str:
        respond = self.respond
        said = (
            f"document={respond.document!r}" if respond.document is not None
            else f"tool_calls={[(c.name, c.arguments) for c in respond.tool_calls]!r}"
            if respond.tool_calls else f"text={respond.text!r}"
        )  # fmt: skip
        parts = [self.endpoint, "stream" if self.stream else "whole", said]
        if respond.deltas:
            parts.append(f"deltas={respond.deltas!r}")
        if self.faults:
            parts.append(f"faults=[{'; '.join(str(f) for f in self.faults)}]")
        return f"ClientExchange({', '.join(parts)})"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(repr(self))  # hypothesis shows a failing example with this


@st.composite
def _tricky_text(draw: st.DrawFn, max_size: int) -> str:
    pieces = st.one_of(st.sampled_from(_TRICKY), texts(min_size=1, max_size=8))
    body = "".join(
        draw(st.lists(pieces, min_size=draw(st.sampled_from((0, 1, 1))), max_size=max_size // 4))
    )
    return draw(st.sampled_from(_PADDING)) + body + draw(st.sampled_from(_PADDING))


def tricky_texts(*, max_size: int = 60) -> st.SearchStrategy[str]:
    """Text in any script, with the pieces clients most often mangle, sometimes with whitespace
    at either end."""
    return _tricky_text(max_size)


def _calls(draw: st.DrawFn, request: JSON) -> tuple[ToolCallSpec, ...]:
    declared = [tool["function"] for tool in request.get("tools", ())]
    count = draw(st.sampled_from((1, 2, 2, 3)), label="tool calls")
    calls = []
    for index in range(count):
        function = draw(st.sampled_from(declared))
        arguments = arguments_for(
            draw, function.get("parameters"), strings=tricky_texts(max_size=24)
        )
        calls.append(ToolCallSpec(function["name"], arguments, call_id(draw, index)))
    return tuple(calls)


def _faults(draw: st.DrawFn, stream: bool) -> tuple[FaultSpec, ...]:
    kind = draw(st.sampled_from(("none",) * 5 + ("http_error", "stream" if stream else "body")))
    if kind == "none":
        return ()
    if kind == "http_error":
        status = draw(st.sampled_from(_ERROR_STATUSES), label="status")
        return (make_fault("http_error", {"status": status}),)
    if kind == "body":
        return (make_fault(draw(st.sampled_from(("malformed_json", "empty_response"))), {}),)
    name = draw(st.sampled_from(("truncate_stream", "stream_error", "malformed_sse")))
    return (make_fault(name, {"after": draw(st.integers(0, 6), label="after")}),)


@st.composite
def _exchanges(
    draw: st.DrawFn, endpoint: Endpoint | None, stream: bool | None, tools: bool | None,
    faults: bool,
) -> ClientExchange:  # fmt: skip
    where: Endpoint = (
        endpoint if endpoint is not None else draw(st.sampled_from(("native", "compat")))
    )
    streamed_wanted = stream if stream is not None else draw(st.booleans(), label="stream")
    tools_wanted = tools if tools is not None else draw(st.booleans(), label="tools")
    request = draw(
        chat_requests(endpoint=where, stream=streamed_wanted, tools=tools_wanted, strict=True)
    )
    streamed = request.get("stream") is True
    wants = request.get("response_format")
    schema = (
        wants.get("json_schema", {}).get("schema")
        if isinstance(wants, dict) and wants.get("type") == "json_schema"
        else None
    )
    respond: dict[str, Any] = {}
    document = _value_for(draw, schema) if isinstance(schema, dict) else None
    if request.get("tools") and draw(st.integers(0, 2), label="call tools") > 0:
        respond["tool_calls"] = _calls(draw, request)
        respond["stop_reason"] = "tool_calls"
    elif isinstance(document, dict):
        respond["document"] = document
        respond["stop_reason"] = "stop"
    else:
        respond["text"] = draw(tricky_texts(), label="text")  # "" too: an empty answer
        respond["stop_reason"] = draw(st.sampled_from(("stop", "length")), label="stop reason")
    if draw(st.booleans(), label="token counts"):
        respond["prompt_tokens"] = draw(st.integers(0, 100_000))
        respond["completion_tokens"] = draw(st.integers(0, 4096))
    if streamed and draw(st.integers(0, 2), label="cut the stream") > 0:
        sizes = draw(st.lists(st.sampled_from(_DELTA_SIZES), min_size=1, max_size=6).filter(any))
        respond["deltas"] = tuple(sizes)
    spec = Respond(**respond)
    chosen = _faults(draw, streamed) if faults else ()
    return ClientExchange(where, request, spec, chosen)


def exchanges(
    *,
    endpoint: str | None = None,
    stream: bool | None = None,
    tools: bool | None = None,
    faults: bool = False,
) -> st.SearchStrategy[ClientExchange]:
    """Whole exchanges: a conforming request and the answer the mock gives it, drawn to reach the
    contract's edge cases. `endpoint` ("native" or "compat"), `stream` and `tools`: None lets the
    strategy choose; `faults=True` also draws answers that fail on purpose (error statuses, broken
    or cut streams, malformed bodies), which a client must surface as errors."""
    if endpoint is not None and endpoint not in ("native", "compat"):
        raise InvalidArgument(
            f"endpoint={endpoint!r}; expected None (either, drawn per example), 'native' or "
            "'compat'"
        )
    where = check_endpoint(endpoint) if endpoint is not None else None
    for name, value in (("stream", stream), ("tools", tools)):
        check_flag(name, value, optional=True)
    check_flag("faults", faults, optional=False)
    return _exchanges(where, stream, tools, faults)
