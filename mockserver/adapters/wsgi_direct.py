"""The hot path: plain API requests go from the WSGI environ to `MockService` and back to the
server without a Flask request context, routing or werkzeug `Headers` (about half of each request
on the profile of issue #12). Everything else takes the Flask app as before: other methods,
bodies without a declared length or over the limit, paths that are not plain ASCII, and answers
whose headers need werkzeug's checks. An error of ours goes to the Flask app's error handlers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import TYPE_CHECKING

from mockserver.core.errors import simple_error
from mockserver.core.http import MockRequest, MockResponse
from mockserver.core.routes import dialect_of_path

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment
    from flask import Flask

    from mockserver.core.service import MockService

_STATUS_LINES = {status.value: f"{status.value} {status.phrase}" for status in HTTPStatus}
_DIRECT_METHODS = frozenset(("GET", "POST"))


class DirectWSGI:
    def __init__(
        self,
        app: Flask,
        service: MockService,
        slow_path: WSGIApplication,
        to_response: Callable[[MockResponse], WSGIApplication],
        after: Callable[[MockResponse, WSGIEnvironment], None],
    ) -> None:
        self._app = app
        self._service = service
        self._slow_path = slow_path
        self._to_response = to_response
        self._after = after
        self._limit = service.config.max_body_bytes

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        request = self._request(environ)
        if request is None:
            return self._slow_path(environ, start_response)
        if request.content_length is not None and len(request.body) != request.content_length:
            answer = simple_error(
                400,
                "body.unreadable",
                "the request body ended before its declared Content-Length",
                dialect=dialect_of_path(environ["PATH_INFO"]),
                headers=[("Connection", "close")],
            )
            return self._to_response(answer)(environ, start_response)
        try:
            answer = self._service.handle(request)
        except Exception as exc:  # a bug of ours: the app's own handler answers (JSON 500)
            with self._app.request_context(environ):
                failure = self._app.make_response(self._app.handle_user_exception(exc))
            return failure(environ, start_response)
        self._after(answer, environ)
        headers = answer.all_headers()
        status = _STATUS_LINES.get(answer.status)
        if status is None or not plain_headers(headers):
            return self._to_response(answer)(environ, start_response)
        if isinstance(answer.body, bytes):
            if answer.status >= 200 and answer.status != 204:  # HTTP: never on 1xx or 204
                headers.append(("Content-Length", str(len(answer.body))))
            start_response(status, headers)
            return [answer.body]
        start_response(status, headers)
        return answer.body

    def _request(self, environ: WSGIEnvironment) -> MockRequest | None:
        method = environ["REQUEST_METHOD"]
        path = environ.get("PATH_INFO") or ""
        if (
            method not in _DIRECT_METHODS
            or not path.startswith("/")
            or not path.isascii()
            or "HTTP_TRANSFER_ENCODING" in environ  # the server's framing: Flask reads it
        ):
            return None
        declared_text = environ.get("CONTENT_LENGTH") or ""
        if declared_text:
            if not declared_text.isdigit() or int(declared_text) > self._limit:
                return None
            declared: int | None = int(declared_text)
        elif method == "POST":
            return None
        else:
            declared = None
        body = environ["wsgi.input"].read(declared) if declared else b""
        headers = environ_headers(environ)
        return MockRequest(
            method=method,
            path=path,
            headers=headers,
            body=body,
            content_length=declared,
            remote_addr=environ.get("REMOTE_ADDR") or "",
        )


def environ_headers(environ: WSGIEnvironment) -> dict[str, str]:
    """The request's headers from a WSGI environ, with lower-case names."""
    headers = {
        key[5:].replace("_", "-").lower(): value
        for key, value in environ.items()
        if key.startswith("HTTP_")
    }
    if environ.get("CONTENT_TYPE"):
        headers["content-type"] = environ["CONTENT_TYPE"]
    return headers


def plain_headers(headers: list[tuple[str, str]]) -> bool:
    """Whether every header is ASCII with no line break or NUL (safe to hand to the server)."""
    text = "".join([text for header in headers for text in header])
    return text.isascii() and "\r" not in text and "\n" not in text and "\x00" not in text
