"""`check server`: send scenario and generated requests to a server over HTTP and run the server
checks on every answer."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from typing import Any

import httpx

from contract.conformance.checks import Exchange, curl_command, run_checks
from contract.conformance.report import CheckRecord, Report, records_of, request_features
from contract.scenarios.loading import Scenario
from mockserver.conformance.answers import API_PATHS, AnswerCut, pieces, whole_answer_s
from mockserver.conformance.cases import (
    Case,
    Endpoint,
    generated_cases,
    played_name,
    scenario_cases,
)
from mockserver.conformance.faults import (
    FaultCase,
    fault_cases,
    fault_plays,
    fault_scenarios,
    grade_fault_exchange,
    new_session,
    retry_wait_s,
    send_fault_case,
)
from mockserver.conformance.progress import RunInterrupted
from mockserver.core.errors import first_error_rule

TIMEOUT_S = 60.0
API_KEY_VARIABLE = "LLAMA_API_KEY"  # as the Llama SDK: the key when none is given
DEFAULT_API_KEY = "llama-contract-check"  # without one: a key our mock (and Prism) accepts
MAX_BODY_SHOWN = 20_000


class ServerUnreachable(Exception):
    """The server cannot be reached, or refuses the key: nothing worth reporting was checked."""


def _first_answer_problem(exchange: Exchange, root: str) -> str | None:
    """Why the first valid request shows the run would check nothing, if it does."""
    if exchange.transport_error is not None:
        return f"{root} did not answer a valid request: {exchange.transport_error}"
    if exchange.status in (401, 403):
        return (f"{root} answered {exchange.status} to a valid request: it refuses the API key; "
                "pass one it accepts: --api-key KEY, run_server_checks(api_key=...), or "
                "LLAMA_API_KEY")
    if exchange.status == 404 and not _scenario_refusal(exchange):
        return (f"{root} answered 404 to a valid request at {exchange.url}: no chat endpoint "
                "there; --base-url is the server's root, with the native API at ROOT/v1 and the "
                "OpenAI-compatible one at ROOT/compat/v1")
    return None


def _scenario_refusal(exchange: Exchange) -> bool:
    """Whether a 404 is a mock's scenario that matches no step (a verdict to grade, not a wrong
    URL): its error body names a `scenario.*` rule."""
    document, _ = exchange.json_body
    return first_error_rule(document).startswith("scenario.")


def server_root(base_url: str) -> str:
    """The server's root URL: `--base-url` may name the root or the native API (`.../v1`)."""
    root = base_url.rstrip("/")
    for suffix in ("/compat/v1", "/v1"):
        if root.endswith(suffix):
            return root[: -len(suffix)]
    return root


def _text(body: bytes) -> str:
    text = body.decode("utf-8", errors="replace")
    return text if len(text) <= MAX_BODY_SHOWN else text[:MAX_BODY_SHOWN] + "…(cut)"


def _send(client: httpx.Client, root: str, api_key: str, case: Case) -> Exchange:
    url = root + API_PATHS[case.endpoint]
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    exchange = Exchange(case_id=case.id, kind=case.kind, endpoint=case.endpoint, method="POST",
                        url=url, request_body=case.body, expected_rule=case.expected_rule,
                        request_headers=dict(headers), source=case.source)  # fmt: skip
    started = time.perf_counter()
    try:
        with client.stream("POST", url, json=case.body,
                           headers={**headers, "Authorization": f"Bearer {api_key}"}) as answer:  # fmt: skip
            body = b"".join(pieces(answer, started=started, timeout=whole_answer_s(client)))
    except httpx.TransportError as exc:
        exchange.transport_error = f"{type(exc).__name__}: {exc}"
        return exchange
    except AnswerCut as exc:
        exchange.transport_error = str(exc)
        return exchange
    exchange.status = answer.status_code
    exchange.response_headers = {k.lower(): v for k, v in answer.headers.items()}
    exchange.response_body = body
    return exchange


def evidence_of(exchange: Exchange, *, seed: int | None) -> dict[str, Any]:
    response: dict[str, Any] = {"status": exchange.status, "headers": exchange.response_headers,
                                "body": _text(exchange.response_body)}  # fmt: skip
    if exchange.transport_error is not None:
        response = {"error": exchange.transport_error}
    return {
        **({} if seed is None else {"seed": seed}),
        "source": exchange.source,
        "expected_rule": exchange.expected_rule,
        "request": {"method": exchange.method, "url": exchange.url,
                    "headers": {**exchange.request_headers, "Authorization": "Bearer ***"},
                    "body": exchange.request_body},
        "response": response,
        "curl": curl_command(exchange.method, exchange.url, body=exchange.request_body,
                             headers=exchange.request_headers, stream=exchange.asked_stream),
    }  # fmt: skip


def check_reachable(client: httpx.Client, root: str) -> None:
    try:
        client.get(root + "/v1/models", timeout=10.0)
    except httpx.TransportError as exc:
        raise ServerUnreachable(f"cannot reach {root}: {exc}") from None


def run_server_checks(
    *,
    base_url: str,
    api_key: str | None = None,
    scenarios: Sequence[Scenario] | None = None,
    examples: int = 100,
    seed: int = 0,
    endpoints: Sequence[Endpoint] = ("native", "compat"),
    timeout: float = TIMEOUT_S,
    progress: Callable[[int, int], None] | None = None,
    running: Callable[[str], None] | None = None,
    faults: bool = False,
) -> Report:
    """Check the server at `base_url`; raises `ServerUnreachable` when it does not answer at all,
    or answers the first valid request with no answer, 401 or 403 (a refused key).

    The defaults are `check server`'s, which passes only what it is given: `api_key` None sends
    `$LLAMA_API_KEY` (read at the call), else `DEFAULT_API_KEY`, as the Llama SDK reads its key;
    `scenarios` None sends the example of every chat step of the built-in library (`()`: none).
    `timeout` is how long each wait on the server may last (connecting, each read of an answer
    or a stream) and a whole answer (`answers.pieces`, which also cuts one past 32 MiB): past it,
    the request has no answer (`answered` fails it, `server.unreachable`).
    `progress(done, total)` is called after each case, `running(case_id)` as each is sent.
    With `faults`, the built-in fault scenarios of `endpoints` are played last, each request with
    the scenario headers (`mockserver.conformance.faults`): for a gateway in front of the mock.
    A KeyboardInterrupt during the run comes out as a `RunInterrupted` carrying the report of the
    cases finished before it."""
    from contract.scenarios.loading import builtin_scenarios

    started = time.perf_counter()
    root = server_root(base_url)
    if api_key is None:
        api_key = os.environ.get(API_KEY_VARIABLE) or DEFAULT_API_KEY
    chosen = tuple(scenarios) if scenarios is not None else builtin_scenarios()
    cases: list[Case | FaultCase] = [*scenario_cases(chosen, endpoints=endpoints)]
    cases += generated_cases(examples=examples, seed=seed, endpoints=endpoints)
    options: dict[str, Any] = {"examples": examples, "endpoints": list(endpoints),
                               "scenarios": [s.name for s in chosen]}  # fmt: skip
    if faults:
        plays = fault_plays(fault_scenarios(builtin_scenarios(), endpoints=endpoints),
                            endpoints=endpoints)  # fmt: skip
        options["faults"] = [played_name(scenario, endpoint) for scenario, endpoint in plays]
        cases += fault_cases(plays)
    report = Report(kind="server", target=root, seed=seed, cases=len(cases), options=options)
    with httpx.Client(timeout=timeout) as client:
        check_reachable(client, root)
        first_valid = next((case.id for case in cases
                            if isinstance(case, Case) and case.kind == "valid"), None)  # fmt: skip
        sessions = _FaultSessions()
        for done, case in enumerate(cases, start=1):
            try:
                if running is not None:
                    running(case.id)
                if isinstance(case, FaultCase):
                    features, records = sessions.check(client, root, api_key, case, seed=seed)
                else:
                    features, records = _check_case(client, root, api_key, case, seed=seed,
                                                    first_valid=case.id == first_valid)  # fmt: skip
            except KeyboardInterrupt:
                report.cases = done - 1  # what the report holds: the cases finished
                report.options["interrupted"] = {"case": case.id, "cases_done": done - 1,
                                                 "cases_total": len(cases)}  # fmt: skip
                report.duration_s = time.perf_counter() - started
                raise RunInterrupted(report, case.id) from None
            report.coverage.update(features)  # a case counts whole, or (interrupted) not at all
            report.add(records)
            if progress is not None:
                progress(done, len(cases))
    report.duration_s = time.perf_counter() - started
    return report


def _check_case(client: httpx.Client, root: str, api_key: str, case: Case, *, seed: int,
                first_valid: bool) -> tuple[list[str], list[CheckRecord]]:  # fmt: skip
    """Send one case and check its answer: the features it covers and its records."""
    exchange = _send(client, root, api_key, case)
    if first_valid and (problem := _first_answer_problem(exchange, root)):
        raise ServerUnreachable(problem)
    features = request_features(exchange.request_body, dialect=case.endpoint, endpoint="chat",
                                status=exchange.status)  # fmt: skip
    evidence = evidence_of(exchange, seed=seed)
    records: list[CheckRecord] = []
    for outcome in run_checks(exchange, scope="server"):
        records += records_of(outcome, case=case.id,
                              evidence=None if outcome.passed and not outcome.violations
                              else evidence)  # fmt: skip
    return features, records


class _FaultSessions:
    """The fault scenarios' sessions: a fresh one per scenario; a retry waits what the last
    answer of its scenario asked."""

    def __init__(self) -> None:
        self.scenario = ""
        self.session = ""
        self.wait_s = 0.0

    def check(self, client: httpx.Client, root: str, api_key: str, case: FaultCase, *,
              seed: int) -> tuple[list[str], list[CheckRecord]]:  # fmt: skip
        played = f"{case.expected.scenario}@{case.endpoint}"  # a session per scenario and endpoint
        if played != self.scenario:
            self.scenario, self.session, self.wait_s = played, new_session(), 0.0
        if self.wait_s > 0:
            time.sleep(self.wait_s)
        exchange = send_fault_case(client, root, api_key, case, session=self.session)
        self.wait_s = retry_wait_s(exchange)
        features = request_features(exchange.request_body, dialect=case.endpoint,
                                    endpoint="chat", status=exchange.status)  # fmt: skip
        evidence = evidence_of(exchange, seed=None)  # a fault case is replayed, not drawn
        return features, grade_fault_exchange(exchange, evidence=evidence)
