"""docs/conformance.md's recipe for a gateway: `check client` with an adapter that puts the
gateway between an SDK and the runner's mock. A pass-through gateway conforms; one that ends a
cut stream cleanly (a real gateway bug, found this way by a user), drops `retry-after` or
rewrites an error's status fails the scenario that shows it."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from gateway_app import gateway

from contract.conformance.checks import ClientOutcome, Conversation
from contract.scenarios.loading import builtin_scenario
from mockserver.adapters.live import LiveApp
from mockserver.conformance.adapters import llama_api_client, openai_compat
from mockserver.conformance.client_runner import run_client_checks

SCENARIOS = ("seed-example", "truncated-stream", "rate-limit-then-success", "compat-streaming-text",
             "error-404-not-found")  # fmt: skip


def through(flaw: str | None, started: list[LiveApp]) -> Any:
    @functools.cache
    def gateway_for(upstream: str) -> str:
        live = LiveApp(gateway(upstream, flaw=flaw)).start()
        started.append(live)
        return live.base_url

    def adapter(base_url: str, api_key: str, conversation: Conversation) -> ClientOutcome:
        parts = urlsplit(base_url)  # the runner's mock: http://127.0.0.1:PORT/v1 or /compat/v1
        root = gateway_for(f"{parts.scheme}://{parts.netloc}")
        sdk = openai_compat if conversation.endpoint == "compat" else llama_api_client
        return sdk(root + parts.path, api_key, conversation)

    return adapter


@pytest.fixture
def started() -> Iterator[list[LiveApp]]:
    gateways: list[LiveApp] = []
    yield gateways
    for live in gateways:
        live.stop()


def test_a_pass_through_gateway_conforms(started: list[LiveApp]) -> None:
    report = run_client_checks(through(None, started), target="gateway",
                               scenarios=[builtin_scenario(name) for name in SCENARIOS])  # fmt: skip
    assert report.ok, [(r.case, r.message) for r in report.failures]
    assert report.cases >= len(SCENARIOS)


@pytest.mark.parametrize(
    ("flaw", "failed"),
    [
        ("ends cut streams", {("truncated-stream", "client.error.surfaced")}),
        ("drops retry-after", {("rate-limit-then-success", "client.retry.after")}),
        # the SDK retries the 502s it gets: more requests than a 404 allows, and a wrong status
        ("turns 404 into 502", {("error-404-not-found", "client.error.status"),
                                ("error-404-not-found", "client.retry.count")}),
    ],
)  # on both endpoints: the fault scenarios are played on each (NAME@compat), through each SDK
def test_a_flawed_gateway_fails_the_scenario_its_flaw_breaks(
    flaw: str, failed: set[tuple[str, str]], started: list[LiveApp]
) -> None:
    report = run_client_checks(through(flaw, started), target="gateway",
                               scenarios=[builtin_scenario(name) for name in SCENARIOS])  # fmt: skip
    assert {(r.case.split("/")[0], r.rule) for r in report.failures} == failed | {
        (f"{scenario}@compat", rule) for scenario, rule in failed
    }
