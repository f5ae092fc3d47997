"""Hostile raw requests against `llama-contract serve`, where gunicorn parses HTTP itself.

gunicorn refuses a request it cannot parse (a garbage request line, a broken header, broken chunked
framing, an unknown transfer coding) before the app sees it. Out of the box it answers with an HTML
page, and with 501 for an unknown transfer coding; `mockserver.serving` makes that a JSON 4xx with
`Connection: close`, so the same property holds as for the app: a JSON 4xx or a clean close.
"""

from __future__ import annotations

from hostile_requests import framed_requests, garbage_request_lines
from hostile_wire import assert_clean, assert_still_serves, exchange
from hypothesis import HealthCheck, given, settings

SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@SETTINGS
@given(request=framed_requests())
def test_hostile_bodies_and_framing_on_gunicorn(
    gunicorn_address: tuple[str, int], request: bytes
) -> None:
    host, port = gunicorn_address
    assert_clean(exchange(host, port, request))
    assert_still_serves(host, port)


@SETTINGS
@given(request=garbage_request_lines)
def test_garbage_request_lines_on_gunicorn(
    gunicorn_address: tuple[str, int], request: bytes
) -> None:
    host, port = gunicorn_address
    answers = assert_clean(exchange(host, port, request))
    for answer in answers:
        if answer.status >= 400:
            assert answer.headers.get("connection") == "close", answer
    assert_still_serves(host, port)
