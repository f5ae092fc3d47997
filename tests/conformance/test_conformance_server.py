"""`check server`: our own mock conforms; a deliberately broken server fails under the right
rules, with cURL commands that replay the failure."""

from __future__ import annotations

import shlex
from collections import Counter
from typing import Any

import httpx
import pytest

from contract.conformance.checks import Exchange, parse_sse, run_checks
from contract.conformance.report import Report
from mockserver.conformance.cases import generated_cases, scenario_cases
from mockserver.conformance.server_runner import ServerUnreachable, run_server_checks


def test_our_mock_conforms(mock_report: Report) -> None:
    summary = mock_report.summary()
    assert summary["failed"] == 0, [r.to_dict() for r in mock_report.failures[:3]]
    assert summary["cases"] >= 40
    checks = {record.check for record in mock_report.records}
    assert {"valid_request_accepted", "invalid_request_rejected", "error_body", "response_schema",
            "stream_events", "stream_framing", "metrics", "content_type"} <= checks  # fmt: skip
    # The run exercised streams, tools and both endpoints.
    assert {"native.chat", "compat.chat", "stream", "tools", "status.400"} <= set(
        mock_report.coverage
    )


def test_coverage_rows_are_features_the_contract_defines(mock_report: Report) -> None:
    """Generated requests break the contract on purpose: their made-up roles, content kinds,
    tool choices and response formats count under one row per family, never as features."""
    defined = {
        "message": {"system", "user", "assistant", "tool", "assistant.tool_calls"},
        "content": {"array", "text", "image_url"},
        "tool_choice": {"none", "auto", "required", "named"},
        "response_format": {"text", "json_schema"},
    }
    for row in mock_report.coverage:
        family, _, value = row.partition(".")
        if family in defined:
            assert value in defined[family] | {"(not in the contract)"}, row
    # The per-rule requests send an unknown role and response format: counted, under one row.
    assert mock_report.coverage["message.(not in the contract)"] > 0
    assert mock_report.coverage["response_format.(not in the contract)"] > 0


def test_generated_cases_are_reproducible_per_seed() -> None:
    first = generated_cases(examples=15, seed=11, endpoints=("native", "compat"), every_rule=False)
    again = generated_cases(examples=15, seed=11, endpoints=("native", "compat"), every_rule=False)
    other = generated_cases(examples=15, seed=12, endpoints=("native", "compat"), every_rule=False)
    assert len(first) == 15
    assert first == again
    assert [c.body for c in first] != [c.body for c in other]
    assert {c.kind for c in first} == {"valid", "invalid"}


def test_every_covered_rule_is_broken_once_per_endpoint() -> None:
    from contract.strategies import covered_rules

    cases = generated_cases(examples=0, seed=3, endpoints=("native", "compat"))
    assert sorted(c.id for c in cases) == sorted(
        f"rule-{rule}-{endpoint}" for rule in covered_rules() for endpoint in ("native", "compat")
    )
    assert all(c.kind == "invalid" and c.expected_rule and c.expected_rule in c.id for c in cases)


def _failed_rules(report: Report) -> Counter[tuple[str, str]]:
    return Counter((r.check, r.rule) for r in report.failures)


def test_broken_server_fails_each_defect_under_its_rule(broken_report: Report) -> None:
    found = _failed_rules(broken_report)
    assert found[("stream_events", "stream.done.native")], found
    assert found[("stream_events", "field.required")], found  # the metrics event has no delta
    assert found[("no_server_error", "server.status.5xx")], found  # 500 for a bad role
    assert found[("invalid_request_rejected", "server.invalid.accepted")], found
    assert found[("response_schema", "field.type")], found  # content as an array
    assert found[("metrics", "metrics.missing")], found  # no num_total_tokens
    assert not broken_report.ok
    delta = next(r for r in broken_report.failures if r.rule == "field.required")
    assert any(v["path"] == "/event/delta" for v in delta.evidence["violations"])


def test_every_failure_carries_case_seed_and_masked_curl(broken_report: Report) -> None:
    for record in broken_report.failures:
        assert record.case
        assert record.evidence["seed"] == broken_report.seed
        curl = record.evidence["curl"]
        assert curl.startswith("curl ")
        assert "$LLAMA_API_KEY" in curl
        assert "llama-contract-check" not in curl  # the key itself is never written


def replay_curl(command: str, *, api_key: str) -> httpx.Response:
    """Run a cURL command's equivalent with httpx (curl need not be installed)."""
    words = shlex.split(command.replace("$LLAMA_API_KEY", api_key))
    assert words[0] == "curl"
    method, url, headers, body = "GET", "", {}, None
    index = 1
    while index < len(words):
        word = words[index]
        if word == "-X":
            method, index = words[index + 1], index + 1
        elif word == "-H":
            name, _, value = words[index + 1].partition(":")
            headers[name.strip()] = value.strip()
            index += 1
        elif word == "--data-raw":
            body, index = words[index + 1], index + 1
        elif not word.startswith("-"):
            url = word
        index += 1
    return httpx.request(method, url, headers=headers, content=body, timeout=30)


@pytest.mark.parametrize("rule", ["server.status.5xx", "stream.done.native", "metrics.missing"])
def test_the_curl_of_a_failure_reproduces_it(broken_report: Report, rule: str) -> None:
    record = next(r for r in broken_report.failures if r.rule == rule)
    answer = replay_curl(record.evidence["curl"], api_key="any-key")
    assert answer.status_code == record.evidence["response"]["status"]
    assert answer.text == record.evidence["response"]["body"]
    replayed = Exchange(
        case_id=record.case,
        kind="valid",
        endpoint="native",
        method="POST",
        url="",
        request_body=record.evidence["request"]["body"],
        status=answer.status_code,
        response_body=answer.content,
        response_headers={k.lower(): v for k, v in answer.headers.items()},
    )
    rules = {v.rule for o in run_checks(replayed, scope="server") for v in o.violations}
    assert rule in rules



def test_an_unreachable_server_is_reported_not_checked(silent_server: str) -> None:
    with pytest.raises(ServerUnreachable, match="cannot reach"):
        run_server_checks(base_url=silent_server, examples=1)


@pytest.mark.parametrize(
    ("body", "framing", "payloads"),
    [
        (b'data: {"a": 1}\n\ndata: {"b": 2}\n\n', 0, ['{"a": 1}', '{"b": 2}']),
        (b'event: x\ndata: {"a": 1}\n\n', 1, ['{"a": 1}']),
        (b'{"error": "bare"}\n\n', 1, ['{"error": "bare"}']),
        (b'data: {"a": 1}\n', 1, ['{"a": 1}']),
    ],
)
def test_sse_framing(body: bytes, framing: int, payloads: list[Any]) -> None:
    records = parse_sse(body)
    assert len(records.framing) == framing
    assert all(v.rule == "stream.framing" for v in records.framing)
    assert records.payloads == payloads


def test_sse_comments_a_proxy_sends_are_skipped_with_one_warning() -> None:
    body = (b': keep-alive\n\ndata: {"a": 1}\n\n: keep-alive\n\n:ping\n: twice\n\n'
            b'data: {"b": 2}\n\n')  # fmt: skip
    records = parse_sse(body)
    assert records.payloads == ['{"a": 1}', '{"b": 2}']
    [warning] = records.framing
    assert (warning.rule, warning.severity, warning.line) == ("stream.framing", "warning", 1)
    assert "SSE comment (': keep-alive')" in warning.message


def test_python_defaults_send_the_builtin_scenarios_with_the_key_of_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    """`run_server_checks(base_url=...)` checks what `check server --base-url` checks."""
    from contract.scenarios.loading import builtin_scenarios
    from mockserver import MockConfig, MockService
    from mockserver.adapters.live import LiveServer

    monkeypatch.setenv("LLAMA_API_KEY", "the-key-of-the-environment")
    with LiveServer(MockService(MockConfig(port=0, api_keys=("the-key-of-the-environment",)))) as live:
        report = run_server_checks(base_url=live.base_url, examples=0, endpoints=("native",))
        monkeypatch.delenv("LLAMA_API_KEY")  # no key at all: the dummy key, refused by this mock
        with pytest.raises(ServerUnreachable, match="answered 401 to a valid request") as refused:
            run_server_checks(base_url=live.base_url, examples=0, endpoints=("native",))
    assert "run_server_checks(api_key=...)" in str(refused.value)  # a Python caller's way too
    assert report.options["scenarios"] == [s.name for s in builtin_scenarios()]
    expected = {case.id for case in scenario_cases(builtin_scenarios(), endpoints=("native",))}
    assert {r.case for r in report.records if r.case.startswith("scenario-")} == expected
    assert report.ok, [r.message for r in report.failures]


def test_the_command_line_passes_the_python_api_its_defaults() -> None:
    """`check` restates no default of the runners: what it does not get, it does not pass."""
    import inspect

    from mockserver.cli.main import build_parser
    from mockserver.conformance.client_runner import run_client_checks

    parser = build_parser()
    server = parser.parse_args(["check", "server", "--base-url", "http://127.0.0.1:1",
                                "--report-dir", "out"])  # fmt: skip
    client = parser.parse_args(["check", "client", "--adapter", "openai", "--report-dir", "out"])
    for args, runner in ((server, run_server_checks), (client, run_client_checks)):
        defaults = inspect.signature(runner).parameters
        assert args.scenarios is None
        assert defaults["scenarios"].default is None
        assert args.examples == defaults["examples"].default
        assert args.seed == defaults["seed"].default
    assert server.api_key is None
    assert inspect.signature(run_server_checks).parameters["api_key"].default is None


def test_a_proxy_sending_keep_alive_comments_conforms_with_a_warning() -> None:
    from mockserver import MockConfig
    from mockserver.adapters.flask_app import create_app
    from mockserver.adapters.live import LiveApp

    mock = create_app(MockConfig(port=0))

    def with_heartbeats(environ: Any, start_response: Any) -> Any:
        streamed: list[bool] = []

        def start(status: str, headers: list[tuple[str, str]], *rest: Any) -> Any:
            streamed.append(any(v.startswith("text/event-stream") for _, v in headers))
            return start_response(status, headers, *rest)

        for record in mock(environ, start):
            if streamed[0]:
                yield b": keep-alive\n\n"
            yield record

    with LiveApp(with_heartbeats) as proxy:
        report = run_server_checks(base_url=proxy.base_url, examples=0, endpoints=("native",),
                                   scenarios=None)  # fmt: skip
    assert report.ok, [r.message for r in report.failures][:3]
    warned = [r for r in report.records if r.status == "warning" and r.rule == "stream.framing"]
    assert warned
    assert "SSE comment (': keep-alive')" in warned[0].message


def test_a_base_url_with_no_chat_endpoint_under_it_is_refused_not_graded() -> None:
    from mockserver import MockConfig, MockService
    from mockserver.adapters.live import LiveServer

    with LiveServer(MockService(MockConfig(port=0))) as live:
        with pytest.raises(ServerUnreachable) as refused:
            run_server_checks(base_url=live.base_url + "/api", examples=0, endpoints=("native",))
        assert str(refused.value) == (
            f"{live.base_url}/api answered 404 to a valid request at "
            f"{live.base_url}/api/v1/chat/completions: no chat endpoint there; --base-url is the "
            "server's root, with the native API at ROOT/v1 and the OpenAI-compatible one at "
            "ROOT/compat/v1")
        # a mock whose scenario matches no step answers 404 as well: that is graded
        service = MockService(MockConfig(port=0, scenarios=("multi-turn",)))
        with LiveServer(service) as scripted:
            report = run_server_checks(base_url=scripted.base_url, examples=0,
                                       endpoints=("native",))  # fmt: skip
        assert report.cases > 0
