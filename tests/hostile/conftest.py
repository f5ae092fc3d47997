"""Servers under attack: a `LiveServer` in this process and `llama-contract serve` (granian)."""

from __future__ import annotations

import queue
import subprocess
import sys
import threading
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from mockserver import MockConfig, MockService
from mockserver.adapters.live import LiveServer

READY_TIMEOUT_S = 60.0  # a bound on start-up, not a performance claim
READY_PREFIX = "Llama API mock listening on "


@pytest.fixture(scope="module")
def live() -> Iterator[LiveServer]:
    server = LiveServer(MockService(MockConfig(port=0))).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def granian_address() -> Iterator[tuple[str, int]]:
    """`llama-contract serve --port 0` in a subprocess, as users run it."""
    argv = [sys.executable, "-m", "mockserver.cli.main", "serve", "--port", "0"]
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    lines: queue.Queue[str] = queue.Queue()

    def pump() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.put(line)

    threading.Thread(target=pump, daemon=True).start()
    try:
        first = lines.get(timeout=READY_TIMEOUT_S)
        assert first.startswith(READY_PREFIX), first
        parts = urlsplit(first.removeprefix(READY_PREFIX).strip())
        assert parts.hostname is not None
        assert parts.port is not None
        yield parts.hostname, parts.port
        assert process.poll() is None, "the server died under hostile input"
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
