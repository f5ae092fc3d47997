"""Fault checks: what a gateway in front of the mock passes through of a fault scenario's step
(`check server --faults`). They grade a `FaultExchange`, an `Exchange` that knows what the step
answers; any other exchange they leave alone (None). The error body of a fault answer is graded by
the server checks (`error_body`), not here."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from contract.conformance.checks.exchange import Exchange
from contract.conformance.checks.registry import register
from contract.reading import ReadError, parse_json
from contract.validate.documents import validate_response
from contract.violations import Violation

# How the step's answer is sent: a JSON body ("none"), a whole stream, a stream cut after N
# events, a stream that ends with an error line after N events, a paced stream.
StreamShape = Literal["none", "whole", "cut", "error", "paced"]
# The pacing bounds are generous on purpose: a busy machine delays a reader, never speeds one up.
SOONER_SHARE = 0.5  # a paced stream that ends before half its paced time was not paced
TOGETHER_SHARE = 0.25  # tokens spread over less than a quarter of their paced span came together
MIN_SPAN_GRADED_S = 0.02  # a paced span shorter than this is not graded for spread
RETRIED_STATUSES = frozenset({408, 409, 429})  # besides 5xx: what clients and gateways retry
LATE_SLACK_S = 10.0  # a first token this much later than paced was held back
DONE = "[DONE]"  # the payload that ends a whole compat stream
_ERROR_LINE = {"native": "an error body as a bare JSON line, without data:",
               "compat": 'an OpenAI error body as a data: record, {"error": ...}, and no [DONE]'}  # fmt: skip
HEADERS_HINT = ("the mock plays a scenario only when the x-mock-scenario and x-mock-session "
                "headers reach it: the gateway must forward them")  # fmt: skip


@dataclass(frozen=True, slots=True)
class FaultExpectation:
    """What the mock answers to one request of a fault scenario, as its step says."""

    scenario: str
    step: str
    attempt: int  # the request's number in the scenario, from 1
    status: int
    headers: tuple[tuple[str, str], ...] = ()  # lower-case names, exact values
    stream: StreamShape = "none"
    events_before: int = 0  # cut, error: events sent before the cut or the error line
    ttft_s: float = 0.0  # paced: time to the first token
    tokens_per_second: float = 0.0  # paced: after the first token

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"scenario": self.scenario, "step": self.step,
                               "status": self.status, "headers": dict(self.headers),
                               "stream": self.stream}  # fmt: skip
        if self.stream in ("cut", "error"):
            out["events_before"] = self.events_before
        if self.stream == "paced":
            out["pacing"] = {"ttft_ms": self.ttft_s * 1000,
                             "tokens_per_second": self.tokens_per_second}  # fmt: skip
        return out


@dataclass
class FaultExchange(Exchange):
    """A request of a fault scenario, sent with the scenario headers, and what arrived."""

    expected: FaultExpectation | None = None
    read_error: str | None = None  # the body broke off after the status arrived
    token_times: list[float] = field(default_factory=list)  # s from the request to each token
    paced_span_s: float = 0.0  # paced: from the first token to the last, as the step paces them


def _fault(exchange: object) -> tuple[FaultExchange, FaultExpectation] | None:
    """The exchange and its expectation when the status arrived as the step answers it."""
    if not isinstance(exchange, FaultExchange) or exchange.expected is None:
        return None
    if exchange.status != exchange.expected.status:
        return None  # `fault_status` says so; the rest would be noise
    return exchange, exchange.expected


@register(name="fault_status", rule="server.fault.status", scope="server")
def fault_status(exchange: Exchange) -> list[Violation] | None:
    """A fault scenario's request arrives with the status its step answers."""
    if not isinstance(exchange, FaultExchange) or exchange.expected is None:
        return None
    if exchange.status is None:
        return None  # `answered` reports it
    expected = exchange.expected
    if exchange.status == expected.status:
        return []
    message = f"{exchange.status} where step {expected.step!r} answers {expected.status}"
    if 200 <= exchange.status < 300 and expected.status >= 400:
        message += f": the step's answer did not come through; the scenario was not played ({HEADERS_HINT})"
        if expected.status in RETRIED_STATUSES or expected.status >= 500:
            message += ", or the gateway answered on its own (a retry of its own, a cached answer)"
    elif expected.status < 500 <= exchange.status:
        message += ": the gateway answered an error of its own instead of passing the step's on"
    else:
        message += ": a gateway passes the status through unchanged"
    return [Violation("server.fault.status", "", message)]


@register(name="fault_headers", rule="server.fault.headers", scope="server")
def fault_headers(exchange: Exchange) -> list[Violation] | None:
    """retry-after, retry-after-ms and the x-ratelimit-* headers the step sends arrive unchanged."""
    found = _fault(exchange)
    if found is None or not found[1].headers:
        return None
    got, expected = found
    out = []
    for name, value in expected.headers:
        arrived = got.response_headers.get(name)
        if arrived == value:
            continue
        what = "is missing" if arrived is None else f"is {arrived!r}"
        out.append(Violation("server.fault.headers", f"/headers/{name}",
                             f"{what}; step {expected.step!r} sends {value!r}"))  # fmt: skip
    return out


@register(name="fault_stream", rule="server.fault.stream", scope="server")
def fault_stream(exchange: Exchange) -> list[Violation] | None:
    """A stream the step cuts arrives cut; one that fails mid-way arrives with its error line;
    an answer the step sends whole is not cut on the way."""
    found = _fault(exchange)
    if found is None:
        return None
    got, expected = found
    records = len(got.sse.payloads)
    if expected.stream not in ("cut", "error"):
        if got.read_error is None:
            return [] if expected.stream != "none" else None
        what = f"the stream broke off after {records} records" if expected.stream != "none" else (
            "the answer's body broke off")
        return [Violation("server.fault.stream", "", (
            f"{what} ({got.read_error}); step {expected.step!r} sends it whole: the gateway cut "
            "it on the way (an upstream read timeout shorter than the answer takes is a common "
            "cause)"))]  # fmt: skip
    if expected.stream == "cut":
        done = got.endpoint == "compat" and DONE in got.sse.payloads
        if got.read_error is not None and not done:
            return []
        how = (f"with its end, {DONE}" if done else "and a clean end of the body")
        return [Violation("server.fault.stream", "", (
            f"the stream step {expected.step!r} cuts after {expected.events_before} events "
            f"arrived whole: {records} records {how}; when the upstream drops the connection, "
            "the gateway must drop its client's too, and send no [DONE] of its own (or the "
            f"client takes a partial answer for a whole one){_unplayed(records, expected)}"))]  # fmt: skip
    last = got.sse.payloads[-1] if got.sse.payloads else ""
    try:
        document = parse_json(last.encode("utf-8"))
    except ReadError:
        document = None
    is_error = (
        document is not None and validate_response(document, endpoint=got.endpoint, kind="error").ok
    )
    if is_error and records == expected.events_before + 1:
        return []
    shown = f"the last record is {last[:80]!r}" if last else "no record arrived"
    return [Violation("server.fault.stream", "", (
        f"step {expected.step!r} sends {expected.events_before} events and then an error line "
        f"({_ERROR_LINE[got.endpoint]}); {records} records arrived and {shown}: "
        f"a gateway passes the error line through as it came{_unplayed(records, expected)}"))]  # fmt: skip


def _unplayed(records: int, expected: FaultExpectation) -> str:
    """A hint when more records arrived than the step sends: the scenario was not played."""
    if records <= expected.events_before + 1:
        return ""
    return f"; more records than the step sends: was it the step's stream? {HEADERS_HINT}"


@register(name="fault_pacing", rule="server.fault.pacing", scope="server")
def fault_pacing(exchange: Exchange) -> list[Violation] | None:
    """A paced stream arrives token by token, within a generous bound of the step's pace."""
    found = _fault(exchange)
    if found is None or found[1].stream != "paced" or len(found[0].token_times) < 2:
        return None
    got, expected = found
    times, span = got.token_times, got.paced_span_s
    paced = expected.ttft_s + span
    if times[-1] < paced * SOONER_SHARE:
        return _pacing(f"the stream ended {times[-1] * 1000:.0f} ms after the request; step "
                       f"{expected.step!r} paces it over {paced * 1000:.0f} ms (was it the "
                       f"step's stream? {HEADERS_HINT})")  # fmt: skip
    if span >= MIN_SPAN_GRADED_S and times[-1] - times[0] < span * TOGETHER_SHARE:
        return _pacing(f"{len(times)} tokens arrived within {(times[-1] - times[0]) * 1000:.0f} "
                       f"ms; step {expected.step!r} paces them over {span * 1000:.0f} ms: the "
                       "gateway held the stream back and sent it at once")  # fmt: skip
    if times[0] > expected.ttft_s + LATE_SLACK_S:
        return _pacing(f"the first token arrived after {times[0]:.1f} s; step {expected.step!r} "
                       f"sends it after {expected.ttft_s:.2f} s")  # fmt: skip
    return []


def _pacing(message: str) -> list[Violation]:
    return [Violation("server.fault.pacing", "", message)]
