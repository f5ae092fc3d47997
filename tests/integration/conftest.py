from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from werkzeug.serving import make_server

from mockserver import MockConfig, MockService, create_app


@dataclass
class RunningMock:
    base_url: str
    service: MockService

    @property
    def native(self) -> str:
        return self.base_url + "/v1"

    @property
    def compat(self) -> str:
        return self.base_url + "/compat/v1"


@pytest.fixture(scope="session")
def start_mock() -> Iterator[Callable[..., RunningMock]]:
    """Start mocks on free loopback ports (threaded WSGI server); all stop at session end."""
    servers = []

    def start(**settings: object) -> RunningMock:
        service = MockService(MockConfig(port=0, self_check=True, **settings))  # type: ignore[arg-type]
        server = make_server("127.0.0.1", 0, create_app(service=service), threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        servers.append((server, thread, service))
        return RunningMock(f"http://127.0.0.1:{server.server_port}", service)

    yield start
    problems = []
    for server, thread, service in servers:
        server.shutdown()
        thread.join(timeout=10)
        problems += service.answer_problems
    # Every answer the mock gave during these tests must conform to the contract.
    assert not problems, "the mock answered outside its own contract:\n" + "\n".join(problems)


@pytest.fixture(scope="session")
def mock(start_mock: Callable[..., RunningMock]) -> RunningMock:
    return start_mock()
