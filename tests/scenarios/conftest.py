"""Fixtures of the scenario tests: a live mock with scenarios installed, and a runner that plays a
scenario's steps through the official SDK (native) or the openai SDK (compat) with the project's
SDK adapters, graded by the project's client checks (`contract.conformance.checks.client`).

Tests reach everything through fixtures (no imports from here), so any pytest import mode works.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest

from contract.conformance.checks import ClientCase, ClientOutcome, run_checks
from contract.scenarios.loading import Scenario, Step
from mockserver import MockConfig, MockService
from mockserver.conformance.adapters import llama_api_client, openai_compat
from mockserver.conformance.client_plays import conversation_of
from mockserver.conformance.client_runner import ConformanceMock
from mockserver.scenarios.layer import ScenarioLayer, install_scenarios
from mockserver.state.journal import JournalEntry


@dataclass
class ScenarioMock:
    base_url: str
    service: MockService
    layer: ScenarioLayer
    conformance: ConformanceMock

    def entries(self, session: str | None) -> list[JournalEntry]:
        return self.conformance.entries(session)


@pytest.fixture(scope="session")
def scenario_mock() -> Iterator[ScenarioMock]:
    """The project's live mock (`mockserver.adapters.live`) with scenarios and faults installed;
    it checks its own answers against the contract."""
    conformance = ConformanceMock(MockConfig(port=0, self_check=True))
    layer = install_scenarios(conformance.service)
    conformance.live.start()
    yield ScenarioMock(conformance.live.base_url, conformance.service, layer, conformance)
    conformance.live.stop()
    conformance.live.raise_errors()
    assert not conformance.service.answer_problems, "\n".join(conformance.service.answer_problems)


def grade(case: ClientCase) -> list[str]:
    """What the client checks found wrong with one call, and what the journal shows against the
    step's `expect` that describes the server's answer rather than the client (status, warnings).
    """
    step = case.step
    problems = [f"{step.label}: {outcome.check.name}: {violation}"
                for outcome in run_checks(case, scope="client") if not outcome.passed
                for violation in outcome.violations if violation.severity == "error"]  # fmt: skip
    expect = step.expect
    if expect is None:
        return problems
    status = case.seen[-1].status if case.seen else None
    if expect.status is not None and status != expect.status:
        problems.append(f"{step.label}: the last answer was {status}, expected {expect.status}")
    warned = {v.rule for seen in case.seen for v in seen.violations if v.severity == "warning"}
    problems += [f"{step.label}: no {rule} warning (saw {sorted(warned)})"
                 for rule in expect.warnings if rule not in warned]  # fmt: skip
    return problems


@dataclass
class Played:
    step: Step
    outcome: ClientOutcome
    entries: list[JournalEntry]  # what the mock's journal holds of the call
    problems: list[str]


@pytest.fixture
def play_scenario(scenario_mock: ScenarioMock) -> Callable[..., list[Played]]:
    """Play every step of a scenario that has a request, in a fresh session (or in none, when
    `use_session` is false); grade each."""

    def play(scenario: Scenario, *, session: str | None = None,
             use_session: bool = True) -> list[Played]:  # fmt: skip
        session = (session or f"{scenario.name}-{uuid.uuid4().hex[:8]}") if use_session else None
        played = []
        for step in scenario.steps:
            conversation = conversation_of(scenario, step, session=session or "")
            if conversation is None:
                continue
            if session is None:
                headers = {k: v for k, v in conversation.headers.items() if k != "x-mock-session"}
                conversation = dataclasses.replace(conversation, headers=headers)
            adapter = openai_compat if conversation.endpoint == "compat" else llama_api_client
            before = len(scenario_mock.entries(session))
            outcome, seen = scenario_mock.conformance.play(adapter, conversation, session)
            case = ClientCase(scenario, step, conversation, outcome, seen)
            entries = scenario_mock.entries(session)[before:]
            played.append(Played(step, outcome, entries, grade(case)))
        return played

    return play
