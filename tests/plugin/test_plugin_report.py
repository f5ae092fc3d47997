"""The --llama-report files, built from journal entries."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from contract.violations import ValidationResult, Violation
from mockserver.pytest_plugin.journal import entry_from_dict
from mockserver.pytest_plugin.report import build_report, features_of, request_record, write_report
from mockserver.state.journal import JournalEntry


def entry(body, *, status=200, endpoint="chat", dialect="native", violations=()):
    return JournalEntry(
        id="req_1", started=0.0, method="POST", path="/v1/chat/completions",
        endpoint=endpoint, dialect=dialect, headers={}, body=body,
        validation=ValidationResult(tuple(violations)), status=status,
    )


def test_features_name_what_a_request_exercised():
    body = {
        "model": "Llama-4-Scout-17B-16E-Instruct-FP8",
        "stream": True,
        "max_completion_tokens": 10,
        "tools": [{"type": "function", "function": {"name": "f"}}],
        "tool_choice": {"type": "function", "function": {"name": "f"}},
        "response_format": {"type": "json_schema", "json_schema": {"name": "n", "schema": {}}},
        "messages": [
            {"role": "system", "content": "be brief"},
            {"role": "user", "content": [{"type": "text", "text": "hi"},
                                         {"type": "image_url", "image_url": {"url": "x"}}]},
            {"role": "assistant", "content": "", "tool_calls": [{"id": "c"}]},
            {"role": "tool", "tool_call_id": "c", "content": "{}"},
        ],
    }
    assert features_of(entry(body)) == [
        "content.array", "content.image_url", "content.text", "max_completion_tokens",
        "message.assistant", "message.assistant.tool_calls", "message.system", "message.tool",
        "message.user", "native.chat", "response_format.json_schema", "status.200", "stream",
        "tool_choice.named", "tools",
    ]


def test_features_of_other_endpoints_and_odd_bodies():
    assert features_of(entry(None, endpoint="models")) == ["native.models", "status.200"]
    assert features_of(entry(["not", "an", "object"], status=400)) == ["native.chat", "status.400"]
    odd = {"messages": "nope", "tool_choice": 3, "response_format": "text"}
    assert features_of(entry(odd)) == ["native.chat", "status.200"]


def test_report_counts_rules_by_test():
    broken = Violation("message.role.unknown", "/messages/0/role", "bad role")
    warned = Violation("field.unknown", "/colour", "unknown", "warning")
    records = [
        request_record(entry({"messages": []}, status=400, violations=[broken]), test="t.py::a"),
        request_record(entry({"messages": []}, violations=[warned]), test="t.py::b"),
        request_record(entry({"messages": []}, status=400, violations=[broken]), test="t.py::b"),
    ]
    tests = {"t.py::a": {"outcome": "failed", "fixture": "llama_mock"},
             "t.py::b": {"outcome": "passed", "fixture": "llama_respx"},
             "t.py::c": {"outcome": "passed", "fixture": "llama_mock"}}
    report = build_report(records, tests)
    assert report["summary"] == {"requests": 3, "violations": 3, "errors": 2, "warnings": 1,
                                 "tests": 3, "tests_with_violations": 2}
    assert report["rules"]["message.role.unknown"]["count"] == 2
    assert report["rules"]["message.role.unknown"]["tests"] == ["t.py::a", "t.py::b"]
    assert report["rules"]["field.unknown"]["severity"] == "warning"
    by_test = {t["nodeid"]: t for t in report["tests"]}
    assert by_test["t.py::b"]["rules"] == ["field.unknown", "message.role.unknown"]
    assert by_test["t.py::c"]["requests"] == 0


def test_written_files_parse(tmp_path):
    broken = Violation("messages.empty", "/messages", "empty <list> & more")
    records = [request_record(entry({"messages": []}, status=400, violations=[broken]),
                              test="tests/test_x.py::TestY::test_z")]
    paths = write_report(tmp_path / "deep" / "dir", records,
                         {"tests/test_x.py::TestY::test_z": {"outcome": "failed"}})
    assert [p.name for p in paths] == ["report.json", "junit.xml", "report.html"]
    assert json.loads(paths[0].read_text())["summary"]["errors"] == 1
    case = ET.parse(paths[1]).getroot().find("testsuite/testcase")
    assert case is not None
    assert (case.get("classname"), case.get("name")) == ("tests.test_x.TestY", "test_z")
    failure = case.find("failure")
    assert failure is not None
    assert failure.text == (
        "POST /v1/chat/completions -> 400\n  /messages: empty <list> & more [messages.empty]"
    )
    page = paths[2].read_text()
    assert "empty &lt;list&gt; &amp; more" in page
    assert "<list>" not in page


def test_journal_entries_read_back_from_the_admin_api_keep_their_violations():
    original = entry({"messages": []}, status=400, violations=[
        Violation("messages.empty", "/messages", "empty"),
        Violation("field.unknown", "/x", "unknown", "warning"),
    ])
    original.scenario, original.step, original.extra["note"] = "s", "first", 1
    copy = entry_from_dict(json.loads(json.dumps(original.to_dict())))
    assert copy.validation == original.validation
    assert (copy.scenario, copy.step, copy.status, copy.body) == ("s", "first", 400,
                                                                  {"messages": []})
    assert copy.extra == {"note": 1}
