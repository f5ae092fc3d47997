"""`check server` reads a server's answers within bounds: a server that sends without end, in
time or in bytes, fails that case ('answered') and the run goes on; it neither hangs the run nor
fills its memory. (A broken gateway that streams forever once held a CI job until its own limit.)"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from mockserver import MockConfig, MockService
from mockserver.adapters.flask_app import create_app
from mockserver.adapters.live import LiveApp
from mockserver.cli.main import main
from mockserver.conformance.answers import MAX_ANSWER_BYTES

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

STOP = threading.Event()  # ends what the endless servers send, at teardown
PIECE = b"x" * 65536


@pytest.fixture(autouse=True)
def _stop_what_never_ends() -> Iterator[None]:
    STOP.clear()
    yield
    STOP.set()


class _EndlessSecondChat:
    """The mock, but its second chat answer never ends: a trickle (slow) or a flood (long)."""

    def __init__(self, kind: str) -> None:
        self.app = create_app(service=MockService(MockConfig(port=0)))
        self.kind = kind
        self.chats = 0
        self.lock = threading.Lock()

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if environ["PATH_INFO"].endswith("/chat/completions"):
            with self.lock:
                self.chats += 1
                endless = self.chats == 2
            if endless:
                environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
                start_response("200 OK", [("content-type", "application/json")])
                return self._trickle() if self.kind == "slow" else self._flood()
        return self.app(environ, start_response)

    @staticmethod
    def _trickle() -> Iterator[bytes]:
        for _ in range(3000):  # bounded: 60 s at most, should the run not stop reading
            if STOP.wait(0.02):
                return
            yield b" "

    @staticmethod
    def _flood() -> Iterator[bytes]:
        for _ in range(MAX_ANSWER_BYTES // len(PIECE) * 4):  # bounded: four times the limit
            if STOP.is_set():
                return
            yield PIECE


@pytest.mark.parametrize(("kind", "said"), [
    ("slow", "the answer was still coming 2 s after the request (--timeout); reading stopped"),
    ("long", f"the answer passed {MAX_ANSWER_BYTES:,} bytes; reading stopped"),
])  # fmt: skip
def test_an_answer_without_end_fails_its_case_and_the_run_goes_on(
    tmp_path: Path, kind: str, said: str
) -> None:
    with LiveApp(_EndlessSecondChat(kind)) as server:
        began = time.perf_counter()
        code = main(["check", "server", "--base-url", server.base_url, "--report-dir",
                     str(tmp_path), "--scenarios", "seed-example", "streaming-text",
                     "system-and-user", "--examples", "0", "--endpoint", "native",
                     "--timeout", "2", "--quiet"])  # fmt: skip
        took = time.perf_counter() - began
    assert code == 1
    report: dict[str, Any] = json.loads((tmp_path / "report.json").read_text())
    failed = [r for r in report["records"] if r["status"] == "failed"]
    assert [(r["check"], r["rule"]) for r in failed] == [("answered", "server.unreachable")]
    assert failed[0]["message"] == f"no answer: {said}"
    assert failed[0]["case"].startswith("scenario-streaming-text-")  # the second chat request
    later = [r for r in report["records"] if r["case"].startswith("scenario-system-and-user-")]
    assert later  # the cases after it were sent and checked
    assert all(r["status"] == "passed" for r in later)
    assert took < 30  # not the endless server's own bound (60 s, or four times the bytes)
