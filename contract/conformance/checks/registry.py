"""The check registry: checks are plain named functions, each with the rule id it stands for.

A check takes one subject (a server `Exchange` or a client `ClientCase`) and returns the violations
it found: an empty list when the subject passes, None when the check does not apply to it.
Violations may carry more precise rules than the check's own (a response check reports
`field.type` or `metrics.missing`); the check's rule names the check as a whole.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from contract.rules import RULES
from contract.violations import Violation

CheckScope = Literal["server", "client"]
CheckFunction = Callable[[Any], "list[Violation] | None"]


@dataclass(frozen=True, slots=True)
class Check:
    name: str
    rule: str
    scope: CheckScope
    summary: str
    function: CheckFunction

    def __call__(self, subject: Any) -> list[Violation] | None:
        return self.function(subject)


@dataclass(frozen=True, slots=True)
class CheckOutcome:
    """What one check said of one subject."""

    check: Check
    violations: tuple[Violation, ...]

    @property
    def passed(self) -> bool:
        return not any(v.severity == "error" for v in self.violations)


_REGISTRY: dict[str, Check] = {}


def register(
    *, name: str, rule: str, scope: CheckScope
) -> Callable[[CheckFunction], CheckFunction]:
    """Decorator: add a check to the registry under `name`; its docstring is its summary."""
    if rule not in RULES:
        raise KeyError(f"check {name!r}: rule {rule!r} is not in the rule catalog")

    def add(function: CheckFunction) -> CheckFunction:
        if name in _REGISTRY:
            raise ValueError(f"a check named {name!r} is already registered")
        summary = (function.__doc__ or "").strip().splitlines()
        _REGISTRY[name] = Check(name, rule, scope, summary[0] if summary else "", function)
        return function

    return add


def registered_checks(*, scope: CheckScope | None = None) -> list[Check]:
    """The registered checks (in registration order), of one scope or all."""
    _load_builtin_checks()
    return [c for c in _REGISTRY.values() if scope is None or c.scope == scope]


def get_check(name: str) -> Check:
    _load_builtin_checks()
    try:
        return _REGISTRY[name]
    except KeyError:
        known = ", ".join(_REGISTRY)
        raise KeyError(f"no check named {name!r}; known: {known}") from None


def run_checks(
    subject: Any, *, scope: CheckScope, only: tuple[str, ...] = ()
) -> list[CheckOutcome]:
    """Run every check of `scope` (or those named in `only`) that applies to `subject`."""
    outcomes = []
    for check in registered_checks(scope=scope):
        if only and check.name not in only:
            continue
        found = check(subject)
        if found is not None:
            outcomes.append(CheckOutcome(check, tuple(found)))
    return outcomes


def _load_builtin_checks() -> None:
    # The built-in checks register themselves on import.
    from contract.conformance.checks import client, client_results, faults, server  # noqa: F401
