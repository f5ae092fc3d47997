"""The plugin's command-line options through pytester: strict, external server, report, xdist."""

from __future__ import annotations

import json
import sys
import xml.etree.ElementTree as ET

import pytest

from mockserver import MockConfig, MockService
from mockserver.adapters.live import LiveServer

UNKNOWN_FIELD_TEST = """
import httpx

def test_unknown_field(llama_mock):
    response = httpx.post(
        llama_mock.base_url + "/v1/chat/completions",
        headers={"Authorization": "Bearer " + llama_mock.api_key},
        json={"model": "Llama-3.3-8B-Instruct", "messages": [{"role": "user", "content": "hi"}],
              "colour": "blue"},
    )
    assert response.status_code == 200, response.text
"""

TWO_TESTS = """
import httpx

def call(mock, body):
    return httpx.post(mock.base_url + "/v1/chat/completions",
                      headers={"Authorization": "Bearer " + mock.api_key}, json=body)

def test_good(llama_mock):
    call(llama_mock, {"model": "Llama-3.3-8B-Instruct",
                      "messages": [{"role": "user", "content": "hi"}]})
    llama_mock.assert_called(times=1)
    assert llama_mock.requests[0].validation.ok

def test_bad(llama_mock):
    call(llama_mock, {"model": "Llama-3.3-8B-Instruct", "messages": []})
    llama_mock.assert_called(times=1)
    assert llama_mock.requests[0].status == 400
"""


# Plugins installed here that a subprocess run does not need: they take seconds to import.
LEAN = ("-p", "no:schemathesis", "-p", "no:hypothesispytest", "-p", "no:benchmark")


def tag(rule: str) -> str:
    return "[[]" + rule + "]"


@pytest.fixture
def external():
    """A mock server that the inner pytest runs reach through --llama-base-url."""
    service = MockService(MockConfig(port=0))
    server = LiveServer(service).start()
    yield server
    server.stop()


def test_unknown_fields_pass_by_default_and_fail_with_llama_strict(pytester):
    pytester.makepyfile(UNKNOWN_FIELD_TEST)
    pytester.runpytest().assert_outcomes(passed=1)
    result = pytester.runpytest("--llama-strict")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([
        "llama-contract: strict contract (unknown fields and models are errors)",
        "*- llama contract violations (llama_mock) -*",
        "POST /v1/chat/completions -> 400",
        "  /colour: * " + tag("field.unknown"),
    ])


def test_base_url_points_llama_mock_at_an_external_server(pytester, external):
    pytester.makepyfile(f"""
def test_uses_the_external_server(llama_mock):
    assert llama_mock.base_url == {external.base_url!r}
    assert llama_mock.requests == []
""" + TWO_TESTS)
    result = pytester.runpytest("--llama-base-url", external.base_url, "-v")
    result.assert_outcomes(passed=3)
    result.stdout.fnmatch_lines([f"llama-contract: llama_mock uses {external.base_url}"])
    # The external server got the requests; each test saw only its own (reset before each).
    [last] = external.service.store.journal_entries()
    assert (last.path, last.status) == ("/v1/chat/completions", 400)


def test_a_failing_test_on_an_external_server_shows_its_violations(pytester, external):
    pytester.makepyfile("""
        import httpx

        def test_bad_role(llama_mock):
            response = httpx.post(
                llama_mock.base_url + "/v1/chat/completions",
                headers={"Authorization": "Bearer k"},
                json={"model": "Llama-3.3-8B-Instruct",
                      "messages": [{"role": "wizard", "content": "hi"}]})
            response.raise_for_status()
    """)
    result = pytester.runpytest("--llama-base-url", external.base_url)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([
        "*- llama contract violations (llama_mock) -*",
        "POST /v1/chat/completions -> 400",
        "  /messages/0/role: * " + tag("message.role.unknown"),
    ])


def test_an_external_server_with_an_admin_token_needs_it(pytester):
    server = LiveServer(MockService(MockConfig(port=0, admin_token="s3cret"))).start()
    url = server.base_url
    try:
        pytester.makepyfile(TWO_TESTS)
        pytester.runpytest(
            "--llama-base-url", url, "--llama-admin-token", "s3cret"
        ).assert_outcomes(passed=2)
        refused = pytester.runpytest("--llama-base-url", url)
    finally:
        server.stop()
    refused.assert_outcomes(errors=2)
    refused.stdout.fnmatch_lines([
        f"--llama-base-url: POST {url}/_mock/reset answered 403: send the admin token in the "
        "x-mock-admin-token header (give it with --llama-admin-token)",
    ])
    refused.stdout.no_fnmatch_line("*Traceback*")


def test_an_unreachable_external_server_is_one_clear_error(pytester, silent_server):
    pytester.makepyfile(TWO_TESTS)
    result = pytester.runpytest("--llama-base-url", silent_server)
    result.assert_outcomes(errors=2)
    result.stdout.fnmatch_lines([
        f"--llama-base-url: GET {silent_server}/health failed: *",
    ])
    result.stdout.no_fnmatch_line("*Traceback*")


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("http://127.0.0.1:4010/v1", "give the server's root URL, without /v1"),
        ("127.0.0.1:4010", "give an http(s) URL such as http://127.0.0.1:4010"),
    ],
)
def test_a_wrong_base_url_is_a_usage_error(pytester, url, why):
    pytester.makepyfile(TWO_TESTS)
    result = pytester.runpytest("--llama-base-url", url)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"*--llama-base-url {url!r}: {why}"])


def test_the_report_lists_requests_rules_tests_and_features(pytester):
    pytester.makepyfile(TWO_TESTS + """
def test_respx_stream(llama_respx):
    import httpx
    with httpx.Client() as client:
        client.post("https://api.llama.com/compat/v1/chat/completions",
                    headers={"Authorization": "Bearer k"},
                    json={"model": "Llama-3.3-8B-Instruct", "stream": True,
                          "messages": [{"role": "user", "content": "hi"}]}).read()

def test_without_the_mock():
    pass
""")
    result = pytester.runpytest("--llama-report", "out")
    result.assert_outcomes(passed=4)
    result.stdout.fnmatch_lines([
        "llama-contract report: out (3 requests, 1 breaking the contract, 3 tests)",
    ])
    report = json.loads((pytester.path / "out" / "report.json").read_text())
    assert report["kind"] == "pytest"
    assert report["summary"] == {"passed": 2, "failed": 1, "warnings": 0, "skipped": 0,
                                 "total": 3, "cases": 3}
    failed = [r for r in report["records"] if r["status"] == "failed"]
    assert [(r["case"].split("::")[1], r["rule"]) for r in failed] == [
        ("test_bad", "messages.empty")
    ]
    assert report["coverage"]["compat.chat"] == 1
    assert report["coverage"]["native.chat"] == 2
    assert report["coverage"]["stream"] == 1
    by_test = {t["nodeid"].split("::")[1]: t for t in report["tests"]}
    assert by_test["test_bad"]["rules"] == ["messages.empty"]
    assert by_test["test_respx_stream"]["fixture"] == "llama_respx"
    assert "test_without_the_mock" not in by_test

    junit = ET.parse(pytester.path / "out" / "junit.xml").getroot()
    cases = {case.get("name").split("::")[1]: case for case in junit.iter("testcase")}
    assert set(cases) == {"test_good [client.request.conforms]", "test_bad [messages.empty]",
                          "test_respx_stream [client.request.conforms]"}
    failure = cases["test_bad [messages.empty]"].find("failure")
    assert failure is not None
    assert "/messages: " in (failure.text or "")
    assert "[messages.empty]" in (failure.text or "")
    assert cases["test_good [client.request.conforms]"].find("failure") is None

    page = (pytester.path / "out" / "report.html").read_text()
    assert "messages.empty" in page
    for external_asset in ("<script", "<link", "src="):
        assert external_asset not in page

    # `llama-contract report render` reads what --llama-report wrote, in every format.
    for fmt, name in (("md", "summary.md"), ("html", "report.html"), ("junit", "junit.xml")):
        rendered = pytester.run(sys.executable, "-m", "mockserver.cli.main", "report", "render",
                                "out/report.json", "--format", fmt)
        assert rendered.ret == 0, rendered.stderr.str()
        assert rendered.stdout.str().strip() == (pytester.path / "out" / name).read_text().strip()


def test_xdist_workers_each_get_a_server_and_one_report_is_merged(pytester):
    # xdist hands each worker at least two of the first tests, so both workers note a server.
    pytester.makepyfile("""
import os
import httpx
import pytest

@pytest.mark.parametrize("n", range(6))
def test_note_the_server(llama_mock, n):
    worker = os.environ["PYTEST_XDIST_WORKER"]
    with open(f"server-{worker}-{n}.txt", "w") as out:
        out.write(llama_mock.base_url)
    httpx.post(llama_mock.base_url + "/v1/chat/completions",
               headers={"Authorization": "Bearer " + llama_mock.api_key},
               json={"model": "Llama-3.3-8B-Instruct", "messages": []})
    llama_mock.assert_called(times=1)
""")
    result = pytester.runpytest_subprocess("-n", "2", "--llama-report", "out", *LEAN)
    result.assert_outcomes(passed=6)
    by_worker: dict[str, set[str]] = {}
    for noted in pytester.path.glob("server-*.txt"):
        by_worker.setdefault(noted.name.split("-")[1], set()).add(noted.read_text())
    assert sorted(by_worker) == ["gw0", "gw1"]
    assert all(len(urls) == 1 for urls in by_worker.values())  # one server per worker...
    assert by_worker["gw0"] != by_worker["gw1"]  # ...each its own
    # One report, merged by the controller from both workers.
    assert sorted(p.name for p in (pytester.path / "out").iterdir()) == [
        "junit.xml", "report.html", "report.json", "summary.md",
    ]
    report = json.loads((pytester.path / "out" / "report.json").read_text())
    assert report["summary"]["cases"] == 6
    assert sum(t["requests"] for t in report["tests"]) == 6
    assert [r["rule"] for r in report["records"]] == ["messages.empty"] * 6
