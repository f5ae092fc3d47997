"""The report model: one `CheckRecord` per check per case, gathered in a `Report`.

`report.json` is `Report.to_dict()`; its JSON Schema is `contract/schemas/report.json`. Every
renderer (JUnit, HTML, markdown) works from this one model, for `llama-contract check` runs and
for the pytest plugin's `--llama-report` alike (kind `pytest`, with one `TestRow` per test).
"""

from __future__ import annotations

import hashlib
import time
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from typing import Any, Literal

from contract.conformance.checks.registry import CheckOutcome

Status = Literal["passed", "failed", "warning", "skipped"]
REPORT_FORMAT = 1
TOOL_NAME = "llama-api-contract"


@dataclass(frozen=True, slots=True)
class CheckRecord:
    """One check's verdict on one case, under one rule (a check failing two rules gives two)."""

    check: str
    rule: str
    status: Status
    case: str
    message: str = ""
    evidence: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"check": self.check, "rule": self.rule, "status": self.status,
                               "case": self.case, "message": self.message}  # fmt: skip
        if self.evidence:
            out["evidence"] = dict(self.evidence)
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CheckRecord:
        return cls(data["check"], data["rule"], data["status"], data["case"],
                   data.get("message", ""), data.get("evidence", {}))  # fmt: skip


@dataclass(frozen=True, slots=True)
class TestRow:
    """One test of a pytest session that used the plugin's mock: its outcome, the fixtures it
    used, how many requests it sent and the rules they broke."""

    __test__ = False  # not a pytest test class, despite the name

    nodeid: str
    outcome: str
    fixture: str
    requests: int = 0
    violations: int = 0
    rules: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"nodeid": self.nodeid, "outcome": self.outcome, "fixture": self.fixture,
                "requests": self.requests, "violations": self.violations,
                "rules": list(self.rules)}  # fmt: skip

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TestRow:
        return cls(data["nodeid"], data["outcome"], data["fixture"], data["requests"],
                   data["violations"], tuple(data["rules"]))  # fmt: skip


def records_of(
    outcome: CheckOutcome, *, case: str, evidence: Mapping[str, Any] | None = None
) -> list[CheckRecord]:
    """Records of one check outcome: one passed record, or one record per rule broken (errors
    fail, warnings warn), each carrying its violations; evidence goes on non-passed records."""
    check = outcome.check
    if not outcome.violations:
        return [CheckRecord(check.name, check.rule, "passed", case)]
    by_rule: dict[str, list[Any]] = {}
    for violation in outcome.violations:
        by_rule.setdefault(violation.rule, []).append(violation)
    records = []
    for rule, found in by_rule.items():
        failed = any(v.severity == "error" for v in found)
        details = {**(evidence or {}), "violations": [v.to_dict() for v in found]}
        records.append(CheckRecord(check.name, rule, "failed" if failed else "warning", case,
                                   "; ".join(record_message(v) for v in found[:5]), details))  # fmt: skip
    return records


def record_message(violation: Any) -> str:
    """A violation as a record's message: the record names the rule, so only where and what."""
    return f"{violation.path}: {violation.message}" if violation.path else violation.message


def contract_digest() -> str:
    """A digest of the contract's schema files: which contract a report was checked against."""
    digest = hashlib.sha256()
    folder = resources.files("contract") / "schemas"
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".json") and entry.name != "report.json":
            digest.update(entry.name.encode() + b"\0" + entry.read_bytes())
    return "sha256:" + digest.hexdigest()[:16]


def tool_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(TOOL_NAME)
    except PackageNotFoundError:
        return "unknown"


@dataclass
class Report:
    """A conformance run: what was checked, against what, and every record."""

    kind: Literal["server", "client", "pytest"]
    target: str
    seed: int | None = None
    records: list[CheckRecord] = field(default_factory=list)
    coverage: Counter[str] = field(default_factory=Counter)
    cases: int = 0
    created: str = field(default_factory=lambda: time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))
    duration_s: float = 0.0
    options: dict[str, Any] = field(default_factory=dict)
    tool: dict[str, str] = field(
        default_factory=lambda: {"name": TOOL_NAME, "version": tool_version()}
    )
    contract: dict[str, str] = field(
        default_factory=lambda: {"version": tool_version(), "digest": contract_digest()}
    )
    tests: list[TestRow] = field(default_factory=list)  # pytest reports: one row per test

    def add(self, records: Iterable[CheckRecord]) -> None:
        self.records.extend(records)

    @property
    def failures(self) -> list[CheckRecord]:
        return [r for r in self.records if r.status == "failed"]

    @property
    def played_faults(self) -> list[str]:
        """The fault scenarios a `check server --faults` run played, in order (none otherwise)."""
        played = self.options.get("faults")
        return [str(name) for name in played] if isinstance(played, list) else []

    def failures_to_read(self) -> list[CheckRecord]:
        """The failures in the order a person reads a short list of them: the first of each check
        and rule first (70 cases failing one way do not hide the one failing another), then the
        rest, each part in run order."""
        first: dict[tuple[str, str], CheckRecord] = {}
        for record in self.failures:
            first.setdefault((record.check, record.rule), record)
        shown = {id(record) for record in first.values()}
        return [*first.values(), *(r for r in self.failures if id(r) not in shown)]

    @property
    def ok(self) -> bool:
        return not self.failures

    @property
    def checked_nothing(self) -> bool:
        """Whether no check graded anything: every record skipped (an adapter that supports no
        call), or no record at all. Such a run is no evidence of conformance."""
        return all(record.status == "skipped" for record in self.records)

    @property
    def incomplete(self) -> bool:
        """Whether the run is no whole evidence, failures or not: cut short (Ctrl-C, an adapter
        error) or with nothing checked. No report of it may read as a pass."""
        return "interrupted" in self.options or self.checked_nothing

    def verdict(self, *, failed: str = "does NOT conform") -> str:
        """"conforms" or `failed` ("checked nothing" when no check graded anything); for a run
        cut short (Ctrl-C), no more than a verdict on the cases it finished, saying so."""
        said = "conforms" if self.ok else failed
        if self.ok and self.checked_nothing:
            said = "checked nothing (every check was skipped)"
        stopped = self.options.get("interrupted")
        if not stopped:
            return said
        how = "STOPPED" if stopped.get("reason") else "INTERRUPTED"  # an adapter error; Ctrl-C
        return (f"{how} after {stopped['cases_done']} of {stopped['cases_total']} cases, "
                f"{said} so far")

    def summary(self) -> dict[str, int]:
        counts = Counter(record.status for record in self.records)
        return {"passed": counts["passed"], "failed": counts["failed"],
                "warnings": counts["warning"], "skipped": counts["skipped"],
                "total": len(self.records), "cases": self.cases}  # fmt: skip

    def rule_table(self) -> list[dict[str, Any]]:
        """Per rule: how many records passed, failed, warned, and the checks that reported it."""
        table: dict[str, dict[str, Any]] = {}
        for record in self.records:
            row = table.setdefault(record.rule, {"rule": record.rule, "passed": 0, "failed": 0,
                                                 "warning": 0, "skipped": 0, "checks": []})  # fmt: skip
            row[record.status] += 1
            if record.check not in row["checks"]:
                row["checks"].append(record.check)
        return [table[rule] for rule in sorted(table)]

    def to_dict(self) -> dict[str, Any]:
        tests = {"tests": [row.to_dict() for row in self.tests]} if self.tests else {}
        return {
            "format": REPORT_FORMAT,
            "kind": self.kind,
            "tool": dict(self.tool),
            "contract": dict(self.contract),
            "seed": self.seed,
            "target": self.target,
            "created": self.created,
            "duration_s": round(self.duration_s, 3),
            "options": dict(self.options),
            "summary": self.summary(),
            "coverage": dict(sorted(self.coverage.items())),
            "records": [record.to_dict() for record in self.records],
            **tests,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Report:
        return cls(
            kind=data["kind"], target=data["target"], seed=data.get("seed"),
            records=[CheckRecord.from_dict(r) for r in data["records"]],
            coverage=Counter(data.get("coverage", {})), cases=data["summary"].get("cases", 0),
            created=data["created"], duration_s=data.get("duration_s", 0.0),
            options=dict(data.get("options", {})), tool=dict(data["tool"]),
            contract=dict(data["contract"]),
            tests=[TestRow.from_dict(row) for row in data.get("tests", [])],
        )  # fmt: skip
