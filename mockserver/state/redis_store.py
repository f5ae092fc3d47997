"""The shared store: the mock's state in Redis, so several worker processes or hosts are one mock.

Every decision two workers could race on is one atomic step on the server: a Lua script for the
rate-limit windows, WATCH/MULTI for read-modify-write values (a fault counter, scenario progress),
MULTI for the capped journal. Keys live under one namespace and carry a TTL, so a shared Redis is
not filled forever. A lost connection raises `StoreUnavailable` (the service answers a JSON 503);
the client reconnects by itself on the next request once Redis is back.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from contract.violations import ValidationResult, Violation
from mockserver.state.journal import JournalEntry
from mockserver.state.store import KEPT_PREFIX, StoreUnavailable, Window, shown_url

STATE_TTL_S = 24 * 3600  # journal and state are forgotten a day after their last change
SOCKET_TIMEOUT_S = 2.0  # a Redis that stops answering is reported, not waited on
_UPDATE_ATTEMPTS = 50

# KEYS[1]: the window's counter; ARGV: amount, window in ms. Returns {total, ms left}.
_COUNT_IN_WINDOW = """
local total = redis.call('INCRBY', KEYS[1], ARGV[1])
local left = redis.call('PTTL', KEYS[1])
if left < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  left = tonumber(ARGV[2])
end
return {total, left}
"""

_ENTRY_FIELDS = frozenset(JournalEntry.__slots__) - {"extra"}


class RedisStore:
    """The `Store` protocol on a Redis server (redis-py)."""

    shared = True

    def __init__(self, url: str, *, journal_size: int = 1000, namespace: str = "llama-mock") -> None:
        if journal_size < 1:
            raise ValueError(f"journal_size must be at least 1, got {journal_size}")
        self.url = url
        self._journal_size = journal_size
        self._ns = namespace
        self._client = redis.Redis.from_url(
            url,
            socket_timeout=SOCKET_TIMEOUT_S,
            socket_connect_timeout=SOCKET_TIMEOUT_S,
            retry=Retry(NoBackoff(), 0),
        )
        self._count_sha = hashlib.sha1(_COUNT_IN_WINDOW.encode()).hexdigest()

    def _key(self, kind: str, key: str = "") -> str:
        return f"{self._ns}:{kind}:{key}"

    def ping(self) -> None:
        """Raise `StoreUnavailable` unless the server answers."""
        with _guard(self.url):
            self._client.ping()

    def close(self) -> None:
        self._client.close()

    def journal_append(self, entry: JournalEntry) -> None:
        key = self._key("journal")
        data = json.dumps(entry.to_dict(), separators=(",", ":"), default=str)
        with _guard(self.url):
            pipe = self._client.pipeline(transaction=True)
            pipe.rpush(key, data)
            pipe.ltrim(key, -self._journal_size, -1)
            pipe.expire(key, STATE_TTL_S)
            pipe.execute()

    def journal_entries(self) -> list[JournalEntry]:
        with _guard(self.url):
            raw = self._client.lrange(self._key("journal"), 0, -1)
        return [journal_entry_from_dict(json.loads(item)) for item in raw]

    def journal_clear(self) -> None:
        with _guard(self.url):
            self._client.delete(self._key("journal"))

    def count_and_peek(
        self, counted: str, amount: int, peeked: str, *, window_s: float
    ) -> tuple[Window, Window]:
        window_ms = max(1, int(window_s * 1000))
        # One round trip: the count is atomic, the peek reads after it. The script is called by
        # its hash, loaded only when the server says it does not have it (at first, or after a
        # SCRIPT FLUSH); redis-py's registered scripts ask SCRIPT EXISTS before every pipeline.
        with _guard(self.url):
            for attempt in range(2):
                pipe = self._client.pipeline(transaction=False)
                pipe.evalsha(self._count_sha, 1, self._key("w", counted), amount, window_ms)
                pipe.get(self._key("w", peeked))
                pipe.pttl(self._key("w", peeked))
                try:
                    (total, left_ms), peek_total, peek_left_ms = pipe.execute()
                    break
                except redis.exceptions.NoScriptError:
                    if attempt:
                        raise
                    self._client.script_load(_COUNT_IN_WINDOW)
        counted_window = (int(total), max(0.0, int(left_ms) / 1000.0))
        if peek_total is None or int(peek_left_ms) < 0:
            return counted_window, (0, window_s)
        return counted_window, (int(peek_total), int(peek_left_ms) / 1000.0)

    def _value_key(self, key: str) -> str:
        """Settings (`kept:` keys) under a kind of their own, which a reset's scan never meets."""
        return self._key("k", key) if key.startswith(KEPT_PREFIX) else self._key("v", key)

    def get(self, key: str, default: Any = None) -> Any:
        with _guard(self.url):
            raw = self._client.get(self._value_key(key))
        return default if raw is None else json.loads(raw)

    def get_many(self, keys: Sequence[str]) -> list[Any]:
        with _guard(self.url):  # one MGET: one round trip
            raws = self._client.mget([self._value_key(key) for key in keys])
        return [None if raw is None else json.loads(raw) for raw in raws]

    def update_many(self, keys: Sequence[str], change: Callable[[list[Any]], list[Any]]) -> list[Any]:
        """As `update`, over several keys watched together."""
        full = [self._value_key(key) for key in keys]
        with _guard(self.url), self._client.pipeline(transaction=True) as pipe:
            for _ in range(_UPDATE_ATTEMPTS):
                try:
                    pipe.watch(*full)  # type: ignore[no-untyped-call]
                    raws = pipe.mget(full)
                    values = change([None if raw is None else json.loads(raw) for raw in raws])
                    if len(values) != len(keys):
                        raise ValueError(f"change gave {len(values)} values for {len(keys)} keys")
                    pipe.multi()
                    for name, key, value in zip(full, keys, values, strict=True):
                        ttl = None if key.startswith(KEPT_PREFIX) else STATE_TTL_S
                        pipe.set(name, json.dumps(value, separators=(",", ":")), ex=ttl)
                    pipe.execute()
                    return values
                except redis.WatchError:
                    continue
        raise StoreUnavailable(f"the shared store at {shown_url(self.url)} is too contended: "
                               f"{keys[0]!r} changed {_UPDATE_ATTEMPTS} times while being updated")

    def update(self, key: str, change: Callable[[Any], Any]) -> Any:
        """Optimistic: WATCH the key, compute, write in MULTI; another worker's write in between
        makes EXEC fail and the change is computed again from the value that won."""
        full = self._value_key(key)
        ttl = None if key.startswith(KEPT_PREFIX) else STATE_TTL_S
        with _guard(self.url), self._client.pipeline(transaction=True) as pipe:
            for _ in range(_UPDATE_ATTEMPTS):
                try:
                    pipe.watch(full)  # type: ignore[no-untyped-call]
                    raw = pipe.get(full)
                    value = change(None if raw is None else json.loads(raw))
                    pipe.multi()
                    pipe.set(full, json.dumps(value), ex=ttl)
                    pipe.execute()
                    return value
                except redis.WatchError:
                    continue
        raise StoreUnavailable(f"the shared store at {shown_url(self.url)} is too contended: "
                               f"{key!r} changed {_UPDATE_ATTEMPTS} times while being updated")

    def clear_state(self, prefix: str = "") -> None:
        kind = "k" if prefix.startswith(KEPT_PREFIX) else "v"
        patterns = [self._key(kind, _glob_escape(prefix)) + "*"]
        if not prefix:
            patterns.append(self._key("w") + "*")
        with _guard(self.url):
            for pattern in patterns:
                batch: list[bytes] = []
                for name in self._client.scan_iter(match=pattern, count=500):
                    batch.append(name)
                    if len(batch) >= 500:
                        self._client.delete(*batch)
                        batch.clear()
                if batch:
                    self._client.delete(*batch)


def journal_entry_from_dict(data: dict[str, Any]) -> JournalEntry:
    """A journal entry back from its `to_dict` form (keys it does not know go to `extra`)."""
    fields = {name: data[name] for name in _ENTRY_FIELDS if name in data}
    validation = fields.get("validation")
    if validation is not None:
        fields["validation"] = ValidationResult.of(
            Violation(**violation) for violation in validation.get("violations", [])
        )
    extra = {name: value for name, value in data.items() if name not in _ENTRY_FIELDS}
    return JournalEntry(**fields, extra=extra)


def _glob_escape(text: str) -> str:
    return "".join("\\" + c if c in "*?[]\\" else c for c in text)


@contextmanager
def _guard(url: str) -> Iterator[None]:
    """Redis failing (not answering, refusing the credentials, refusing a command: out of memory,
    a read-only replica, a database out of range) is `StoreUnavailable`: a JSON 503 while serving,
    one line at start. The URL is said without its password."""
    try:
        yield
    except redis.AuthenticationError as exc:
        raise StoreUnavailable(f"the shared store at {shown_url(url)} refuses the credentials "
                               f"({exc})") from None
    except (redis.ConnectionError, redis.TimeoutError) as exc:
        raise StoreUnavailable(f"the shared store at {shown_url(url)} is unreachable ({exc})") from None
    except redis.ResponseError as exc:
        why = "refuses the credentials" if _is_auth_refusal(exc) else "refused a command"
        raise StoreUnavailable(f"the shared store at {shown_url(url)} {why} ({exc})") from None


def _is_auth_refusal(exc: redis.ResponseError) -> bool:
    """Redis says NOAUTH (or asks for HELLO after AUTH) when a password is missing."""
    text = str(exc)
    return text.startswith(("NOAUTH", "WRONGPASS")) or "authenticated" in text
