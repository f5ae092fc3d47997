"""Serving a WSGI app on gunicorn: one worker process, many threads, streams sent as they are made.

One process holds the journal, scenario progress and rate-limit counters, so the app runs in a
single gthread worker; concurrency comes from its threads. gunicorn writes each chunk an app
yields straight to the socket, so server-sent events reach the client one by one.

`open_listener` binds first, so that a busy port or a bad host is one clear `ServeError` before
gunicorn starts (gunicorn alone would retry for seconds and log several lines); the bound socket
is handed to gunicorn as `fd://N`.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import socket
import sys
from collections.abc import Callable
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

from gunicorn import util as gunicorn_util
from gunicorn.app.base import BaseApplication
from gunicorn.arbiter import Arbiter
from gunicorn.errors import AppImportError
from gunicorn.http import errors as parse_errors
from gunicorn.workers.gthread import ThreadWorker

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication

__all__ = [
    "DEFAULT_THREADS",
    "ServeError",
    "StreamingThreadWorker",
    "base_url",
    "open_listener",
    "ready_lines",
    "serve",
]

DEFAULT_THREADS = 16
# gthread heartbeats from the worker's main loop, not from request threads, so a long paced stream
# never trips this; it only ends a worker whose main loop is stuck.
WORKER_TIMEOUT_S = 120
GRACEFUL_TIMEOUT_S = 3
KEEPALIVE_S = 5
LISTEN_BACKLOG = 2048
_BOOT_FAILURES = frozenset({Arbiter.WORKER_BOOT_ERROR, Arbiter.APP_LOAD_ERROR})


class ServeError(Exception):
    """The server cannot start; the message is one line meant for the user."""


class StreamingThreadWorker(ThreadWorker):  # type: ignore[misc]
    """gunicorn's gthread worker that does not hang on shutdown behind streams still open.

    Request threads are not daemons: a paced stream still running when the grace period ends
    would keep the process alive until the arbiter kills it (and logs a misleading SIGKILL error).
    """

    def run(self) -> None:
        super().run()
        if self.nr_conns > 0:  # the grace period ended with streams in flight: drop them
            _exit_now()

    def handle_error(self, req: Any, client: Any, addr: Any, exc: BaseException) -> None:
        # gunicorn refuses a request it cannot parse itself, before the app sees it, with an HTML
        # page (and a 501 for an unknown transfer coding): answer it as the app answers errors,
        # JSON with a 4xx. Errors of the app's own answer stay gunicorn's (a 500).
        status = _parse_error_status(exc)
        if status is None:
            super().handle_error(req, client, addr, exc)
            return
        self.log.warning("Invalid request from %s: %s", addr[0] if addr else "?", exc)
        title = HTTPStatus(status).phrase
        detail = str(exc) or type(exc).__name__
        body = json.dumps(
            {
                "title": title,
                "detail": f"the request is not HTTP this server can read: {detail}",
                "status": status,
                "errors": [],
            },
            ensure_ascii=True,
        ).encode()
        head = (
            f"HTTP/1.1 {status} {title}\r\nConnection: close\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
        )
        with contextlib.suppress(OSError):
            gunicorn_util.write_nonblock(client, head.encode("latin-1") + body)

    def handle_quit(self, sig: int, frame: Any) -> None:
        # SIGQUIT / SIGINT: quick shutdown, open connections are closed by the exit.
        self.alive = False
        _exit_now()


def _parse_error_status(exc: BaseException) -> int | None:
    """The 4xx for a request gunicorn could not parse; None for errors that are not the client's."""
    if not isinstance(exc, parse_errors.ParseException) or isinstance(
        exc,
        parse_errors.InvalidResponseHeader
        | parse_errors.InvalidResponseHeaderName
        | parse_errors.ConfigurationProblem,
    ):
        return None
    if isinstance(exc, parse_errors.LimitRequestLine):
        return 414
    if isinstance(exc, parse_errors.LimitRequestHeaders):
        return 431
    if isinstance(exc, parse_errors.ExpectationFailed):
        return 417
    if isinstance(exc, parse_errors.ForbiddenProxyRequest):
        return 403
    return 400


def _exit_now() -> None:
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(0)


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


def serve(
    app_factory: Callable[[], WSGIApplication],
    *,
    listener: socket.socket,
    threads: int = DEFAULT_THREADS,
    access_log: bool = False,
    workers: int = 1,
) -> int:
    """Serve the app made by `app_factory` on `listener` until SIGINT or SIGTERM.

    Returns the exit status: 0 after a clean shutdown, 2 when the app could not start.

    The factory runs in the worker process, so one-time setup (threads, caches) happens there.
    The ready lines go to stdout once the app exists; gunicorn's own log goes to stderr.
    """
    if threads < 1:
        raise ServeError(f"threads must be at least 1, not {threads}")
    sys.stdout.flush()  # the worker is forked: do not let it inherit and repeat buffered output
    sys.stderr.flush()
    application = _GunicornApplication(
        app_factory, fd=listener.detach(), threads=threads, access_log=access_log,
        workers=workers,
    )
    master_pid = os.getpid()
    try:
        application.run()
    except SystemExit as stop:
        if os.getpid() != master_pid:
            raise  # the worker process leaves through here: let it exit as gunicorn intends
        code = stop.code if isinstance(stop.code, int) else 1
        return 2 if code in _BOOT_FAILURES else code
    return 0


class _GunicornApplication(BaseApplication):  # type: ignore[misc]
    def __init__(
        self,
        app_factory: Callable[[], WSGIApplication],
        *,
        fd: int,
        threads: int,
        access_log: bool,
        workers: int = 1,
    ) -> None:
        self._app_factory = app_factory
        self._url: str | None = None
        self._options: dict[str, object] = {
            "bind": [f"fd://{fd}"],
            "workers": workers,  # above 1 only with a shared store (checked by `serve`)
            "worker_class": StreamingThreadWorker,
            "threads": threads,
            "timeout": WORKER_TIMEOUT_S,
            "graceful_timeout": GRACEFUL_TIMEOUT_S,
            "keepalive": KEEPALIVE_S,
            "accesslog": "-" if access_log else None,
            "errorlog": "-",
            "loglevel": "warning",
            "control_socket_disable": True,
            "proc_name": "llama-contract",
            "when_ready": self._when_ready,
            "post_worker_init": self._post_worker_init,
        }
        super().__init__()

    def load_config(self) -> None:
        for name, value in self._options.items():
            self.cfg.set(name, value)

    def load(self) -> WSGIApplication:
        try:
            return self._app_factory()
        except Exception as exc:
            # gunicorn prints this message alone (no traceback) and stops with "App failed to load".
            raise AppImportError(f"error: the app could not start: {exc}") from exc

    def _when_ready(self, arbiter: Any) -> None:
        # Runs in the arbiter before the worker is forked, so the worker inherits the URL.
        self._url = base_url(arbiter.LISTENERS[0].getsockname())

    def _post_worker_init(self, worker: Any) -> None:
        if worker.age != 1 or self._url is None:  # announce once, not for a replacement worker
            return
        sys.stdout.write("".join(line + "\n" for line in ready_lines(self._url)))
        sys.stdout.flush()


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host
