"""The `--llama-report DIR` files: every request a pytest session sent to the mock, as JSON, JUnit
and one self-contained HTML page: which rules were broken, by which test, and which contract
features the suite exercised.
"""

from __future__ import annotations

import html
import json
import time
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from contract.conformance.report.coverage import request_features
from mockserver.state.journal import JournalEntry

__all__ = [
    "REPORT_FILES",
    "SessionRecord",
    "build_report",
    "features_of",
    "request_record",
    "write_report",
]

REPORT_FILES = ("report.json", "junit.xml", "report.html")
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
    """What `--llama-report` writes: every request of the session, by test (JSON-safe, so xdist
    workers can send theirs to the controller)."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.tests: dict[str, dict[str, Any]] = {}

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


def build_report(
    records: Sequence[Mapping[str, Any]], tests: Mapping[str, Mapping[str, Any]]
) -> dict[str, Any]:
    """The canonical report document; `tests` maps node ids to `{"outcome", "fixture"}`."""
    rules: dict[str, dict[str, Any]] = {}
    features: Counter[str] = Counter()
    per_test: dict[str, dict[str, Any]] = {
        nodeid: {"nodeid": nodeid, **info, "requests": 0, "violations": 0, "rules": []}
        for nodeid, info in tests.items()
    }
    errors = warnings = 0
    for record in records:
        features.update(record["features"])
        test = per_test.setdefault(
            record["test"],
            {"nodeid": record["test"], "outcome": "unknown", "requests": 0, "violations": 0,
             "rules": []},
        )
        test["requests"] += 1
        for violation in record["violations"]:
            rule = rules.setdefault(
                violation["rule"],
                {"rule": violation["rule"], "severity": violation["severity"], "count": 0,
                 "tests": []},
            )
            rule["count"] += 1
            if record["test"] not in rule["tests"]:
                rule["tests"].append(record["test"])
            if violation["rule"] not in test["rules"]:
                test["rules"].append(violation["rule"])
            test["violations"] += 1
            errors += violation["severity"] == "error"
            warnings += violation["severity"] == "warning"
    return {
        "tool": "llama-api-contract",
        "version": _version(),
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "summary": {
            "requests": len(records),
            "violations": errors + warnings,
            "errors": errors,
            "warnings": warnings,
            "tests": len(per_test),
            "tests_with_violations": sum(1 for t in per_test.values() if t["violations"]),
        },
        "rules": dict(sorted(rules.items())),
        "features": dict(sorted(features.items())),
        "tests": sorted(per_test.values(), key=lambda t: str(t["nodeid"])),
        "requests": list(records),
    }


def write_report(
    directory: Path,
    records: Sequence[Mapping[str, Any]],
    tests: Mapping[str, Mapping[str, Any]],
) -> list[Path]:
    """Write report.json, junit.xml and report.html into `directory`; return their paths."""
    directory.mkdir(parents=True, exist_ok=True)
    report = build_report(records, tests)
    paths = [directory / name for name in REPORT_FILES]
    paths[0].write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    ET.ElementTree(_junit(report)).write(paths[1], encoding="utf-8", xml_declaration=True)
    paths[2].write_text(_html(report), encoding="utf-8")
    return paths


def _violation_lines(report: Mapping[str, Any], nodeid: str) -> list[str]:
    lines = []
    for record in report["requests"]:
        if record["test"] != nodeid or not record["violations"]:
            continue
        lines.append(f"{record['method']} {record['path']} -> {record['status']}")
        lines += [
            f"  {v['path'] or '/'}: {v['message']} [{v['rule']}]"
            + (" (warning)" if v["severity"] == "warning" else "")
            for v in record["violations"]
        ]
    return lines


def _junit(report: Mapping[str, Any]) -> ET.Element:
    summary = report["summary"]
    failing = [t for t in report["tests"] if any(
        report["rules"][rule]["severity"] == "error" for rule in t["rules"]
    )]
    suites = ET.Element("testsuites")
    suite = ET.SubElement(
        suites, "testsuite", name="llama-contract", tests=str(summary["tests"]),
        failures=str(len(failing)), errors="0", skipped="0",
    )
    for test in report["tests"]:
        classname, name = _split_nodeid(test["nodeid"])
        case = ET.SubElement(suite, "testcase", classname=classname, name=name)
        if test in failing:
            failure = ET.SubElement(
                case, "failure",
                message=f"{test['violations']} contract violation(s): {', '.join(test['rules'])}",
            )
            failure.text = "\n".join(_violation_lines(report, test["nodeid"]))
        requests = [r for r in report["requests"] if r["test"] == test["nodeid"]]
        ET.SubElement(case, "system-out").text = "\n".join(
            f"{r['method']} {r['path']} -> {r['status']}" for r in requests
        )
    return suites


def _split_nodeid(nodeid: str) -> tuple[str, str]:
    """`tests/test_a.py::TestB::test_c` -> (`tests.test_a.TestB`, `test_c`), as pytest does."""
    parts = nodeid.split("::")
    module = parts[0].removesuffix(".py").replace("/", ".")
    return ".".join([module, *parts[1:-1]]), parts[-1]


_STYLE = """body{font-family:system-ui,sans-serif;margin:2rem;color:#222}
table{border-collapse:collapse;margin:1rem 0}td,th{border:1px solid #ccc;padding:.3rem .6rem;
text-align:left;vertical-align:top}th{background:#f3f3f3}.error{color:#b00}.warning{color:#a60}
pre{margin:0;white-space:pre-wrap}"""


def _table(headers: Iterable[str], rows: Iterable[Iterable[Any]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows
    )
    return f"<table><tr>{head}</tr>{body}</table>"


def _html(report: Mapping[str, Any]) -> str:
    esc = html.escape
    summary = report["summary"]
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'>",
        f"<title>Llama API contract report</title><style>{_STYLE}</style></head><body>",
        "<h1>Llama API contract report</h1>",
        f"<p>{esc(report['tool'])} {esc(report['version'])}, {esc(report['created'])}</p>",
        _table(["requests", "tests", "errors", "warnings", "tests with violations"], [[
            summary["requests"], summary["tests"], summary["errors"], summary["warnings"],
            summary["tests_with_violations"],
        ]]),
        "<h2>Rules broken</h2>",
        _table(["rule", "severity", "count", "tests"], [
            [f"<code>{esc(r['rule'])}</code>",
             f"<span class='{esc(r['severity'])}'>{esc(r['severity'])}</span>",
             r["count"], "<br>".join(esc(t) for t in r["tests"])]
            for r in report["rules"].values()
        ]) if report["rules"] else "<p>None: every request met the contract.</p>",
        "<h2>Tests</h2>",
        _table(["test", "outcome", "requests", "violations"], [
            [esc(t["nodeid"]), esc(str(t.get("outcome", ""))), t["requests"],
             f"<pre>{esc(chr(10).join(_violation_lines(report, t['nodeid'])))}</pre>"]
            for t in report["tests"]
        ]),
        "<h2>Contract features exercised</h2>",
        _table(["feature", "requests"], [
            [f"<code>{esc(name)}</code>", count] for name, count in report["features"].items()
        ]),
        "</body></html>\n",
    ]
    return "".join(parts)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("llama-api-contract")
    except PackageNotFoundError:
        return "unknown"
