"""A bounded memo of what a request body determines: its parse, its validation, its completion.

Answers are a pure function of (endpoint, strict, seed, body bytes), so a body seen before need not be
parsed, validated or answered again; test suites and retries send the same bodies over and over.
Only small bodies are kept, and only a few hundred, so the memo stays within a few megabytes.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from contract.violations import ValidationResult

MAX_BODY_BYTES = 16 * 1024
MAX_ENTRIES = 256


@dataclass(slots=True)
class Remembered:
    payload: Any
    validation: ValidationResult
    answer: Any = None  # the engine's Completion or EngineError, once computed
    rendered: bytes | None = None  # the non-streamed JSON answer, once written
    warnings: list[tuple[str, str]] = field(default_factory=list)  # the x-contract-warnings header
    sent: Any = None  # the body as sent, when `payload` differs (compat nulls left out)


class RequestMemo:
    def __init__(self, *, max_entries: int = MAX_ENTRIES) -> None:
        self._entries: OrderedDict[tuple[str, bytes], Remembered] = OrderedDict()
        self._lock = threading.Lock()
        self._max = max_entries

    def get(self, dialect: str, body: bytes) -> Remembered | None:
        if len(body) > MAX_BODY_BYTES:
            return None
        with self._lock:
            found = self._entries.get((dialect, body))
            if found is not None:
                self._entries.move_to_end((dialect, body))
            return found

    def put(self, dialect: str, body: bytes, remembered: Remembered) -> None:
        if len(body) > MAX_BODY_BYTES:
            return
        with self._lock:
            self._entries[(dialect, body)] = remembered
            if len(self._entries) > self._max:
                self._entries.popitem(last=False)
