"""Per-key request and token budgets per minute, and the x-ratelimit-* headers the Llama API sends."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, NamedTuple

from mockserver.state.store import Store

WINDOW_S = 60.0
# What the headers report when no limit was set: nominal figures, never enforced.
NOMINAL_RPM = 3000
NOMINAL_TPM = 1_000_000


_new = tuple.__new__


class RateDecision(NamedTuple):  # one per request: a tuple is built far faster than a dataclass
    allowed: bool
    rule: str = ""
    message: str = ""
    retry_after_s: int = 0
    headers: tuple[tuple[str, str], ...] = ()  # of a refusal (an admitted request's come from spend)
    requests: int = 0  # this minute's, this request counted
    tokens: int = 0  # this minute's, before this request's answer
    values: tuple[Any, ...] = ()  # read with the count (`admit`'s `read`)


class RateLimiter:
    def __init__(self, store: Store, *, rpm: int | None, tpm: int | None) -> None:
        for name, value in (("rpm", rpm), ("tpm", tpm)):
            if value is not None and value < 1:
                raise ValueError(f"{name} must be at least 1, got {value}")
        self._store = store
        self._rpm = rpm
        self._tpm = tpm
        self._shown_rpm = rpm or NOMINAL_RPM
        self._shown_tpm = tpm or NOMINAL_TPM
        self._limits = (str(self._shown_rpm), str(self._shown_tpm))

    def _headers(self, requests: int, tokens: int) -> tuple[tuple[str, str], ...]:
        rpm_text, tpm_text = self._limits
        left_requests, left_tokens = self._shown_rpm - requests, self._shown_tpm - tokens
        return (
            ("x-ratelimit-limit-requests", rpm_text),
            ("x-ratelimit-remaining-requests", str(left_requests) if left_requests > 0 else "0"),
            ("x-ratelimit-limit-tokens", tpm_text),
            ("x-ratelimit-remaining-tokens", str(left_tokens) if left_tokens > 0 else "0"),
        )

    def admit(self, key: str, *, read: Sequence[str] = ()) -> RateDecision:
        """Count one request for `key`; refuse it when a budget for this minute is spent. The
        values at `read` are read in the same step (`RateDecision.values`)."""
        (requests, left), (tokens, token_left), values = self._store.count_and_peek(
            "rpm:" + key, 1, "tpm:" + key, window_s=WINDOW_S, read=read
        )
        if self._rpm is not None and requests > self._rpm:
            return RateDecision(
                False,
                "rate_limit.requests",
                f"{requests} requests this minute; the limit is {self._rpm} per minute",
                max(1, math.ceil(left)),
                self._headers(requests, tokens),
            )
        if self._tpm is not None and tokens >= self._tpm:
            return RateDecision(
                False,
                "rate_limit.tokens",
                f"{tokens} tokens this minute; the limit is {self._tpm} per minute",
                max(1, math.ceil(token_left)),
                self._headers(requests, tokens),
            )
        # tuple.__new__ skips the NamedTuple's Python-level __new__: one is built per request
        return _new(RateDecision, (True, "", "", 0, (), requests, tokens, values))

    def spend(self, key: str, tokens: int, admitted: RateDecision) -> tuple[tuple[str, str], ...]:
        """Count the tokens an answer used; return the headers as they stand after it, as far
        as this request knows: the minute's counts when it was admitted, and its own tokens
        (answers given between its admission and its end are not waited for)."""
        self._store.count("tpm:" + key, tokens, window_s=WINDOW_S)
        return self._headers(admitted.requests, admitted.tokens + tokens)
