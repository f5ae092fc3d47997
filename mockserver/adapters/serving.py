"""Serving an RSGI app on granian: one worker process, one event loop, streams sent as they are
made.

One process holds the journal, scenario progress and rate-limit counters, so the app runs in a
single granian worker (more only with a shared store). The app (see `adapters.rsgi`) answers the
mock's requests on the event loop and runs anything that blocks on a pool of at most `threads`.

`open_listener` binds first, so that a busy port or a bad host is one clear `ServeError` before
granian starts, and port 0 gives a known port; the bound socket is handed to granian's worker.
"""

from __future__ import annotations

import contextlib
import errno
import multiprocessing
import os
import socket
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from granian._granian import SocketHolder
from granian.constants import HTTPModes, Interfaces
from granian.http import HTTP1Settings
from granian.log import LogLevels
from granian.server.mp import MPServer, WorkerProcess

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication

    from mockserver.adapters.rsgi import RSGIApp

__all__ = [
    "DEFAULT_THREADS",
    "ServeError",
    "StdoutUnwritable",
    "base_url",
    "open_listener",
    "ready_lines",
    "serve",
]

DEFAULT_THREADS = 64  # for what blocks (a Flask fallback, a shared store); streams need none
GRACEFUL_TIMEOUT_S = 3  # streams still open after this are dropped at shutdown
LISTEN_BACKLOG = 2048
_APP_FAILED = 3  # exit status of a worker whose app could not be made (it said why)
_STDOUT_FAILED = 4  # exit status of a worker that could not write the ready lines
_WORKER_GAVE_UP = frozenset({_APP_FAILED, _STDOUT_FAILED})  # not crashes: the server stops


class ServeError(Exception):
    """The server cannot start; the message is one line meant for the user."""


class StdoutUnwritable(OSError):
    """stdout could not take the ready lines (a full device, a reader gone): raised by `serve`
    in the main process once the server has stopped, with the worker's errno and strerror."""


def open_listener(*, host: str, port: int) -> socket.socket:
    """A TCP socket bound to `host:port` and listening (port 0: a free port)."""
    bare_host = host.strip()
    if bare_host.startswith("[") and bare_host.endswith("]"):
        bare_host = bare_host[1:-1]
    if not bare_host:
        raise ServeError("cannot listen: the host is empty")
    if not 0 <= port <= 65535:
        raise ServeError(f"cannot listen on port {port}: a port is between 0 and 65535")
    where = f"{_url_host(bare_host)}:{port}"
    try:
        infos = socket.getaddrinfo(
            bare_host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )
    except (socket.gaierror, UnicodeError) as exc:
        reason = exc.strerror if isinstance(exc, socket.gaierror) else str(exc)
        raise ServeError(f"cannot listen on {where}: unknown host ({reason})") from None
    family, kind, proto, _, address = infos[0]
    listener = socket.socket(family, kind, proto)
    try:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        # Accepted sockets inherit it (Linux): a stream's events go out as written, not held
        # back by Nagle until the client's delayed ACK (measured: 44 ms to the first event).
        listener.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        listener.bind(address)
        listener.listen(LISTEN_BACKLOG)
    except OSError as exc:
        listener.close()
        reason = exc.strerror or str(exc)
        if exc.errno == errno.EADDRINUSE:
            reason += " (another server is on that port; pick another with --port, or 0)"
        raise ServeError(f"cannot listen on {where}: {reason}") from None
    return listener


def base_url(address: tuple[Any, ...]) -> str:
    """`http://host:port` for a socket address (IPv6 hosts in brackets)."""
    return f"http://{_url_host(str(address[0]))}:{address[1]}"


def ready_lines(url: str) -> list[str]:
    """What `serve` prints once the app is ready to answer."""
    return [
        f"Llama API mock listening on {url}",
        f"  native: {url}/v1",
        f"  compat: {url}/compat/v1",
    ]


class ReadyAnnouncement:
    """The ready lines, written once for the whole server by the first worker whose app is made
    (each worker made its app and wrote them: `--workers 2` printed them twice). Made before the
    workers are forked, which share its flag."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._written = multiprocessing.Value("b", 0)
        self._errno = multiprocessing.RawValue("i", 0)  # why stdout could not take them

    def write(self) -> None:
        """Write the lines unless a worker has; OSError when stdout cannot take them (its errno
        is kept for the main process: `failure`)."""
        with self._written.get_lock():
            if self._written.value:
                return
            self._written.value = 1
        try:
            sys.stdout.write("".join(line + "\n" for line in ready_lines(self.url)))
            sys.stdout.flush()
        except OSError as exc:
            self._errno.value = exc.errno or errno.EIO
            raise

    def failure(self) -> StdoutUnwritable | None:
        """What a worker met writing the lines, read in the main process."""
        code = self._errno.value
        return StdoutUnwritable(code, os.strerror(code)) if code else None


def serve(
    app_factory: Callable[[], RSGIApp] | Callable[[], WSGIApplication],
    *,
    listener: socket.socket,
    header_deadline_s: float = 10.0,
    access_log: bool = False,
    workers: int = 1,
    wsgi_threads: int | None = None,
) -> int:
    """Serve the app made by `app_factory` on `listener` until SIGINT or SIGTERM.

    The app is an RSGI app; with `wsgi_threads` it is a WSGI app on granian's WSGI interface with
    that many blocking threads instead (the benchmark's bare Flask baseline uses one, granian's
    fastest setting for an app that never waits). A connection that has not sent a whole header
    block within `header_deadline_s` is closed.

    Returns the exit status: 0 after a clean shutdown, 2 when the app could not start. Raises
    `StdoutUnwritable` when the ready lines could not be written (the server stopped then).

    The factory runs in the worker process, so one-time setup (threads, caches) happens there.
    The ready lines go to stdout once the app exists; granian's own log goes to stderr.
    """
    url = base_url(listener.getsockname())
    ready = ReadyAnnouncement(url)  # shared with the (forked) workers
    sys.stdout.flush()  # the worker is forked: do not let it inherit and repeat buffered output
    sys.stderr.flush()
    server = _ListenerServer(
        listener,
        target="llama-contract",
        interface=Interfaces.RSGI if wsgi_threads is None else Interfaces.WSGI,
        blocking_threads=wsgi_threads,
        http=HTTPModes.http1,  # the SDKs speak HTTP/1.1; no HTTP/2 preface answered in binary
        http1_settings=HTTP1Settings(header_read_timeout=max(1, int(header_deadline_s * 1000))),
        websockets=False,
        workers=workers,  # above 1 only with a shared store (checked by `serve`)
        backlog=LISTEN_BACKLOG,
        backpressure=LISTEN_BACKLOG // 2,
        log_level=LogLevels.warning,
        log_access=access_log,
        log_dictconfig=_LOG_CONFIG,
        workers_kill_timeout=GRACEFUL_TIMEOUT_S,
    )

    def load(_target: str) -> RSGIApp | WSGIApplication:
        try:
            app = app_factory()
        except Exception as exc:  # the user's scenarios or config: one line, no traceback
            print(f"error: the app could not start: {exc}", file=sys.stderr, flush=True)
            os._exit(_APP_FAILED)
        try:
            ready.write()
        except OSError:  # the main process says it, in one line: no traceback here
            os._exit(_STDOUT_FAILED)
        return app

    try:
        server.serve(target_loader=load)
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else 1
        return 2 if code else 0
    failure = ready.failure()
    if failure is not None:
        raise failure
    return 2 if server.worker_gave_up else 0


class _ListenerServer(MPServer):
    """granian's process server on a socket we bound ourselves (granian would bind its own)."""

    def __init__(self, listener: socket.socket, **options: Any) -> None:
        address = listener.getsockname()
        super().__init__(address=str(address[0]), port=int(address[1]), **options)
        self._listener = listener
        self.worker_gave_up = False  # a worker stopped the server after saying why (or not)

    def _init_shared_socket(self) -> None:
        self._listener.set_inheritable(True)
        self._ssp = None
        self._sfd = self._listener.fileno()  # type: ignore[assignment]
        # granian's stub omits SocketHolder's constructor: (fd, is_uds, backlog)
        self._shd = SocketHolder(self._sfd, False, LISTEN_BACKLOG)  # type: ignore[call-arg,assignment]
        self._sso = self._listener

    def _drop_shared_socket(self) -> None:
        with contextlib.suppress(OSError):
            self._listener.close()

    def _spawn_worker(self, *args: Any, **kwargs: Any) -> WorkerProcess:
        worker = super()._spawn_worker(*args, **kwargs)
        worker.__class__ = _Worker  # granian builds its own class; ours only changes the watcher
        return worker


class _Worker(WorkerProcess):
    """A worker whose clean exit on a signal of its own, or whose giving up, stops the server
    without granian's error line.

    Ctrl-C in a terminal sends SIGINT to the whole process group: the worker may stop before the
    main process tells it to, and granian counts any such exit as a crash (an error line, exit
    status 1). A worker exiting with status 0 was stopped by a signal, so the server stops as if
    it had received it itself. A worker whose app could not be made, or that could not write the
    ready lines, exits with a status of ours: the server stops, and `serve` says why in one
    line. Any other exit is still a crash.
    """

    def _watcher(self) -> None:
        self.inner.join()
        code = self.inner.exitcode
        if (code == 0 or code in _WORKER_GAVE_UP) and not self.interrupt_by_parent:
            self.interrupt_by_parent = True
            if code and isinstance(self.parent, _ListenerServer):
                self.parent.worker_gave_up = True
            self.parent.interrupt_signal = True
            self.parent.main_loop_interrupt.set()
            return
        super()._watcher()  # type: ignore[no-untyped-call]


# granian's own log goes to stderr (stdout carries the ready lines); the access log to stdout.
_LOG_CONFIG: dict[str, Any] = {
    "handlers": {
        "console": {
            "formatter": "generic",
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stderr",
        },
        "access": {
            "formatter": "access",
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
        },
    },
}


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host
