"""The `llama_exchanges` fixture: generated exchanges served to the client a test runs.

`@given(exchange=exchanges(...))` draws an exchange (a request and the answer the mock gives it);
`llama_exchanges.serve(exchange)` arms the session's live mock for it and forgets the previous
one, so each hypothesis example starts clean; `ServedExchange.assert_outcome(...)` grades what
the client returned with the same client checks as `llama-contract check client`. The fixture is
session-scoped, so hypothesis runs every example through it without a health-check warning.
"""

from __future__ import annotations

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
        tool_calls: list[tuple[str, Any]] | None = None,
        stop_reason: str | None = None,
        error: BaseException | None = None,
    ) -> None:
        """Assert the client handed its user what the mock sent: give a `ClientOutcome`, or the
        parts (`tool_calls` as (name, arguments) pairs). Fails with the rule and the exchange."""
        __tracebackhide__ = True
        if outcome is None:
            calls = [ToolCallOutcome(name, arguments) for name, arguments in tool_calls or []]
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
        ]
        if failures:
            lines = [
                "the client did not hand on what the mock sent:",
                *failures,
                "the exchange (a scenario file that replays it):",
                str(self.exchange),
            ]
            raise AssertionError("\n".join(lines))  # fmt: skip


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
