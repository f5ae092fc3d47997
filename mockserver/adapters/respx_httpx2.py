"""In-process answers for clients built on httpx2 (the `openai` SDK 3.x sends through it).

respx patches httpx only. While a `LlamaRespxRouter` is started, `Httpx2Patch` routes every
httpx2 request for the router's origin (default transports, sync and async) to the same
`MockService`; requests for other origins go out as usual. Without httpx2 installed it does nothing.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import anyio.to_thread

from mockserver.adapters.respx_transport import CUT_BODY, NO_ANSWER, Records
from mockserver.core.http import MockRequest, MockResponse

__all__ = ["Httpx2Patch"]

Answer = Callable[[MockRequest], MockResponse]


class Httpx2Patch:
    """Patch httpx2's default transports to send requests for `origin` to `answer`."""

    def __init__(self, origin: str, answer: Answer) -> None:
        self._origin = origin.rstrip("/")
        self._answer = answer
        self._saved: list[tuple[type, str, Any]] = []

    def start(self) -> None:
        try:
            httpx2 = importlib.import_module("httpx2")
        except ImportError:
            return
        if self._saved:
            return
        sync_send = httpx2.HTTPTransport.handle_request
        async_send = httpx2.AsyncHTTPTransport.handle_async_request
        patch = self

        def handle_request(transport: Any, request: Any) -> Any:
            if not patch.serves(request):
                return sync_send(transport, request)
            request.read()
            return patch.respond(httpx2, request)

        async def handle_async_request(transport: Any, request: Any) -> Any:
            if not patch.serves(request):
                return await async_send(transport, request)
            await request.aread()
            return await anyio.to_thread.run_sync(patch.respond, httpx2, request)

        self._saved = [
            (httpx2.HTTPTransport, "handle_request", sync_send),
            (httpx2.AsyncHTTPTransport, "handle_async_request", async_send),
        ]
        httpx2.HTTPTransport.handle_request = handle_request
        httpx2.AsyncHTTPTransport.handle_async_request = handle_async_request

    def stop(self) -> None:
        for owner, name, original in self._saved:
            setattr(owner, name, original)
        self._saved = []

    def serves(self, request: Any) -> bool:
        url = request.url
        return f"{url.scheme}://{url.netloc.decode('ascii')}" == self._origin

    def respond(self, httpx2: Any, request: Any) -> Any:
        declared = request.headers.get("content-length")
        answer = self._answer(MockRequest(
            method=request.method,
            path=request.url.path,
            headers={name: request.headers[name] for name in request.headers.keys()},  # noqa: SIM118
            body=request.content,
            content_length=int(declared)
            if declared and declared.isascii() and declared.isdigit() else None,
        ))
        if answer.reset:
            raise httpx2.RemoteProtocolError(NO_ANSWER, request=request)
        headers = [("content-type", answer.content_type), *answer.headers]
        if request.method == "HEAD" or isinstance(answer.body, bytes):
            content = b"" if request.method == "HEAD" else answer.body
            return httpx2.Response(answer.status, headers=headers, content=content, request=request)
        stream = _stream_class(httpx2)(Records(answer.body), httpx2, request)
        return httpx2.Response(answer.status, headers=headers, stream=stream, request=request)


@functools.cache
def _stream_class(httpx2: Any) -> type:
    """A lazy record-by-record body for httpx2's sync and async clients."""

    class ServiceByteStream2(httpx2.SyncByteStream, httpx2.AsyncByteStream):  # type: ignore[misc]
        def __init__(self, records: Records, module: Any, request: Any) -> None:
            self._records = records
            self._httpx2 = module
            self._request = request

        def __iter__(self) -> Iterator[bytes]:
            while (record := self._next(self._records.next_record)) is not None:
                yield record

        async def __aiter__(self) -> AsyncIterator[bytes]:
            while True:
                try:
                    record = await anyio.to_thread.run_sync(
                        self._records.next_record, abandon_on_cancel=True)
                except OSError as exc:
                    raise self._dropped(exc) from exc
                if record is None:
                    return
                yield record

        def close(self) -> None:
            self._records.close()

        async def aclose(self) -> None:
            self._records.close()

        def _next(self, read: Callable[[], bytes | None]) -> bytes | None:
            try:
                return read()
            except OSError as exc:
                raise self._dropped(exc) from exc

        def _dropped(self, exc: OSError) -> Exception:
            if isinstance(exc, ConnectionError):
                error: Exception = self._httpx2.RemoteProtocolError(
                    CUT_BODY, request=self._request)
            else:
                error = self._httpx2.ReadError(str(exc), request=self._request)
            return error

    return ServiceByteStream2
