"""The Flask app: a thin WSGI adapter over `MockService`, which holds all behaviour."""

from __future__ import annotations

import socket
from typing import Any

from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException

from mockserver.adapters.wsgi_direct import DirectWSGI, environ_headers
from mockserver.config import MockConfig
from mockserver.core.errors import internal_error, simple_error
from mockserver.core.http import MockRequest, MockResponse
from mockserver.core.routes import dialect_of_path
from mockserver.core.service import MockService

_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"]
_EXTENSION = "llama_mock"


def create_app(config: MockConfig | None = None, *, service: MockService | None = None) -> Flask:
    """A Flask app serving the Llama API mock. Pass a `MockConfig`, or a `MockService` to share."""
    mock = service or MockService(config)
    app = Flask("mockserver")
    app.extensions[_EXTENSION] = mock

    @app.route("/", defaults={"path": ""}, methods=_METHODS)
    @app.route("/<path:path>", methods=_METHODS)
    def dispatch(path: str) -> Response:
        current = request._get_current_object()  # type: ignore[attr-defined]
        environ = current.environ
        limit = mock.config.max_body_bytes
        declared = current.content_length
        try:
            body = (
                b"" if declared is not None and declared > limit else current.stream.read(limit + 1)
            )
        except (OSError, ValueError) as exc:  # WSGI servers' errors for broken framing
            return _unreadable_body(path, exc)
        headers = environ_headers(environ)
        answer = mock.handle(
            MockRequest(
                method=current.method,
                path=current.path,
                headers=headers,
                body=body,
                content_length=declared,
                remote_addr=current.remote_addr or "",
            )
        )
        if answer.reset:
            _reset_connection(environ)
        return flask_response(answer)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Response:
        status = exc.code or 400
        # A method outside _METHODS (TRACE, ...) or a path the URL rule cannot match (a newline):
        # the service answers, with the Allow header and journal entry it gives every request.
        if status in (404, 405):
            return dispatch(request.path)
        answer = simple_error(
            status,
            "json.invalid",
            exc.description or exc.name,
            dialect=dialect_of_path(request.path),
        )
        return flask_response(answer)

    @app.errorhandler(Exception)
    def unexpected(exc: Exception) -> Response:  # a bug of ours: still JSON, never an HTML page
        app.logger.exception("unhandled error")
        return flask_response(internal_error(exc))

    app.wsgi_app = DirectWSGI(  # type: ignore[method-assign]
        app, mock, app.wsgi_app, flask_response, _after_answer
    )
    return app


def _after_answer(answer: MockResponse, environ: dict[str, Any]) -> None:
    if answer.reset:
        _reset_connection(environ)


def service_of(app: Flask) -> MockService:
    """The `MockService` behind an app made by `create_app`."""
    service: MockService = app.extensions[_EXTENSION]
    return service


def _unreadable_body(path: str, exc: Exception) -> Response:
    """400 for a body the WSGI server could not read (broken chunked encoding, cut short)."""
    answer = simple_error(
        400,
        "body.unreadable",
        f"the request body could not be read: {exc or type(exc).__name__}",
        dialect=dialect_of_path("/" + path),
        headers=[("Connection", "close")],  # the framing is lost: do not read another request
    )
    return flask_response(answer)


def flask_response(answer: MockResponse) -> Response:
    """The Flask response (a WSGI app) that sends `answer`."""
    body: Any = answer.body
    headers = answer.all_headers()
    response = Response(body, answer.status, headers=headers)
    if not any(name.lower() == "content-type" for name, _ in headers):
        del response.headers["Content-Type"]  # werkzeug's default type, on an answer with no body
    if answer.streaming:
        response.direct_passthrough = True
    return response


def _reset_connection(environ: dict[str, Any]) -> None:
    sock = environ.get("gunicorn.socket") or environ.get("werkzeug.socket")
    if isinstance(sock, socket.socket):
        try:
            sock.setsockopt(
                socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00"
            )
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
