"""`llama-contract check server|client`: exit 0 conforms, 1 does not, 2 could not run."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from mockserver.adapters.live import LiveServer
from mockserver.cli.main import main


def assert_could_not_run(code: int, err: str, report_dir: Path, *said: str) -> None:
    """Exit 2, one line on stderr saying `said`, and no reports."""
    assert code == 2
    assert err.count("\n") == 1, err
    for words in said:
        assert words in err
    assert not (report_dir / "report.json").exists()


def test_check_server_on_our_mock_exits_0(live_mock: LiveServer, tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    code = main(["check", "server", "--base-url", live_mock.base_url + "/v1", "--examples", "10",
                 "--seed", "3", "--scenarios", "seed-example", "streaming-text",
                 "--report-dir", str(tmp_path), "--quiet"])  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0, out
    document = json.loads((tmp_path / "report.json").read_text())
    summary = document["summary"]
    assert f"conforms: {summary['cases']} cases; checks: {summary['passed']} passed, 0 failed" in out
    assert document["seed"] == 3
    assert document["options"]["scenarios"] == [
        "seed-example",
        "streaming-text",
    ]


def test_check_server_on_a_broken_server_exits_1(broken_server: str, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    code = main(["check", "server", "--base-url", broken_server, "--examples", "3",
                 "--endpoint", "native", "--scenarios", "streaming-text",
                 "--report-dir", str(tmp_path)])  # fmt: skip
    out = capsys.readouterr().out
    assert code == 1
    assert "FAILED" in out
    assert "reproduce (seed 0): curl" in out
    assert "does NOT conform" in out



def test_check_server_unreachable_exits_2_with_one_line(silent_server: str, tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    code = main(["check", "server", "--base-url", silent_server,
                 "--report-dir", str(tmp_path), "--quiet"])  # fmt: skip
    assert_could_not_run(code, capsys.readouterr().err, tmp_path, "cannot reach")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["check", "server", "--base-url", "localhost:1"], "http:// or https://"),
        (["check", "server", "--base-url", "http://[::1"], "not a valid URL"),  # was a traceback
        (["check", "server", "--base-url", "http://127.0.0.1:abc"], "not a valid URL"),
        (["check", "server", "--base-url", "http://127.0.0.1:1?x=1"], "without ?query"),
        (["check", "server", "--base-url", "http://"], "names no host"),
        (
            ["check", "server", "--base-url", "http://127.0.0.1:1", "--scenarios", "nope-nope"],
            "no file, folder or built-in scenario",
        ),
        (["check", "client", "--adapter", "nonsense"], "MODULE:FUNCTION"),
    ],
)
def test_bad_arguments_exit_2(argv: list[str], message: str, tmp_path: Path,
                              capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    assert main([*argv, "--report-dir", str(tmp_path)]) == 2
    assert message in capsys.readouterr().err


def test_check_client_with_openai_exits_0(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    code = main(
        [
            "check",
            "client",
            "--adapter",
            "openai",
            "--scenarios",
            "compat-streaming-text",
            "tool-round-trip-compat",
            "--report-dir",
            str(tmp_path),
        ]
    )
    assert code == 0, capsys.readouterr().out
    document = json.loads((tmp_path / "report.json").read_text())
    assert document["kind"] == "client"
    assert document["summary"]["failed"] == 0
    assert document["summary"]["passed"] > 0



@pytest.mark.parametrize(
    ("argv", "played"),
    [
        (["--adapter", "openai"], {"error-429-rate-limited@compat/limited": "passed"}),
        (["--adapter", "llama-api-client"], {"error-429-rate-limited/limited": "passed"}),
        (["--adapter", "openai", "--endpoint", "native"],
         {"error-429-rate-limited/limited": "skipped"}),
        (["--adapter", "llama-api-client", "--endpoint", "both"],
         {"error-429-rate-limited/limited": "passed",
          "error-429-rate-limited@compat/limited": "skipped"}),
    ],
)  # fmt: skip
def test_check_client_plays_a_scenario_of_both_endpoints_where_the_client_speaks(
    argv: list[str], played: dict[str, str], tmp_path: Path
) -> None:
    code = main(["check", "client", *argv, "--scenarios", "error-429-rate-limited",
                 "--report-dir", str(tmp_path), "--quiet"])  # fmt: skip
    assert code == (1 if set(played.values()) == {"skipped"} else 0)  # 1: checked nothing
    document = json.loads((tmp_path / "report.json").read_text())
    outcomes: dict[str, set[str]] = {}
    for record in document["records"]:
        outcomes.setdefault(record["case"], set()).add(record["status"])
    graded = {case: "skipped" if "skipped" in seen else "passed" for case, seen in outcomes.items()}
    assert graded == played
    assert all(seen in ({"passed"}, {"skipped"}) for seen in outcomes.values())


def test_check_client_progress_ends_on_the_count_of_cases(tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    """Each generated exchange is a step of the progress line, as it is a case of the summary."""
    code = main(["check", "client", "--adapter", "llama-api-client", "--no-scenarios",
                 "--examples", "6", "--seed", "2", "--report-dir", str(tmp_path)])  # fmt: skip
    captured = capsys.readouterr()
    assert code == 0, captured.out
    assert "conforms: 6 cases;" in captured.out
    assert captured.err.splitlines() == ["check client: 6/6"]


def _forbidding_app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
    start_response("403 Forbidden", [("Content-Type", "application/json")])
    return [b'{"detail": "forbidden"}']


@pytest.mark.parametrize("status", [401, 403])
def test_check_server_with_a_refused_key_exits_2_naming_status_and_option(
        status: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    from mockserver import MockConfig, MockService
    from mockserver.adapters.live import LiveApp, LiveServer

    # 401: our mock, which accepts one key only; 403: a server that forbids every request.
    server = (LiveServer(MockService(MockConfig(port=0, api_keys=("the-right-key",))))
              if status == 401 else LiveApp(_forbidding_app))
    with server:
        code = main(["check", "server", "--base-url", server.base_url,
                     "--api-key", "a-wrong-key", "--examples", "3",
                     "--report-dir", str(tmp_path), "--quiet"])  # fmt: skip
    assert_could_not_run(code, capsys.readouterr().err, tmp_path,
                         f"answered {status} to a valid request", "--api-key KEY")  # fmt: skip


def test_without_a_terminal_progress_is_a_line_every_few_seconds() -> None:
    import io

    from mockserver.conformance.progress import LOG_INTERVAL_S, Progress

    now = [0.0]
    log = io.StringIO()
    progress = Progress("check server", stream=log, clock=lambda: now[0])
    for done in range(1, 11):
        now[0] += LOG_INTERVAL_S / 2
        progress(done, 10)
    assert log.getvalue().splitlines() == [f"check server: {n}/10" for n in (2, 4, 6, 8, 10)]
    quiet = io.StringIO()
    Progress("check server", enabled=False, stream=quiet)(10, 10)
    assert quiet.getvalue() == ""


@pytest.mark.parametrize(("adapter", "module"), [("llama-api-client", "llama_api_client"),
                                                 ("llama-api-client-async", "llama_api_client"),
                                                 ("openai", "openai")])  # fmt: skip
def test_check_client_without_the_sdk_exits_2_naming_the_install(
    adapter: str, module: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    """A CI job must not read a missing SDK as a client that does not conform (exit 1)."""
    monkeypatch.setitem(sys.modules, module, None)  # Python's own way to make a module missing
    code = main(["check", "client", "--adapter", adapter, "--report-dir", str(tmp_path)])
    assert_could_not_run(code, capsys.readouterr().err, tmp_path,
                         f"--adapter {adapter} needs the {module} package",
                         "pip install 'llama-api-contract[sdk]'")  # fmt: skip
