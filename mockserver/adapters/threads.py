"""What the async server needs of threads: a pool whose threads never hold up the process's exit,
and a `sleep` that leaves the pause to the event loop."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from concurrent.futures import Executor, Future
from typing import Any, TypeVar

__all__ = ["DaemonThreads", "DeferredPauses"]

T = TypeVar("T")
_Work = tuple[Future[Any], Callable[..., Any], tuple[Any, ...]]


class DaemonThreads(Executor):
    """At most `size` daemon threads, started as work arrives and kept.

    Unlike `ThreadPoolExecutor`, whose threads the interpreter joins at exit, a thread still
    blocked in an app when the server stops does not keep the stopping worker alive.
    """

    def __init__(self, size: int) -> None:
        if size < 1:
            raise ValueError(f"size must be at least 1, not {size}")
        self._size = size
        self._work: queue.SimpleQueue[_Work] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._threads = 0
        self._idle = 0
        self._queued = 0

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        if kwargs:
            raise TypeError("DaemonThreads.submit takes positional arguments only")
        future: Future[T] = Future()
        with self._lock:
            self._queued += 1
            start = self._queued > self._idle and self._threads < self._size
            if start:
                self._threads += 1
        self._work.put((future, fn, args))
        if start:
            threading.Thread(target=self._serve, name="llama-mock-pool", daemon=True).start()
        return future

    def _serve(self) -> None:
        while True:
            with self._lock:
                self._idle += 1
            future, fn, args = self._work.get()
            with self._lock:
                self._idle -= 1
                self._queued -= 1
            if not future.set_running_or_notify_cancel():
                continue
            try:
                result = fn(*args)
            except BaseException as exc:  # handed to whoever awaits the future, not swallowed
                future.set_exception(exc)
            else:
                future.set_result(result)


class DeferredPauses(threading.local):
    """A `sleep` that records the pause instead of taking it; the server takes it on its loop.

    Per thread: a step of the service and the `take` after it run on the same thread.
    """

    def __init__(self) -> None:
        self.pending = 0.0

    def __call__(self, seconds: float) -> None:
        if seconds > 0:
            self.pending += seconds

    def take(self) -> float:
        pending, self.pending = self.pending, 0.0
        return pending
