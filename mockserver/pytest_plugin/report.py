"""The `--llama-report DIR` files: every request a pytest session sent to the mock, graded by the
`requests_conform` client check per test and written as the contract's one report model
(`contract.conformance.report`, kind `pytest`): report.json, junit.xml, report.html, summary.md.

`llama-contract report render DIR/report.json` reads what this writes, as it reads the reports of
`llama-contract check`.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from contract.conformance.checks.registry import CheckOutcome, get_check
from contract.conformance.report import (
    CheckRecord,
    Report,
    TestRow,
    records_of,
    request_features,
    write_reports,
)
from contract.violations import Violation
from mockserver.pytest_plugin.journal import validation_from_dict
from mockserver.state.journal import JournalEntry

__all__ = ["SessionRecord", "build_report", "features_of", "request_record", "write_report"]

_CHECK = "requests_conform"


def features_of(entry: JournalEntry) -> list[str]:
    """The contract features one request exercised, e.g. `native.chat`, `stream`, `tools`."""
    return request_features(entry.body, dialect=entry.dialect, endpoint=entry.endpoint,
                            status=entry.status)  # fmt: skip


def request_record(entry: JournalEntry, *, test: str) -> dict[str, Any]:
    """What the report keeps of one journal entry (JSON-safe; no bodies, no headers)."""
    violations = [v.to_dict() for v in entry.validation.violations] if entry.validation else []
    return {
        "test": test,
        "id": entry.id,
        "method": entry.method,
        "path": entry.path,
        "endpoint": entry.endpoint,
        "dialect": entry.dialect,
        "status": entry.status,
        "stream": entry.stream,
        "scenario": entry.scenario,
        "step": entry.step,
        "fault": entry.fault,
        "violations": violations,
        "features": features_of(entry),
    }


class SessionRecord:
    """What a session gathers for `--llama-report`: every request, by test (JSON-safe, so xdist
    workers can send theirs to the controller)."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.tests: dict[str, dict[str, Any]] = {}
        self.started = time.monotonic()

    def add(self, nodeid: str, *, fixture: str, outcome: str, entries: list[JournalEntry]) -> None:
        known = self.tests.get(nodeid)
        if known is not None:  # the test used both fixtures
            fixture = f"{known['fixture']}, {fixture}"
        self.tests[nodeid] = {"outcome": outcome, "fixture": fixture}
        self.requests += [request_record(entry, test=nodeid) for entry in entries]

    def to_json(self) -> dict[str, Any]:
        return {"requests": self.requests, "tests": self.tests}

    def merge(self, document: Mapping[str, Any]) -> None:
        self.requests += document.get("requests", [])
        self.tests.update(document.get("tests", {}))


def _violations(requests: Sequence[Mapping[str, Any]]) -> list[Violation]:
    found: list[Violation] = []
    for request in requests:
        found += validation_from_dict(request).violations
    return found


def _evidence(requests: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The test's requests that broke the contract, as the report shows them."""
    keep = ("method", "path", "status", "scenario", "step", "fault", "violations")
    return {"requests": [{key: request[key] for key in keep if request.get(key) is not None}
                         for request in requests if request["violations"]]}  # fmt: skip


def _records(nodeid: str, requests: Sequence[Mapping[str, Any]]) -> list[CheckRecord]:
    check = get_check(_CHECK)
    if not requests:
        return [CheckRecord(check.name, check.rule, "skipped", nodeid,
                            "the test sent no request to the mock")]  # fmt: skip
    outcome = CheckOutcome(check, tuple(_violations(requests)))
    return records_of(outcome, case=nodeid, evidence=_evidence(requests))


def build_report(
    requests: Sequence[Mapping[str, Any]],
    tests: Mapping[str, Mapping[str, Any]],
    *,
    target: str = "the plugin's mock",
    options: Mapping[str, Any] | None = None,
    duration_s: float = 0.0,
) -> Report:
    """The session's report: per test, the `requests_conform` check over the requests it sent
    (one record per rule broken, or one passed record) and a `TestRow`; coverage counts the
    contract features of every request. `tests` maps node ids to `{"outcome", "fixture"}`."""
    by_test: dict[str, list[Mapping[str, Any]]] = {nodeid: [] for nodeid in tests}
    for request in requests:
        by_test.setdefault(request["test"], []).append(request)
    report = Report(kind="pytest", target=target, options=dict(options or {}),
                    duration_s=duration_s, cases=len(by_test))  # fmt: skip
    for request in requests:
        report.coverage.update(request["features"])
    for nodeid in sorted(by_test):
        sent = by_test[nodeid]
        info = tests.get(nodeid, {})
        violations = _violations(sent)
        report.add(_records(nodeid, sent))
        report.tests.append(TestRow(
            nodeid, str(info.get("outcome", "unknown")), str(info.get("fixture", "")),
            requests=len(sent), violations=len(violations),
            rules=tuple(sorted({v.rule for v in violations})),
        ))  # fmt: skip
    return report


def write_report(directory: Path, record: SessionRecord, **about: Any) -> list[Path]:
    """Write the session's report files into `directory` (see `write_reports`); `about` goes to
    `build_report` (target, options)."""
    duration = time.monotonic() - record.started
    report = build_report(record.requests, record.tests, duration_s=duration, **about)
    return write_reports(report, directory)
