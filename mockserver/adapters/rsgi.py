"""Serving over granian's RSGI interface: one event loop answers the mock's own requests, awaits
its pauses, and hands everything else to a WSGI app on a pool of threads.

Why not granian's WSGI interface: it holds one blocking thread per response in flight, so a pool
big enough for many paced streams lets as many threads contend for the GIL on plain requests
(measured: 64 threads answered about half the requests per second of one). Here plain requests run
on the loop thread one after another; a paced stream or a latency fault is an `asyncio.sleep` that
holds no thread and ends as soon as the client hangs up; a client that sends its body slowly
holds nothing but its socket, and only until the read deadline.

The mock's service runs on the loop when its store is in memory. With a shared store (Redis), each
step waits on the network, so steps run on the thread pool instead and the loop stays free.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Iterator
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from granian._granian import RSGIProtocolClosed

from mockserver.adapters.threads import DaemonThreads, DeferredPauses
from mockserver.adapters.wsgi_bridge import (
    ReadDeadlines,
    WSGIBridge,
    cut_short,
    read_stream,
    read_timeout,
    send_error,
    unreadable_header,
)
from mockserver.adapters.wsgi_direct import plain_headers
from mockserver.core.errors import internal_error
from mockserver.core.http import MockRequest, MockResponse
from mockserver.core.service import ADMIN_TOKEN_HEADER
from mockserver.scenarios.fault_streams import ConnectionCut
from mockserver.scenarios.layer import FAULT_HEADER, SCENARIO_HEADER, SESSION_HEADER

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication

    from mockserver.config import MockConfig
    from mockserver.core.service import MockService

__all__ = ["READ_DEADLINE_S", "MockFront", "RSGIApp", "mock_app", "wsgi_app"]

READ_DEADLINE_S = 10.0  # a client has this long to send a request body (its headers: granian's)
_DIRECT_METHODS = frozenset(("GET", "POST"))
# A length a cut stream never reaches: hyper then closes the connection mid-body (see MockResponse.cut)
_CUT_STREAM_LENGTH = str(10**9)
# The request headers the mock reads: one whose value granian could not hand over is refused.
_READ_HEADERS = frozenset(
    ("authorization", "content-type", "accept", "prefer", ADMIN_TOKEN_HEADER, FAULT_HEADER,
     SCENARIO_HEADER, SESSION_HEADER)
)  # fmt: skip
_log = logging.getLogger("llama-contract")
T = TypeVar("T")


class RSGIApp(Protocol):
    async def __call__(self, scope: Any, proto: Any) -> None: ...


def wsgi_app(app: WSGIApplication, *, threads: int, read_deadline_s: float = READ_DEADLINE_S) -> RSGIApp:
    """Any WSGI app served over RSGI: each request and each chunk of its answer on the pool."""
    return WSGIBridge(app, DaemonThreads(threads), deadlines=ReadDeadlines(read_deadline_s))


def mock_app(
    config: MockConfig, *, threads: int, read_deadline_s: float = READ_DEADLINE_S
) -> MockFront:
    """The Llama API mock made from `config`, served over RSGI."""
    from mockserver.adapters.flask_app import create_app, flask_response
    from mockserver.core.service import MockService

    pauses = DeferredPauses()
    service = MockService(config, sleep=pauses)
    return MockFront(
        service,
        create_app(service=service),
        flask_response,
        pauses,
        threads=threads,
        read_deadline_s=read_deadline_s,
    )


class MockFront:
    """Plain GET and POST requests go straight to `MockService`; the rest (other methods, paths
    that are not plain ASCII, answers whose headers need werkzeug's checks) to the Flask app."""

    def __init__(
        self,
        service: MockService,
        flask_app: WSGIApplication,
        to_wsgi: Callable[[MockResponse], WSGIApplication],
        pauses: DeferredPauses,
        *,
        threads: int,
        read_deadline_s: float,
    ) -> None:
        self._service = service
        self._pauses = pauses
        self._pool = DaemonThreads(threads)
        self._to_wsgi = to_wsgi
        self._deadlines = ReadDeadlines(read_deadline_s)
        self._bridge = WSGIBridge(
            flask_app,
            self._pool,
            deadlines=self._deadlines,
            max_body_bytes=service.config.max_body_bytes,
        )
        self._limit = service.config.max_body_bytes
        self._offload = bool(getattr(service.store, "shared", False))

    async def __call__(self, scope: Any, proto: Any) -> None:
        path: str = scope.path
        if (
            scope.proto != "http"
            or scope.method not in _DIRECT_METHODS
            or not path.isascii()
            or not path.startswith("/")
        ):
            await self._bridge(scope, proto)
            return
        headers = _headers(scope)
        if len(headers) < len(scope.headers):  # granian leaves out values that are not ASCII
            unread = sorted(_READ_HEADERS.difference(headers).intersection(scope.headers.keys()))
            if unread:
                send_error(proto, unreadable_header(path, unread[0]))
                return
        declared = _declared_length(headers)
        if declared is False:
            await self._bridge(scope, proto)  # a Content-Length that is not a number: werkzeug's 400
            return
        try:
            body = await self._read_body(proto, headers, declared)
        except TimeoutError:
            send_error(proto, read_timeout(path, self._deadlines.deadline_s))
            return
        except RSGIProtocolClosed:  # the client stopped sending (it may still read the answer)
            send_error(proto, cut_short(path))
            return
        if declared is not None and declared <= self._limit and len(body) != declared:
            send_error(proto, cut_short(path))
            return
        request = MockRequest(
            method=scope.method,
            path=path,
            headers=headers,
            body=body,
            content_length=declared,
            remote_addr=_client_host(scope.client),
        )
        try:
            if self._offload:
                answer, pause = await self._step(self._service.handle, request)
            else:  # the common case, inline: a coroutine less per request
                answer, pause = self._service.handle(request), self._pauses.take()
        except Exception as exc:  # a bug of ours: logged with its traceback, answered as JSON 500
            _log.exception("unhandled error")
            send_error(proto, internal_error(exc))
            return
        if pause and await _paused(proto, pause):
            return
        if answer.reset:
            await _cut_off(proto, answer.status)
            return
        response_headers = answer.all_headers()
        if not plain_headers(response_headers):
            # werkzeug's checks and encoding decide what such headers become, as on any WSGI server
            await self._bridge.run(scope, proto, self._to_wsgi(answer), b"")
            return
        if isinstance(answer.body, bytes):
            proto.response_bytes(answer.status, response_headers, answer.body)
            return
        if answer.cut:
            response_headers.append(("content-length", _CUT_STREAM_LENGTH))
        transport = proto.response_stream(answer.status, response_headers)
        await self._send_stream(proto, transport, iter(answer.body))

    async def _read_body(
        self, proto: Any, headers: dict[str, str], declared: int | None
    ) -> bytes:
        if declared is not None:
            if declared == 0 or declared > self._limit:
                return b""  # over the limit: the service answers 413 without it
            body: bytes = await self._deadlines.read(proto())
            return body
        if "transfer-encoding" not in headers:
            return b""
        return await self._deadlines.read(read_stream(proto, self._limit))

    async def _send_stream(self, proto: Any, transport: Any, records: Iterator[bytes]) -> None:
        try:
            while True:
                record, pause = await self._step(next, records, None)
                if pause and await _paused(proto, pause):
                    return
                if record is None:
                    return
                await transport.send_bytes(record)
        except ConnectionCut:
            return  # a truncate fault: the answer ends here, without its last events
        except RSGIProtocolClosed:
            return  # the client hung up
        finally:
            close = getattr(records, "close", None)
            if close is not None:
                close()

    async def _step(self, work: Callable[..., T], *args: Any) -> tuple[T, float]:
        """Run one synchronous step of the service and take the pauses it asked for."""
        if not self._offload:
            return work(*args), self._pauses.take()

        def step() -> tuple[T, float]:
            self._pauses.take()  # left by an answer the Flask app streamed on this thread
            return work(*args), self._pauses.take()

        return await asyncio.get_running_loop().run_in_executor(self._pool, step)


async def _paused(proto: Any, seconds: float) -> bool:
    """Wait `seconds`, or less if the client hangs up first (then True: stop answering)."""
    disconnect = asyncio.ensure_future(_disconnected(proto))
    try:
        done, _ = await asyncio.wait({disconnect}, timeout=seconds)
    finally:
        disconnect.cancel()
    return bool(done)


async def _cut_off(proto: Any, status: int) -> None:
    """The `reset` fault as near as RSGI allows: granian cannot drop a connection unanswered, so
    the answer promises more body than it sends and the connection closes mid-body. Clients see a
    broken connection (httpx: RemoteProtocolError, the SDKs: a connection error), not a status."""
    transport = proto.response_stream(
        status, [("content-length", "64"), ("content-type", "application/json")]
    )
    with contextlib.suppress(RSGIProtocolClosed):
        await transport.send_bytes(b"{")


async def _disconnected(proto: Any) -> None:
    waiting: Awaitable[None] = proto.client_disconnect()
    await waiting


def _headers(scope: Any) -> dict[str, str]:
    headers: dict[str, str] = {}
    for name, value in scope.headers.items():  # names come lower-case from granian
        headers[name] = f"{headers[name]},{value}" if name in headers else value
    return headers


def _declared_length(headers: dict[str, str]) -> int | bool | None:
    text = headers.get("content-length")
    if text is None:
        return None
    return int(text) if text.isascii() and text.isdigit() else False


def _client_host(client: str) -> str:
    host = client.rpartition(":")[0]
    return host[1:-1] if host.startswith("[") else host
