"""In-process answers for clients built on httpx2 (the `openai` SDK 3.x sends through it).

respx patches httpx only. While a `LlamaRespxRouter` is started, `Httpx2Patch` routes every
httpx2 request for the router's origin (default transports, sync and async) to the same
`MockService`; requests for other origins go out as usual. Without httpx2 installed it does
nothing. As for httpx, an async request's latency or stall pause is awaited on its event loop.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

import anyio

from mockserver.adapters.respx_transport import response_of, to_mock_request

if TYPE_CHECKING:
    from mockserver.core.service import MockService

__all__ = ["Httpx2Patch"]


class Httpx2Patch:
    """Patch httpx2's default transports to send requests for `origin` to `service`."""

    def __init__(self, origin: str, service: MockService) -> None:
        self._origin = origin.rstrip("/")
        self._service = service
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
            return await patch.respond_async(httpx2, request)

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
        return response_of(self._service.handle(to_mock_request(request)), request, httpx2)

    async def respond_async(self, httpx2: Any, request: Any) -> Any:
        answering = self._service.begin(to_mock_request(request))
        if answering.pause_s > 0:
            await anyio.sleep(answering.pause_s)
        return response_of(answering.finish(), request, httpx2)
