"""`Prefer` in a chat request: `code=` answers that status, `example=` names the step that answers
(as Prism reads them); and the faults an `x-mock-fault` header asks for."""

from __future__ import annotations

from typing import TYPE_CHECKING

from contract.scenarios.fault_forms import parse_fault_list
from contract.scenarios.faults import FaultError, FaultSpec
from contract.scenarios.loading import Scenario, Step
from contract.validate.explain import clip
from mockserver.core.errors import simple_error
from mockserver.core.http import MockResponse
from mockserver.scenarios.router import NoMatch, ScenarioRouter

if TYPE_CHECKING:
    from mockserver.core.chat import ChatCall

FAULT_HEADER = "x-mock-fault"


def header_faults_of(call: ChatCall, text: str, stream: bool) -> tuple[FaultSpec, ...] | MockResponse:
    """The faults of an `x-mock-fault` header's `text`, or the 400 that says what is wrong."""
    if not text:
        return ()
    try:
        faults = parse_fault_list(text)
    except FaultError as exc:
        return simple_error(
            400, "fault.invalid", f"{FAULT_HEADER}: {exc.message}", dialect=call.dialect
        )
    for spec in faults:
        if spec.kind.stream_only and not stream:
            return simple_error(
                400,
                "fault.invalid",
                f"{FAULT_HEADER}: {spec.name} affects streams only; this request has "
                "stream false",
                dialect=call.dialect,
            )
    return faults


def parse_prefer(value: str) -> dict[str, str]:
    """`Prefer: code=429, example=rate-limited` -> {"code": "429", "example": "rate-limited"}."""
    found: dict[str, str] = {}
    for part in value.replace(";", ",").split(","):
        key, sep, raw = part.strip().partition("=")
        if sep:
            found[key.strip().lower()] = raw.strip().strip('"')
    return found


def prefer_code(call: ChatCall, raw: str) -> MockResponse | None:
    valid = raw.isascii() and raw.isdigit() and len(raw) == 3
    if not valid or not (raw == "200" or 400 <= int(raw) <= 599):
        return simple_error(
            400,
            "prefer.invalid",
            f"Prefer: code={clip(raw)} cannot be honoured; ask for 200 or an error status "
            "400-599",
            dialect=call.dialect,
        )
    status = int(raw)
    if status == 200:
        return None
    call.entry.fault = f"prefer code={status}"
    return simple_error(
        status,
        "prefer.code",
        f"answered {status} as asked by 'Prefer: code={status}'",
        dialect=call.dialect,
    )


def example_step(
    router: ScenarioRouter, call: ChatCall, name: str, scenario_name: str
) -> tuple[Scenario, Step] | MockResponse:
    scenarios: tuple[Scenario, ...]
    if scenario_name:
        found = router.find(scenario_name)
        if isinstance(found, NoMatch):  # the scenario is what is missing, not the step
            return simple_error(400, found.rule, found.message, dialect=call.dialect)
        scenarios = (found,)
    else:
        scenarios = router.active
    for scenario in scenarios:
        step = scenario.step_named(name)
        if step is not None:
            return scenario, step
    if scenario_name:
        where = f"scenario {clip(scenario_name)!r}"
    elif scenarios:
        where = "the active scenarios"
    else:
        where = "any scenario (none is active; name one with x-mock-scenario)"
    return simple_error(
        400,
        "scenario.unknown",
        f"Prefer: example={clip(name)}: no step named {clip(name)!r} in {where}",
        dialect=call.dialect,
    )
