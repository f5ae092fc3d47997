"""Journal entries: what the mock received, what the contract said of it, and what it answered."""

from __future__ import annotations

import itertools
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from contract.violations import ValidationResult

# A header is a secret when its name says so: api-key, proxy-authorization, x-goog-api-key,
# set-cookie, x-amz-security-token, x-hub-signature, x-mock-admin-token, ...
_SECRET_NAME = re.compile(r"key|token|secret|auth|cookie|signature|passw|credential|session-id")
_counter = itertools.count(1)
_counter_lock = threading.Lock()


def next_request_id(tag: str = "") -> str:
    """A new request id, "req_" and `tag` (a process's own, on a shared store) and a number."""
    with _counter_lock:
        number = next(_counter)
    return f"req_{tag}{number:08d}"


@lru_cache(maxsize=1024)
def _secret_name(name: str) -> bool:
    return _SECRET_NAME.search(name.lower()) is not None


# A secret shows its last 4 characters (to tell keys apart) only when at least this many stay
# hidden: a 4-character key is not shown whole.
_HIDDEN_AT_LEAST = 8


def mask_headers(headers: Mapping[str, str]) -> dict[str, str]:
    masked = {}
    for name, value in headers.items():
        if value and _secret_name(name):
            scheme, _, secret = value.partition(" ")
            shown = secret[-4:] if len(secret) >= 4 + _HIDDEN_AT_LEAST else ""
            masked[name] = f"{scheme} ***{shown}" if secret else "***"
        else:
            masked[name] = value
    return masked


CUT_BODY_START = 1024  # characters of a cut body kept, to recognise the request by


def bound_body(entry: JournalEntry, raw: bytes, limit: int) -> None:
    """Keep `entry.body` whole up to `limit` bytes of request body; past it, a marker with the
    size and the start of the body (validation results are kept whole either way)."""
    entry.body_bytes = len(raw)
    if len(raw) > limit:
        entry.body_cut = True
        entry.body = {
            "$cut": f"body of {len(raw)} bytes cut: the journal keeps bodies of up to {limit}",
            "bytes": len(raw),
            "start": raw[:CUT_BODY_START].decode("utf-8", errors="replace"),
        }


@dataclass(slots=True)
class JournalEntry:
    id: str
    started: float  # epoch seconds
    method: str
    path: str
    endpoint: str  # route handler, e.g. "chat", or "unknown"
    dialect: str
    headers: dict[str, str]
    body: Any = None  # the parsed JSON body, when it was JSON
    validation: ValidationResult | None = None
    status: int = 0
    duration_ms: float = 0.0
    stream: bool = False
    stream_events: int = 0
    client_disconnected: bool = False
    scenario: str | None = None
    step: str | None = None
    fault: str | None = None
    session: str | None = None
    body_bytes: int = 0  # size of the request body as received
    body_cut: bool = False  # the body was over the journal's limit and is kept cut
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def held_bytes(self) -> int:
        """Body bytes this entry holds (what the journal's byte bound counts)."""
        return min(self.body_bytes, CUT_BODY_START) if self.body_cut else self.body_bytes

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "started": self.started,
            "method": self.method,
            "path": self.path,
            "endpoint": self.endpoint,
            "dialect": self.dialect,
            "headers": self.headers,
            "body": self.body,
            "validation": self.validation.to_dict() if self.validation is not None else None,
            "status": self.status,
            "duration_ms": round(self.duration_ms, 3),
            "stream": self.stream,
            "stream_events": self.stream_events,
            "client_disconnected": self.client_disconnected,
            "scenario": self.scenario,
            "step": self.step,
            "fault": self.fault,
            "session": self.session,
            "body_bytes": self.body_bytes,
            "body_cut": self.body_cut,
            **self.extra,
        }
