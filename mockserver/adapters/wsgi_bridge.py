"""A WSGI app on granian's RSGI interface: the request body read on the event loop (within a
deadline), the app called and its answer read on a pool of threads, each chunk sent as it comes.
"""

from __future__ import annotations

import asyncio
import io
import sys
from collections.abc import Awaitable, Iterable, Iterator
from concurrent.futures import Executor
from typing import TYPE_CHECKING, Any, TypeVar

from granian._granian import RSGIProtocolClosed

from contract.reading import DEFAULT_MAX_BODY_BYTES
from mockserver.core.errors import simple_error
from mockserver.core.http import MockResponse
from mockserver.core.routes import dialect_of_path

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication, WSGIEnvironment

__all__ = [
    "ReadDeadlines",
    "WSGIBridge",
    "cut_short",
    "read_stream",
    "read_timeout",
    "send_error",
    "unreadable_header",
    "wsgi_environ",
]


Headers = list[tuple[str, str]]
T = TypeVar("T")


class ReadDeadlines:
    """Deadlines for request body reads without a timer per request (`asyncio.timeout` cost about
    a quarter of the mock's own time on a small request): each read registers its task, and one
    sweep, running only while reads are pending, cancels those past the deadline. A late read
    raises `TimeoutError` between `deadline_s` and `deadline_s` plus a quarter of it (a second at
    most) after it began."""

    def __init__(self, deadline_s: float) -> None:
        self.deadline_s = deadline_s
        self._period = min(1.0, deadline_s / 4)
        self._reading: dict[asyncio.Task[Any], float] = {}
        self._late: set[asyncio.Task[Any]] = set()
        self._sweep: asyncio.TimerHandle | None = None

    async def read(self, reading: Awaitable[T]) -> T:
        task = asyncio.current_task()
        if task is None:
            raise RuntimeError("ReadDeadlines.read runs inside a task")
        loop = asyncio.get_running_loop()
        self._reading[task] = loop.time() + self.deadline_s
        if self._sweep is None:
            self._sweep = loop.call_later(self._period, self._cancel_late, loop)
        try:
            return await reading
        except asyncio.CancelledError:
            if task in self._late:
                self._late.discard(task)
                if task.uncancel() == 0:
                    raise TimeoutError from None
            raise
        finally:
            self._reading.pop(task, None)

    def _cancel_late(self, loop: asyncio.AbstractEventLoop) -> None:
        now = loop.time()
        for task, due in list(self._reading.items()):
            if due <= now:
                del self._reading[task]
                self._late.add(task)
                task.cancel()
        self._sweep = (
            loop.call_later(self._period, self._cancel_late, loop) if self._reading else None
        )


class WSGIBridge:
    def __init__(
        self,
        app: WSGIApplication,
        pool: Executor,
        *,
        deadlines: ReadDeadlines,
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    ) -> None:
        self._app = app
        self._pool = pool
        self._deadlines = deadlines
        self._limit = max_body_bytes

    async def __call__(self, scope: Any, proto: Any) -> None:
        if scope.proto != "http":
            return
        text = scope.headers.get("content-length")
        declared = int(text) if text is not None and text.isascii() and text.isdigit() else None
        try:
            if declared is not None:
                # Over the limit: not read; the app sees the length and refuses it (the mock: 413).
                reading = proto() if 0 < declared <= self._limit else _nothing()
            elif "transfer-encoding" in scope.headers:
                reading = read_stream(proto, self._limit)
            else:
                reading = _nothing()
            body = await self._deadlines.read(reading)
        except TimeoutError:
            send_error(proto, read_timeout(scope.path, self._deadlines.deadline_s))
            return
        except RSGIProtocolClosed:  # the client stopped sending (it may still read the answer)
            send_error(proto, cut_short(scope.path))
            return
        await self.run(scope, proto, self._app, body)

    async def run(self, scope: Any, proto: Any, app: WSGIApplication, body: bytes) -> None:
        """Answer one request with `app`, its body already read."""
        loop = asyncio.get_running_loop()
        environ = wsgi_environ(scope, body)
        status, headers, first, rest, result = await loop.run_in_executor(
            self._pool, _start, app, environ
        )
        try:
            if rest is None:
                proto.response_bytes(status, headers, first)
                return
            transport = proto.response_stream(status, headers)
            chunk: bytes | None = first
            while chunk is not None:
                if chunk:
                    await transport.send_bytes(chunk)
                chunk = await loop.run_in_executor(self._pool, next, rest, None)
        except RSGIProtocolClosed:
            return  # the client hung up
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                await loop.run_in_executor(self._pool, close)


def send_error(proto: Any, answer: MockResponse) -> None:
    assert isinstance(answer.body, bytes)
    headers = answer.all_headers()
    proto.response_bytes(answer.status, headers, answer.body)


def read_timeout(path: str, deadline: float) -> MockResponse:
    return simple_error(
        408,
        "body.timeout",
        f"the request body did not arrive within {deadline:g} s",
        dialect=dialect_of_path(path),
        headers=[("connection", "close")],
    )


def cut_short(path: str) -> MockResponse:
    return simple_error(
        400,
        "body.unreadable",
        "the request body ended before it was complete (its declared Content-Length or its "
        "last chunk)",
        dialect=dialect_of_path(path),
        headers=[("connection", "close")],
    )


def unreadable_header(path: str, name: str) -> MockResponse:
    return simple_error(
        400,
        "http.header",
        f"the {name!r} header holds bytes that are not ASCII: header values are ASCII text "
        "(RFC 9110), and the mock cannot read this one",
        dialect=dialect_of_path(path),
    )


async def read_stream(proto: Any, limit: int) -> bytes:
    """A body sent without a length, read up to one byte past `limit` (enough to refuse it)."""
    parts: list[bytes] = []
    size = 0
    async for part in proto:
        if not part:
            break
        parts.append(part)
        size += len(part)
        if size > limit:
            break
    return b"".join(parts)


async def _nothing() -> bytes:
    return b""


def _start(
    app: WSGIApplication, environ: WSGIEnvironment
) -> tuple[int, Headers, bytes, Iterator[bytes] | None, Iterable[bytes]]:
    """Call the app: its status, headers and first chunk, and the rest of its answer (None when
    it declared a length: then the whole body is the first chunk)."""
    started: list[Any] = []

    def start_response(status: str, headers: Headers, exc_info: Any = None) -> Any:
        if exc_info is not None and started:
            raise exc_info[1].with_traceback(exc_info[2])
        started[:] = [status, headers]
        return _no_write

    result = app(environ, start_response)
    chunks = iter(result)
    first = b""
    if started and any(name.lower() == "content-length" for name, _ in started[1]):
        first = b"".join(chunks)
        rest: Iterator[bytes] | None = None
    else:
        first = next(chunks, b"")
        rest = chunks
    if not started:
        raise RuntimeError("the WSGI app returned without calling start_response")
    status, headers = started
    return int(status[:3]), list(headers), first, rest, result


def _no_write(data: bytes) -> None:
    raise NotImplementedError("write() of start_response is not supported: return an iterable")


def wsgi_environ(scope: Any, body: bytes) -> WSGIEnvironment:
    server_host, _, server_port = scope.server.rpartition(":")
    client = scope.client.rpartition(":")[0]
    environ: dict[str, Any] = {
        "REQUEST_METHOD": scope.method,
        "SCRIPT_NAME": "",
        # WSGI's native strings: the path's bytes, read as Latin-1.
        "PATH_INFO": scope.path.encode("utf-8").decode("latin-1"),
        "QUERY_STRING": scope.query_string,
        "SERVER_NAME": server_host.strip("[]"),
        "SERVER_PORT": server_port,
        "SERVER_PROTOCOL": f"HTTP/{scope.http_version}",
        "REMOTE_ADDR": client.strip("[]"),
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": scope.scheme,
        "wsgi.input": io.BytesIO(body),
        "wsgi.input_terminated": True,
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    for name, value in scope.headers.items():
        key = name.upper().replace("-", "_")
        if key not in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            key = "HTTP_" + key
        environ[key] = f"{environ[key]},{value}" if key in environ else value
    return environ
