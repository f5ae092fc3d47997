"""A client request that matches no scenario step is the client's failure (`client.request.matched`,
with the mock's word on which matcher failed), never an error the step expected."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest

from contract.conformance.checks import ClientOutcome, Conversation
from contract.conformance.report import Report
from contract.scenarios.loading import builtin_scenario, parse_scenario
from mockserver.conformance.adapter_spec import resolve_adapter
from mockserver.conformance.client_runner import (
    run_client_checks,
)

MODEL = "Llama-4-Maverick-17B-128E-Instruct-FP8"
# The checks that grade what the step answered: none of them may pass or fail on a 404 that is
# the mock refusing a request no step matches.
ANSWER_CHECKS = {"error_surfaced", "no_unexpected_error", "text_intact", "tool_calls_intact",
                 "document_intact", "stop_reason", "call_returned"}  # fmt: skip


def _without(field: str, adapter: str = "llama-api-client") -> Any:
    """The built-in adapter, with a client bug: it leaves `field` out of the request."""
    correct = resolve_adapter(adapter)

    def buggy(base_url: str, api_key: str, conversation: Conversation) -> ClientOutcome:
        request = {k: v for k, v in conversation.request.items() if k != field}
        return correct(base_url, api_key, dataclasses.replace(conversation, request=request))

    return buggy


def _records(report: Report, case: str) -> dict[str, str]:
    return {r.check: r.status for r in report.records if r.case == case}


@pytest.mark.parametrize(("field", "adapter", "scenario", "matcher"), [
    ("stream", "llama-api-client", "streaming-text",
     "failed on stream: wanted stream true, got false"),
    ("tools", "llama-api-client", "streamed-tool-call", "failed on tools"),
    ("stream", "openai", "compat-streaming-text",
     "failed on stream: wanted stream true, got false"),
])  # fmt: skip
def test_a_client_sending_another_request_fails_request_matched(
    field: str, adapter: str, scenario: str, matcher: str
) -> None:
    """The mock answers such a request 404 scenario.no_match, which the client raises: that was
    counted as the error surfaced, and the client 'conformed'."""
    report = run_client_checks(_without(field, adapter), target=f"drops {field}",
                               scenarios=[builtin_scenario(scenario)])  # fmt: skip
    assert not report.ok
    step = builtin_scenario(scenario).steps[0].name
    case = f"{scenario}/{step}"
    assert [(r.case, r.check, r.rule) for r in report.failures] == [
        (case, "request_matched", "client.request.matched")
    ], [r.message for r in report.failures]
    message = report.failures[0].message
    assert "the client sent a request the conversation did not ask for" in message
    assert "404 scenario.no_match" in message
    assert matcher in message, message
    assert ANSWER_CHECKS.isdisjoint(_records(report, case)), _records(report, case)


# The scenario `--save-failures` wrote for a client that drops `stream` (found by
# `--examples 200 --seed 1`): it replayed as conforming, the 404 counted as the error raised.
SAVED = {
    "name": "failing-client-error-surfaced",
    "steps": [{
        "name": "exchange",
        "match": {"endpoint": "native", "stream": True},
        "request": {"model": MODEL, "stream": True,
                    "messages": [{"role": "user", "content": [{"type": "text", "text": "what"}]}]},
        "respond": {"text": "", "stop_reason": "stop"},
        "fault": [{"name": "truncate_stream", "after": 0}],
        "expect": {"raises": True},
    }],
}  # fmt: skip


def test_a_saved_failure_replays_as_a_failure() -> None:
    saved = parse_scenario(json.dumps(SAVED), json_syntax=True)
    report = run_client_checks(_without("stream"), target="drops stream", scenarios=[saved])
    assert [r.rule for r in report.failures] == ["client.request.matched"]
    assert "wanted stream true, got false" in report.failures[0].message
    correct = run_client_checks(resolve_adapter("llama-api-client"), target="sdk",
                                scenarios=[saved])  # fmt: skip
    assert correct.ok, [r.message for r in correct.failures]
    assert _records(correct, "failing-client-error-surfaced/exchange")["error_surfaced"] == "passed"


def _one_step(name: str, respond: dict[str, Any], expect: dict[str, Any]) -> Any:
    step = {"name": "only", "match": {"endpoint": "native"},
            "request": {"model": MODEL, "messages": [{"role": "user", "content": "Hello?"}]},
            "respond": respond, "expect": expect}  # fmt: skip
    data = {"name": name, "when_done": "fail", "steps": [step]}
    return parse_scenario(json.dumps(data), json_syntax=True)


def test_a_retry_refused_by_a_finished_scenario_is_its_answer_not_the_clients_fault() -> None:
    """`when_done: fail`: the SDK's retry of a 500 gets 404 scenario.finished, which it raises."""
    done = _one_step("done-after-500", {"status": 500, "error": "down",
                                        "headers": {"retry-after-ms": "10"}},
                     {"raises": True})  # fmt: skip
    report = run_client_checks(resolve_adapter("llama-api-client"), target="sdk", scenarios=[done])
    assert report.ok, [r.message for r in report.failures]
    records = _records(report, "done-after-500/only")
    assert records["request_matched"] == records["error_surfaced"] == "passed"


def test_a_request_after_the_last_step_answered_is_the_clients() -> None:
    """A client that sends each call twice: the second request of an answered call."""
    correct = resolve_adapter("llama-api-client")

    def twice(base_url: str, api_key: str, conversation: Conversation) -> ClientOutcome:
        correct(base_url, api_key, conversation)
        return correct(base_url, api_key, conversation)

    done = _one_step("done-after-200", {"text": "Hi."}, {"status": 200})
    report = run_client_checks(twice, target="twice", scenarios=[done])
    assert [r.rule for r in report.failures] == ["client.request.matched"]
    message = report.failures[0].message
    assert "after the scenario's last step had answered (request 2 of 2" in message
    assert "404 scenario.finished" in message
