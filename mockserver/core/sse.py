"""Server-sent event framing and pacing of streamed answers."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from mockserver.core.errors import json_bytes

DONE = b"data: [DONE]\n\n"
# The most one stream may pause in all (time to first token and every token after): a slow pace
# times a long answer must not hold a server thread for hours.
MAX_STREAM_PAUSE_S = 120.0


def chunk_tokens(chunk: Any) -> int:
    """Tokens of text a stream chunk carries, native or compat: its text or content and the
    arguments of its tool calls (what pacing paces)."""
    from mockserver.engine import tokenize  # the engine is heavy; pacing needs it only here

    if not isinstance(chunk, dict):
        return 0
    text = ""
    event = chunk.get("event")
    if isinstance(event, dict):
        delta = event.get("delta") or {}
        function = delta.get("function") or {}
        text = (delta.get("text") or "") + (function.get("arguments") or "")
    elif isinstance(chunk.get("choices"), list) and chunk["choices"]:
        delta = chunk["choices"][0].get("delta") or {}
        text = delta.get("content") or ""
        for call in delta.get("tool_calls") or []:
            text += (call.get("function") or {}).get("arguments") or ""
    return len(tokenize(text)) if text else 0


def frame(chunk: Any) -> bytes:
    return b"data: " + json_bytes(chunk) + b"\n\n"


def paced(
    records: Iterable[tuple[bytes, int]],
    *,
    ttft_ms: float = 0.0,
    tokens_per_second: float = 0.0,
    sleep: Callable[[float], None] = time.sleep,
) -> Iterator[bytes]:
    """Yield framed records, waiting `ttft_ms` before the first token and then per token emitted.

    Each record comes with the number of tokens it carries (0 for start/complete/metrics events).
    All pauses together stop at `MAX_STREAM_PAUSE_S`; the rest of the stream is sent at once.
    """
    first_token = True
    budget = MAX_STREAM_PAUSE_S
    for record, tokens in records:
        if tokens:
            wait = 0.0
            if first_token:
                first_token = False
                wait = ttft_ms / 1000.0
            elif tokens_per_second > 0:
                wait = tokens / tokens_per_second
            wait = min(wait, budget)
            if wait > 0:
                budget -= wait
                sleep(wait)
        yield record
