"""Settings of one mock server: what `llama-contract serve` flags and `create_app(config)` take."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from contract.reading import DEFAULT_MAX_BODY_BYTES

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


@dataclass(frozen=True, slots=True)
class MockConfig:
    host: str = "127.0.0.1"
    port: int = 4010
    strict: bool = False
    seed: int = 0
    api_keys: tuple[str, ...] = ()  # empty: any non-empty bearer token is accepted
    admin_token: str | None = None
    quirks: bool = False  # the fidelity profile: quirks observed on the live service
    rpm: int | None = None  # requests per minute per key
    tpm: int | None = None  # tokens per minute per key
    journal_size: int = 1000
    journal_bytes: int = 16 * 1024 * 1024  # request-body bytes kept in the journal in all
    journal_body_bytes: int = 256 * 1024  # larger bodies are kept cut (size and start)
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    max_depth: int = 64
    ttft_ms: float = 0.0  # pacing of streams: time to first token
    tokens_per_second: float = 0.0  # 0: no pacing
    content_form: Literal["object", "string"] = (
        "object"  # native completion_message.content: "object" or "string"
    )
    scenarios: tuple[Path | str, ...] = field(default_factory=tuple)
    chaos_rate: float = 0.0
    # Validate every answer the mock gives against the contract, recording findings in the journal
    # and in `MockService.answer_problems`: for the mock's own tests and for the suspicious.
    self_check: bool = False
    threads: int = 64  # `serve`: most threads for work that blocks (Flask fallback, shared store)
    read_timeout_s: float = 10.0  # `serve`: time a client has to send its headers, then its body
    access_log: bool = False  # `serve`: granian's access log on stdout
    store_url: str | None = None  # None: in memory; redis://HOST:PORT/DB: shared by workers/hosts
    workers: int = 1  # `serve`: worker processes (more than one needs a shared store)

    @property
    def loopback(self) -> bool:
        return self.host in LOOPBACK_HOSTS or self.host.startswith("127.")

    @property
    def admin_requires_token(self) -> bool:
        return self.admin_token is not None or not self.loopback
