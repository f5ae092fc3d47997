"""A live mock server in a background thread of the current process, for tests.

`LiveServer(service).start()` serves `create_app(service=service)` on werkzeug's threaded server
bound to 127.0.0.1 on a free port, and returns once a `GET /health` answers. Exceptions raised while
the app handles a request (a bug, not a client's mistake) are kept and re-raised in the test by
`raise_errors()`, so a test sees the traceback and not only a 500. `LiveApp(app)` serves any other
WSGI app the same way (tests' deliberately broken servers).
"""

from __future__ import annotations

import http.client
import io
import json
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator
from typing import IO, TYPE_CHECKING, Any, Self, cast

from werkzeug.serving import BaseWSGIServer, DechunkedInput, WSGIRequestHandler, make_server

from mockserver.adapters.flask_app import create_app

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

    from mockserver.core.service import MockService

__all__ = ["LiveApp", "LiveServer", "LiveServerError"]

READY_TIMEOUT_S = 10.0


class LiveServerError(RuntimeError):
    """The live server could not start or did not answer its health check."""


class _QuietRequestHandler(WSGIRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive and chunked streams, as a production server does

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass  # one stderr line per request would drown the test output

    def connection_dropped(
        self, error: BaseException, environ: WSGIEnvironment | None = None
    ) -> None:
        # A body that cuts the connection (the truncate_stream fault), even before its first
        # event: close the socket, or the client waits forever for an answer on a kept-alive one.
        self.close_connection = True

    def make_environ(self) -> WSGIEnvironment:
        environ = super().make_environ()
        if isinstance(environ["wsgi.input"], DechunkedInput):
            environ["wsgi.input"] = DechunkedInput(cast("IO[bytes]", _ExactReader(self.rfile)))
        return environ

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        # Requests too broken to reach the app (a garbage request line): a JSON error, as the app
        # gives, instead of http.server's HTML page.
        detail = message or self.responses.get(code, ("Error", ""))[0]
        if code >= 500:  # 505 for "HTTP/9.9": still the client's mistake, never a 5xx
            code = 400
        title = self.responses.get(code, ("Error", ""))[0]
        self.send_response(code, title)
        self.send_header("Connection", "close")
        body = json.dumps(
            {"title": title, "detail": detail, "status": code, "errors": []}, ensure_ascii=True
        ).encode()
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


class _ExactReader:
    """A request stream whose `read(n)` fails instead of returning fewer than n bytes.

    werkzeug's chunked-body reader counts a chunk as fully read even when the client sent less
    than the chunk size promised; CPython then copies bytes past the end of the buffer and the
    whole process can crash (a segfault, seen with a chunk size of 2**76 and a short body).
    """

    def __init__(self, stream: io.BufferedIOBase) -> None:
        self._stream = stream

    def read(self, size: int) -> bytes:
        data = self._stream.read(size)
        if len(data) < size:
            raise OSError("the request body ended inside a chunk")
        return data

    def readline(self, size: int = -1) -> bytes:
        return self._stream.readline(size)


class _LiveThread(ABC):
    """A WSGI app on 127.0.0.1 in a daemon thread; `start()` once, `stop()` at the end."""

    ready_path = "/"

    def __init__(self, *, host: str, port: int) -> None:
        self.host = host
        self.port = port
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None
        self._errors: list[BaseException] = []
        self._errors_lock = threading.Lock()

    @property
    def base_url(self) -> str:
        """The root URL, e.g. `http://127.0.0.1:40123`."""
        if self._server is None:
            raise LiveServerError("the live server is not started")
        return f"http://{self.host}:{self._server.port}"

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> Self:
        if self._server is not None:
            raise LiveServerError("the live server is already started")
        app = _ErrorKeepingMiddleware(self._wsgi_app(), self._keep)
        try:
            server = make_server(
                self.host, self.port, app, threaded=True, request_handler=_QuietRequestHandler
            )
        except SystemExit:  # werkzeug prints the reason and exits when it cannot bind
            raise LiveServerError(f"cannot listen on {self.host}:{self.port}") from None
        self._server = server
        self._thread = threading.Thread(
            target=self._serve, name=f"llama-mock-{server.port}", daemon=True
        )
        self._thread.start()
        self._wait_ready()
        return self

    def stop(self) -> None:
        server, thread = self._server, self._thread
        if server is None or thread is None:
            return
        server.shutdown()
        thread.join()
        server.server_close()
        self._server = None
        self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def raise_errors(self) -> None:
        """Re-raise the first exception the server thread met since the last call, if any."""
        with self._errors_lock:
            errors, self._errors = self._errors, []
        if not errors:
            return
        first = errors[0]
        first.add_note("(raised in the llama mock server thread while it answered a request)")
        if len(errors) > 1:
            first.add_note(f"{len(errors) - 1} more error(s) were raised in the server thread")
        raise first

    @abstractmethod
    def _wsgi_app(self) -> WSGIApplication: ...

    @abstractmethod
    def _is_ready(self, status: int) -> bool: ...

    def _keep(self, exc: BaseException) -> None:
        with self._errors_lock:
            self._errors.append(exc)

    def _serve(self) -> None:
        assert self._server is not None
        try:
            self._server.serve_forever(poll_interval=0.02)
        except BaseException as exc:
            self._keep(exc)

    def _wait_ready(self) -> None:
        assert self._server is not None
        connection = http.client.HTTPConnection(
            self.host, self._server.port, timeout=READY_TIMEOUT_S
        )
        try:
            connection.request("GET", self.ready_path)
            status = connection.getresponse().status
        except OSError as exc:
            self.stop()
            raise LiveServerError(
                f"the server did not answer GET {self.ready_path}: {exc}"
            ) from None
        finally:
            connection.close()
        if not self._is_ready(status):
            self.stop()
            raise LiveServerError(f"the live server answered GET {self.ready_path} with {status}")


class LiveServer(_LiveThread):
    """The mock (`create_app(service=service)`) on a live server; ready once `GET /health` is 200.
    The native API is at `base_url + "/v1"`."""

    ready_path = "/health"

    def __init__(self, service: MockService, *, host: str = "127.0.0.1", port: int = 0) -> None:
        super().__init__(host=host, port=port)
        self.service = service

    def _wsgi_app(self) -> WSGIApplication:
        app = create_app(service=self.service)
        unexpected = app.error_handler_spec[None][None][Exception]

        def keep_and_answer(exc: Exception) -> Any:
            self._keep(exc)
            return unexpected(exc)

        app.register_error_handler(Exception, keep_and_answer)
        return app

    def _is_ready(self, status: int) -> bool:
        return status == 200


class LiveApp(_LiveThread):
    """Any WSGI app on a live server, for tests that need a server other than the mock (one that
    breaks the contract on purpose); ready once it answers `GET /` with any status."""

    def __init__(self, app: WSGIApplication, *, host: str = "127.0.0.1", port: int = 0) -> None:
        super().__init__(host=host, port=port)
        self.app = app

    def _wsgi_app(self) -> WSGIApplication:
        return self.app

    def _is_ready(self, status: int) -> bool:
        return True


class _ErrorKeepingMiddleware:
    """Keeps exceptions that escape the app, including those raised while a stream is sent."""

    def __init__(self, app: WSGIApplication, keep: Callable[[BaseException], None]) -> None:
        self._app = app
        self._keep = keep

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        try:
            body = self._app(environ, start_response)
        except Exception as exc:
            self._keep(exc)
            raise
        return _KeptErrorsBody(body, self._keep)


class _KeptErrorsBody:
    def __init__(self, body: Iterable[bytes], keep: Callable[[BaseException], None]) -> None:
        self._body = body
        self._keep = keep

    def __iter__(self) -> Iterator[bytes]:
        try:
            yield from self._body
        except (ConnectionError, TimeoutError):
            raise  # the client went away: not an error of the server
        except Exception as exc:
            self._keep(exc)
            raise

    def close(self) -> None:
        close = getattr(self._body, "close", None)
        if close is not None:
            close()
