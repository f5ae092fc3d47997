"""State behind one small interface: the request journal, counters and scenario progress.

The default store keeps everything in memory, bounded, in one process (threads share it). The
shared store (`mockserver.state.redis_store.RedisStore`) implements the same `Store` protocol in Redis, for
several processes or hosts serving as one mock; `open_store(url)` picks one from a URL.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlsplit

from contract.validate.explain import clip

if TYPE_CHECKING:
    from mockserver.state.journal import JournalEntry


Window = tuple[int, float]  # a rate-limit window: (total counted, seconds left)
Counted = tuple[Window, Window, tuple[Any, ...]]  # `count_and_peek`: counted, peeked, values read


class StoreUnavailable(Exception):
    """The shared store cannot be reached: the request that needed it gets a JSON 503."""


class StoreConfigError(ValueError):
    """A store URL or worker count that cannot work (the message is the whole story)."""


class Store(Protocol):
    def journal_append(self, entry: JournalEntry) -> None: ...
    def journal_entries(self) -> list[JournalEntry]: ...
    def journal_clear(self) -> None: ...
    def count_and_peek(
        self, counted: str, amount: int, peeked: str, *, window_s: float, read: Sequence[str] = ()
    ) -> Counted:
        """In one step: add `amount` to the counter `counted` for its current window, read the
        counter `peeked` (a window not yet begun reads 0, with all its time left) and the values
        at `read` (None where there is none): one round trip on a shared store."""
        ...

    def count(self, counted: str, amount: int, *, window_s: float) -> None:
        """Add `amount` to the counter `counted` for its current window. A shared store may
        send it with the same thread's next `journal_append` (one round trip for both: the
        rate limiter counts an answer's tokens just before its request is journaled)."""
        ...

    def get(self, key: str, default: Any = None) -> Any: ...
    def update(self, key: str, change: Callable[[Any], Any]) -> Any:
        """Atomically replace the value at `key` by `change(old)` and return the new value."""
        ...

    def get_many(self, keys: Sequence[str]) -> list[Any]:
        """The values at `keys` (None where there is none), read in one step: one round trip on
        a shared store."""
        ...

    def update_many(self, keys: Sequence[str], change: Callable[[list[Any]], list[Any]]) -> list[Any]:
        """Atomically replace the values at `keys` by `change(old values)` (a list as long) and
        return the new values."""
        ...

    def clear_state(self, prefix: str = "") -> None:
        """Forget the values whose key starts with `prefix` (with "", every one and the windows).
        Keys starting `kept:` hold settings, not state: only a prefix starting `kept:` clears
        them, they are never pushed out, and a shared store keeps them without a TTL (whoever
        writes one bounds its size)."""
        ...

    def ping(self) -> None:
        """Raise `StoreUnavailable` unless the store can be used (memory always can)."""
        ...


# Keys each request writes (how often an identical request was seen) live in a pool of their own,
# so a stream of strangers cannot push out scenario progress and fault counters; both pools forget
# the least recently used key first.
_PER_REQUEST_PREFIX = "fault:seen:"
KEPT_PREFIX = "kept:"
MAX_VALUES_PER_POOL = 10_000


class MemoryStore:
    """The in-memory store: a ring buffer journal, fixed-window counters and a small key-value map."""

    shared = False  # one process only: several workers would each have their own

    def __init__(
        self, *, journal_size: int = 1000, journal_bytes: int = 16 * 1024 * 1024,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if journal_size < 1:
            raise ValueError(f"journal_size must be at least 1, got {journal_size}")
        self._lock = threading.Lock()
        self._journal: deque[JournalEntry] = deque(maxlen=journal_size)
        self._journal_bytes_max = journal_bytes
        self._journal_bytes = 0  # body bytes of the entries held
        self._windows: dict[str, tuple[float, int]] = {}
        self._state: OrderedDict[str, Any] = OrderedDict()
        self._per_request: OrderedDict[str, Any] = OrderedDict()
        self._kept: OrderedDict[str, Any] = OrderedDict()  # never pushed out: see Store.clear_state
        self._clock = clock

    def ping(self) -> None:
        """Memory is always there."""

    def journal_append(self, entry: JournalEntry) -> None:
        with self._lock:
            if len(self._journal) == self._journal.maxlen:
                self._journal_bytes -= self._journal[0].held_bytes
            self._journal.append(entry)
            self._journal_bytes += entry.held_bytes
            while self._journal_bytes > self._journal_bytes_max and len(self._journal) > 1:
                self._journal_bytes -= self._journal.popleft().held_bytes

    def journal_entries(self) -> list[JournalEntry]:
        with self._lock:
            return list(self._journal)

    def journal_clear(self) -> None:
        with self._lock:
            self._journal.clear()
            self._journal_bytes = 0

    def count_and_peek(
        self, counted: str, amount: int, peeked: str, *, window_s: float, read: Sequence[str] = ()
    ) -> Counted:
        with self._lock:
            now = self._clock()
            start, total = self._add(counted, amount, now, window_s)
            peek_start, peek_total = self._window(peeked, now, window_s)
            values = tuple([self._pool(key).get(key) for key in read]) if read else ()
        left = max(0.0, window_s - (now - start))
        return (total, left), (peek_total, max(0.0, window_s - (now - peek_start))), values

    def count(self, counted: str, amount: int, *, window_s: float) -> None:
        with self._lock:
            self._add(counted, amount, self._clock(), window_s)

    def _add(self, counted: str, amount: int, now: float, window_s: float) -> tuple[float, int]:
        start, total = self._window(counted, now, window_s)
        total += amount
        self._windows[counted] = (start, total)
        if len(self._windows) > 10_000:  # bound memory: forget the oldest windows
            for stale in list(self._windows)[: len(self._windows) // 2]:
                del self._windows[stale]
        return start, total

    def _window(self, key: str, now: float, window_s: float) -> tuple[float, int]:
        """(start, total) of the window `key` is in at `now`: a fresh one once it is over."""
        start, total = self._windows.get(key, (now, 0))
        return (now, 0) if now - start >= window_s else (start, total)

    def _pool(self, key: str) -> OrderedDict[str, Any]:
        if key.startswith(_PER_REQUEST_PREFIX):
            return self._per_request
        return self._kept if key.startswith(KEPT_PREFIX) else self._state

    def get(self, key: str, default: Any = None) -> Any:
        with self._lock:
            pool = self._pool(key)
            if key not in pool:
                return default
            pool.move_to_end(key)
            return pool[key]

    def update(self, key: str, change: Callable[[Any], Any]) -> Any:
        with self._lock:
            pool = self._pool(key)
            value = change(pool.get(key))
            pool[key] = value
            pool.move_to_end(key)
            while len(pool) > MAX_VALUES_PER_POOL and pool is not self._kept:
                pool.popitem(last=False)
            return value

    def get_many(self, keys: Sequence[str]) -> list[Any]:
        with self._lock:
            return [self._pool(key).get(key) for key in keys]

    def update_many(self, keys: Sequence[str], change: Callable[[list[Any]], list[Any]]) -> list[Any]:
        with self._lock:
            values = change([self._pool(key).get(key) for key in keys])
            if len(values) != len(keys):
                raise ValueError(f"change gave {len(values)} values for {len(keys)} keys")
            for key, value in zip(keys, values, strict=True):
                self._pool(key)[key] = value
            return values

    def clear_state(self, prefix: str = "") -> None:
        with self._lock:
            pools = [self._state, self._per_request]
            if prefix.startswith(KEPT_PREFIX):
                pools.append(self._kept)
            for pool in pools:
                for key in [k for k in pool if k.startswith(prefix)]:
                    del pool[key]
            if not prefix:
                self._windows.clear()


def open_store(url: str | None, *, journal_size: int = 1000, journal_bytes: int | None = None) -> Store:
    """The store a URL names: None or "memory" for the in-memory one, redis://HOST:PORT/DB (also
    rediss:// and unix://PATH) for the shared one. Raises StoreConfigError for anything else."""
    if url is None or url == "memory":
        if journal_bytes is None:
            return MemoryStore(journal_size=journal_size)
        return MemoryStore(journal_size=journal_size, journal_bytes=journal_bytes)
    scheme = url.partition("://")[0].lower()
    if scheme not in ("redis", "rediss", "unix") or "://" not in url:
        raise StoreConfigError(
            f"--store {shown_url(url)!r}: expected 'memory' or a Redis URL such as "
            "redis://127.0.0.1:6379/0"
        )
    try:
        from mockserver.state.redis_store import RedisStore
    except ImportError:
        raise StoreConfigError(
            "--store redis://... needs the redis package: pip install 'llama-api-contract[redis]'"
        ) from None
    problem = _redis_url_problem(url)
    if problem:
        raise StoreConfigError(f"--store {shown_url(url)!r}: {problem}")
    return RedisStore(url, journal_size=journal_size)


def shown_url(url: str) -> str:
    """A store URL fit for a message or an answer: its password (and user name) masked, since a
    503 goes to any client and stderr to any log."""
    scheme, sep, rest = url.partition("://")
    credentials, at, address = rest.rpartition("@")
    if not sep or not at:
        return clip(url, limit=100)
    user = credentials.partition(":")[0]
    return clip(f"{scheme}://{'***:' if user else ':'}***@{address}", limit=100)


def _redis_url_problem(url: str) -> str:
    """Why a Redis client could not read `url` ("" when it can): the port and an IPv6 host, as
    redis-py reads them (it raises a bare ValueError), and a database that is no number (which
    redis-py quietly reads as database 0)."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - reading the port is what checks it
    except ValueError as exc:
        return str(exc)
    database = parts.path.strip("/")
    if parts.scheme.lower() in ("redis", "rediss") and database and not database.isdigit():
        return f"the database is a number (redis://HOST:PORT/0), not {clip(database, limit=40)!r}"
    return ""


def check_workers(workers: int, store: Store) -> None:
    """Refuse several worker processes on a store that is not shared (they would split the state)."""
    if workers < 1:
        raise StoreConfigError(f"--workers must be at least 1, not {workers}")
    if workers > 1 and not getattr(store, "shared", False):
        raise StoreConfigError(
            f"--workers {workers} needs a shared store (--store redis://HOST:PORT/DB): in memory "
            "each worker would keep its own journal, fault counters and rate limits"
        )
