"""The mock in-process: a respx router that answers `https://api.llama.com` with a `MockService`.

No socket is opened: respx patches httpx's connection pools, so any httpx client (the official
SDK's included, sync or async) talks to the service unmodified. Requests and answers are converted
one to one; streamed answers stay lazy, one record at a time, for sync and async clients alike, and
a dropped connection surfaces as the httpx error a real connection gives. An async client's
request never blocks its event loop: the pause of a latency or stall fault is awaited there, and
a stream's records are made on a worker thread.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import AsyncIterator, Coroutine, Iterable, Iterator
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

import anyio
import anyio.to_thread
import httpx
import respx

from mockserver.core.http import MockRequest, MockResponse
from mockserver.pytest_plugin.clients import SdkClients
from mockserver.pytest_plugin.journal import JournalAssertions, journal_of

if TYPE_CHECKING:
    from mockserver.core.service import MockService
    from mockserver.state.journal import JournalEntry

__all__ = [
    "LLAMA_API_URL",
    "LlamaRespxRouter",
    "ServiceByteStream",
    "response_of",
    "stream_class",
    "to_httpx_response",
    "to_mock_request",
]

LLAMA_API_URL = "https://api.llama.com"
# What httpx (h11) raises when a server closes the connection before answering or mid-body.
NO_ANSWER = "Server disconnected without sending a response."
CUT_BODY = "peer closed connection without sending complete message body (incomplete chunked read)"
# Set while respx resolves a request of an async client (`LlamaRespxRouter.aresolve`): respx calls
# the same side effect for sync and async clients, and awaits what it returns only for async ones.
_ASYNC_REQUEST: ContextVar[bool] = ContextVar("llama_respx_async_request", default=False)


def to_mock_request(request: httpx.Request) -> MockRequest:
    """The service's view of an httpx (or httpx2) request (its body must have been read, as respx
    does)."""
    headers = {name: request.headers[name] for name in request.headers.keys()}  # noqa: SIM118
    declared = request.headers.get("content-length")
    return MockRequest(
        method=request.method,
        path=request.url.path,
        headers=headers,
        body=request.content,
        content_length=int(declared)
        if declared and declared.isascii() and declared.isdigit()
        else None,
    )


def to_httpx_response(answer: MockResponse, request: httpx.Request) -> httpx.Response:
    """The httpx response for the service's answer, or the httpx error of a dropped connection."""
    response: httpx.Response = response_of(answer, request, httpx)
    return response


def response_of(answer: MockResponse, request: Any, module: Any) -> Any:
    """The response of `module` (httpx, or httpx2 with the same API) for the service's answer, or
    the `module` error of a dropped connection; a streamed body stays lazy."""
    if answer.reset:
        raise module.RemoteProtocolError(NO_ANSWER, request=request)
    headers = answer.all_headers()
    if request.method == "HEAD":
        return module.Response(answer.status, headers=headers, content=b"", request=request)
    if isinstance(answer.body, bytes):
        return module.Response(answer.status, headers=headers, content=answer.body, request=request)
    stream = stream_class(module)(answer.body, request=request)
    return module.Response(answer.status, headers=headers, stream=stream, request=request)


class Records:
    """A body iterator shared by the sync and async paths, closable from any thread.

    The async path advances it in a worker thread, so a paced or stalled stream does not block the
    event loop; a close requested while a record is being made takes effect once it is made.
    """

    def __init__(self, body: Iterable[bytes]) -> None:
        self._iterator = iter(body)
        self._lock = threading.Lock()
        self._done = False
        self._close_requested = False

    def next_record(self) -> bytes | None:
        with self._lock:
            record = None if self._done else next(self._iterator, None)
            if record is None:
                self._done = True
        if self._close_requested:
            self.close()
        return record

    def close(self) -> None:
        self._close_requested = True
        if not self._lock.acquire(blocking=False):
            return  # a record is being made; next_record closes once it is done
        try:
            if not self._done:
                self._done = True
                close = getattr(self._iterator, "close", None)
                if close is not None:
                    close()
        finally:
            self._lock.release()


class _RecordStream:
    """A streamed answer for sync and async clients, produced lazily record by record; a dropped
    connection raises the error of `_module` (httpx, or httpx2) that a real connection gives."""

    _module: Any = httpx

    def __init__(self, body: Iterable[bytes], *, request: Any) -> None:
        self._records = Records(body)
        self._request = request

    def __iter__(self) -> Iterator[bytes]:
        while True:
            record = self._next()
            if record is None:
                return
            yield record

    async def __aiter__(self) -> AsyncIterator[bytes]:
        while True:
            try:
                record = await anyio.to_thread.run_sync(
                    self._records.next_record, abandon_on_cancel=True
                )
            except OSError as exc:
                raise self._dropped(exc) from exc
            if record is None:
                return
            yield record

    def close(self) -> None:
        self._records.close()

    async def aclose(self) -> None:
        self._records.close()

    def _next(self) -> bytes | None:
        try:
            return self._records.next_record()
        except OSError as exc:
            raise self._dropped(exc) from exc

    def _dropped(self, exc: OSError) -> Exception:
        # A body raising ConnectionError (a fault cutting the stream) makes a WSGI server close
        # the socket mid-body: over HTTP the client then sees an incomplete chunked body.
        error: Exception
        if isinstance(exc, ConnectionError):
            error = self._module.RemoteProtocolError(CUT_BODY, request=self._request)
        else:
            error = self._module.ReadError(str(exc), request=self._request)
        return error


class ServiceByteStream(_RecordStream, httpx.SyncByteStream, httpx.AsyncByteStream):
    """A streamed answer for sync and async httpx clients, produced lazily record by record."""


@functools.cache
def stream_class(module: Any) -> type[_RecordStream]:
    """The stream class for `module`'s clients: `ServiceByteStream` for httpx, the same
    implementation on httpx2's stream classes for httpx2."""
    if module is httpx:
        return ServiceByteStream
    bases = (_RecordStream, module.SyncByteStream, module.AsyncByteStream)
    return type("ServiceByteStream2", bases, {"_module": module})


class LlamaRespxRouter(respx.MockRouter, JournalAssertions, SdkClients):
    """A respx router serving `base_url` (`https://api.llama.com`) from a `MockService`.

    Use it as a context manager (`with LlamaRespxRouter(service) as router:`) or `start()`/`stop()`.
    It is a plain respx router otherwise: add routes for other hosts to it as usual. Clients built
    on httpx2 (the `openai` SDK 3.x) are served too while it is started, for its origin only; a
    request for its origin through the SDKs' aiohttp backend raises `NotIntercepted`.
    """

    def __init__(
        self,
        service: MockService,
        *,
        base_url: str = LLAMA_API_URL,
        api_key: str = "llama-mock-key",
        assert_all_mocked: bool = True,
    ) -> None:
        super().__init__(assert_all_called=False, assert_all_mocked=assert_all_mocked)
        url = httpx.URL(base_url)
        if url.scheme not in ("http", "https") or not url.host or url.path not in ("", "/"):
            raise ValueError(f"base_url must be an origin like {LLAMA_API_URL}, not {base_url!r}")
        self.service = service
        self.base_url = f"{url.scheme}://{url.netloc.decode('ascii')}"
        self.api_key = api_key
        where: dict[str, str | int] = {"scheme": url.scheme, "host": url.host}
        if url.port is not None:
            where["port"] = url.port
        self.route(name="llama-api", **where).mock(side_effect=self._answer)
        from mockserver.adapters.respx_aiohttp import AiohttpRefusal
        from mockserver.adapters.respx_httpx2 import Httpx2Patch

        self._httpx2 = Httpx2Patch(self.base_url, service)
        self._aiohttp = AiohttpRefusal(self.base_url)

    def start(self) -> None:
        super().start()
        self._httpx2.start()
        self._aiohttp.start()

    def stop(self, clear: bool = True, reset: bool = True, quiet: bool = False) -> None:
        self._aiohttp.stop()
        self._httpx2.stop()
        super().stop(clear=clear, reset=reset, quiet=quiet)

    async def aresolve(self, request: httpx.Request) -> Any:
        marked = _ASYNC_REQUEST.set(True)
        try:
            return await super().aresolve(request)
        finally:
            _ASYNC_REQUEST.reset(marked)

    def _answer(
        self, request: httpx.Request
    ) -> httpx.Response | Coroutine[Any, Any, httpx.Response]:
        if _ASYNC_REQUEST.get():
            return self._answer_async(request)
        return to_httpx_response(self.service.handle(to_mock_request(request)), request)

    async def _answer_async(self, request: httpx.Request) -> httpx.Response:
        """The sync answer, but the pause of a latency or stall fault is awaited on the event loop
        (the service's `sleep` would block it), between the journaling and the answer as
        `MockService.handle` takes it; a cancelled request (a timeout) stops waiting at once."""
        answering = self.service.begin(to_mock_request(request))
        if answering.pause_s > 0:
            await anyio.sleep(answering.pause_s)
        return to_httpx_response(answering.finish(), request)

    def journal_entries(self) -> list[JournalEntry]:
        return journal_of(self.service)
