"""What a step's `expect` may ask for: only what a client call at the step can end with.

An expectation that can never hold is refused when the scenario is loaded, naming its field: a
warning rule id the catalog does not have, or a status, tool calls or stop reason the step's own
answer rules out. Only what the step decides is judged. A step the engine answers (no `respond`,
or one without content) may answer anything; so may one whose fault replaces the answer or sets its
status; and the retry of an error answer goes to the next step (`rate-limit-then-success` expects
the 200 of the step after its 429), unless the erring step is the last one (and `when_done` does not restart).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import NoReturn

from contract.rules import RULES
from contract.scenarios.model import Expect, Step
from contract.scenarios.source import PathParts
from contract.violations import did_you_mean

Fail = Callable[[PathParts, str], NoReturn]
_RETRIED_FAULTS = ("fail_then_succeed", "redirect")  # they fail first, then send the step's answer


@dataclass(frozen=True, slots=True)
class Outcome:
    """One answer a client call at a step can end with."""

    what: str  # how the message names it
    status: int
    calls: tuple[str, ...] | None  # tool call names; None: the body is not known here
    stop_reason: str | None  # None: no completion (an error, an empty answer)


def warning_problem(rule_id: str) -> str | None:
    """Why `rule_id` can never be a contract warning a request earns, or None when it can."""
    warnings = sorted(rule.id for rule in RULES.values() if rule.severity == "warning")
    rule = RULES.get(rule_id)
    if rule is None:
        hint = did_you_mean(rule_id, RULES, cutoff=0.5)
        return (f"{rule_id!r} is not a rule id{hint} ('llama-contract rules' lists them; the "
                f"warnings are {', '.join(warnings)})")
    if rule.severity != "warning":
        return (f"{rule_id} is an error rule, never a warning: a request breaking it is refused "
                f"(400); expect.warnings takes the warning rules: {', '.join(warnings)}")
    return None


def outcomes(step: Step, *, last: bool, when_done: str) -> list[Outcome] | None:
    """The answers a client call at `step` can end with, or None when the step does not decide."""
    respond = step.respond
    names = {fault.name for fault in step.faults}
    if respond is None or not respond.scripted or "malformed_json" in names or any(
            f.kind.role == "replace" and f.name not in _RETRIED_FAULTS for f in step.faults):
        return None  # the engine answers, or a fault sets what is sent
    if respond.is_error and (not last or when_done == "restart"):
        return None  # a client that retries is answered by the next step (or the first)
    status = respond.status
    if respond.is_error:
        found = [Outcome(f"this step's {status} error (respond.status)", status, (), None)]
    elif respond.bodiless:
        found = [Outcome(f"this step's bare {status} (no body)", status, (), None)]
    elif respond.has_body:
        found = [Outcome(f"this step's literal body with status {status}", status, None, None)]
    elif "tool_call_as_text" in names:
        found = [Outcome("this step's answer with its tool calls written as text "
                         "(tool_call_as_text): no tool calls, stop_reason stop", status, (), "stop")]
    else:
        calls = tuple(call.name for call in respond.tool_calls)
        said = f"{len(calls)} tool call(s): {', '.join(calls)}" if calls else "no tool calls"
        found = [Outcome(f"this step's answer (status {status}, {said}, stop_reason "
                         f"{respond.resolved_stop_reason})", status, calls,
                         respond.resolved_stop_reason)]
    if respond.is_error and when_done == "fail":
        found.append(Outcome("404 scenario.finished for a retry (when_done: fail)", 404, (), None))
    for fault in step.faults:
        if fault.name in _RETRIED_FAULTS:
            code = fault.integer("status", 307 if fault.name == "redirect" else 503)
            found.append(Outcome(f"the {fault.name} fault's {code}, for a client that gives up "
                                 "before it ends", code, (), None))
    return found


def check_expect(step: Step, *, last: bool, when_done: str, at: PathParts, fail: Fail) -> None:
    """Refuse (through `fail`, with the field) an expectation no answer of `step` can meet."""
    expect = step.expect
    if expect is None:
        return
    for index, rule_id in enumerate(expect.warnings):
        problem = warning_problem(rule_id)
        if problem is not None:
            fail((*at, "warnings", index), problem)
    found = outcomes(step, last=last, when_done=when_done)
    if not found:
        return
    why = " or ".join(outcome.what for outcome in found)
    if found[0].status >= 400 and when_done == "repeat_last":
        why += (" (a retry gets this step again: it is the last one; add a step after it to "
                "answer the retry)")
    for key, wanted, holds in _expectations(expect):
        if wanted is not None and not any(holds(outcome) for outcome in found):
            fail((*at, key), f"{key} {wanted} can never hold: a client call at this step ends "
                             f"with {why}")


def _expectations(expect: Expect) -> list[tuple[str, object, Callable[[Outcome], bool]]]:
    called = ", ".join(expect.tools_called) if expect.tools_called else None
    return [
        ("status", expect.status, lambda o: o.status == expect.status),
        ("tool_calls", expect.tool_calls,
         lambda o: o.calls is None or len(o.calls) == expect.tool_calls),
        ("tool_called", called,
         lambda o: o.calls is None or set(expect.tools_called) <= set(o.calls)),
        ("stop_reason", expect.stop_reason,
         lambda o: o.calls is None or o.stop_reason == expect.stop_reason),
    ]
