"""`check server --faults --endpoint compat`: the fault scenarios, whose steps answer on either
endpoint, played on the OpenAI-compatible API alone, as through a gateway that exposes only
/compat/v1. Our mock passes; the test gateway in its compat-only mode passes when faithful and
fails exactly the steps its flaw breaks, graded with the compat shapes (OpenAI error bodies, a
`data: {"error": ...}` line, a cut stream with no `[DONE]`)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from gateway_app import gateway
from test_check_server_faults import FAULT_SCENARIOS

from contract.conformance.report import schema_errors
from mockserver.adapters.live import LiveApp, LiveServer
from mockserver.cli.main import main

ON_COMPAT = [f"{name}@compat" for name in FAULT_SCENARIOS]


@pytest.fixture
def compat_only(live_mock: LiveServer) -> Iterator[Any]:
    """Start a gateway that forwards only /compat/v1 (with a flaw) in front of the mock."""
    started: list[LiveApp] = []

    def start(flaw: str | None) -> str:
        live = LiveApp(gateway(live_mock.base_url, flaw=flaw, only="/compat/v1")).start()
        started.append(live)
        return live.base_url

    yield start
    for live in started:
        live.stop()


def _check(base_url: str, report_dir: Path, endpoint: str = "compat") -> tuple[int, dict[str, Any]]:
    code = main(["check", "server", "--base-url", base_url, "--faults", "--examples", "0",
                 "--scenarios", "seed-example", "--endpoint", endpoint,
                 "--report-dir", str(report_dir)])  # fmt: skip
    return code, json.loads((report_dir / "report.json").read_text(encoding="utf-8"))


def _failed(report: dict[str, Any]) -> set[tuple[str, str]]:
    return {(r["case"], r["check"]) for r in report["records"] if r["status"] == "failed"}


def test_our_mock_passes_every_fault_scenario_on_compat(
    live_mock: LiveServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, report = _check(live_mock.base_url, tmp_path)
    assert code == 0, capsys.readouterr().out
    assert report["options"]["faults"] == ON_COMPAT
    assert report["options"]["endpoints"] == ["compat"]
    records = [r for r in report["records"] if r["case"].startswith("fault-")]
    assert {r["case"].removeprefix("fault-").split("/")[0] for r in records} == set(ON_COMPAT)
    passed = {(r["case"], r["check"]) for r in records if r["status"] == "passed"}
    assert {("fault-error-429-rate-limited@compat/limited", "fault_headers"),
            ("fault-error-500-server-error@compat/fail", "error_body"),
            ("fault-truncated-stream@compat/cut-stream", "fault_stream"),
            ("fault-mid-stream-error@compat/failing-stream", "fault_stream"),
            ("fault-slow-stream@compat/paced", "fault_pacing"),
            ("fault-slow-stream@compat/paced", "stream_framing"),
            ("fault-unavailable-twice-then-success@compat/flaky#3", "response_schema"),
            ("fault-rate-limit-then-success@compat/answer", "response_schema")} <= passed  # fmt: skip
    # Each report says where the cases went: the played names and case ids carry @compat.
    summary = (tmp_path / "summary.md").read_text(encoding="utf-8")
    assert f"(`--faults`): {len(ON_COMPAT)}, `error-400-bad-request@compat`, " in summary
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "<code>error-400-bad-request@compat</code>" in page
    assert "fault-truncated-stream@compat/cut-stream" in (tmp_path / "junit.xml").read_text()


def test_both_endpoints_play_each_fault_scenario_on_each(
    live_mock: LiveServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, report = _check(live_mock.base_url, tmp_path, endpoint="both")
    assert code == 0, capsys.readouterr().out
    assert report["options"]["faults"] == [*FAULT_SCENARIOS, *ON_COMPAT]
    cases = {r["case"] for r in report["records"]}
    assert {"fault-truncated-stream/cut-stream", "fault-truncated-stream@compat/cut-stream"} <= cases


def test_a_compat_only_gateway_passes_on_compat(compat_only: Any, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    url = compat_only(None)
    assert httpx.post(url + "/v1/chat/completions", json={}).status_code == 404  # compat only
    code, report = _check(url, tmp_path)
    assert code == 0, capsys.readouterr().out
    assert report["options"]["faults"] == ON_COMPAT


@pytest.mark.parametrize(
    ("flaw", "failed", "said"),
    [
        ("drops retry-after",
         {(f"fault-{case}", "fault_headers") for case in (
             "rate-limit-then-success@compat/limited", "error-429-rate-limited@compat/limited",
             "error-409-conflict@compat/fail", "error-500-server-error@compat/fail",
             "unavailable-twice-then-success@compat/flaky#1",
             "unavailable-twice-then-success@compat/flaky#2")},
         "/headers/retry-after: is missing; step 'limited' sends '1'"),
        ("turns 5xx into 502",
         {(f"fault-{case}", check) for check in ("fault_status", "error_body") for case in (
             "error-500-server-error@compat/fail", "unavailable-twice-then-success@compat/flaky#1",
             "unavailable-twice-then-success@compat/flaky#2")},
         "it is required in a compat error body (the 502 answer's body"),
        ("retries 5xx itself",
         {("fault-unavailable-twice-then-success@compat/flaky#1", "fault_status"),
          ("fault-unavailable-twice-then-success@compat/flaky#2", "fault_status")},
         "200 where step 'flaky' answers 503"),
        ("buffers streams",
         {("fault-truncated-stream@compat/cut-stream", "fault_stream"),
          ("fault-slow-stream@compat/paced", "fault_pacing")},
         "cuts after 3 events arrived whole: 3 records and a clean end of the body"),
        ("ends cut streams",
         {("fault-truncated-stream@compat/cut-stream", "fault_stream")},
         "cuts after 3 events arrived whole: 3 records and a clean end of the body"),
        ("ends cut streams with [DONE]",
         {("fault-truncated-stream@compat/cut-stream", "fault_stream")},
         "cuts after 3 events arrived whole: 4 records with its end, [DONE]"),
        ("cuts streams after 2 records",
         {("fault-slow-stream@compat/paced", "fault_stream"),
          ("fault-slow-stream@compat/paced", "stream_events"),
          ("fault-mid-stream-error@compat/failing-stream", "fault_stream")},
         'an OpenAI error body as a data: record, {"error": ...}, and no [DONE]); 2 records'),
    ],
)  # fmt: skip
def test_a_flawed_compat_only_gateway_fails_the_step_its_flaw_breaks(
    compat_only: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str], flaw: str,
    failed: set[tuple[str, str]], said: str,
) -> None:  # fmt: skip
    code, report = _check(compat_only(flaw), tmp_path)
    out = capsys.readouterr().out
    assert code == 1, out
    assert _failed(report) == failed
    assert schema_errors(report) == []
    shown = next(r for r in report["records"] if r["status"] == "failed" and said in r["message"])
    assert shown["evidence"]["expected"]["endpoint"] == "compat"
    scenario = shown["case"].removeprefix("fault-").split("@")[0]
    assert shown["evidence"]["expected"]["scenario"] == scenario
    assert "/compat/v1/chat/completions" in shown["evidence"]["curl"]
    assert f"-H 'x-mock-scenario: {scenario}'" in shown["evidence"]["curl"]


def test_an_error_line_is_a_data_record_on_compat(compat_only: Any, tmp_path: Path) -> None:
    """A gateway that keeps only `data:` records breaks a native mid-stream error (a bare JSON
    line) but nothing on compat, where the error line is a `data:` record."""
    code, report = _check(compat_only("keeps data lines only"), tmp_path)
    assert (code, _failed(report)) == (0, set())
