"""Reading a server's answers in `check server`, bounded: the server under test may be broken or
hostile, and one that sends without end must not hang the run or fill its memory."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx

__all__ = ["API_PATHS", "MAX_ANSWER_BYTES", "AnswerCut", "pieces", "whole_answer_s"]

API_PATHS: dict[str, str] = {"native": "/v1/chat/completions",
                             "compat": "/compat/v1/chat/completions"}  # fmt: skip
MAX_ANSWER_BYTES = 32 * 1024 * 1024  # the mock's longest answer is a few hundred kB


class AnswerCut(Exception):
    """An answer not read to its end: too long, or still coming when the run's timeout passed."""


def pieces(
    answer: httpx.Response, *, started: float, timeout: float, max_bytes: int = MAX_ANSWER_BYTES
) -> Iterator[bytes]:
    """The body of `answer` as it arrives; `AnswerCut` once it passes `max_bytes`, or `timeout`
    seconds after `started` (httpx bounds each wait; this bounds the whole answer)."""
    read = 0
    for piece in answer.iter_bytes():
        read += len(piece)
        if read > max_bytes:
            raise AnswerCut(f"the answer passed {max_bytes:,} bytes; reading stopped")
        if time.perf_counter() - started > timeout:
            raise AnswerCut(
                f"the answer was still coming {timeout:g} s after the request (--timeout); "
                "reading stopped"
            )
        yield piece


def whole_answer_s(client: httpx.Client) -> float:
    """How long a whole answer may take: the run's timeout (`--timeout`), which httpx applies to
    each wait (none: no bound, as the caller asked)."""
    read = client.timeout.read
    return read if read is not None else float("inf")
