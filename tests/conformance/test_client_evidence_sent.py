"""A client check's failure shows what the client sent (the bodies the mock received, bounded)
beside the step's request, which is what the client was asked to send."""

from __future__ import annotations

import dataclasses
from typing import Any

from contract.conformance.checks import ClientOutcome, Conversation, RequestSeen
from contract.conformance.report.junit import render_junit
from contract.scenarios.loading import builtin_scenario
from mockserver.conformance.adapter_spec import resolve_adapter
from mockserver.conformance.client_runner import (
    SENT_BODY_CHARS,
    SENT_SHOWN,
    run_client_checks,
    sent_by_the_client,
)

MODEL = "Llama-4-Maverick-17B-128E-Instruct-FP8"


def _without(field: str) -> Any:
    correct = resolve_adapter("llama-api-client")

    def buggy(base_url: str, api_key: str, conversation: Conversation) -> ClientOutcome:
        request = {k: v for k, v in conversation.request.items() if k != field}
        return correct(base_url, api_key, dataclasses.replace(conversation, request=request))

    return buggy


def test_the_evidence_shows_what_the_client_sent_beside_the_steps_request() -> None:
    report = run_client_checks(_without("stream"), target="drops stream",
                               scenarios=[builtin_scenario("streaming-text")])  # fmt: skip
    evidence = report.failures[0].evidence["request"]
    assert evidence["body"]["stream"] is True  # the step's request
    [sent] = evidence["sent_by_the_client"]
    assert sent["status"] == 404
    assert "stream" not in sent["body"]
    assert sent["body"]["messages"] == evidence["body"]["messages"]
    assert sent["refused"].startswith("scenario.no_match: no scenario step matches")
    junit = render_junit(report)
    assert '"sent_by_the_client": [' in junit
    assert "wanted stream true, got false" in junit


def _seen(body: Any, status: int = 500) -> RequestSeen:
    return RequestSeen(started=0.0, method="POST", path="/v1/chat/completions", status=status,
                       body=body)  # fmt: skip


def test_the_bodies_shown_are_bounded() -> None:
    long = {"model": MODEL, "messages": [{"role": "user", "content": "x" * 5000}]}
    short = {"model": MODEL, "messages": [{"role": "user", "content": "hi"}]}
    shown = sent_by_the_client([_seen(long), _seen(long), _seen(short), _seen(short),
                                _seen(short)])  # fmt: skip
    assert [item.get("request") for item in shown] == [*range(1, SENT_SHOWN + 1), None]
    cut = shown[0]["body"]
    assert isinstance(cut, str)
    assert len(cut) < SENT_BODY_CHARS + 100
    assert cut.startswith('{"model":')
    assert cut.endswith("characters of JSON in all)")
    assert shown[1]["body"] == "the same as request 1"  # a retry sends the same body
    assert shown[2]["body"] == short
    assert shown[-1] == {"not_shown": "2 more request(s); response.requests_seen lists them all"}
