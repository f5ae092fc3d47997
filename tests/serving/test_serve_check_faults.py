"""`check server --faults` against `llama-contract serve` itself (granian, where a cut stream is
framed by a length it never reaches): every fault scenario arrives as its step says, on the native
API and on the OpenAI-compatible one (compat error bodies, a `data: {"error": ...}` line, a stream
cut before `[DONE]`)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

CLI = [sys.executable, "-m", "mockserver.cli.main"]
BOUND_S = 120.0  # a bound against hangs, not a speed claim


@pytest.mark.parametrize(("endpoint", "played"), [("native", ""), ("compat", "@compat")])
def test_check_server_faults_passes_on_llama_contract_serve(
    launch, tmp_path: Path, endpoint: str, played: str
) -> None:
    server = launch([*CLI, "serve", "--port", "0"])
    url = server.wait_ready()
    check = subprocess.run(
        [*CLI, "check", "server", "--base-url", url, "--faults", "--examples", "0",
         "--endpoint", endpoint, "--report-dir", str(tmp_path), "--quiet"],
        capture_output=True, text=True, timeout=BOUND_S, check=False,
    )  # fmt: skip
    assert check.returncode == 0, check.stdout + check.stderr
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    names = report["options"]["faults"]
    assert len(names) == 13
    assert all(("@" in name) == bool(played) for name in names)
    graded = {(r["case"], r["check"]) for r in report["records"] if r["status"] == "passed"}
    assert {(f"fault-truncated-stream{played}/cut-stream", "fault_stream"),
            (f"fault-mid-stream-error{played}/failing-stream", "fault_stream"),
            (f"fault-error-429-rate-limited{played}/limited", "fault_headers"),
            (f"fault-slow-stream{played}/paced", "fault_pacing")} <= graded  # fmt: skip
    assert server.stop() == 0
    server.clean_stderr()
