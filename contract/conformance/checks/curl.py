"""cURL commands that replay a request, with the API key left in an environment variable."""

from __future__ import annotations

import json
import shlex
from collections.abc import Mapping
from typing import Any

KEY_VARIABLE = "LLAMA_API_KEY"
_NOT_REPLAYED = frozenset({"authorization", "content-length", "host", "accept-encoding",
                           "connection", "user-agent"})  # fmt: skip


def curl_command(
    method: str,
    url: str,
    *,
    body: Any = None,
    headers: Mapping[str, str] | None = None,
    authorized: bool = True,
    stream: bool = False,
) -> str:
    """A cURL command line for a request. The key is `$LLAMA_API_KEY`, never its value:
    `export LLAMA_API_KEY=...` and paste the command to replay the request."""
    parts = ["curl", "-sS"]
    if stream:
        parts.append("-N")
    parts += ["-X", method.upper(), shlex.quote(url)]
    if authorized:
        parts += ["-H", f'"Authorization: Bearer ${KEY_VARIABLE}"']
    for name, value in (headers or {}).items():
        if name.lower() not in _NOT_REPLAYED:
            parts += ["-H", shlex.quote(f"{name}: {value}")]
    if body is not None:
        if not any(name.lower() == "content-type" for name in headers or {}):
            parts += ["-H", shlex.quote("Content-Type: application/json")]
        text = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
        parts += ["--data-raw", shlex.quote(text)]
    return " ".join(parts)
