"""Which calls `check client` plays: the scenarios' steps as conversations, on the endpoints the
client is checked on (a scenario of both endpoints once on each, `NAME@compat` on compat)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from contract.conformance.checks import Conversation
from contract.scenarios.loading import Scenario, Step
from mockserver.conformance.cases import Endpoint
from mockserver.conformance.faults import played_name

__all__ = ["ENDPOINTS", "calls_of", "conversation_of", "plays_of", "scenario_endpoints"]

ENDPOINTS: tuple[Endpoint, ...] = ("native", "compat")


def _fixed_endpoint(step: Step) -> Endpoint | None:
    """The endpoint a step names, by itself or by its path; None for a step that answers on any."""
    path = step.match.path
    if step.match.endpoint is not None:
        return step.match.endpoint
    if path is None:
        return None
    return "compat" if path.startswith("/compat") else "native"


def scenario_endpoints(scenario: Scenario) -> tuple[Endpoint, ...]:
    """Where `scenario` can be played: the endpoint its steps name, or, when none names one, the
    endpoints its tags say ("native", "compat"; native when it says neither)."""
    fixed = {endpoint for step in scenario.steps if (endpoint := _fixed_endpoint(step))}
    if fixed:
        return tuple(endpoint for endpoint in ENDPOINTS if endpoint in fixed)
    return tuple(endpoint for endpoint in ENDPOINTS if endpoint in scenario.tags) or ("native",)


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
    endpoint = _fixed_endpoint(step) or endpoint
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
