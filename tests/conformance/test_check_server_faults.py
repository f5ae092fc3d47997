"""`check server --faults`: the built-in fault scenarios played with the x-mock-* headers through a
gateway in front of the mock. Our mock passes; a gateway that drops retry-after, turns an upstream
5xx into its own 502, does not forward the scenario headers, retries a 5xx itself, buffers streams
or keeps only the `data:` lines fails the scenario and step its flaw breaks, with a cURL command
that replays it."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from gateway_app import gateway

from contract.conformance.report import schema_errors
from contract.scenarios.loading import builtin_scenarios
from mockserver.adapters.live import LiveApp, LiveServer
from mockserver.cli.main import main

# The fault scenarios, as docs/conformance.md lists them: the built-in ones tagged errors or
# latency. Written out, so that a scenario leaving the set is noticed here.
FAULT_SCENARIOS = [
    "error-400-bad-request", "error-401-unauthorized", "error-403-forbidden",
    "error-404-not-found", "error-409-conflict", "error-422-unprocessable",
    "error-429-rate-limited", "error-500-server-error", "mid-stream-error",
    "rate-limit-then-success", "slow-stream", "truncated-stream",
    "unavailable-twice-then-success",
]  # fmt: skip


@pytest.fixture
def through(live_mock: LiveServer) -> Iterator[Any]:
    """Start a gateway with a flaw in front of the session's mock; its URL."""
    started: list[LiveApp] = []

    def start(flaw: str | None) -> str:
        live = LiveApp(gateway(live_mock.base_url, flaw=flaw)).start()
        started.append(live)
        return live.base_url

    yield start
    for live in started:
        live.stop()


def _check(base_url: str, report_dir: Path) -> tuple[int, dict[str, Any]]:
    code = main(["check", "server", "--base-url", base_url, "--faults", "--examples", "0",
                 "--scenarios", "seed-example", "--endpoint", "native",
                 "--report-dir", str(report_dir)])  # fmt: skip
    return code, json.loads((report_dir / "report.json").read_text(encoding="utf-8"))


def test_the_fault_set_is_the_builtin_scenarios_tagged_errors_or_latency() -> None:
    tagged = [s.name for s in builtin_scenarios() if {"errors", "latency"} & set(s.tags)]
    assert sorted(tagged) == FAULT_SCENARIOS


def test_our_mock_passes_every_fault_scenario(live_mock: LiveServer, tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    code, report = _check(live_mock.base_url, tmp_path)
    out = capsys.readouterr().out
    assert code == 0, out
    assert "conforms" in out
    assert report["options"]["faults"] == FAULT_SCENARIOS
    summary = (tmp_path / "summary.md").read_text(encoding="utf-8")  # a CI step summary says so
    assert (f"Fault scenarios played with their headers (`--faults`): {len(FAULT_SCENARIOS)}, "
            "`error-400-bad-request`, ") in summary
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert (f"Fault scenarios played with their headers (<code>--faults</code>): "
            f"{len(FAULT_SCENARIOS)}, <code>error-400-bad-request</code>, ") in page
    cases = {r["case"] for r in report["records"] if r["case"].startswith("fault-")}
    assert {case.removeprefix("fault-").split("/")[0] for case in cases} == set(FAULT_SCENARIOS)
    # Every request of a scenario is its own case; each fault check graded where it applies.
    assert {"fault-unavailable-twice-then-success/flaky#1",
            "fault-unavailable-twice-then-success/flaky#3",
            "fault-rate-limit-then-success/answer"} <= cases  # fmt: skip
    passed = {(r["case"], r["check"]) for r in report["records"] if r["status"] == "passed"}
    assert {("fault-error-429-rate-limited/limited", "fault_headers"),
            ("fault-error-500-server-error/fail", "error_body"),
            ("fault-truncated-stream/cut-stream", "fault_stream"),
            ("fault-mid-stream-error/failing-stream", "fault_stream"),
            ("fault-slow-stream/paced", "fault_pacing")} <= passed  # fmt: skip
    junit = (tmp_path / "junit.xml").read_text(encoding="utf-8")
    assert "fault-truncated-stream/cut-stream" in junit


def test_a_pass_through_gateway_passes(through: Any, tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    code, report = _check(through(None), tmp_path)
    assert code == 0, capsys.readouterr().out
    assert report["options"]["faults"] == FAULT_SCENARIOS


@pytest.mark.parametrize(
    ("flaw", "failed", "said"),
    [
        ("drops retry-after",
         {("fault-rate-limit-then-success/limited", "fault_headers"),
          ("fault-error-429-rate-limited/limited", "fault_headers"),
          ("fault-error-409-conflict/fail", "fault_headers"),
          ("fault-error-500-server-error/fail", "fault_headers"),
          ("fault-unavailable-twice-then-success/flaky#1", "fault_headers"),
          ("fault-unavailable-twice-then-success/flaky#2", "fault_headers")},
         "/headers/retry-after: is missing; step 'limited' sends '1'"),
        ("turns 5xx into 502",
         {("fault-error-500-server-error/fail", "fault_status"),
          ("fault-error-500-server-error/fail", "error_body"),
          ("fault-unavailable-twice-then-success/flaky#1", "fault_status"),
          ("fault-unavailable-twice-then-success/flaky#1", "error_body"),
          ("fault-unavailable-twice-then-success/flaky#2", "fault_status"),
          ("fault-unavailable-twice-then-success/flaky#2", "error_body")},
         "502 where step 'fail' answers 500: a gateway passes the status through unchanged"),
        ("drops the x-mock headers",
         {*((f"fault-{name}/fail", "fault_status") for name in FAULT_SCENARIOS
            if name.startswith("error-") and name != "error-429-rate-limited"),
          ("fault-error-429-rate-limited/limited", "fault_status"),
          ("fault-rate-limit-then-success/limited", "fault_status"),
          ("fault-unavailable-twice-then-success/flaky#1", "fault_status"),
          ("fault-unavailable-twice-then-success/flaky#2", "fault_status"),
          ("fault-truncated-stream/cut-stream", "fault_stream"),
          ("fault-mid-stream-error/failing-stream", "fault_stream"),
          ("fault-slow-stream/paced", "fault_pacing")},
         "200 where step 'fail' answers 400: the step's answer did not come through; the "
         "scenario was not played (the mock plays a scenario only when the x-mock-scenario and "
         "x-mock-session headers reach it: the gateway must forward them)"),
        ("retries 5xx itself",
         {("fault-unavailable-twice-then-success/flaky#1", "fault_status"),
          ("fault-unavailable-twice-then-success/flaky#2", "fault_status")},
         "200 where step 'flaky' answers 503: the step's answer did not come through; the "
         "scenario was not played (the mock plays a scenario only when the x-mock-scenario and "
         "x-mock-session headers reach it: the gateway must forward them), or the gateway "
         "answered on its own (a retry of its own, a cached answer)"),
        ("buffers streams",
         {("fault-truncated-stream/cut-stream", "fault_stream"),
          ("fault-slow-stream/paced", "fault_pacing")},
         "the stream step 'cut-stream' cuts after 3 events arrived whole"),
        ("keeps data lines only",
         {("fault-mid-stream-error/failing-stream", "fault_stream")},
         "step 'failing-stream' sends 2 events and then an error line"),
        ("cuts streams after 2 records",
         {("fault-slow-stream/paced", "fault_stream"),
          ("fault-slow-stream/paced", "stream_events"),
          ("fault-mid-stream-error/failing-stream", "fault_stream")},
         "the stream broke off after 2 records (RemoteProtocolError: "),
    ],
)  # fmt: skip
def test_a_flawed_gateway_fails_the_step_its_flaw_breaks(
    through: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str], flaw: str,
    failed: set[tuple[str, str]], said: str,
) -> None:  # fmt: skip
    code, report = _check(through(flaw), tmp_path)
    out = capsys.readouterr().out
    assert code == 1, out
    failures = [r for r in report["records"] if r["status"] == "failed"]
    assert {(r["case"], r["check"]) for r in failures} == failed
    for record in failures:  # a bare "/detail: is required" would not say whose body it is
        if record["check"] == "error_body":
            assert re.search(r"\(the 502 answer's body, a native error body\)$", record["message"])
    assert schema_errors(report) == []  # the fault evidence (`expected`, `read_error`) included
    shown = next(r for r in failures if said in r["message"])
    scenario, step = shown["case"].removeprefix("fault-").split("#")[0].split("/")
    assert shown["evidence"]["expected"]["scenario"] == scenario
    assert shown["evidence"]["expected"]["step"] == step
    curl = shown["evidence"]["curl"]
    assert f"-H 'x-mock-scenario: {scenario}'" in curl
    assert "-H 'x-mock-session: llama-contract-faults-" in curl
    assert f"FAILED {shown['case']} {shown['check']} [{shown['rule']}]" in out
    assert "  reproduce (with a new x-mock-session id): curl " in out  # not a meaningless seed
    assert "reproduce (seed" not in out
    assert "seed" not in shown["evidence"]
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "<h4>expected</h4>" in page  # what the step answers, beside what arrived
