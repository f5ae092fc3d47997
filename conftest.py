"""Settings for the whole test suite (at the root, so that tests/ never shadows a package)."""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Iterator

import pytest
from hypothesis import settings

# In CI every run draws the same examples, so a red build is reproducible from its log and a green
# one is not luck; locally each run explores new examples.
settings.register_profile("ci", derandomize=True, print_blob=True)
settings.register_profile("dev", print_blob=True)
settings.load_profile("ci" if os.environ.get("CI") else "dev")


@pytest.fixture
def silent_server() -> Iterator[str]:
    """The URL of a server that accepts each connection and closes it without answering: an
    unreachable server that does not assume any port on this machine is closed."""
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    def serve() -> None:
        while True:
            try:
                connection, _ = listener.accept()
            except OSError:  # the listener was shut down
                return
            connection.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    listener.shutdown(socket.SHUT_RDWR)
    listener.close()
    thread.join()
