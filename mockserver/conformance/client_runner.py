"""`check client`: serve the built-in scenarios to a client adapter on a live mock, call by call,
and grade what the client produced and sent."""

from __future__ import annotations

import dataclasses
import json
import time
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from contract.conformance.checks import (
    Adapter,
    ClientCase,
    ClientOutcome,
    Conversation,
    RequestSeen,
    Unsupported,
    run_checks,
)
from contract.conformance.report import CheckRecord, Report, records_of, request_features
from contract.scenarios.loading import Scenario, Step, builtin_scenarios
from mockserver.adapters.live import LiveServer
from mockserver.config import MockConfig
from mockserver.conformance.adapter_spec import AdapterError, SkippedAfterHang, outcome_problem
from mockserver.conformance.cases import ENDPOINTS, Endpoint
from mockserver.conformance.client_plays import calls_of, plays_of
from mockserver.conformance.progress import RunInterrupted
from mockserver.core.service import MockService
from mockserver.scenarios.layer import install_scenarios
from mockserver.state.journal import JournalEntry

API_KEY = "LLM|1234567890|conformance"


def seen_request(entry: JournalEntry) -> RequestSeen:
    violations = entry.validation.violations if entry.validation is not None else ()
    miss = entry.extra.get("scenario_miss")
    message = entry.extra.get("scenario_miss_message")
    return RequestSeen(started=entry.started, method=entry.method, path=entry.path,
                       status=entry.status, body=entry.body, violations=tuple(violations),
                       step=entry.step, scenario_miss=miss if isinstance(miss, str) else None,
                       miss_message=message if isinstance(message, str) else None)  # fmt: skip


# What the evidence shows of the requests the client sent: the first few, each body cut past
# this many characters of compact JSON (a JUnit failure prints each part of the evidence up to
# 4,000 characters).
SENT_SHOWN = 3
SENT_BODY_CHARS = 600


def _bounded(body: Any) -> Any:
    """`body` as it is when its compact JSON is short, else the start of that JSON, marked cut."""
    text = json.dumps(body, ensure_ascii=False, separators=(",", ":"), default=str)
    if len(text) <= SENT_BODY_CHARS:
        return body
    return f"{text[:SENT_BODY_CHARS]}... (cut: {len(text)} characters of JSON in all)"


def sent_by_the_client(seen: Sequence[RequestSeen]) -> list[dict[str, Any]]:
    """The requests the mock received for a call, as the evidence shows them: the first
    `SENT_SHOWN`, bodies bounded, each with the mock's refusal when no scenario step matched."""
    shown: list[dict[str, Any]] = []
    for number, request in enumerate(seen[:SENT_SHOWN], start=1):
        item: dict[str, Any] = {"request": number, "method": request.method,
                                "path": request.path, "status": request.status}  # fmt: skip
        if request.scenario_miss is not None:
            said = f": {request.miss_message}" if request.miss_message else ""
            item["refused"] = request.scenario_miss + said
        # A retry sends the same body: shown once.
        same = [earlier for earlier, other in enumerate(seen[: number - 1], start=1)
                if other.body == request.body]  # fmt: skip
        item["body"] = f"the same as request {same[0]}" if same else _bounded(request.body)
        shown.append(item)
    if len(seen) > SENT_SHOWN:
        shown.append({"not_shown": f"{len(seen) - SENT_SHOWN} more request(s); "
                                   "response.requests_seen lists them all"})  # fmt: skip
    return shown


def _evidence(conversation: Conversation, outcome: ClientOutcome,
              seen: Sequence[RequestSeen]) -> dict[str, Any]:  # fmt: skip
    return {
        # `body` is the step's request: what the conversation asked the client to send;
        # `sent_by_the_client` is what the mock received.
        "request": {"scenario": conversation.scenario, "step": conversation.step,
                    "endpoint": conversation.endpoint, "operation": conversation.operation,
                    "sent_by_the_client": sent_by_the_client(seen),
                    "body": conversation.request},
        "outcome": outcome.describe(),
        "response": {"requests_seen": [{"method": r.method, "path": r.path, "status": r.status,
                                        "at_ms": round((r.started - seen[0].started) * 1000)}
                                       for r in seen]},
    }  # fmt: skip


class ConformanceMock:
    """The live mock a client is played against; requests of one call share a session."""

    def __init__(self, config: MockConfig | None = None) -> None:
        self.service = MockService(config if config is not None else MockConfig(port=0))
        self.live = LiveServer(self.service)

    def entries(self, session: str | None) -> list[JournalEntry]:
        """The journal entries of one session (None: of requests that named no session)."""
        return [e for e in self.service.store.journal_entries() if e.session == session]

    def play(
        self, adapter: Adapter, conversation: Conversation, session: str | None
    ) -> tuple[ClientOutcome, tuple[RequestSeen, ...]]:
        """Make the client run one call; what it returned and the requests the mock saw.
        Raises `Unsupported` when the adapter cannot make the call, `AdapterError` when it
        returns something other than a `ClientOutcome`. An adapter returns the client's errors
        in its outcome: anything it raises is a bug of the adapter and propagates with its
        traceback, never counted as the client surfacing an error."""
        before = len(self.entries(session))
        before_sessionless = len(self.entries(None)) if session is not None else 0
        suffix = "/compat/v1" if conversation.endpoint == "compat" else "/v1"
        outcome = adapter(self.live.base_url + suffix, API_KEY, conversation)
        problem = outcome_problem(outcome)
        if problem:
            raise AdapterError(f"the adapter {problem}")
        seen = [seen_request(entry) for entry in self.entries(session)[before:]]
        if session is not None:  # calls are played one at a time: these are this call's
            seen += [dataclasses.replace(seen_request(entry), sessionless=True)
                     for entry in self.entries(None)[before_sessionless:]]  # fmt: skip
        return outcome, tuple(seen)


def run_client_checks(
    adapter: Adapter,
    *,
    target: str,
    scenarios: Sequence[Scenario] | None = None,
    examples: int = 0,
    seed: int = 0,
    save_failures: Path | None = None,
    progress: Callable[[int, int], None] | None = None,
    conformance_mock: ConformanceMock | None = None,
    endpoints: Sequence[Endpoint] = ENDPOINTS,
) -> Report:
    """Play `scenarios` (None: the built-in library; `()`: none) through `adapter` and grade
    every call, then `examples` generated exchanges (see `exchange_runner`), failures shrunk.
    A scenario of both endpoints is played on each of `endpoints` (`plays_of`). The defaults
    are `check client`'s, which passes only what it is given."""
    from mockserver.conformance.exchange_runner import run_generated

    started = time.perf_counter()
    chosen = tuple(scenarios) if scenarios is not None else builtin_scenarios()
    options: dict[str, Any] = {"scenarios": [s.name for s in chosen], "examples": examples,
                               "endpoints": list(endpoints)}  # fmt: skip
    report = Report(kind="client", target=target, seed=seed if examples else None,
                    options=options)  # fmt: skip
    mock = conformance_mock if conformance_mock is not None else ConformanceMock()
    # Progress counts cases, as the summary does: each call of a scenario, each generated
    # exchange (hypothesis may play fewer; shrinking plays more, which are no cases).
    calls = [(scenario, name, calls_of(scenario, endpoint=endpoint))
             for scenario in chosen for name, endpoint in plays_of(scenario, endpoints)]  # fmt: skip
    total = sum(len(scenario_calls) for _, _, scenario_calls in calls) + examples
    graded = 0  # the cases whose records the report holds: a scenario's calls, as they end

    def advanced() -> None:
        if progress is not None:
            progress(report.cases, max(total, report.cases))

    def call_ended() -> None:
        nonlocal graded
        graded = report.cases
        advanced()

    # Scenario files as well as built-in names: the mock serves what the conversation names.
    install_scenarios(mock.service).router.activate(chosen, replace=False)
    mock.live.start()
    try:
        for scenario, name, scenario_calls in calls:
            _play(mock, adapter, (scenario, name, scenario_calls), report, call_ended)
        if examples:
            run_generated(mock, adapter, report, examples=examples, seed=seed,
                          save_failures=save_failures, on_case=advanced)  # fmt: skip
        if progress is not None and report.cases != total:  # hypothesis played fewer
            progress(report.cases, report.cases)  # end on the count the summary gives
    except (KeyboardInterrupt, AdapterError) as stop:
        # The report keeps the calls graded before it; generated exchanges are graded only
        # when all have played, so a stop among them keeps none of them.
        running = _case_after(calls, graded) if graded < total - examples else "generated"
        report.cases = graded
        report.options["interrupted"] = {"case": running, "cases_done": graded,
                                         "cases_total": total}  # fmt: skip
        report.duration_s = time.perf_counter() - started
        if isinstance(stop, AdapterError):
            report.options["interrupted"]["reason"] = f"the adapter failed: {stop}"
            stop.report = report
            raise
        raise RunInterrupted(report, running) from None
    finally:
        mock.live.stop()
    report.duration_s = time.perf_counter() - started
    return report


def _case_after(calls: list[tuple[Scenario, str, list[tuple[Step, Conversation]]]],
                done: int) -> str:  # fmt: skip
    """The id of the scenario call that comes after the first `done`."""
    for _, name, scenario_calls in calls:
        if done < len(scenario_calls):
            return f"{name}/{scenario_calls[done][0].name}"
        done -= len(scenario_calls)
    return "generated"


def _play(mock: ConformanceMock, adapter: Adapter,
          play: tuple[Scenario, str, list[tuple[Step, Conversation]]], report: Report,
          advanced: Callable[[], None]) -> None:  # fmt: skip
    """Play one scenario on one endpoint (`NAME` or `NAME@compat`), in a session of its own."""
    scenario, name, calls = play
    session = f"conformance-{name.replace('@', '-')}-{uuid.uuid4().hex[:8]}"
    skipping: str | None = None
    for step, conversation in calls:
        conversation = dataclasses.replace(
            conversation, headers={**conversation.headers, "x-mock-session": session}
        )
        skipping = _play_call(mock, adapter, (scenario, name, step, conversation, session),
                              report, skipping)  # fmt: skip
        advanced()


def _play_call(mock: ConformanceMock, adapter: Adapter,
               call: tuple[Scenario, str, Step, Conversation, str], report: Report,
               skipping: str | None) -> str | None:  # fmt: skip
    """Play and grade one call (one case); why the rest of the scenario is skipped, if it is."""
    scenario, name, step, conversation, session = call
    case_id = f"{name}/{step.name}"
    report.cases += 1
    if skipping is not None:
        report.add([CheckRecord("adapter", "client.request.conforms", "skipped", case_id,
                                skipping)])  # fmt: skip
        return skipping
    try:
        outcome, seen = mock.play(adapter, conversation, session)
    except Unsupported as exc:
        # Later steps of the conversation depend on this one: skip them too.
        skipping = (str(exc) if isinstance(exc, SkippedAfterHang)
                    else f"the adapter does not support this call: {exc}")  # fmt: skip
        report.add([CheckRecord("adapter", "client.request.conforms", "skipped", case_id,
                                skipping)])  # fmt: skip
        return skipping
    for request in seen:
        dialect = "compat" if request.path.startswith("/compat") else "native"
        kind = conversation.operation if conversation.operation != "moderation" else "moderations"
        report.coverage.update(request_features(request.body, dialect=dialect, endpoint=kind,
                                                status=request.status))  # fmt: skip
    case = ClientCase(scenario, step, conversation, outcome, seen)
    evidence = _evidence(conversation, outcome, seen)
    for checked in run_checks(case, scope="client"):
        report.add(
            records_of(checked, case=case_id, evidence=None if not checked.violations else evidence)
        )
    return None
