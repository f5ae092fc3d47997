"""`check server --faults` against `llama-contract serve` itself (granian, where a cut stream is
framed by a length it never reaches): every fault scenario arrives as its step says."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

CLI = [sys.executable, "-m", "mockserver.cli.main"]
BOUND_S = 120.0  # a bound against hangs, not a speed claim


def test_check_server_faults_passes_on_llama_contract_serve(launch, tmp_path: Path) -> None:
    server = launch([*CLI, "serve", "--port", "0"])
    url = server.wait_ready()
    check = subprocess.run(
        [*CLI, "check", "server", "--base-url", url, "--faults", "--examples", "0",
         "--endpoint", "native", "--report-dir", str(tmp_path), "--quiet"],
        capture_output=True, text=True, timeout=BOUND_S, check=False,
    )  # fmt: skip
    assert check.returncode == 0, check.stdout + check.stderr
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert len(report["options"]["faults"]) == 13
    graded = {(r["case"], r["check"]) for r in report["records"] if r["status"] == "passed"}
    assert {("fault-truncated-stream/cut-stream", "fault_stream"),
            ("fault-mid-stream-error/failing-stream", "fault_stream"),
            ("fault-error-429-rate-limited/limited", "fault_headers"),
            ("fault-slow-stream/paced", "fault_pacing")} <= graded  # fmt: skip
    assert server.stop() == 0
    server.clean_stderr()


def test_check_server_faults_on_compat_passes_on_llama_contract_serve(launch, tmp_path: Path) -> None:
    """The same scenarios played on the OpenAI-compatible API: compat error bodies, a
    `data: {"error": ...}` line, a stream cut before `[DONE]`."""
    server = launch([*CLI, "serve", "--port", "0"])
    url = server.wait_ready()
    check = subprocess.run(
        [*CLI, "check", "server", "--base-url", url, "--faults", "--examples", "0",
         "--endpoint", "compat", "--report-dir", str(tmp_path), "--quiet"],
        capture_output=True, text=True, timeout=BOUND_S, check=False,
    )  # fmt: skip
    assert check.returncode == 0, check.stdout + check.stderr
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert len(report["options"]["faults"]) == 13
    assert all(name.endswith("@compat") for name in report["options"]["faults"])
    graded = {(r["case"], r["check"]) for r in report["records"] if r["status"] == "passed"}
    assert {("fault-truncated-stream@compat/cut-stream", "fault_stream"),
            ("fault-mid-stream-error@compat/failing-stream", "fault_stream"),
            ("fault-error-429-rate-limited@compat/limited", "fault_headers"),
            ("fault-slow-stream@compat/paced", "fault_pacing")} <= graded  # fmt: skip
    assert server.stop() == 0
    server.clean_stderr()
