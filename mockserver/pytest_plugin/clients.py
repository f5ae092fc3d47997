"""SDK clients configured for a mock: what `llama_mock` and `llama_respx` hand a test, so nobody
builds a base URL by hand. The SDKs are imported when a client is asked for."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mockserver.sdks import require_sdk

if TYPE_CHECKING:
    from llama_api_client import AsyncLlamaAPIClient, LlamaAPIClient

__all__ = ["CLIENT_TIMEOUT_S", "SdkClients"]

# The SDKs wait 600 s by default: a `stall` fault or a hung stream would hold a test that long.
CLIENT_TIMEOUT_S = 60.0


class SdkClients:
    """`.client()`, `.async_client()`, `.openai_client()`, `.async_openai_client()` for a mock
    whose root URL is `base_url` (native API at `/v1`, OpenAI-compatible at `/compat/v1`), with a
    timeout of `CLIENT_TIMEOUT_S` unless `timeout=` says otherwise."""

    base_url: str
    api_key: str

    def client(self, **options: Any) -> LlamaAPIClient:
        """An official-SDK client for this mock; `options` go to `LlamaAPIClient`."""
        require_sdk("llama_api_client", needed_by="client()")
        from llama_api_client import LlamaAPIClient

        return LlamaAPIClient(**self._options("/v1", options))

    def async_client(self, **options: Any) -> AsyncLlamaAPIClient:
        """An async official-SDK client for this mock; `options` go to `AsyncLlamaAPIClient`."""
        require_sdk("llama_api_client", needed_by="async_client()")
        from llama_api_client import AsyncLlamaAPIClient

        return AsyncLlamaAPIClient(**self._options("/v1", options))

    def openai_client(self, **options: Any) -> Any:
        """An `openai.OpenAI` client for this mock's OpenAI-compatible endpoint."""
        require_sdk("openai", needed_by="openai_client()")
        from openai import OpenAI

        return OpenAI(**self._options("/compat/v1", options))

    def async_openai_client(self, **options: Any) -> Any:
        """An `openai.AsyncOpenAI` client for this mock's OpenAI-compatible endpoint."""
        require_sdk("openai", needed_by="async_openai_client()")
        from openai import AsyncOpenAI

        return AsyncOpenAI(**self._options("/compat/v1", options))

    def _options(self, path: str, options: dict[str, Any]) -> dict[str, Any]:
        return {
            "api_key": self.api_key,
            "base_url": self.base_url + path,
            "timeout": CLIENT_TIMEOUT_S,
            **options,
        }
