"""Fixtures of the engine tests."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest


class SilentListener:
    """A loopback port that accepts connections and never answers: a test sees whether the
    engine connected to it (a `$ref` or `$schema` fetched)."""

    def __init__(self) -> None:
        self._server = socket.socket()
        self._server.bind(("127.0.0.1", 0))
        self._server.listen(8)
        self._server.setblocking(False)
        self.url = f"http://127.0.0.1:{self._server.getsockname()[1]}"

    def connections(self) -> int:
        """Connections made since the last call."""
        count = 0
        while True:
            try:
                connection, _ = self._server.accept()
            except BlockingIOError:
                return count
            connection.close()
            count += 1

    def close(self) -> None:
        self._server.close()


@pytest.fixture
def listener() -> Iterator[SilentListener]:
    server = SilentListener()
    yield server
    server.close()
