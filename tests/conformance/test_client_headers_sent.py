"""An adapter that leaves out the conversation's headers (x-mock-scenario, x-mock-session) makes
requests the mock cannot tie to the call: the call fails `client.request.matched` saying so,
instead of passing every check for want of requests to grade."""

from __future__ import annotations

import dataclasses

from contract.conformance.checks import ClientOutcome, Conversation
from contract.scenarios.loading import builtin_scenario
from mockserver.conformance.adapters import llama_api_client
from mockserver.conformance.client_runner import run_client_checks


def _without_headers(base_url: str, api_key: str, conversation: Conversation) -> ClientOutcome:
    return llama_api_client(base_url, api_key, dataclasses.replace(conversation, headers={}))


def test_a_client_that_drops_the_conversation_headers_fails_saying_so() -> None:
    report = run_client_checks(_without_headers, target="no headers",
                               scenarios=[builtin_scenario("streaming-text")])  # fmt: skip
    assert not report.ok
    failed = [r for r in report.failures if r.rule == "client.request.matched"]
    assert failed, [f"{r.check} {r.rule}: {r.message}" for r in report.failures]
    assert "request(s) of this call without its session header" in failed[0].message
    assert run_client_checks(llama_api_client, target="sdk",
                             scenarios=[builtin_scenario("streaming-text")]).ok  # fmt: skip


def test_a_client_that_drops_the_headers_and_raises_fails_saying_so_too() -> None:
    """On an error scenario the client raises, so it 'surfaced the error': the requests it sent
    without the session header are what the call is graded on."""
    report = run_client_checks(_without_headers, target="no headers",
                               scenarios=[builtin_scenario("error-500-server-error")])  # fmt: skip
    failed = [r for r in report.failures if r.rule == "client.request.matched"]
    assert failed, [f"{r.check} {r.rule}: {r.message}" for r in report.failures]
    assert "request(s) of this call without its session header" in failed[0].message
