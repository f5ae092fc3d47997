"""`report.html`: one self-contained page (inline style, no scripts, no external references):
the verdict and summary, the per-rule table (failed rules first), then failures and warnings with
their messages (evidence folded), the per-check table, and coverage of contract features."""

from __future__ import annotations

import html
import json
from collections.abc import Iterable
from typing import Any

from contract.conformance.report.model import CheckRecord, Report

_STYLE = """body{font-family:system-ui,sans-serif;margin:2rem;color:#222;max-width:80rem}
table{border-collapse:collapse;margin:1rem 0}td,th{border:1px solid #ccc;padding:.3rem .6rem;
text-align:left;vertical-align:top}th{background:#f3f3f3}.failed{color:#b00}.warning{color:#a60}
.passed{color:#070}pre{margin:0;white-space:pre-wrap;word-break:break-all;background:#f8f8f8;
padding:.4rem}details{margin:.3rem 0}.record{margin:.8rem 0;border-left:4px solid #b00;
padding:.2rem .8rem;background:#fff6f6}.record.warning{border-color:#a60;background:#fffaf0}
.record h3{margin:.2rem 0;font-size:1rem}.record p{margin:.3rem 0;font-weight:600}
tr.failed-row td{background:#fde8e8}"""
MAX_FAILURES_SHOWN = 200
# The parts of a record's evidence a reader acts on, in reading order: how to reproduce it (a cURL
# command, or the seed and the minimal generated exchange), what should have come (a fault step's
# answer), what was sent, what came back.
EVIDENCE_SHOWN = ("curl", "seed", "exchange", "expected", "request", "response", "read_error",
                  "outcome", "requests", "violations")  # fmt: skip


def _esc(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _table(headers: Iterable[str], rows: Iterable[Iterable[Any]],
           failed: Iterable[bool] | None = None) -> str:
    head = "".join(f"<th>{_esc(h)}</th>" for h in headers)
    marks = iter(failed) if failed is not None else None
    body = "".join(
        ("<tr class='failed-row'>" if marks is not None and next(marks) else "<tr>")
        + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>"
        for row in rows
    )
    return f"<table><tr>{head}</tr>{body}</table>"


def _pre(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, indent=2, ensure_ascii=False)
    return f"<pre>{_esc(text)}</pre>"


def _failure(record: CheckRecord) -> str:
    evidence = record.evidence
    parts = [f"<div class='record {_esc(record.status)}'><h3><span class='{_esc(record.status)}'>"
             f"{_esc(record.status.upper())}</span> <code>{_esc(record.case)}</code> "
             f"{_esc(record.check)} [<code>{_esc(record.rule)}</code>]</h3>",
             f"<p>{_esc(record.message)}</p>"]  # fmt: skip
    shown = [key for key in EVIDENCE_SHOWN if key in evidence]
    if shown:
        parts.append("<details><summary>evidence: " + _esc(", ".join(shown)) + "</summary>")
        parts += [f"<h4>{_esc(key)}</h4>{_pre(evidence[key])}" for key in shown]
        parts.append("</details>")
    parts.append("</div>")
    return "".join(parts)


def _tests(report: Report) -> list[str]:
    """pytest reports: one row per test, tests whose requests broke an error rule first."""
    if not report.tests:
        return []
    failing = {r.case for r in report.failures}
    rows = sorted(report.tests, key=lambda row: row.nodeid not in failing)
    return ["<h2>Tests</h2>", _table(["test", "outcome", "fixture", "requests", "violations",
                                      "rules"], [
        [f"<code>{_esc(row.nodeid)}</code>", _esc(row.outcome), _esc(row.fixture), row.requests,
         row.violations, "<br>".join(f"<code>{_esc(rule)}</code>" for rule in row.rules)]
        for row in rows
    ], failed=[row.nodeid in failing for row in rows])]  # fmt: skip


def _rules(report: Report) -> list[str]:
    """The rules table, failed rules first: the summary of what broke, above the failures."""
    rules = sorted(report.rule_table(), key=lambda row: row["failed"] == 0)
    return ["<h2>Rules</h2>", _table(["rule", "passed", "failed", "warnings", "checks"], [
        [f"<code>{_esc(row['rule'])}</code>", row["passed"], row["failed"], row["warning"],
         _esc(", ".join(row["checks"]))] for row in rules
    ], failed=[row["failed"] > 0 for row in rules])]  # fmt: skip


def render_html(report: Report) -> str:
    summary = report.summary()
    verdict = report.verdict(failed="does not conform")
    not_passed = [r for r in report.records if r.status in ("failed", "warning")]
    checks: dict[str, dict[str, int]] = {}
    for record in report.records:
        row = checks.setdefault(
            record.check, {"passed": 0, "failed": 0, "warning": 0, "skipped": 0}
        )
        row[record.status] += 1
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'>",
        f"<title>Llama API contract: {_esc(report.kind)} check</title>",
        f"<style>{_STYLE}</style></head><body>",
        f"<h1>Llama API contract: {_esc(report.kind)} check — <span class="
        f"'{'passed' if report.ok and not report.incomplete else 'failed'}'>"
        f"{_esc(verdict)}</span></h1>",
        _table(["target", "seed", "cases", "tool", "contract", "created", "duration"], [[
            f"<code>{_esc(report.target)}</code>", _esc("-" if report.seed is None else report.seed), summary["cases"],
            _esc(f"{report.tool['name']} {report.tool['version']}"),
            _esc(report.contract["digest"]), _esc(report.created),
            f"{round(report.duration_s, 3):.1f} s",  # rounded as report.json keeps it
        ]]),
        _table(["checks passed", "failed", "warnings", "skipped"], [[
            f"<span class='passed'>{summary['passed']}</span>",
            f"<span class='failed'>{summary['failed']}</span>",
            f"<span class='warning'>{summary['warnings']}</span>", summary["skipped"],
        ]]),
        *_played_faults(report),
        *_rules(report),
        "<h2>Failures and warnings</h2>",
    ]  # fmt: skip
    if not not_passed:
        parts.append("<p>None.</p>")
    parts += [_failure(record) for record in not_passed[:MAX_FAILURES_SHOWN]]
    if len(not_passed) > MAX_FAILURES_SHOWN:
        parts.append(f"<p>… and {len(not_passed) - MAX_FAILURES_SHOWN} more in report.json.</p>")
    check_rows = sorted(sorted(checks.items()), key=lambda item: item[1]["failed"] == 0)
    parts += [
        "<h2>Checks</h2>",
        _table(["check", "passed", "failed", "warnings", "skipped"], [
            [f"<code>{_esc(name)}</code>", row["passed"], row["failed"], row["warning"],
             row["skipped"]] for name, row in check_rows
        ], failed=[row["failed"] > 0 for _, row in check_rows]),
        *_tests(report),
        "<h2>Contract features exercised</h2>",
        _table(["feature", "requests"], [
            [f"<code>{_esc(name)}</code>", count] for name, count in sorted(report.coverage.items())
        ]) if report.coverage else "<p>No requests recorded.</p>",
    ]  # fmt: skip
    parts.append("</body></html>\n")
    return "".join(parts)


def _played_faults(report: Report) -> list[str]:
    """The fault scenarios a `check server --faults` run played (through a gateway), if any."""
    played = report.played_faults
    if not played:
        return []
    names = ", ".join(f"<code>{_esc(name)}</code>" for name in played)
    return [f"<p>Fault scenarios played with their headers (<code>--faults</code>): "
            f"{len(played)}, {names}.</p>"]
