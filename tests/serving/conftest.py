"""Fixtures of the serving tests: servers started as real subprocesses, their URL learned from
the ready line they print, killed at teardown if still running.

Tests reach everything through the `launch` fixture (no imports from here), so this works under
any pytest import mode."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import threading
from collections.abc import Iterator

import pytest

READY_TIMEOUT_S = 60.0  # a bound on start-up, not a performance claim
EXIT_TIMEOUT_S = 30.0
READY_PREFIX = "Llama API mock listening on "


class ServerProcess:
    """A server subprocess; both pipes are drained by threads so it never blocks on output."""

    def __init__(self, argv: list[str], *, own_process_group: bool = False) -> None:
        self.argv = argv
        self.process = subprocess.Popen(
            argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            start_new_session=own_process_group,
        )
        self._stdout_lines: queue.Queue[str | None] = queue.Queue()
        self._stderr_parts: list[str] = []
        self._readers = [
            threading.Thread(target=self._pump_stdout, daemon=True),
            threading.Thread(target=self._pump_stderr, daemon=True),
        ]
        for reader in self._readers:
            reader.start()
        self.ready_lines: list[str] = []
        self.url = ""

    def _pump_stdout(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self._stdout_lines.put(line.rstrip("\n"))
        self._stdout_lines.put(None)

    def _pump_stderr(self) -> None:
        assert self.process.stderr is not None
        self._stderr_parts.append(self.process.stderr.read())

    def wait_ready(self) -> str:
        """Read the three ready lines (bounded wait) and return the base URL."""
        while len(self.ready_lines) < 3:
            try:
                line = self._stdout_lines.get(timeout=READY_TIMEOUT_S)
            except queue.Empty:
                self.kill()
                pytest.fail(f"no ready line within {READY_TIMEOUT_S}s; stderr:\n{self.stderr()}")
            if line is None:
                code = self.process.wait(timeout=EXIT_TIMEOUT_S)
                pytest.fail(f"server exited ({code}) before it was ready; stderr:\n{self.stderr()}")
            self.ready_lines.append(line)
        assert self.ready_lines[0].startswith(READY_PREFIX), self.ready_lines
        self.url = self.ready_lines[0].removeprefix(READY_PREFIX)
        return self.url

    def stop(self, sig: int = signal.SIGTERM) -> int:
        self.process.send_signal(sig)
        return self.wait_exit()

    def interrupt_group(self) -> int:
        """Ctrl-C in a terminal: SIGINT to the server and its worker at once."""
        os.killpg(self.process.pid, signal.SIGINT)
        return self.wait_exit()

    def wait_exit(self) -> int:
        try:
            code = self.process.wait(timeout=EXIT_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self.kill()
            pytest.fail(f"server still running {EXIT_TIMEOUT_S}s after it was told to stop")
        for reader in self._readers:
            reader.join(timeout=EXIT_TIMEOUT_S)
        return code

    def stderr(self) -> str:
        if self.process.poll() is not None:
            for reader in self._readers:
                reader.join(timeout=EXIT_TIMEOUT_S)
        return "".join(self._stderr_parts)

    def clean_stderr(self) -> str:
        """stderr, asserted free of tracebacks and of server error lines (such as a worker
        killed on shutdown)."""
        stderr = self.stderr()
        assert "Traceback" not in stderr, stderr
        assert "[ERROR]" not in stderr, stderr
        assert "[CRITICAL]" not in stderr, stderr
        return stderr

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=EXIT_TIMEOUT_S)


@pytest.fixture
def launch() -> Iterator[type[ServerProcess]]:
    """`launch(argv)` starts a server; whatever is still running at teardown is killed."""
    started: list[ServerProcess] = []

    class Tracked(ServerProcess):
        def __init__(self, argv: list[str], *, own_process_group: bool = False) -> None:
            super().__init__(argv, own_process_group=own_process_group)
            started.append(self)

    yield Tracked
    for server in started:
        server.kill()
