"""Progress while a case runs long, and Ctrl-C. Without a terminal the `check ...: DONE/TOTAL`
line was printed only after a case ended, so a hung case silenced it for minutes; it now comes on
time from a timer and names the case in progress. A Ctrl-C names the case that was running, and
`check server` writes the reports of the cases finished before it, marked as interrupted."""

from __future__ import annotations

import gc
import io
import json
import os
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from contract.conformance.checks import ClientOutcome, Conversation
from mockserver import MockConfig, MockService
from mockserver.adapters.flask_app import create_app
from mockserver.adapters.live import LiveApp
from mockserver.cli.main import main
from mockserver.conformance.progress import LOG_INTERVAL_S, Progress

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

CONSOLE_SCRIPT = Path(sys.executable).with_name("llama-contract")
MODULE = __name__.rpartition(".")[2]
RELEASE = threading.Event()


@pytest.fixture(autouse=True)
def _release_what_hangs() -> Iterator[None]:
    RELEASE.clear()
    yield
    RELEASE.set()


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_line_comes_on_time_while_a_case_runs_and_names_it() -> None:
    log, clock = io.StringIO(), Clock()
    progress = Progress("check client", stream=log, clock=clock)
    progress(1, 4)  # 0 s since the start: no line
    progress.running("multi-turn/population")
    for seconds in (LOG_INTERVAL_S, 2.0, 3.0):  # nothing ends: the timer alone prints
        clock.now += seconds
        progress.tick()
    clock.now += 1
    progress.running(None)
    progress(2, 4)  # a second after the last line: none
    clock.now += 0.5
    progress.tick()
    assert log.getvalue() == ("check client: 1/4 (running multi-turn/population for 5 s)\n"
                              "check client: 1/4 (running multi-turn/population for 10 s)\n")  # fmt: skip
    clock.now += LOG_INTERVAL_S
    progress.tick()  # between cases: the count alone
    assert log.getvalue().endswith("check client: 2/4\n")


def test_before_the_first_case_ends_the_line_says_it_is_starting() -> None:
    log, clock = io.StringIO(), Clock()
    progress = Progress("check server", stream=log, clock=clock)
    progress.running("scenario-seed-example-native")
    clock.now += LOG_INTERVAL_S + 2
    progress.tick()
    assert log.getvalue() == "check server: starting (running scenario-seed-example-native for 7 s)\n"


def test_on_a_terminal_the_bar_names_the_case_running_long_then_drops_it() -> None:
    log, clock = io.StringIO(), Clock()
    progress = Progress("check client", enabled=True, stream=log, clock=clock)
    progress(1, 4)
    progress.running("streaming-text/stream")
    clock.now += 35
    progress.tick()
    progress.running(None)
    progress(2, 4)
    first, running, after = log.getvalue().split("\r")[1:]
    bar = "[" + "#" * 7 + "." * 23 + "]"
    assert first == f"check client {bar} 1/4"
    assert running == f"check client {bar} 1/4 running streaming-text/stream for 35 s"
    assert after.rstrip(" ") == f"check client [{'#' * 15}{'.' * 15}] 2/4"
    assert len(after) == len(running)  # the longer line is written over, not left behind


def test_quiet_prints_nothing_but_still_knows_the_case_running() -> None:
    log, clock = io.StringIO(), Clock()
    progress = Progress("check client", enabled=False, stream=log, clock=clock)
    progress.running("seed-example/answer")
    clock.now += 60
    progress.tick()
    with progress.ticking():
        pass
    assert log.getvalue() == ""
    assert progress.running_case == ("seed-example/answer", 60)


class _Written(io.StringIO):
    def __init__(self) -> None:
        super().__init__()
        self.written = threading.Event()

    def write(self, text: str) -> int:
        self.written.set()
        return super().write(text)


def test_ticking_runs_the_timer_in_a_thread_until_the_block_ends() -> None:
    log, clock = _Written(), Clock()
    progress = Progress("check client", stream=log, clock=clock)
    progress.running("seed-example/answer")
    clock.now += LOG_INTERVAL_S
    with progress.ticking(every=0.01):
        assert log.written.wait(timeout=10)  # the timer's line, with no case ending
    assert log.getvalue() == "check client: starting (running seed-example/answer for 5 s)\n"
    assert not any(t.name == "check client progress" for t in threading.enumerate())


def hangs(base_url: str, api_key: str, conversation: Conversation) -> ClientOutcome:
    RELEASE.wait(timeout=60)
    return ClientOutcome()


def test_check_client_prints_the_line_while_its_one_call_hangs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The command runs the timer and tells it the call in progress (intervals made short)."""
    from mockserver.conformance import progress

    monkeypatch.setattr(progress, "TICK_S", 0.02)
    monkeypatch.setattr(progress, "LOG_INTERVAL_S", 0.1)
    monkeypatch.setattr(progress, "SLOW_CASE_S", 0.05)
    assert main(["check", "client", "--adapter", f"{MODULE}:hangs", "--scenarios",
                 "seed-example", "--call-timeout", "1", "--report-dir", str(tmp_path)]) == 1  # fmt: skip
    lines = capsys.readouterr().err.splitlines()
    assert lines[-1] == "check client: 1/1"
    running = re.compile(r"check client: starting \(running seed-example/answer for \d s\)")
    assert any(running.fullmatch(line) for line in lines), lines


# Ctrl-C, in a real process: the signal reaches the main thread while it waits on a case.

INTERRUPTING_ADAPTER = '''
import signal
import threading

from mockserver.conformance.adapters import llama_api_client


def adapter(base_url, api_key, conversation):
    if conversation.step == "population":  # Ctrl-C while this call hangs
        signal.pthread_kill(threading.main_thread().ident, signal.SIGINT)
        threading.Event().wait()
    return llama_api_client(base_url, api_key, conversation)
'''


def _run(args: list[str], cwd: Path) -> subprocess.Popen[str]:
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    return subprocess.Popen([str(CONSOLE_SCRIPT), *args], cwd=cwd, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            # as from a terminal: a SIGINT is Python's KeyboardInterrupt
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))  # fmt: skip


def test_ctrl_c_during_a_client_run_writes_the_reports_of_the_calls_graded_marked_interrupted(
    tmp_path: Path,
) -> None:
    (tmp_path / "interrupting.py").write_text(INTERRUPTING_ADAPTER)
    process = _run(["check", "client", "--adapter", "interrupting:adapter", "--scenarios",
                    "multi-turn", "seed-example", "--report-dir", "out", "--quiet"],
                   cwd=tmp_path)  # fmt: skip
    out, err = process.communicate(timeout=120)
    assert process.returncode == 130, err
    assert err == ("llama-contract check: interrupted while multi-turn/population was running, "
                   "after 1 of 4 cases; the reports hold those\n")  # fmt: skip
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    assert report["options"]["interrupted"] == {"case": "multi-turn/population", "cases_done": 1,
                                                "cases_total": 4}  # fmt: skip
    assert report["summary"]["cases"] == 1
    assert {r["case"] for r in report["records"]} == {"multi-turn/capital"}
    assert out.splitlines()[-1].startswith(
        "client interrupting:adapter INTERRUPTED after 1 of 4 cases, conforms so far: 1 cases;")
    summary_md = (tmp_path / "out" / "summary.md").read_text()
    assert "interrupted" in summary_md.lower()


class _InterruptsOnThirdChat:
    """The mock; its third chat request sends the check a SIGINT and is not answered."""

    def __init__(self) -> None:
        self.app = create_app(service=MockService(MockConfig(port=0)))
        self.chats = 0
        self.lock = threading.Lock()
        self.check: subprocess.Popen[str] | None = None

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if environ["PATH_INFO"].endswith("/chat/completions"):
            with self.lock:
                self.chats += 1
                interrupt = self.chats == 3
            if interrupt and self.check is not None:
                self.check.send_signal(signal.SIGINT)
                RELEASE.wait(timeout=60)
        return self.app(environ, start_response)


def test_ctrl_c_during_a_server_run_writes_the_reports_of_the_cases_finished_marked_interrupted(
    tmp_path: Path,
) -> None:
    server = _InterruptsOnThirdChat()
    with LiveApp(server) as live:
        base_url = live.base_url
        server.check = _run(["check", "server", "--base-url", base_url, "--scenarios",
                             "seed-example", "streaming-text", "system-and-user", "multi-turn",
                             "--examples", "0", "--endpoint", "native", "--timeout", "30",
                             "--report-dir", "out"], cwd=tmp_path)  # fmt: skip
        out, err = server.check.communicate(timeout=120)
        RELEASE.set()
    assert server.check.returncode == 130, err
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    stopped = report["options"]["interrupted"]
    assert stopped["cases_done"] == 2
    assert report["summary"]["cases"] == 2
    assert {r["case"] for r in report["records"]} == set(_first_cases(2))
    assert err.splitlines()[-1] == (f"llama-contract check: interrupted while {stopped['case']} "
                                    f"was running, after 2 of {stopped['cases_total']} cases; "
                                    "the reports hold those")  # fmt: skip
    assert stopped["case"] == _first_cases(3)[2]
    summary = out.splitlines()[-1]
    assert summary.startswith(f"server {base_url} INTERRUPTED after 2 of "
                              f"{stopped['cases_total']} cases, conforms so far: 2 cases;")  # fmt: skip


def _first_cases(count: int) -> list[str]:
    from contract.scenarios.loading import builtin_scenario
    from mockserver.conformance.cases import scenario_cases

    chosen = [builtin_scenario(name) for name in ("seed-example", "streaming-text",
                                                  "system-and-user", "multi-turn")]  # fmt: skip
    return [case.id for case in scenario_cases(chosen, endpoints=("native",))][:count]


class _LostCtrlC:
    """A mock that, at its second chat request, arms a garbage-collector callback (hypothesis
    keeps one) that sends the check a SIGINT while it runs in the check's main thread: Python
    swallows the KeyboardInterrupt raised there ("Exception ignored in ..."), as a user saw."""

    def __init__(self) -> None:
        self.app = create_app(service=MockService(MockConfig(port=0)))
        self.chats = 0
        self.armed = threading.Event()
        self.fired = threading.Event()

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if environ["PATH_INFO"].endswith("/chat/completions"):
            self.chats += 1
            if self.chats == 2:
                self.armed.set()
        return self.app(environ, start_response)

    def callback(self, phase: str, info: dict[str, int]) -> None:
        if (phase == "start" and self.armed.is_set() and not self.fired.is_set()
                and threading.current_thread() is threading.main_thread()):  # fmt: skip
            self.fired.set()
            signal.raise_signal(signal.SIGINT)
            for _ in range(100):  # the handler runs here, and its exception is lost
                pass


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")  # the lost one
def test_a_ctrl_c_lost_in_a_gc_callback_still_stops_the_run_at_the_next_case(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    server = _LostCtrlC()
    threshold = gc.get_threshold()
    gc.callbacks.append(server.callback)
    gc.set_threshold(1)  # collections often, in whichever thread allocates
    try:
        with LiveApp(server) as live:
            code = main(["check", "server", "--base-url", live.base_url, "--scenarios",
                         "seed-example", "streaming-text", "system-and-user", "multi-turn",
                         "--examples", "0", "--endpoint", "native", "--report-dir",
                         str(tmp_path), "--quiet"])  # fmt: skip
    finally:
        gc.callbacks.remove(server.callback)
        gc.set_threshold(*threshold)
    assert server.fired.is_set()
    assert code == 130, capsys.readouterr()
    report = json.loads((tmp_path / "report.json").read_text())
    assert 1 <= report["options"]["interrupted"]["cases_done"] < report["options"][
        "interrupted"]["cases_total"]
