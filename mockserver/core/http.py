"""Framework-free request and response values that the Flask app and the respx transport adapt."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Literal

Dialect = Literal["native", "compat"]


@dataclass(frozen=True, slots=True)
class MockRequest:
    method: str
    path: str
    headers: Mapping[str, str]  # keys lower-case
    body: bytes = b""
    content_length: int | None = None  # as declared, checked against the limit before reading
    remote_addr: str = "127.0.0.1"

    def header(self, name: str, default: str = "") -> str:
        return self.headers.get(name.lower(), default)


_NO_BODY = frozenset((204, 205, 304))


@dataclass(slots=True)
class MockResponse:
    status: int
    body: bytes | Iterable[bytes] = b""
    headers: list[tuple[str, str]] = field(default_factory=list)
    content_type: str = "application/json"
    # Set for a connection reset fault: the adapter drops the connection instead of answering.
    reset: bool = False
    # Set when a fault ends this stream early (truncate_stream): a server that cannot drop a
    # connection mid-body frames the stream by a length it never reaches, so the client sees the
    # connection break rather than a stream that ended.
    cut: bool = False
    # A wait before the answer (latency and stall faults): the service takes it once the request
    # is journaled, so the journal shows a request while it waits, and a reset in between
    # clears it (it never lands in a later test's journal).
    pause_s: float = 0.0

    @property
    def streaming(self) -> bool:
        return not isinstance(self.body, bytes)

    def all_headers(self) -> list[tuple[str, str]]:
        """Its headers and its Content-Type, which an answer HTTP forbids a body (1xx, 204, 205,
        304) goes without."""
        if self.status in _NO_BODY or self.status < 200:
            return list(self.headers)
        return [*self.headers, ("content-type", self.content_type)]

    def header(self, name: str) -> str | None:
        lowered = name.lower()
        for key, value in self.headers:
            if key.lower() == lowered:
                return value
        return None

    def iter_body(self) -> Iterator[bytes]:
        if isinstance(self.body, bytes):
            yield self.body
        else:
            yield from self.body
