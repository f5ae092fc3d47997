"""The built-in error scenarios of statuses the SDKs never retry (400, 401, 403, 404, 422) expect
one request: a client that retries one fails `client.retry.count`. The SDKs retry 408, 409, 429
and 5xx; how often a client retries those is its policy, and no count is held against it."""

from __future__ import annotations

import pytest

from contract.conformance.checks import ClientOutcome, Conversation
from contract.scenarios.loading import builtin_scenario, builtin_scenarios
from mockserver.conformance.adapter_spec import resolve_adapter
from mockserver.conformance.client_runner import run_client_checks

NOT_RETRYABLE = ["error-400-bad-request", "error-401-unauthorized", "error-403-forbidden",
                 "error-404-not-found", "error-422-unprocessable"]  # fmt: skip


def test_the_error_scenarios_of_statuses_not_retryable_expect_one_request() -> None:
    """The SDKs retry 408, 409, 429 and 5xx; a client's retry policy for those may differ."""
    for scenario in builtin_scenarios():
        for step in scenario.steps:
            if step.expect is None or step.expect.status is None or step.expect.status < 400:
                continue
            retryable = step.expect.status in (408, 409, 429) or step.expect.status >= 500
            wanted = None if retryable else 1
            assert (scenario.name, step.expect.requests) == (scenario.name, wanted)
    assert {s.name for s in builtin_scenarios()} >= set(NOT_RETRYABLE)


@pytest.mark.parametrize("scenario", NOT_RETRYABLE)
def test_a_client_retrying_a_status_not_retryable_fails_retry_count(scenario: str) -> None:
    correct = resolve_adapter("llama-api-client")

    def retries(base_url: str, api_key: str, conversation: Conversation) -> ClientOutcome:
        first = correct(base_url, api_key, conversation)
        return correct(base_url, api_key, conversation) if first.error is not None else first

    status = builtin_scenario(scenario).steps[0].expect.status  # type: ignore[union-attr]
    report = run_client_checks(retries, target="retries", scenarios=[builtin_scenario(scenario)])
    assert [(r.check, r.rule) for r in report.failures] == [("retry_count", "client.retry.count")]
    assert report.failures[0].message == (
        f"the server saw 2 request(s) for this call; expected 1: the client retried {status}, "
        "which is not retryable (the SDKs retry 408, 409, 429 and 5xx only)"
    )
    assert run_client_checks(correct, target="sdk", scenarios=[builtin_scenario(scenario)]).ok


def test_retrying_a_retryable_status_more_is_a_policy_not_a_failure() -> None:
    correct = resolve_adapter("llama-api-client")

    def retries(base_url: str, api_key: str, conversation: Conversation) -> ClientOutcome:
        correct(base_url, api_key, conversation)
        return correct(base_url, api_key, conversation)

    report = run_client_checks(retries, target="retries",
                               scenarios=[builtin_scenario("error-500-server-error")])  # fmt: skip
    assert report.ok, [r.message for r in report.failures]
