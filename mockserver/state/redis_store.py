"""The shared store: the mock's state in Redis, so several worker processes or hosts are one mock.

Every decision two workers could race on is one atomic step on the server: Lua scripts for the
rate-limit windows and the capped journal, and a read then a compare-and-set script for
read-modify-write values (a fault counter, scenario progress). A chat request makes two round
trips: one script counts it and reads what answering needs (the token budget, the standing
faults, the scenario list's token); one script counts its tokens and journals it. Keys live
under one namespace and carry a TTL, so a shared Redis is not filled forever. A lost connection
raises `StoreUnavailable` (the service answers a JSON 503); the client reconnects by itself on
the next request once Redis is back.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from contract.violations import ValidationResult, Violation
from mockserver.state.journal import JournalEntry
from mockserver.state.store import KEPT_PREFIX, Counted, StoreUnavailable, shown_url

STATE_TTL_S = 24 * 3600  # journal and state are forgotten a day after their last change
SOCKET_TIMEOUT_S = 2.0  # a Redis that stops answering is reported, not waited on
_UPDATE_ATTEMPTS = 50

# Counting in a window: add to the counter; a counter without a TTL starts its window.
_COUNT = """
local function count(key, amount, window_ms)
  local total = redis.call('INCRBY', key, amount)
  local left = redis.call('PTTL', key)
  if left < 0 then
    redis.call('PEXPIRE', key, window_ms)
    left = tonumber(window_ms)
  end
  return total, left
end
"""
# KEYS: the counter, the peeked counter, then the values read; ARGV: amount, window in ms.
# Returns {total, ms left, peeked total or false, its ms left, the values read (false: none)}.
_COUNT_AND_PEEK = _COUNT + """
local total, left = count(KEYS[1], ARGV[1], ARGV[2])
local reply = {total, left, redis.call('GET', KEYS[2]), redis.call('PTTL', KEYS[2])}
for i = 3, #KEYS do reply[#reply + 1] = redis.call('GET', KEYS[i]) end
return reply
"""
# KEYS: counters; ARGV: amount and window in ms of each.
_COUNT_ALL = _COUNT + "for i = 1, #KEYS do count(KEYS[i], ARGV[2 * i - 1], ARGV[2 * i]) end"
# KEYS: values; ARGV, per key: 1 if it was read with a value (else 0), the SHA-1 of the value
# read (not the value: a scenario list is megabytes), the new value, its TTL in s (0: none).
# Writes them all and returns 1 when none changed since the read.
_SET_IF_UNCHANGED = """
for i = 1, #KEYS do
  local current = redis.call('GET', KEYS[i])
  if ARGV[4 * i - 3] == '1' then
    if not current or redis.sha1hex(current) ~= ARGV[4 * i - 2] then return 0 end
  elseif current then
    return 0
  end
end
for i = 1, #KEYS do
  if ARGV[4 * i] == '0' then
    redis.call('SET', KEYS[i], ARGV[4 * i - 1])
  else
    redis.call('SET', KEYS[i], ARGV[4 * i - 1], 'EX', ARGV[4 * i])
  end
end
return 1
"""
# KEYS: the journal, then the counters counted since this thread's last append; ARGV: the entry,
# the journal's size, its TTL in s, then amount and window in ms of each counter.
_JOURNAL = _COUNT + """
for i = 2, #KEYS do count(KEYS[i], ARGV[2 * i], ARGV[2 * i + 1]) end
redis.call('RPUSH', KEYS[1], ARGV[1])
redis.call('LTRIM', KEYS[1], -tonumber(ARGV[2]), -1)
redis.call('EXPIRE', KEYS[1], ARGV[3])
return 1
"""

_SHAS: dict[str, str] = {}  # script -> its SHA-1, as EVALSHA names it
_MAX_PENDING = 64  # counts a thread holds for its next journal append before sending them alone

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
        self._pending = threading.local()  # counts `count` left for this thread's next append

    def _key(self, kind: str, key: str = "") -> str:
        return f"{self._ns}:{kind}:{key}"

    def ping(self) -> None:
        """Raise `StoreUnavailable` unless the server answers."""
        with _guard(self.url):
            self._client.ping()

    def close(self) -> None:
        self._client.close()

    def _script(self, script: str, keys: Sequence[str], args: Sequence[Any]) -> Any:
        """Run `script` by its hash, loading it only when the server says it does not have it
        (at first, or after a SCRIPT FLUSH): redis-py's registered scripts ask SCRIPT EXISTS
        before every pipeline."""
        sha = _SHAS.get(script) or _SHAS.setdefault(script, hashlib.sha1(script.encode()).hexdigest())
        with _guard(self.url):
            try:
                return self._client.evalsha(sha, len(keys), *keys, *args)
            except redis.exceptions.NoScriptError:
                self._client.script_load(script)
                return self._client.evalsha(sha, len(keys), *keys, *args)

    def count(self, counted: str, amount: int, *, window_s: float) -> None:
        pending: list[tuple[str, int, int]] | None = getattr(self._pending, "counts", None)
        if pending is None:
            pending = self._pending.counts = []
        if len(pending) >= _MAX_PENDING:  # no append came: send them now, not lose them
            self._flush(pending)
        pending.append((self._key("w", counted), amount, max(1, int(window_s * 1000))))

    def _flush(self, pending: list[tuple[str, int, int]]) -> None:
        keys = [key for key, _, _ in pending]
        args = [str(value) for _, amount, window_ms in pending for value in (amount, window_ms)]
        pending.clear()
        self._script(_COUNT_ALL, keys, args)

    def journal_append(self, entry: JournalEntry) -> None:
        data = json.dumps(entry.to_dict(), separators=(",", ":"), default=str)
        pending: list[tuple[str, int, int]] = getattr(self._pending, "counts", None) or []
        keys = [self._key("journal"), *(key for key, _, _ in pending)]
        args = [data, self._journal_size, STATE_TTL_S,
                *(value for _, amount, window_ms in pending for value in (amount, window_ms))]  # fmt: skip
        pending.clear()  # sent now; lost with the append if the store is down
        self._script(_JOURNAL, keys, args)

    def journal_entries(self) -> list[JournalEntry]:
        with _guard(self.url):
            raw = self._client.lrange(self._key("journal"), 0, -1)
        return [journal_entry_from_dict(json.loads(item)) for item in raw]

    def journal_clear(self) -> None:
        with _guard(self.url):
            self._client.delete(self._key("journal"))

    def count_and_peek(
        self, counted: str, amount: int, peeked: str, *, window_s: float, read: Sequence[str] = ()
    ) -> Counted:
        window_ms = max(1, int(window_s * 1000))
        keys = [self._key("w", counted), self._key("w", peeked), *map(self._value_key, read)]
        total, left_ms, peek_total, peek_left_ms, *raws = self._script(
            _COUNT_AND_PEEK, keys, (amount, window_ms)
        )
        values = tuple([None if raw is None else json.loads(raw) for raw in raws])
        counted_window = (int(total), max(0.0, int(left_ms) / 1000.0))
        if peek_total is None or int(peek_left_ms) < 0:
            return counted_window, (0, window_s), values
        return counted_window, (int(peek_total), int(peek_left_ms) / 1000.0), values

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
        """As `update`, over several keys at once."""
        full = [self._value_key(key) for key in keys]
        ttls = [0 if key.startswith(KEPT_PREFIX) else STATE_TTL_S for key in keys]
        for _ in range(_UPDATE_ATTEMPTS):
            with _guard(self.url):
                raws = self._client.mget(full)
            values = change([None if raw is None else json.loads(raw) for raw in raws])
            if len(values) != len(keys):
                raise ValueError(f"change gave {len(values)} values for {len(keys)} keys")
            args = [item for raw, value, ttl in zip(raws, values, ttls, strict=True)
                    for item in (*_as_read(raw), json.dumps(value, separators=(",", ":")), ttl)]  # fmt: skip
            if self._script(_SET_IF_UNCHANGED, full, args):
                return values
        raise StoreUnavailable(f"the shared store at {shown_url(self.url)} is too contended: "
                               f"{keys[0]!r} changed {_UPDATE_ATTEMPTS} times while being updated")

    def update(self, key: str, change: Callable[[Any], Any]) -> Any:
        """Optimistic: read the value, compute, and write it in a script that first checks the
        value is still the one read (two round trips); when another worker wrote in between,
        the change is computed again from the value that won."""
        return self.update_many((key,), lambda values: [change(values[0])])[0]

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


def _as_read(raw: bytes | str | None) -> tuple[str, str]:
    """How `_SET_IF_UNCHANGED` is told what was read: whether there was a value, its SHA-1."""
    if raw is None:
        return "0", ""
    return "1", hashlib.sha1(raw if isinstance(raw, bytes) else raw.encode()).hexdigest()


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
