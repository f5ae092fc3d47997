"""`summary.md`: a short markdown summary for CI step summaries (e.g. $GITHUB_STEP_SUMMARY)."""

from __future__ import annotations

from contract.conformance.report.model import Report

MAX_FAILURES_LISTED = 20


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def render_markdown(report: Report) -> str:
    summary = report.summary()
    verdict = report.verdict()
    lines = [
        f"## Llama API contract: {report.kind} check — {verdict}",
        "",
        f"Target `{report.target}`, "
        + ("" if report.seed is None else f"seed {report.seed}, ")
        + f"{summary['cases']} cases, "
        f"{report.tool['name']} {report.tool['version']}, contract {report.contract['digest']}.",
        "",
        *_played_faults(report),
        "| checks passed | failed | warnings | skipped |",  # a case runs several checks
        "|---:|---:|---:|---:|",
        f"| {summary['passed']} | {summary['failed']} | {summary['warnings']} | "
        f"{summary['skipped']} |",
        "",
    ]
    broken = [row for row in report.rule_table() if row["failed"] or row["warning"]]
    if broken:
        lines += ["| rule | failed | warnings | checks |", "|---|---:|---:|---|"]
        lines += [f"| `{row['rule']}` | {row['failed']} | {row['warning']} | "
                  f"{_cell(', '.join(row['checks']))} |" for row in broken]  # fmt: skip
        lines.append("")
    failures = report.failures_to_read()
    if failures:
        lines.append("### Failures")
        lines.append("")
        for record in failures[:MAX_FAILURES_LISTED]:
            lines.append(f"- `{record.case}` {record.check} [`{record.rule}`]: "
                         f"{_cell(record.message)[:300]}")  # fmt: skip
        if len(failures) > MAX_FAILURES_LISTED:
            lines.append(f"- … and {len(failures) - MAX_FAILURES_LISTED} more (see report.html)")
        lines.append("")
    return "\n".join(lines)


def _played_faults(report: Report) -> list[str]:
    """The fault scenarios a `check server --faults` run played (through a gateway), if any."""
    played = report.played_faults
    if not played:
        return []
    return [f"Fault scenarios played with their headers (`--faults`): {len(played)}, "
            + ", ".join(f"`{name}`" for name in played) + ".", ""]
