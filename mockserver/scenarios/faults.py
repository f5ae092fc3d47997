"""Faults in action: what each fault of `contract.scenarios.faults` does to an answer.

`plan_faults(specs, context)` turns validated `FaultSpec`s into a `FaultPlan`: a delay before
answering, an answer that replaces the normal one, rewrites of the normal answer (its content, its
JSON text, its stream). Everything random is drawn from a generator seeded by the server seed, the
request and how many times that identical request was seen, so a run replays exactly.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from contract.scenarios.faults import (
    FaultSpec,
    check_fault_set,
    make_fault,
)
from contract.violations import Violation
from mockserver.core.errors import error_body, json_bytes
from mockserver.core.http import Dialect, MockResponse
from mockserver.scenarios.fault_streams import (
    ConnectionCut,
    Sleep,
    StreamRewrite,
    error_line_after,
    malformed_after,
    paced,
    paced_stream,
    stall_after,
    truncate_after,
)
from mockserver.state.store import Store

__all__ = [
    "ConnectionCut",
    "FaultContext",
    "FaultPlan",
    "chaos_faults",
    "merge_faults",
    "paced_stream",
    "plan_faults",
    "rate_limit_headers",
    "retry_headers",
    "tool_calls_as_text",
]


@dataclass(frozen=True, slots=True)
class FaultContext:
    dialect: Dialect
    stream: bool
    path: str
    request_key: str  # identifies an identical request (see contract.scenarios.match.request_key)
    session: str = ""
    seed: int = 0
    occurrence: int = 1  # how many times this identical request was seen in this session


@dataclass(slots=True)
class FaultPlan:
    delay_s: float = 0.0
    replacement: MockResponse | None = None
    stream_rewrites: list[StreamRewrite] = field(default_factory=list)
    body_rewrites: list[Callable[[bytes], bytes]] = field(default_factory=list)
    rewritten_status: int | None = None  # malformed_json's status, sent with the cut body
    tool_call_style: str | None = None  # tool_call_as_text
    applied: list[FaultSpec] = field(default_factory=list)
    cuts_stream: bool = False  # truncate_stream: the answer breaks off
    in_stream: list[str] = field(default_factory=list)  # delays that wait between events

    @property
    def active(self) -> bool:
        return bool(self.applied)

    def cut(self, response: MockResponse) -> MockResponse:
        """`response` with malformed_json's cut body and status, when the plan has it."""
        if isinstance(response.body, bytes) and self.body_rewrites:
            for cut in self.body_rewrites:
                response.body = cut(response.body)
            response.status = self.rewritten_status or response.status
        return response

    def idle(self, acted: set[str]) -> frozenset[str]:
        """The faults that act on a generated answer or its stream (a stall after N events
        too), other than `acted`."""
        acting = frozenset(f.name for f in self.applied if f.kind.role in ("content", "stream"))
        return (acting | frozenset(self.in_stream)) - acted


def rng_for(context: FaultContext, name: str) -> random.Random:
    """A generator fixed by seed, fault, request and occurrence: the same run draws the same."""
    material = f"{context.seed}|{name}|{context.session}|{context.request_key}|{context.occurrence}"
    return random.Random(int.from_bytes(hashlib.sha256(material.encode()).digest()[:8], "big"))


def latency_ms(spec: FaultSpec, rng: random.Random) -> float:
    distribution = spec.get("distribution", "fixed")
    if distribution == "uniform":
        return rng.uniform(float(spec.get("min_ms")), float(spec.get("max_ms")))
    if distribution == "lognormal":
        median = float(spec.get("median_ms"))
        value = median * math.exp(float(spec.get("sigma", 0.5)) * rng.gauss(0.0, 1.0))
        return min(value, float(spec.get("cap_ms", 60_000.0)))
    return float(spec.get("ms", 0.0))


def _error_response(
    spec: FaultSpec, status: int, context: FaultContext, *, rule: str = "fault.injected",
    message: str | None = None, headers: Sequence[tuple[str, str]] = (),
) -> MockResponse:
    detail = message or spec.text("message") or (
        f"fault {spec.name}: the mock answers {status} on purpose")
    raw = spec.text("body")
    body = raw.encode("utf-8") if raw is not None else json_bytes(
        error_body(status, [Violation(rule, "", detail)], dialect=context.dialect, detail=detail)
    )
    out = [*headers, *retry_headers(spec)]
    should_retry = spec.get("should_retry")
    if isinstance(should_retry, bool):
        out.append(("x-should-retry", "true" if should_retry else "false"))
    return MockResponse(status, body, out)


def retry_headers(spec: FaultSpec) -> list[tuple[str, str]]:
    """The `retry-after` and `retry-after-ms` headers a fault's answer carries (its parameters)."""
    out = []
    for param, header in (("retry_after", "retry-after"), ("retry_after_ms", "retry-after-ms")):
        value = spec.number(param)
        if value is not None:
            out.append((header, str(int(value)) if float(value).is_integer() else str(value)))
    return out


def rate_limit_headers(spec: FaultSpec) -> list[tuple[str, str]]:
    """The `x-ratelimit-*` headers of a `rate_limit` fault's 429."""
    limit = spec.integer("limit", 60)
    kind = spec.get("kind", "requests")
    return [
        ("x-ratelimit-limit-requests", str(limit)),
        ("x-ratelimit-remaining-requests", "0" if kind == "requests" else str(limit)),
        ("x-ratelimit-limit-tokens", str(limit * 1000)),
        ("x-ratelimit-remaining-tokens", "0" if kind == "tokens" else str(limit * 1000)),
    ]


def _rate_limit(spec: FaultSpec, context: FaultContext) -> MockResponse:
    limit, kind = spec.integer("limit", 60), spec.get("kind", "requests")
    message = f"rate limit reached: {limit} {kind} per minute (fault rate_limit)"
    return _error_response(spec, 429, context, rule=f"rate_limit.{kind}", message=message,
                           headers=rate_limit_headers(spec))


def _count(store: Store, key: str) -> int:
    counted: int = store.update(key, lambda old: (old or 0) + 1)
    return counted


def plan_faults(
    specs: Sequence[FaultSpec], context: FaultContext, *, store: Store, sleep: Sleep = time.sleep
) -> FaultPlan:
    """What `specs` do to this request. Counted faults (fail_then_succeed, redirect) count in
    `store` per session and identical request."""
    plan = FaultPlan()
    for spec in specs:
        if spec.kind.stream_only and not context.stream:
            continue
        name = spec.name
        if name == "latency":
            plan.delay_s += latency_ms(spec, rng_for(context, name)) / 1000.0
        elif name == "stall":
            after = spec.integer("after", -1)
            seconds = float(spec.get("ms", 0.0)) / 1000.0
            if after < 0 or not context.stream:
                plan.delay_s += seconds
            else:
                plan.stream_rewrites.append(stall_after(after, seconds, sleep))
                plan.in_stream.append(name)
        elif name in ("fail_then_succeed", "redirect"):
            count = _count(store, f"fault:{name}:{context.session}:{context.request_key}")
            if count > spec.integer("times", 1):
                continue  # this identical request has failed enough: answer normally
            if name == "redirect":
                location = spec.text("location") or context.path
                plan.replacement = MockResponse(
                    spec.integer("status", 307), b"", [("location", location)]
                )
            else:
                plan.replacement = _error_response(spec, spec.integer("status", 503), context)
        elif name == "http_error":
            plan.replacement = _error_response(spec, spec.integer("status", 500), context)
        elif name == "rate_limit":
            plan.replacement = _rate_limit(spec, context)
        elif name == "reset":
            plan.replacement = MockResponse(500, b"", reset=True)
        elif name == "empty_response":
            plan.replacement = MockResponse(spec.integer("status", 200), b"")
        elif name == "malformed_json":
            plan.body_rewrites.append(_cut_in_half)
            plan.rewritten_status = spec.integer("status", 200)
        elif name == "tool_call_as_text":
            plan.tool_call_style = str(spec.get("style", "json"))
        elif name == "slow_stream":
            plan.stream_rewrites.append(paced(
                float(spec.get("ttft_ms", 0.0)), float(spec.get("tokens_per_second", 0.0)), sleep
            ))
        elif name == "truncate_stream":
            plan.stream_rewrites.append(truncate_after(spec.integer("after", 3)))
            plan.cuts_stream = True
        elif name == "stream_error":
            plan.stream_rewrites.append(error_line_after(
                spec.integer("after", 2), status=spec.integer("status", 500),
                message=spec.text("message") or "the model failed mid-stream",
                dialect=context.dialect))
        elif name == "malformed_sse":
            plan.stream_rewrites.append(malformed_after(spec.integer("after", 1)))
        plan.applied.append(spec)
    return plan


def _cut_in_half(body: bytes) -> bytes:
    return body[: max(1, len(body) // 2)]


def merge_faults(*sources: Sequence[FaultSpec]) -> tuple[FaultSpec, ...]:
    """Combine fault lists, earlier sources first in priority: a name given by an earlier source
    wins, and only the first fault that replaces the answer is kept."""
    chosen: list[FaultSpec] = []
    for source in sources:
        for spec in source:
            if any(other.name == spec.name for other in chosen):
                continue
            if spec.kind.role == "replace" and any(o.kind.role == "replace" for o in chosen):
                continue
            chosen.append(spec)
    check_fault_set(tuple(chosen))
    return tuple(chosen)


_CHAOS_ANSWER: tuple[tuple[str, dict[str, object]], ...] = (
    ("http_error", {"status": 500}),
    ("http_error", {"status": 503, "retry_after_ms": 100}),
    ("rate_limit", {"retry_after_ms": 100}),
    ("latency", {"distribution": "uniform", "min_ms": 20, "max_ms": 300}),
    ("empty_response", {}),
    ("malformed_json", {}),
    ("reset", {}),
)
_CHAOS_STREAM: tuple[tuple[str, dict[str, object]], ...] = (
    ("truncate_stream", {"after": 2}),
    ("stream_error", {"after": 2}),
    ("malformed_sse", {"after": 2}),
    ("slow_stream", {"ttft_ms": 200, "tokens_per_second": 200}),
)


def chaos_faults(rate: float, context: FaultContext) -> tuple[FaultSpec, ...]:
    """At random (seeded), with probability `rate`, one fault that suits the request."""
    if rate <= 0:
        return ()
    rng = rng_for(context, "chaos")
    if rng.random() >= rate:
        return ()
    pool = _CHAOS_ANSWER + (_CHAOS_STREAM if context.stream else ())
    name, params = pool[rng.randrange(len(pool))]
    return (make_fault(name, params),)


def tool_calls_as_text(calls: Sequence[tuple[str, str]], *, style: str) -> str:
    """Tool calls (name, JSON arguments) written as text the way Llama models do when a client's
    prompt format is off: JSON objects (Llama 3) or a pythonic list (Llama 4)."""
    def arguments_of(text: str) -> Any:
        try:
            return json.loads(text)
        except ValueError:
            return text

    if style == "pythonic":
        parts = []
        for name, arguments in calls:
            value = arguments_of(arguments)
            pairs = value.items() if isinstance(value, dict) else []
            inner = ", ".join(
                f"{key}={json.dumps(item, ensure_ascii=False)}" for key, item in pairs)
            parts.append(f"{name}({inner})")
        return "[" + ", ".join(parts) + "]"
    return "; ".join(
        json.dumps({"type": "function", "name": name, "parameters": arguments_of(arguments)},
                   ensure_ascii=False)
        for name, arguments in calls
    )
