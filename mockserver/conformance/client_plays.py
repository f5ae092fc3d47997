"""Which calls `check client` plays: the scenarios' steps as conversations, on the endpoints the
client is checked on (a scenario of both endpoints once on each, `NAME@compat` on compat)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from contract.conformance.checks import Conversation
from contract.scenarios.loading import Scenario, Step
from mockserver.conformance.cases import Endpoint, played_name, scenario_endpoints, step_endpoint

__all__ = ["calls_of", "conversation_of", "plays_of"]


def plays_of(scenario: Scenario, endpoints: Sequence[Endpoint]) -> list[tuple[str, Endpoint]]:
    """(case name, endpoint) of each play of `scenario` for a client checked on `endpoints`:
    once on each it can be played on, `NAME@compat` on compat for a scenario of both; a
    scenario of another endpoint only is played on it all the same, to be skipped by the
    adapter that cannot make its calls (the report shows what was not covered)."""
    own = scenario_endpoints(scenario)
    chosen = [endpoint for endpoint in own if endpoint in endpoints] or [own[0]]
    return [(played_name(scenario, endpoint) if len(own) > 1 else scenario.name, endpoint)
            for endpoint in chosen]  # fmt: skip


def conversation_of(
    scenario: Scenario, step: Step, *, session: str, endpoint: Endpoint = "native"
) -> Conversation | None:
    """The call a step describes (on `endpoint` unless it names its own), or None for a step
    with no call (answered after a retry)."""
    path = step.match.path
    if step.request is None and not path:
        return None
    operation: Any = "chat"
    if path is not None and path.endswith("/models"):
        operation = "models"
    elif path is not None and path.endswith("/moderations"):
        operation = "moderation"
    endpoint = step_endpoint(step) or endpoint
    return Conversation(scenario=scenario.name, step=step.name, endpoint=endpoint,
                        operation=operation, request=dict(step.request or {}),
                        headers={"x-mock-scenario": scenario.name,
                                 "x-mock-session": session})  # fmt: skip


def calls_of(scenario: Scenario, *, endpoint: Endpoint = "native") -> list[tuple[Step, Conversation]]:
    """The steps of `scenario` that are calls (one case each), with their conversations on
    `endpoint` (a step that names its own endpoint keeps it), in no session yet (the runner
    gives each play its own)."""
    calls = []
    for step in scenario.steps:
        conversation = conversation_of(scenario, step, session="", endpoint=endpoint)
        if conversation is not None:
            calls.append((step, conversation))
    return calls
