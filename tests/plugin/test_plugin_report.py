"""The --llama-report files: journal entries graded into the contract's report model."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from contract.conformance.report import load_report, schema_errors
from contract.conformance.report.model import TestRow
from contract.violations import ValidationResult, Violation
from mockserver.cli.main import main
from mockserver.pytest_plugin.journal import entry_from_dict
from mockserver.pytest_plugin.report import (
    SessionRecord,
    build_report,
    features_of,
    request_record,
    write_report,
)
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
    # a path no route answers is no endpoint row of its own
    assert features_of(entry(None, endpoint="unknown", status=404)) == [
        "native.(not in the contract)", "status.404"]
    assert features_of(entry(["not", "an", "object"], status=400)) == ["native.chat", "status.400"]
    odd = {"messages": "nope", "tool_choice": 3, "response_format": "text"}
    assert features_of(entry(odd)) == ["native.chat", "response_format.(not in the contract)",
                                       "status.200", "tool_choice.(not in the contract)"]


def test_values_the_contract_does_not_define_are_no_feature_rows():
    """A bad role, content kind, tool choice or response format (json_object: the Llama API
    refuses it) counts under its family's one row, not as a feature of its own."""
    body = {
        "messages": [{"role": "wizard", "content": "hi"}, {"role": "Assistant", "content": "x"},
                     {"role": "user", "content": [{"type": "video_url"}, {"type": "text"}]}],
        "tool_choice": "always",
        "response_format": {"type": "json_object"},
        "max_tokens": 5,  # the compat API's; the native API warns about it
    }
    assert features_of(entry(body, status=400)) == [
        "content.(not in the contract)", "content.array", "content.text",
        "message.(not in the contract)", "message.user", "native.chat",
        "response_format.(not in the contract)", "status.400", "tool_choice.(not in the contract)",
    ]
    compat = {"messages": [{"role": "user", "content": "hi"}], "max_tokens": 5, "top_k": 3,
              "stream": True, "stream_options": {"include_usage": True}}
    assert features_of(entry(compat, dialect="compat")) == [
        "compat.chat", "max_tokens", "message.user", "status.200", "stream",
        "stream_options.include_usage",
    ]
    bad = {"messages": [{"role": "wizard", "content": "hi"}]}
    report = build_report([request_record(entry(bad, status=400), test="t.py::bad")],
                          {"t.py::bad": {"outcome": "passed", "fixture": "llama_mock"}})
    assert report.coverage == {"message.(not in the contract)": 1, "native.chat": 1,
                               "status.400": 1}


def test_report_grades_each_test_by_the_requests_it_sent():
    broken = Violation("message.role.unknown", "/messages/0/role", "bad role")
    warned = Violation("field.unknown", "/colour", "unknown", "warning")
    records = [
        request_record(entry({"messages": []}, status=400, violations=[broken]), test="t.py::a"),
        request_record(entry({"messages": []}, violations=[warned]), test="t.py::b"),
        request_record(entry({"messages": []}, status=400, violations=[broken]), test="t.py::b"),
        request_record(entry({"messages": []}), test="t.py::d"),
    ]
    tests = {"t.py::a": {"outcome": "failed", "fixture": "llama_mock"},
             "t.py::b": {"outcome": "passed", "fixture": "llama_respx"},
             "t.py::c": {"outcome": "passed", "fixture": "llama_mock"},
             "t.py::d": {"outcome": "passed", "fixture": "llama_mock"}}
    report = build_report(records, tests)
    assert report.kind == "pytest"
    assert not report.ok
    assert report.summary() == {"passed": 1, "failed": 2, "warnings": 1, "skipped": 1,
                                "total": 5, "cases": 4}
    verdicts = {(r.case, r.rule): r.status for r in report.records}
    assert verdicts == {
        ("t.py::a", "message.role.unknown"): "failed",
        ("t.py::b", "field.unknown"): "warning",
        ("t.py::b", "message.role.unknown"): "failed",
        ("t.py::c", "client.request.conforms"): "skipped",
        ("t.py::d", "client.request.conforms"): "passed",
    }
    assert {r.check for r in report.records} == {"requests_conform"}
    rules = {row["rule"]: row for row in report.rule_table()}
    assert rules["message.role.unknown"]["failed"] == 2
    rows = {row.nodeid: row for row in report.tests}
    assert rows["t.py::b"] == TestRow("t.py::b", "passed", "llama_respx", requests=2,
                                      violations=2,
                                      rules=("field.unknown", "message.role.unknown"))
    assert rows["t.py::c"].requests == 0
    assert report.coverage["native.chat"] == 4
    assert report.coverage["status.400"] == 2
    failed = next(r for r in report.records if r.case == "t.py::a")
    assert failed.evidence["requests"] == [{
        "method": "POST", "path": "/v1/chat/completions", "status": 400,
        "violations": [broken.to_dict()],
    }]


def test_written_files_parse_and_render_again(tmp_path, capsys):
    broken = Violation("messages.empty", "/messages", "empty <list> & more")
    session = SessionRecord()
    session.add("tests/test_x.py::TestY::test_z", fixture="llama_mock", outcome="failed",
                entries=[entry({"messages": []}, status=400, violations=[broken])])
    paths = write_report(tmp_path / "deep" / "dir", session)
    assert [p.name for p in paths] == ["report.json", "junit.xml", "report.html", "summary.md"]
    assert schema_errors(json.loads(paths[0].read_text())) == []
    assert load_report(paths[0]).to_dict() == json.loads(paths[0].read_text())
    case = ET.parse(paths[1]).getroot().find("testsuite/testcase")
    assert case is not None
    assert case.get("name") == "tests/test_x.py::TestY::test_z [messages.empty]"
    failure = case.find("failure")
    assert failure is not None
    assert "POST /v1/chat/completions -> 400\n  /messages: empty <list> & more [messages.empty]" \
        in (failure.text or "")
    page = paths[2].read_text()
    assert "empty &lt;list&gt; &amp; more" in page
    assert "<list>" not in page
    assert "<h2>Tests</h2>" in page
    for fmt, name in (("junit", "junit.xml"), ("html", "report.html"), ("md", "summary.md")):
        assert main(["report", "render", str(paths[0]), "--format", fmt]) == 0
        assert capsys.readouterr().out == (tmp_path / "deep" / "dir" / name).read_text()


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
