"""Timeouts of a check: `check client --call-timeout SECONDS` bounds each adapter call (an adapter
that hung held the run forever), `check server --timeout SECONDS` each wait on the server (it was
a fixed 60 s) and a whole answer, which is also cut past 32 MiB. A call or a request past it fails
its case and the run goes on."""

from __future__ import annotations

import inspect
import json
import threading
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from contract.conformance.checks import CallTimedOut, ClientOutcome, Conversation
from contract.scenarios.loading import builtin_scenario
from mockserver import MockConfig, MockService
from mockserver.adapters.flask_app import create_app
from mockserver.adapters.live import LiveApp
from mockserver.cli.main import build_parser, main
from mockserver.conformance.adapter_spec import (
    resolve_adapter,
    with_call_timeout,
)
from mockserver.conformance.adapters import llama_api_client
from mockserver.conformance.answers import MAX_ANSWER_BYTES
from mockserver.conformance.client_runner import run_client_checks
from mockserver.conformance.server_runner import run_server_checks

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

MODULE = __name__.rpartition(".")[2]
RELEASE = threading.Event()  # what the hanging adapters and servers wait on: set at teardown


@pytest.fixture(autouse=True)
def _release_what_hangs() -> Iterator[None]:
    RELEASE.clear()
    yield
    RELEASE.set()  # the abandoned calls return, and their threads end


def _hang() -> ClientOutcome:
    RELEASE.wait(timeout=60)  # bounded, should the test itself fail to set it
    return ClientOutcome(text="too late")


def hangs_on_the_second_turn(base_url: str, api_key: str, conversation: Conversation) -> ClientOutcome:
    if conversation.step == "population":
        return _hang()
    return llama_api_client(base_url, api_key, conversation)


def hangs_after_the_error(base_url: str, api_key: str, conversation: Conversation) -> ClientOutcome:
    """Gets the error answer, then hangs where it should have raised it."""
    llama_api_client(base_url, api_key, conversation)
    return _hang()


def hangs_always(base_url: str, api_key: str, conversation: Conversation) -> ClientOutcome:
    return _hang()


def _check_client(report_dir: Path, name: str, *flags: str) -> int:
    return main(["check", "client", "--adapter", f"{MODULE}:{name}", "--report-dir",
                 str(report_dir), *flags])  # fmt: skip


def _records(report_dir: Path) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = json.loads((report_dir / "report.json").read_text())["records"]
    return records


def test_a_call_past_the_timeout_fails_its_case_skips_its_scenario_and_the_run_goes_on(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = _check_client(tmp_path, "hangs_on_the_second_turn", "--scenarios", "multi-turn",
                         "seed-example", "--call-timeout", "3")  # fmt: skip
    out, err = capsys.readouterr()
    assert code == 1, err
    assert ("FAILED multi-turn/population call_returned [client.call.timeout]: the server saw no "
            "request of the call; the call did not return within 3 s (--call-timeout): the "
            "client hung, neither answering nor raising; its thread was abandoned") in out
    hung = [r for r in _records(tmp_path) if r["case"] == "multi-turn/population"]
    assert [r["check"] for r in hung if r["status"] == "failed"] == ["call_returned"]  # one record
    assert "does NOT conform: 4 cases" in out
    records = _records(tmp_path)
    by_case = {r["case"]: r for r in records if r["check"] == "adapter"}
    assert by_case["multi-turn/river"]["status"] == "skipped"  # the hung call may still send
    assert by_case["multi-turn/river"]["message"].startswith(  # not "does not support"
        "multi-turn/population did not return within 3 s")
    seed = [r for r in records if r["case"] == "seed-example/answer"]  # played after the hang
    assert seed
    assert all(r["status"] == "passed" for r in seed)


def test_a_call_that_hangs_on_an_error_answer_fails_as_not_raising_it(tmp_path: Path) -> None:
    """A timeout is not the client raising the error: `error_surfaced` alone would pass it."""
    code = _check_client(tmp_path, "hangs_after_the_error", "--scenarios",
                         "error-400-bad-request", "--call-timeout", "3", "--quiet")  # fmt: skip
    assert code == 1
    failed = [r for r in _records(tmp_path) if r["status"] == "failed"]
    assert [(r["check"], r["rule"]) for r in failed] == [("call_returned", "client.call.timeout")]
    assert failed[0]["message"].startswith("the server's last answer was 400; the call did not "
                                           "return within 3 s")  # fmt: skip


def test_a_call_that_hangs_before_sending_fails_once_even_where_a_count_is_expected(
    tmp_path: Path,
) -> None:
    """error-400 expects one request and rate-limit-then-success a retry: a hang is graded by
    `call_returned` alone, not also as a client that did not send or did not retry."""
    code = _check_client(tmp_path, "hangs_always", "--scenarios", "error-400-bad-request",
                         "rate-limit-then-success", "--call-timeout", "0.2", "--quiet")  # fmt: skip
    assert code == 1
    failed = [(r["case"], r["check"]) for r in _records(tmp_path) if r["status"] == "failed"]
    # a MODULE:FUNCTION adapter is played on both endpoints: once a call on each
    assert failed == [("error-400-bad-request/fail", "call_returned"),
                      ("error-400-bad-request@compat/fail", "call_returned"),
                      ("rate-limit-then-success/limited", "call_returned"),
                      ("rate-limit-then-success@compat/limited", "call_returned")], failed  # fmt: skip


def test_generated_exchanges_that_hang_fail_and_the_run_ends(tmp_path: Path) -> None:
    code = _check_client(tmp_path, "hangs_always", "--no-scenarios", "--examples", "2",
                         "--call-timeout", "0.05", "--quiet")  # fmt: skip
    assert code == 1
    failed = [r for r in _records(tmp_path) if r["status"] == "failed"]
    assert failed
    assert "did not return within 0.05 s" in failed[0]["message"]


def test_the_timeout_wraps_any_adapter_from_python() -> None:
    """`with_call_timeout` is what the command does; without it the run would never return."""
    adapter = with_call_timeout(resolve_adapter(f"{MODULE}:hangs_always"), seconds=0.2)
    report = run_client_checks(adapter, target="hangs",
                               scenarios=[builtin_scenario("seed-example")])  # fmt: skip
    assert not report.ok
    assert [f.rule for f in report.failures] == ["client.call.timeout"]
    assert "did not return within 0.2 s" in report.failures[0].message


def test_what_a_call_raises_comes_out_in_the_caller_s_thread() -> None:
    def raises(base_url: str, api_key: str, conversation: Conversation) -> ClientOutcome:
        raise SystemExit(4)

    conversation = Conversation(scenario="s", step="t", endpoint="native", operation="chat",
                                request={})  # fmt: skip
    watched: list[str | None] = []
    adapter = with_call_timeout(raises, seconds=5, watch=watched.append)
    with pytest.raises(SystemExit) as raised:
        adapter("http://127.0.0.1:1", "key", conversation)
    assert raised.value.code == 4
    assert watched == ["s/t", None]
    assert issubclass(CallTimedOut, TimeoutError)


@pytest.mark.parametrize("subject", ["client", "server"])
@pytest.mark.parametrize(
    ("value", "said"),
    [
        ("0", "'0' is not a positive number of seconds"),
        ("-1", "'-1' is not a positive number of seconds"),
        ("nan", "'nan' is not a positive number of seconds"),
        ("inf", "'inf' is not a positive number of seconds"),
        ("soon", "'soon' is not a number of seconds"),
        ("3601", "'3601' is more than 3,600 seconds"),
    ],
)
def test_a_bad_timeout_is_a_usage_error(
    subject: str, value: str, said: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    option, target = (("--call-timeout", ["--adapter", "openai"]) if subject == "client"
                      else ("--timeout", ["--base-url", "http://127.0.0.1:1"]))  # fmt: skip
    with pytest.raises(SystemExit) as exited:
        main(["check", subject, *target, "--report-dir", str(tmp_path), option, value])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert err == (f"llama-contract check {subject}: error: argument {option}: {said} "
                   "(see --help)\n")  # fmt: skip


def test_the_command_s_timeouts_are_the_python_api_s_defaults() -> None:
    parser = build_parser()
    server = parser.parse_args(["check", "server", "--base-url", "http://127.0.0.1:1",
                                "--report-dir", "out"])  # fmt: skip
    client = parser.parse_args(["check", "client", "--adapter", "openai", "--report-dir", "out"])
    assert server.timeout == inspect.signature(run_server_checks).parameters["timeout"].default
    assert client.call_timeout == inspect.signature(with_call_timeout).parameters["seconds"].default
    assert (server.timeout, client.call_timeout) == (60, 120)


class _SecondChatGoesWrong:
    """The mock, but its second chat request is never answered ("hang"), or its answer never ends:
    a trickle ("slow") or a flood ("long"), until the test ends."""

    def __init__(self, wrong: str = "hang") -> None:
        self.app = create_app(service=MockService(MockConfig(port=0)))
        self.wrong = wrong
        self.chats = 0
        self.lock = threading.Lock()

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if environ["PATH_INFO"].endswith("/chat/completions"):
            with self.lock:
                self.chats += 1
                second = self.chats == 2
            if second and self.wrong == "hang":
                RELEASE.wait(timeout=60)
            elif second:
                environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
                start_response("200 OK", [("content-type", "application/json")])
                return _trickle() if self.wrong == "slow" else _flood()
        return self.app(environ, start_response)


def _trickle() -> Iterator[bytes]:
    for _ in range(3000):  # bounded: 60 s at most, should the run not stop reading
        if RELEASE.wait(0.02):
            return
        yield b" "


def _flood() -> Iterator[bytes]:
    piece = b"x" * 65536
    for _ in range(MAX_ANSWER_BYTES // len(piece) * 4):  # bounded: four times the limit
        if RELEASE.is_set():
            return
        yield piece


def test_a_request_past_the_server_timeout_fails_answered_and_the_run_goes_on(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with LiveApp(_SecondChatGoesWrong()) as server:
        code = main(["check", "server", "--base-url", server.base_url, "--report-dir",
                     str(tmp_path), "--scenarios", "seed-example", "streaming-text",
                     "system-and-user", "--examples", "0", "--endpoint", "native",
                     "--timeout", "3"])  # fmt: skip
        RELEASE.set()
    out = capsys.readouterr().out
    assert code == 1, out
    failed = [r for r in _records(tmp_path) if r["status"] == "failed"]
    assert [(r["check"], r["rule"]) for r in failed] == [("answered", "server.unreachable")]
    assert "ReadTimeout" in failed[0]["message"]
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["summary"]["cases"] > 2  # the cases after it were sent


@pytest.mark.parametrize(("wrong", "said"), [
    ("slow", "the answer was still coming 2 s after the request (--timeout); reading stopped"),
    ("long", f"the answer passed {MAX_ANSWER_BYTES:,} bytes; reading stopped"),
])  # fmt: skip
def test_an_answer_without_end_fails_its_case_and_the_run_goes_on(
    tmp_path: Path, wrong: str, said: str
) -> None:
    """A server that sends without end, in time or in bytes, neither hangs the run nor fills its
    memory (httpx's timeout bounds each wait only): its case fails 'answered'."""
    with LiveApp(_SecondChatGoesWrong(wrong)) as server:
        began = time.perf_counter()
        code = main(["check", "server", "--base-url", server.base_url, "--report-dir",
                     str(tmp_path), "--scenarios", "seed-example", "streaming-text",
                     "system-and-user", "--examples", "0", "--endpoint", "native",
                     "--timeout", "2", "--quiet"])  # fmt: skip
        took = time.perf_counter() - began
        RELEASE.set()
    assert code == 1
    records = _records(tmp_path)
    failed = [r for r in records if r["status"] == "failed"]
    assert [(r["check"], r["rule"]) for r in failed] == [("answered", "server.unreachable")]
    assert failed[0]["message"] == f"no answer: {said}"
    assert failed[0]["case"].startswith("scenario-streaming-text-")  # the second chat request
    later = [r for r in records if r["case"].startswith("scenario-system-and-user-")]
    assert later  # the cases after it were sent and checked
    assert all(r["status"] == "passed" for r in later)
    assert took < 30  # not the endless server's own bound (60 s, or four times the bytes)
