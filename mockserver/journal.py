"""Journal entries: what the mock received, what the contract said of it, and what it answered."""

from __future__ import annotations

import itertools
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from contract.violations import ValidationResult

# A header is a secret when its name says so: api-key, proxy-authorization, x-goog-api-key,
# set-cookie, x-amz-security-token, x-hub-signature, x-mock-admin-token, ...
_SECRET_NAME = re.compile(r"key|token|secret|auth|cookie|signature|passw|credential|session-id")
_counter = itertools.count(1)
_counter_lock = threading.Lock()


def next_request_id() -> str:
    with _counter_lock:
        return f"req_{next(_counter):08d}"


def mask_headers(headers: Mapping[str, str]) -> dict[str, str]:
    masked = {}
    for name, value in headers.items():
        if value and _SECRET_NAME.search(name.lower()):
            scheme, _, secret = value.partition(" ")
            masked[name] = f"{scheme} ***{secret[-4:]}" if secret else "***"
        else:
            masked[name] = value
    return masked


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
    extra: dict[str, Any] = field(default_factory=dict)

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
            **self.extra,
        }
