"""JUnit XML of a report: one testcase per check record, grouped in one testsuite per check; a
run cut short (Ctrl-C), or one whose checks were all skipped, adds one testcase in error, so that
CI never reads it as a whole run that passed."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from itertools import groupby

from contract.conformance.report.model import CheckRecord, Report

# Characters XML 1.0 cannot hold at all, escaped or not: a message with one would break the file.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _details(record: CheckRecord) -> str:
    evidence = record.evidence
    lines = [record.message]
    if "curl" in evidence:
        lines += ["", "reproduce:", str(evidence["curl"])]
    for request in evidence.get("requests", []):  # pytest reports: the requests that broke it
        lines.append(f"{request['method']} {request['path']} -> {request['status']}")
        lines += [f"  {v['path'] or '/'}: {v['message']} [{v['rule']}]"
                  + (" (warning)" if v["severity"] == "warning" else "")
                  for v in request.get("violations", [])]  # fmt: skip
    if "seed" in evidence:
        lines += ["", f"seed: {evidence['seed']}"]
    for key in ("exchange", "request", "response", "outcome"):
        if key in evidence:
            lines += ["", f"{key}:", json.dumps(evidence[key], indent=2, ensure_ascii=False)[:4000]]
    return "\n".join(lines)


def render_junit(report: Report) -> str:
    summary = report.summary()
    stopped = report.incomplete  # a CI reader must not take it for a pass
    root = ET.Element("testsuites", name=f"llama-contract {report.kind}",
                      tests=str(summary["total"] + stopped), failures=str(summary["failed"]),
                      errors=str(int(stopped)), skipped=str(summary["skipped"]),
                      time=f"{report.duration_s:.3f}")  # fmt: skip
    if stopped:
        suite = ET.SubElement(root, "testsuite", name=f"{report.kind}.run", tests="1",
                              failures="0", errors="1", skipped="0")  # fmt: skip
        case = ET.SubElement(suite, "testcase", classname=f"{report.kind}.run", name="run")
        kind = "interrupted" if "interrupted" in report.options else "checked-nothing"
        ET.SubElement(case, "error", message=report.verdict(), type=kind)
    by_check = sorted(report.records, key=lambda r: r.check)
    for check, group in groupby(by_check, key=lambda r: r.check):
        records = list(group)
        suite = ET.SubElement(
            root, "testsuite", name=f"{report.kind}.{check}", tests=str(len(records)),
            failures=str(sum(r.status == "failed" for r in records)), errors="0",
            skipped=str(sum(r.status == "skipped" for r in records)),
        )  # fmt: skip
        for record in records:
            case = ET.SubElement(suite, "testcase", classname=f"{report.kind}.{check}",
                                 name=f"{record.case} [{record.rule}]")  # fmt: skip
            if record.status == "failed":
                failure = ET.SubElement(case, "failure", message=record.message[:500],
                                        type=record.rule)  # fmt: skip
                failure.text = _details(record)
            elif record.status == "skipped":
                ET.SubElement(case, "skipped", message=record.message[:500])
            elif record.status == "warning":
                ET.SubElement(case, "system-out").text = f"warning: {_details(record)}"
    ET.indent(root)
    body = _NOT_XML.sub("\ufffd", ET.tostring(root, encoding="unicode"))
    return f'<?xml version="1.0" encoding="utf-8"?>\n{body}\n'
