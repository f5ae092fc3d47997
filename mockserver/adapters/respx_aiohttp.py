"""A clear failure for clients whose transport respx cannot patch: the SDKs' aiohttp backend.

respx patches httpx's connection pools; an SDK client built with `http_client=DefaultAioHttpClient()`
sends through `httpx_aiohttp.AiohttpTransport` (aiohttp, not httpx's pools), so its requests would
go to the real network. While a `LlamaRespxRouter` is started, `AiohttpRefusal` makes such a
request for the router's origin raise `NotIntercepted`, which names the fix (`llama_mock`, a real
server on loopback), instead of reaching the network; requests for other origins (a `llama_mock`
server's among them) go out as usual. Without httpx_aiohttp installed it does nothing.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["AiohttpRefusal", "NotIntercepted"]


class NotIntercepted(AssertionError):
    """A request for the mocked origin through a transport the in-process mock cannot serve."""


class AiohttpRefusal:
    """Patch httpx_aiohttp's transport to refuse requests for `origin`."""

    def __init__(self, origin: str) -> None:
        self._origin = origin.rstrip("/")
        self._saved: list[tuple[Any, Any]] = []

    def start(self) -> None:
        try:
            module = importlib.import_module("httpx_aiohttp")
        except ImportError:
            return
        transport: Any = getattr(module, "AiohttpTransport", None)
        if transport is None or self._saved:
            return
        send = transport.handle_async_request
        refusal = self

        async def handle_async_request(self: Any, request: Any) -> Any:
            if refusal.refuses(request):
                raise NotIntercepted(refusal.message(request))
            return await send(self, request)

        self._saved = [(transport, send)]
        transport.handle_async_request = handle_async_request

    def stop(self) -> None:
        for owner, original in self._saved:
            owner.handle_async_request = original
        self._saved = []

    def refuses(self, request: Any) -> bool:
        url = request.url
        return f"{url.scheme}://{url.netloc.decode('ascii')}" == self._origin

    def message(self, request: Any) -> str:
        return (
            f"llama_respx cannot answer {request.method} {request.url}: the client sends through "
            "httpx_aiohttp (http_client=DefaultAioHttpClient()), which respx does not intercept, "
            "so it would reach the real network. Use the llama_mock fixture (a real server on "
            "loopback) for an aiohttp client, or leave http_client out for the default httpx one"
        )
