"""`check client --examples N --seed S`: generated exchanges played through a client adapter.

Each exchange (a request and the answer the mock is told to give it, `contract.strategies.
exchanges`) is served as a one-step scenario, played through the adapter and graded by the client
checks. When a check fails, hypothesis shrinks the exchange to the smallest one that still fails
that check; the report carries that minimal exchange, and `--save-failures DIR` writes it as a
scenario file to keep as a regression test. The same seed plays the same exchanges.
"""

from __future__ import annotations

import json
import re
import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from contract.conformance.checks import (
    Adapter,
    ClientCase,
    ClientOutcome,
    Conversation,
    RequestSeen,
    Unsupported,
    run_checks,
)
from contract.conformance.checks.registry import CheckOutcome, registered_checks
from contract.conformance.report import CheckRecord, Report, record_message
from contract.strategies import ClientExchange, exchanges
from mockserver.conformance.adapter_spec import AdapterError
from mockserver.conformance.client_runner import ConformanceMock, sent_by_the_client
from mockserver.scenarios.layer import SCENARIO_HEADER, SESSION_HEADER, install_scenarios

Endpoint = str
_PROBE = {"model": "Llama-4-Maverick-17B-128E-Instruct-FP8",
          "messages": [{"role": "user", "content": "hi"}]}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Finding:
    """A check that failed, with the smallest exchange hypothesis found that fails it."""

    check: str
    rule: str
    message: str
    exchange: ClientExchange
    outcome: ClientOutcome
    seen: tuple[RequestSeen, ...] = ()  # what the mock received

    def evidence(self, seed: int) -> dict[str, Any]:
        return {
            "seed": seed,
            "exchange": self.exchange.to_data(),
            "request": {"sent_by_the_client": sent_by_the_client(self.seen)},
            "outcome": self.outcome.describe(),
            "content_deltas": self.exchange.content_deltas(),
        }


class ExchangeFailed(AssertionError):
    """Raised inside the hypothesis run; one subclass per rule, so that hypothesis shrinks each
    failing check on its own (it tells failures apart by their exception type)."""

    finding: Finding


_FAILURE_TYPES: dict[str, type[ExchangeFailed]] = {}


def _failure(finding: Finding) -> ExchangeFailed:
    kind = _FAILURE_TYPES.get(finding.rule)
    if kind is None:
        name = "Failed_" + re.sub(r"\W", "_", finding.rule)
        kind = _FAILURE_TYPES.setdefault(finding.rule, type(name, (ExchangeFailed,), {}))
    error = kind(f"{finding.rule}: {finding.message}")
    error.finding = finding
    return error


class ExchangePlayer:
    """Plays one exchange at a time on a live mock and grades it."""

    def __init__(self, mock: ConformanceMock, adapter: Adapter) -> None:
        self.mock = mock
        self.adapter = adapter
        self.layer = install_scenarios(mock.service)

    def endpoints(self) -> list[Endpoint]:
        """The endpoints the adapter's client speaks (it raises `Unsupported` for the others)."""
        spoken = []
        for endpoint in ("native", "compat"):
            conversation = self._conversation(endpoint, dict(_PROBE), {})
            try:
                self.mock.play(self.adapter, conversation, "probe-" + uuid.uuid4().hex[:8])
            except Unsupported:
                continue
            spoken.append(endpoint)
        return spoken

    @staticmethod
    def _conversation(
        endpoint: Any, request: dict[str, Any], headers: dict[str, str]
    ) -> Conversation:
        return Conversation(scenario="generated", step="exchange", endpoint=endpoint,
                            operation="chat", request=request, headers=headers)  # fmt: skip

    def play(self, exchange: ClientExchange) -> tuple[ClientCase, list[CheckOutcome]]:
        session = "exchange-" + uuid.uuid4().hex[:12]
        scenario = exchange.scenario()
        self.layer.router.activate([scenario], replace=False)  # replaces the previous exchange
        headers = {SCENARIO_HEADER: scenario.name, SESSION_HEADER: session}
        conversation = self._conversation(exchange.endpoint, exchange.request, headers)
        outcome, seen = self.mock.play(self.adapter, conversation, session)
        case = ClientCase(scenario, scenario.steps[0], conversation, outcome, seen)
        return case, run_checks(case, scope="client")


def failures_of(checked: Sequence[CheckOutcome]) -> list[tuple[str, str, str]]:
    """(check, rule, message) of each failed check, errors only (warnings do not fail)."""
    found = []
    for outcome in checked:
        errors = [v for v in outcome.violations if v.severity == "error"]
        if errors:
            found.append((outcome.check.name, errors[0].rule, record_message(errors[0])))
    return found


def find_failures(
    player: ExchangePlayer,
    *,
    examples: int,
    seed: int,
    endpoints: Sequence[Endpoint],
    on_example: Callable[[list[CheckOutcome]], None] | None = None,
) -> list[Finding]:
    """Play `examples` generated exchanges; for each check that fails, the minimal exchange."""
    from hypothesis import HealthCheck, Phase, Verbosity, given, settings
    from hypothesis import seed as hypothesis_seed
    from hypothesis import strategies as st

    strategy = st.one_of(*(exchanges(endpoint=e, faults=True) for e in endpoints))

    @hypothesis_seed(seed)
    @settings(max_examples=examples, database=None, deadline=None, derandomize=False,
              phases=[Phase.generate, Phase.shrink], verbosity=Verbosity.quiet,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
              report_multiple_bugs=True, print_blob=False)  # fmt: skip
    @given(strategy)
    def property_of_the_client(exchange: ClientExchange) -> None:
        case, checked = player.play(exchange)
        if on_example is not None:
            on_example(checked)
        failed = failures_of(checked)
        if failed:
            check, rule, message = failed[0]
            raise _failure(Finding(check, rule, message, exchange, case.outcome, case.seen))

    try:
        property_of_the_client()
    except ExchangeFailed as failure:
        return [failure.finding]
    except BaseExceptionGroup as group:
        leaves = _leaves(group)
        misused = [leaf for leaf in leaves if isinstance(leaf, AdapterError)]
        if misused:  # not an adapter: a usage error, whatever else was found
            raise misused[0] from None
        findings = [leaf.finding for leaf in leaves if isinstance(leaf, ExchangeFailed)]
        if len(findings) < len(leaves):
            raise  # an error of ours (or of the adapter) beside the findings: never drop it
        return findings
    return []


def _leaves(group: BaseExceptionGroup[Any]) -> list[BaseException]:
    found: list[BaseException] = []
    for error in group.exceptions:
        found += _leaves(error) if isinstance(error, BaseExceptionGroup) else [error]
    return found


def run_generated(
    mock: ConformanceMock,
    adapter: Adapter,
    report: Report,
    *,
    examples: int,
    seed: int,
    save_failures: Path | None = None,
    on_case: Callable[[], None] | None = None,
) -> list[Path]:
    """Add the generated exchanges' verdicts to `report`; the scenario files written, if any.
    `on_case` is called after each exchange counted as a case (not those played to shrink)."""
    player = ExchangePlayer(mock, adapter)
    endpoints = player.endpoints()
    if not endpoints:
        report.add(
            [
                CheckRecord(
                    "adapter",
                    "client.request.conforms",
                    "skipped",
                    "generated",
                    "the adapter supports neither the native nor the compat API",
                )
            ]
        )
        return []
    verdicts: Counter[str] = Counter()
    played = 0

    def count(checked: list[CheckOutcome]) -> None:
        nonlocal played
        played += 1
        if played <= examples:  # hypothesis generates first, then shrinks what failed
            report.cases += 1
            verdicts.update(outcome.check.name for outcome in checked)
            if on_case is not None:
                on_case()

    findings = find_failures(player, examples=examples, seed=seed, endpoints=endpoints,
                             on_example=count)  # fmt: skip
    report.options["exchanges_played"] = played  # shrinking plays more than `examples`
    failed_checks = {finding.check for finding in findings}
    for check in registered_checks(scope="client"):
        if check.name in verdicts and check.name not in failed_checks:
            report.add([CheckRecord(check.name, check.rule, "passed", "generated",
                                    f"{verdicts[check.name]} generated exchanges")])  # fmt: skip
    written = []
    for finding in findings:
        report.add([CheckRecord(finding.check, finding.rule, "failed",
                                f"generated/{finding.rule}", finding.message,
                                finding.evidence(seed))])  # fmt: skip
        if save_failures is not None:
            written.append(_save(finding, save_failures))
    return written


class CannotSave(Exception):
    """A minimal exchange that `save_failures` could not be written to; the message names the
    file and why."""


def _save(finding: Finding, folder: Path) -> Path:
    name = "failing-" + re.sub(r"[^a-z0-9]+", "-", finding.rule.lower()).strip("-")
    data = finding.exchange.to_data(name)
    data["description"] = f"minimal exchange failing {finding.rule}: {finding.message[:200]}"
    path = folder / f"{name}.json"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    except OSError as exc:
        raise CannotSave(f"cannot write {path}: {exc.strerror or exc}") from None
    return path
