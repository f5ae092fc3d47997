"""`check server --faults`: play the built-in fault scenarios through a gateway and grade what
arrives against what each step answers.

The fault scenarios are the built-in ones tagged `errors` or `latency` (the `error-NNN-*` ones,
`rate-limit-then-success`, `unavailable-twice-then-success`, `truncated-stream`,
`mid-stream-error`, `slow-stream`). Their steps name no endpoint and their tags say both
(`cases.scenario_endpoints`), so each is played on every endpoint checked (on compat named
`NAME@compat`), in a session of its own: its steps' requests in order, with `x-mock-scenario`
and `x-mock-session`, so the mock behind the gateway answers as the step says, in the endpoint's
dialect. Every answer goes through the server checks that apply to
it (`error_body` for an error answer, the stream checks for a whole stream) and the fault checks
(`contract/conformance/checks/faults.py`): status, retry and rate-limit headers, cut streams,
mid-stream errors, pacing.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import httpx

from contract.conformance.checks import run_checks
from contract.conformance.checks.faults import FaultExchange, FaultExpectation, StreamShape
from contract.conformance.report import CheckRecord, records_of
from contract.reading import ReadError, parse_json
from contract.scenarios.loading import Scenario
from contract.scenarios.model import Respond, Step
from mockserver.conformance.answers import API_PATHS, AnswerCut, pieces, whole_answer_s
from mockserver.conformance.cases import ENDPOINTS, Endpoint, played_name, scenario_endpoints
from mockserver.core.sse import chunk_tokens
from mockserver.scenarios.faults import rate_limit_headers, retry_headers

FAULT_TAGS = frozenset({"errors", "latency"})
SCENARIO_HEADER, SESSION_HEADER = "x-mock-scenario", "x-mock-session"
MAX_RETRY_WAIT_S = 2.0  # a retry waits what retry-after asks, as a client would, up to this
MAX_RECORD_BYTES = 1024 * 1024  # one stream record (an event); the mock's are a few hundred bytes
# The server checks that grade a fault answer besides the fault checks: never `no_server_error`
# or `valid_request_accepted` (the step answers 4xx and 5xx to a valid request on purpose), and
# no stream checks on a stream the step cuts or fails.
_FAULT_CHECKS = ("fault_status", "fault_headers", "fault_stream", "fault_pacing")
_ERROR_CHECKS = ("answered", "content_type", "error_body", *_FAULT_CHECKS)
_ANSWER_CHECKS = ("answered", "content_type", "response_schema", "stream_framing",
                  "stream_events", "metrics", *_FAULT_CHECKS)  # fmt: skip


@dataclass(frozen=True, slots=True)
class FaultCase:
    """One request of a fault scenario: sent in the scenario's session, in order."""

    id: str
    endpoint: Endpoint
    body: dict[str, Any]
    expected: FaultExpectation


def fault_scenarios(scenarios: Sequence[Scenario], *, endpoints: Sequence[Endpoint]
                    ) -> tuple[Scenario, ...]:  # fmt: skip
    """The fault scenarios among `scenarios` that can be played on one of `endpoints`."""
    return tuple(s for s in scenarios if FAULT_TAGS & set(s.tags)
                 and set(scenario_endpoints(s)) & set(endpoints))  # fmt: skip


def fault_plays(scenarios: Sequence[Scenario], *, endpoints: Sequence[Endpoint]
                ) -> list[tuple[Scenario, Endpoint]]:  # fmt: skip
    """Each scenario on each of `endpoints` it can be played on, native first."""
    return [(s, endpoint) for endpoint in ENDPOINTS if endpoint in endpoints
            for s in scenarios if endpoint in scenario_endpoints(s)]  # fmt: skip


def fault_cases(plays: Sequence[tuple[Scenario, Endpoint]]) -> list[FaultCase]:
    """The requests of each scenario in order, on its endpoint, each with what its step answers.
    A step without an example request is the previous request again (the retry it answers)."""
    cases: list[FaultCase] = []
    for scenario, endpoint in plays:
        body: dict[str, Any] | None = None
        planned: list[tuple[Step, dict[str, Any], FaultExpectation]] = []
        for step in scenario.steps:
            body = dict(step.request) if step.request is not None else body
            if body is None:
                raise ValueError(f"scenario {scenario.name}: {step.label} has no request to send")
            planned += [(step, body, answer) for answer in _answers(scenario, step, body)]
        names = [step.name for step, _, _ in planned]
        for attempt, (step, sent, answer) in enumerate(planned, start=1):
            numbered = names.count(step.name) > 1
            index = names[:attempt].count(step.name)
            cases.append(FaultCase(
                id=f"fault-{played_name(scenario, endpoint)}/{step.name}"
                + (f"#{index}" if numbered else ""),
                endpoint=endpoint, body=sent, expected=replace(answer, attempt=attempt)))  # fmt: skip
    return cases


def _answers(scenario: Scenario, step: Step, body: dict[str, Any]) -> list[FaultExpectation]:
    """What the step answers, request by request (`attempt` left at 0): a replacing fault's
    answers, then (unless that fault uses the step up) the step's own."""
    respond = step.respond or Respond()
    answer = FaultExpectation(scenario.name, step.name, attempt=0, status=respond.status)
    out: list[FaultExpectation] = []
    for spec in (f for f in step.faults if f.kind.role == "replace"):
        if spec.name == "rate_limit":
            headers = (*rate_limit_headers(spec), *retry_headers(spec))
            return [replace(answer, status=429, headers=headers)]
        if spec.name == "http_error":
            return [replace(answer, status=spec.integer("status", 500),
                            headers=tuple(retry_headers(spec)))]  # fmt: skip
        if spec.name != "fail_then_succeed":
            raise ValueError(f"{step.label}: fault {spec.name} is not played by --faults")
        failed = replace(
            answer, status=spec.integer("status", 503), headers=tuple(retry_headers(spec))
        )
        out += [failed] * spec.integer("times", 1)
    answer = replace(
        answer, headers=tuple((name.lower(), value) for name, value in respond.headers)
    )
    if body.get("stream") is not True or respond.status >= 300:
        return [*out, answer]
    answer = replace(answer, stream="whole")
    if respond.pacing is not None:
        answer = replace(answer, stream="paced", ttft_s=respond.pacing.ttft_ms / 1000,
                         tokens_per_second=respond.pacing.tokens_per_second)  # fmt: skip
    for spec in step.faults:
        if spec.name in ("truncate_stream", "stream_error"):
            shape: StreamShape = "cut" if spec.name == "truncate_stream" else "error"
            answer = replace(answer, stream=shape,
                             events_before=spec.integer("after", 3 if shape == "cut" else 2))  # fmt: skip
        elif spec.name == "slow_stream" and answer.stream == "whole":
            answer = replace(answer, stream="paced", ttft_s=(spec.number("ttft_ms") or 0) / 1000,
                             tokens_per_second=spec.number("tokens_per_second") or 0.0)  # fmt: skip
    return [*out, answer]


def new_session() -> str:
    return f"llama-contract-faults-{uuid.uuid4().hex[:12]}"


def send_fault_case(client: httpx.Client, root: str, api_key: str, case: FaultCase, *,
                    session: str) -> FaultExchange:  # fmt: skip
    """Send one request with the scenario headers; read a stream record by record, timing each."""
    url = root + API_PATHS[case.endpoint]
    headers = {"Content-Type": "application/json", "Accept": "application/json",
               SCENARIO_HEADER: case.expected.scenario, SESSION_HEADER: session}  # fmt: skip
    exchange = FaultExchange(case_id=case.id, kind="valid", endpoint=case.endpoint, method="POST",
                             url=url, request_body=case.body, request_headers=dict(headers),
                             source=f"scenario {case.expected.scenario} step {case.expected.step}",
                             expected=case.expected)  # fmt: skip
    started = time.perf_counter()
    body, pending = bytearray(), b""
    tokens: list[tuple[float, int]] = []
    try:
        with client.stream("POST", url, json=case.body,
                           headers={**headers, "Authorization": f"Bearer {api_key}"}) as answer:  # fmt: skip
            exchange.status = answer.status_code
            exchange.response_headers = {k.lower(): v for k, v in answer.headers.items()}
            try:
                for piece in pieces(answer, started=started, timeout=whole_answer_s(client)):
                    body += piece
                    at = time.perf_counter() - started
                    *records, pending = (
                        bytes(pending + piece).replace(b"\r\n", b"\n").split(b"\n\n")
                    )
                    if len(pending) > MAX_RECORD_BYTES:
                        raise AnswerCut(f"a stream record passed {MAX_RECORD_BYTES:,} bytes; "
                                        "reading stopped")  # fmt: skip
                    tokens += [(at, _tokens(record)) for record in records]
            except httpx.TransportError as exc:  # the status arrived, then the body broke off
                exchange.read_error = f"{type(exc).__name__}: {exc}"
            except AnswerCut as exc:
                exchange.read_error = str(exc)
    except httpx.TransportError as exc:
        if exchange.status is None:
            exchange.transport_error = f"{type(exc).__name__}: {exc}"
        else:
            exchange.read_error = f"{type(exc).__name__}: {exc}"
    exchange.response_body = bytes(body)
    carried = [(at, count) for at, count in tokens if count]
    exchange.token_times = [at for at, _ in carried]
    if carried and case.expected.tokens_per_second > 0:
        later = sum(count for _, count in carried[1:])
        exchange.paced_span_s = later / case.expected.tokens_per_second
    return exchange


def _tokens(record: bytes) -> int:
    """Tokens of text a stream record carries, as the mock paces them."""
    text = record.strip()
    if not text.startswith(b"data:"):
        return 0
    try:
        return chunk_tokens(parse_json(text[5:].strip()))
    except ReadError:
        return 0


def retry_wait_s(exchange: FaultExchange) -> float:
    """How long a client waits before the next request: what the answer's retry-after-ms or
    retry-after asks (capped at `MAX_RETRY_WAIT_S`), else nothing."""
    for header, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        try:
            return min(float(exchange.response_headers[header]) * scale, MAX_RETRY_WAIT_S)
        except (KeyError, ValueError):
            continue
    return 0.0


def grade_fault_exchange(exchange: FaultExchange, *, evidence: dict[str, Any]) -> list[CheckRecord]:
    """The records of one fault request: the server checks that apply to it and the fault checks;
    `evidence` (with its cURL command) goes on every record that did not pass."""
    expected = exchange.expected
    assert expected is not None  # every FaultExchange this module builds has one
    errorish = (exchange.status or 0) >= 400 or expected.stream in ("cut", "error")
    only = _ERROR_CHECKS if errorish else _ANSWER_CHECKS
    evidence = {**evidence, "expected": {**expected.to_dict(), "endpoint": exchange.endpoint}}
    if exchange.read_error is not None:
        evidence["response"] = {**evidence["response"], "read_error": exchange.read_error}
    records: list[CheckRecord] = []
    for outcome in run_checks(exchange, scope="server", only=only):
        records += records_of(outcome, case=exchange.case_id,
                              evidence=None if outcome.passed and not outcome.violations
                              else evidence)  # fmt: skip
    return records
