"""Server-sent event framing and pacing of streamed answers."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

DONE = b"data: [DONE]\n\n"


def frame(chunk: Any) -> bytes:
    return (
        b"data: " + json.dumps(chunk, ensure_ascii=False, separators=(",", ":")).encode() + b"\n\n"
    )


def paced(
    records: Iterable[tuple[bytes, int]],
    *,
    ttft_ms: float = 0.0,
    tokens_per_second: float = 0.0,
    sleep: Callable[[float], None] = time.sleep,
) -> Iterator[bytes]:
    """Yield framed records, waiting `ttft_ms` before the first token and then per token emitted.

    Each record comes with the number of tokens it carries (0 for start/complete/metrics events).
    """
    first_token = True
    for record, tokens in records:
        if tokens:
            if first_token:
                first_token = False
                if ttft_ms > 0:
                    sleep(ttft_ms / 1000.0)
            elif tokens_per_second > 0:
                sleep(tokens / tokens_per_second)
        yield record
