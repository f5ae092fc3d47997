from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest

from mockserver import MockConfig, MockService
from mockserver.adapters.live import LiveServer


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
    """Start mocks on free loopback ports (the project's live server); all stop at session end,
    and an exception the app raised while answering fails the session."""
    servers: list[LiveServer] = []

    def start(**settings: object) -> RunningMock:
        service = MockService(MockConfig(port=0, self_check=True, **settings))  # type: ignore[arg-type]
        server = LiveServer(service).start()
        service.reset()  # the journal starts empty, without the readiness probe's GET /health
        servers.append(server)
        return RunningMock(server.base_url, service)

    yield start
    problems = []
    for server in servers:
        server.stop()
        server.raise_errors()
        problems += server.service.answer_problems
    # Every answer the mock gave during these tests must conform to the contract.
    assert not problems, "the mock answered outside its own contract:\n" + "\n".join(problems)


@pytest.fixture(scope="session")
def mock(start_mock: Callable[..., RunningMock]) -> RunningMock:
    return start_mock()
