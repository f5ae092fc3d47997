"""The fault table: every fault name, its role, and its parameters with their types and bounds.

`contract.scenarios.faults` checks values against it wherever a fault is set (a scenario file, the
`x-mock-fault` header, the admin API, the pytest marker, chaos mode); `fault_forms` derives the
JSON Schema of scenario files from it. One table, so a bound is the same everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

ParamValue = int | float | str | bool
ParamKind = Literal["int", "number", "string", "bool"]
# What a fault does to the answer: replaces it, delays it, or rewrites a stream or the content.
FaultRole = Literal["replace", "delay", "stream", "content"]

# One minute: the longest any single wait may be (latency, stall, time to first token). A client
# that asks for more holds a server thread for nothing a test needs.
MAX_DELAY_MS = 60_000.0
# Slowest pace of a stream after its first token; slower paces (1e-9, 1e-300) meant sleeps of
# centuries or an OverflowError.
# A token a minute: the longest wait between two tokens is the longest delay (one pace everywhere:
# the slow_stream fault, a scenario step's pacing, `serve --tokens-per-second`).
MIN_TOKENS_PER_SECOND = 1000 / MAX_DELAY_MS
MAX_TOKENS_PER_SECOND = 100_000.0
MAX_RETRY_AFTER_S = 3600
# A string sent as a header value (redirect's location).
MAX_HEADER_CHARS = 2048
# Any other string parameter (a message, a raw body). Standing faults are read back on every chat
# request, so their texts stay small.
MAX_TEXT_CHARS = 8192
# How many requests a standing fault (admin API, pytest marker) applies to; a step's `times` has
# the same bound in the scenario schema.
MAX_TIMES = 1_000_000


@dataclass(frozen=True, slots=True)
class Gap:
    """Values from `low` to `high` inside a parameter's bounds that it still refuses, and why."""

    low: int
    high: int
    why: str


@dataclass(frozen=True, slots=True)
class Param:
    name: str
    kind: ParamKind
    summary: str
    default: ParamValue | None = None
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[ParamValue, ...] = ()
    exclusive_minimum: bool = False
    header: bool = False  # a string sent as an HTTP header value: visible ASCII, bounded
    note: str = ""  # said when a number that is not whole is refused
    gaps: tuple[Gap, ...] = ()  # integers within minimum..maximum refused all the same

    @property
    def max_chars(self) -> int:
        return MAX_HEADER_CHARS if self.header else MAX_TEXT_CHARS

    def ranges(self) -> list[tuple[float, float]]:
        """The bounds less the gaps, as (low, high) pairs; [] for a parameter without both."""
        if self.minimum is None or self.maximum is None:
            return []
        out = [(self.minimum, self.maximum)]
        for gap in self.gaps:
            out = [piece for low, high in out for piece in (
                (low, min(high, gap.low - 1)), (max(low, gap.high + 1), high)) if piece[0] <= piece[1]]
        return out


@dataclass(frozen=True, slots=True)
class FaultKind:
    name: str
    role: FaultRole
    summary: str
    params: tuple[Param, ...] = ()
    stream_only: bool = False

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)


def _status(default: int, summary: str = "HTTP status of the answer (400-599)") -> Param:
    return Param("status", "int", summary, default, 400, 599)


# A 3xx answer without a Location header redirects nowhere (the redirect fault sends one), and
# HTTP forbids a body in a 204, 205 or 304 answer: sent anyway, the client never reads it.
_REDIRECT = ("a 3xx answer is a redirect and this fault sends no Location header (use the redirect "
             "fault)")
_INTERIM = Gap(100, 199, "a 1xx answer is interim; HTTP always sends a final one after it")
_BODY_STATUS = Param("status", "int", "HTTP status of the answer: 2xx but 204 and 205, or 4xx-5xx",
                     200, 100, 599, gaps=(
    _INTERIM,
    Gap(204, 205, "HTTP forbids a body in a 204 or 205 answer, so the client would never see the "
                  "cut JSON"),
    Gap(304, 304, "a 304 answer has no body (HTTP forbids one), so the client would never see the "
                  "cut JSON"),
    Gap(300, 399, _REDIRECT),
))
_EMPTY_STATUS = Param("status", "int", "HTTP status of the empty answer: 2xx (204 and 205 "
                      "included) or 4xx-5xx", 200, 100, 599, gaps=(
    _INTERIM,
    Gap(304, 304, "a 304 answer only says a cached copy is fresh (to a conditional GET)"),
    Gap(300, 399, _REDIRECT),
))


def _delay(name: str, summary: str, default: float | None = None) -> Param:
    return Param(name, "number", summary, default, 0, MAX_DELAY_MS)


def _retry_after(default: int | None = None) -> tuple[Param, Param]:
    return (
        Param("retry_after", "int", "whole seconds, sent as the retry-after header", default, 0,
              MAX_RETRY_AFTER_S,
              note="; a Retry-After is whole seconds (retry_after_ms takes fractions)"),
        Param("retry_after_ms", "number", "milliseconds, sent as the retry-after-ms header", None,
              0, MAX_RETRY_AFTER_S * 1000),
    )


def _after(default: int, summary: str) -> Param:
    return Param("after", "int", summary, default, 0, 100_000)


FAULT_KINDS: dict[str, FaultKind] = {kind.name: kind for kind in (
    FaultKind("latency", "delay", "wait before answering", (
        Param("distribution", "string", "fixed, uniform or lognormal", "fixed",
              choices=("fixed", "uniform", "lognormal")),
        _delay("ms", "fixed: the delay in milliseconds"),
        _delay("min_ms", "uniform: the shortest delay"),
        _delay("max_ms", "uniform: the longest delay"),
        Param("median_ms", "number", "lognormal: the median delay", None, 0, MAX_DELAY_MS, (),
              True),
        Param("sigma", "number", "lognormal: spread (standard deviation of the log)", 0.5, 0, 5),
        _delay("cap_ms", "lognormal: never wait longer than this", 60_000.0),
    )),
    FaultKind("slow_stream", "stream", "pace a stream: time to first token, then tokens/second", (
        _delay("ttft_ms", "time to first token in milliseconds", 0.0),
        Param("tokens_per_second", "number", "pace after the first token", 20.0,
              MIN_TOKENS_PER_SECOND, MAX_TOKENS_PER_SECOND),
    ), stream_only=True),
    FaultKind("http_error", "replace", "answer with an HTTP error", (
        _status(500),
        Param("message", "string", "the error's detail text"),
        Param("body", "string", "a raw body sent verbatim instead of the contract's error body"),
        *_retry_after(),
        Param("should_retry", "bool", "sent as the x-should-retry header"),
    )),
    FaultKind("rate_limit", "replace", "answer 429 with the x-ratelimit-* headers at zero", (
        *_retry_after(1),
        Param("limit", "int", "the limit the headers report", 60, 1, 10_000_000),
        Param("kind", "string", "which budget ran out: requests or tokens", "requests",
              choices=("requests", "tokens")),
    )),
    FaultKind("fail_then_succeed", "replace",
              "fail the first N identical requests of a session, then answer normally", (
        Param("times", "int", "how many identical requests fail first", 1, 1, 100),
        _status(503),
        *_retry_after(),
    )),
    FaultKind("reset", "replace", "drop the connection without answering"),
    FaultKind("empty_response", "replace", "answer with an empty body", (_EMPTY_STATUS,)),
    FaultKind("malformed_json", "content", "send the JSON answer cut in half", (_BODY_STATUS,)),
    FaultKind("malformed_sse", "stream", "after N events, send a record that is not JSON", (
        _after(1, "good events before the broken record"),
    ), stream_only=True),
    FaultKind("truncate_stream", "stream",
              "after N events, drop the connection without finishing the body", (
        _after(3, "events sent before the connection drops"),
    ), stream_only=True),
    FaultKind("stream_error", "stream", "after N events, write an error line and end the stream", (
        _after(2, "events sent before the error line"),
        _status(500, "status named in the error line"),
        Param("message", "string", "the error's text", "the model failed mid-stream"),
    ), stream_only=True),
    FaultKind("stall", "delay", "go silent for a while (before answering, or after N events)", (
        _delay("ms", "how long to stay silent", 30_000.0),
        Param("after", "int", "stall after this many stream events; -1: before the answer", -1,
              -1, 100_000),
    )),
    FaultKind("redirect", "replace",
              "answer the first N identical requests with a redirect (307 as seen on compat)", (
        Param("status", "int", "redirect status", 307, choices=(301, 302, 303, 307, 308)),
        Param("times", "int", "how many identical requests are redirected", 1, 1, 100),
        Param("location", "string", "where to; default: the same path", header=True),
    )),
    FaultKind("tool_call_as_text", "content",
              "the model writes its tool call into the text instead of calling the tool", (
        Param("style", "string", "json ({\"name\":...,\"parameters\":...}) or pythonic "
              "([get_weather(city=\"Paris\")])", "json", choices=("json", "pythonic")),
    )),
)}
