"""CI must never read green from a run that proved nothing: a client run whose checks were all
skipped exits 1 saying it checked nothing, and a run that cannot run leaves no reports behind,
not even the last run's. An adapter that raises stops the run, and its reports keep the calls
graded before it, marked as stopped."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from contract.conformance.checks import ClientOutcome, Conversation, Unsupported
from mockserver.cli.main import main

MODULE = __name__.rpartition(".")[2]


def supports_nothing(base_url: str, api_key: str, conversation: Conversation) -> ClientOutcome:
    raise Unsupported("not written yet")


def test_a_client_run_whose_checks_were_all_skipped_says_it_checked_nothing_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["check", "client", "--adapter", f"{MODULE}:supports_nothing", "--scenarios",
                 "seed-example", "multi-turn", "--report-dir", str(tmp_path)])  # fmt: skip
    out = capsys.readouterr().out
    assert code == 1
    assert (f"client {MODULE}:supports_nothing checked nothing (every check was skipped): "
            "4 cases;") in out  # fmt: skip
    suites = ET.parse(tmp_path / "junit.xml").getroot()
    error = suites.find("testsuite/testcase/error")
    assert error is not None
    assert error.get("type") == "checked-nothing"
    assert "checked nothing" in (tmp_path / "summary.md").read_text().splitlines()[0]


def test_a_run_that_cannot_run_leaves_no_reports_not_even_the_last_runs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", "client", "--adapter", "llama-api-client", "--scenarios",
                 "seed-example", "--report-dir", str(tmp_path)]) == 0  # fmt: skip
    assert json.loads((tmp_path / "report.json").read_text())["summary"]["failed"] == 0
    (tmp_path / "notes.txt").write_text("the user's own file")
    code = main(["check", "server", "--base-url", "http://127.0.0.1:9", "--report-dir",
                 str(tmp_path), "--timeout", "5"])  # fmt: skip
    assert code == 2
    assert "cannot reach" in capsys.readouterr().err
    assert sorted(path.name for path in tmp_path.iterdir()) == ["notes.txt"]


def breaks_on_the_second_turn(base_url: str, api_key: str, conversation: Conversation) -> ClientOutcome:
    from mockserver.conformance.adapters import llama_api_client

    if conversation.step == "population":
        raise TypeError("create() got an unexpected keyword argument 'max_tokens'")
    return llama_api_client(base_url, api_key, conversation)


def test_an_adapter_that_raises_stops_the_run_and_the_reports_keep_what_was_graded(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["check", "client", "--adapter", f"{MODULE}:breaks_on_the_second_turn",
                 "--scenarios", "multi-turn", "--report-dir", str(tmp_path)])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 2
    assert "raised TypeError: create() got an unexpected keyword argument 'max_tokens'" in err
    assert err.rstrip().endswith("; the reports hold the 1 case(s) graded before it")
    report = json.loads((tmp_path / "report.json").read_text())
    stopped = report["options"]["interrupted"]
    assert (stopped["case"], stopped["cases_done"]) == ("multi-turn/population", 1)
    assert stopped["reason"].startswith("the adapter failed: ")
    assert {r["case"] for r in report["records"]} == {"multi-turn/capital"}
    assert "STOPPED after 1 of 3 cases" in (tmp_path / "summary.md").read_text()


def test_the_command_runs_from_a_thread_other_than_the_main_one(tmp_path: Path) -> None:
    """Only the main thread may set a signal handler: elsewhere the run goes without one."""
    import threading

    codes: list[int] = []
    worker = threading.Thread(target=lambda: codes.append(main([
        "check", "client", "--adapter", "llama-api-client", "--scenarios", "seed-example",
        "--report-dir", str(tmp_path), "--quiet"])))  # fmt: skip
    worker.start()
    worker.join(timeout=120)
    assert codes == [0]
