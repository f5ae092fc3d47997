"""Stream rewrites of faults: pacing, stalls, cuts, error lines and broken records.

Each rewrite takes the framed records of a streamed answer (`data: {...}\\n\\n`) and yields what
the client receives instead.
"""

from __future__ import annotations

import errno
import json
import time
from collections.abc import Callable, Iterable, Iterator

from contract.violations import Violation
from mockserver.core.errors import error_body, json_bytes
from mockserver.core.http import Dialect
from mockserver.core.sse import DONE, chunk_tokens
from mockserver.core.sse import paced as pace_records

Sleep = Callable[[float], None]
StreamRewrite = Callable[[Iterator[bytes]], Iterator[bytes]]


class ConnectionCut(ConnectionResetError):
    """Raised by a stream body to drop the connection mid-answer.

    WSGI servers treat a connection error from the body as a dropped client and close the socket
    without finishing the chunked body, so the client sees an incomplete answer and raises.
    """

    def __init__(self, after: int) -> None:
        super().__init__(errno.ECONNRESET, f"fault: stream cut after {after} events")


def _here(index: int, record: bytes, after: int) -> bool:
    """Whether a fault acts before this record: the one numbered `after`, or a compat stream's
    `[DONE]` when the stream is shorter. Clients stop reading at `[DONE]`, so a fault placed
    after it would never be seen (a native stream is read to its end, where the fault is)."""
    return index >= after or record == DONE


def stall_after(after: int, seconds: float, sleep: Sleep) -> StreamRewrite:
    def rewrite(records: Iterator[bytes]) -> Iterator[bytes]:
        stalled = False
        for index, record in enumerate(records):
            if not stalled and _here(index, record, after):
                sleep(seconds)
                stalled = True
            yield record

    return rewrite


def truncate_after(after: int) -> StreamRewrite:
    def rewrite(records: Iterator[bytes]) -> Iterator[bytes]:
        for index, record in enumerate(records):
            if _here(index, record, after):
                raise ConnectionCut(after)
            yield record
        raise ConnectionCut(after)  # a native stream shorter than `after` is cut at its end

    return rewrite


def error_line_after(after: int, *, status: int, message: str, dialect: Dialect) -> StreamRewrite:
    document = error_body(
        status, [Violation("fault.injected", "", message)], dialect=dialect, detail=message
    )
    # Native: a bare JSON line, as the Llama API wrote errors after a stream started; compat: an
    # OpenAI-style `data: {"error": ...}` record.
    line = json_bytes(document) + b"\n\n"
    record = line if dialect == "native" else b"data: " + line

    def rewrite(records: Iterator[bytes]) -> Iterator[bytes]:
        for index, item in enumerate(records):
            if _here(index, item, after):
                break
            yield item
        yield record

    return rewrite


def malformed_after(after: int) -> StreamRewrite:
    def rewrite(records: Iterator[bytes]) -> Iterator[bytes]:
        for index, record in enumerate(records):
            if _here(index, record, after):
                break
            yield record
        yield b'data: {"id": "malformed", "event": {"event_type": "progress", "delta": \n\n'

    return rewrite


def record_tokens(record: bytes) -> int:
    """Tokens of text a framed stream record carries (for pacing)."""
    if not record.startswith(b"data: {"):
        return 0
    try:
        chunk = json.loads(record[6:])
    except ValueError:
        return 0
    return chunk_tokens(chunk)


def paced(ttft_ms: float, tokens_per_second: float, sleep: Sleep) -> StreamRewrite:
    def rewrite(records: Iterator[bytes]) -> Iterator[bytes]:
        counted = ((record, record_tokens(record)) for record in records)
        return pace_records(
            counted, ttft_ms=ttft_ms, tokens_per_second=tokens_per_second, sleep=sleep
        )

    return rewrite


def paced_stream(
    records: Iterable[bytes], *, ttft_ms: float, tokens_per_second: float, sleep: Sleep = time.sleep
) -> Iterator[bytes]:
    """Pace framed records: wait `ttft_ms` before the first token, then per token."""
    return paced(ttft_ms, tokens_per_second, sleep)(iter(records))
