"""The `llama_exchanges` fixture: generated exchanges served to the client a test runs.

`@given(exchange=exchanges(...))` draws an exchange (a request and the answer the mock gives it);
`llama_exchanges.serve(exchange)` arms the session's live mock for it and forgets the previous
one, so each hypothesis example starts clean; `ServedExchange.assert_outcome(...)` grades what
the client returned with the same client checks as `llama-contract check client`. The fixture is
session-scoped, so hypothesis runs every example through it without a health-check warning.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from contract.conformance.checks import (
    ClientCase,
    ClientOutcome,
    Conversation,
    ToolCallOutcome,
    run_checks,
)
from contract.strategies import ClientExchange
from contract.validate.explain import clip
from mockserver.conformance.client_runner import seen_request
from mockserver.scenarios.layer import install_scenarios

if TYPE_CHECKING:
    from mockserver.pytest_plugin.journal import LlamaMock

SERVED_NAME = "llama-exchanges-served"


@dataclass(frozen=True, slots=True)
class ServedExchange:
    """An exchange the mock now answers: send `request` to `url` with `api_key`."""

    exchange: ClientExchange
    url: str  # the endpoint's base URL: ".../v1" (native) or ".../compat/v1" (compat)
    api_key: str
    mock: LlamaMock

    @property
    def request(self) -> dict[str, Any]:
        return self.exchange.request

    def assert_outcome(
        self,
        outcome: ClientOutcome | None = None,
        *,
        text: str | None = None,
        tool_calls: Iterable[tuple[str, Any] | tuple[str, Any, str | None]] | None = None,
        stop_reason: str | None = None,
        error: BaseException | None = None,
    ) -> None:
        """Assert the client handed its user what the mock sent: give a `ClientOutcome`, or the
        parts (`tool_calls` as (name, arguments) pairs, or (name, arguments, id) triples, which
        also check the id). Fails with the rule and the exchange."""
        __tracebackhide__ = True
        stated: list[bool] = []
        if outcome is None:
            calls, stated = tool_call_outcomes(tool_calls)
            outcome = ClientOutcome(text, calls, None, stop_reason, error)
        scenario = self.exchange.scenario(SERVED_NAME)
        conversation = Conversation(scenario=scenario.name, step="exchange",
                                    endpoint=self.exchange.endpoint, operation="chat",
                                    request=self.exchange.request)  # fmt: skip
        seen = tuple(seen_request(entry) for entry in self.mock.journal_entries())
        case = ClientCase(scenario, scenario.steps[0], conversation, outcome, seen)
        failures = [
            f"{v.rule}: {v.message}"
            for checked in run_checks(case, scope="client")
            for v in checked.violations
            if v.severity == "error"
        ] or _dropped_ids(list(outcome.tool_calls), stated, self.exchange)
        if failures:
            lines = [
                "the client did not hand on what the mock sent:",
                *failures,
                "the exchange (a scenario file that replays it):",
                str(self.exchange),
            ]
            raise AssertionError("\n".join(lines))  # fmt: skip


_SHAPES = "(name, arguments) pairs or (name, arguments, id) triples (or ToolCallOutcome)"


def tool_call_outcomes(tool_calls: object) -> tuple[list[ToolCallOutcome], list[bool]]:
    """`assert_outcome(tool_calls=...)` as ToolCallOutcomes, and for each whether its id was
    stated: a pair leaves the id unchecked; a triple's id is checked, None being an id dropped."""
    if tool_calls is None:
        return [], []
    if isinstance(tool_calls, str | bytes | Mapping) or not isinstance(tool_calls, Iterable):
        raise TypeError(f"assert_outcome(tool_calls=...) takes a list of {_SHAPES}, "
                        f"not a {type(tool_calls).__name__}")  # fmt: skip
    calls: list[ToolCallOutcome] = []
    stated: list[bool] = []
    for index, call in enumerate(tool_calls):
        if isinstance(call, ToolCallOutcome):
            calls.append(call)
        elif isinstance(call, tuple | list) and len(call) in (2, 3):
            calls.append(ToolCallOutcome(*call))
        else:
            shown = f"{len(call)} items" if isinstance(call, tuple | list) else type(call).__name__
            raise TypeError(f"assert_outcome(tool_calls=...): tool_calls[{index}] is {shown} "
                            f"({clip(repr(call), limit=80)}); expected {_SHAPES}")  # fmt: skip
        stated.append(isinstance(call, tuple | list) and len(call) == 3)
    return calls, stated


def _dropped_ids(
    calls: list[ToolCallOutcome], stated: list[bool], exchange: ClientExchange
) -> list[str]:
    # tool_calls_intact compares ids only when the client gives one (an adapter may not see ids);
    # a triple says the test does see them, so a missing id is one the client lost.
    sent = exchange.respond.tool_calls
    if not any(stated) or exchange.breaks or exchange.replaced or len(sent) != len(calls):
        return []
    return [
        f"client.tool_calls.intact: tool call {index}: the client returned no id; the server "
        f"sent {spec.id!r}"
        for index, (call, spec, given) in enumerate(zip(calls, sent, stated, strict=True))
        if given and call.id is None and spec.id is not None
    ]


class ExchangeServer:
    """Arms the session's live mock with one exchange at a time."""

    def __init__(self, mock: LlamaMock) -> None:
        if mock.service is None:
            raise RuntimeError(
                "llama_exchanges serves exchanges from the in-process mock; it cannot arm an "
                "external --llama-base-url server"
            )
        self.mock = mock
        self.layer = install_scenarios(mock.service)

    def serve(self, exchange: ClientExchange) -> ServedExchange:
        """Forget the previous exchange and the journal; answer the next requests with this one."""
        if not isinstance(exchange, ClientExchange):
            raise TypeError(f"serve() takes an exchange from exchanges(), not {type(exchange)}")
        self.mock.reset()
        self.layer.router.activate([exchange.scenario(SERVED_NAME)], replace=False)
        url = self.mock.compat_url if exchange.endpoint == "compat" else self.mock.native_url
        return ServedExchange(exchange, url, self.mock.api_key, self.mock)

    def stop_serving(self) -> None:
        self.layer.router.deactivate(SERVED_NAME)
