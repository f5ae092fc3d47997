"""Hostile raw requests against `llama-contract serve`, where granian parses HTTP itself.

granian refuses bytes it cannot parse as HTTP (a garbage request line, a broken header, broken
chunked framing) before the app sees them, with an empty 400 and a closed connection. Everything
that reaches the app gets the app's JSON 4xx. Never a 5xx, never a hang, and the server still
answers the next request.
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
def test_hostile_bodies_and_framing_on_granian(
    granian_address: tuple[str, int], request: bytes
) -> None:
    host, port = granian_address
    assert_clean(exchange(host, port, request), server_refusals=True)
    assert_still_serves(host, port)


@SETTINGS
@given(request=garbage_request_lines)
def test_garbage_request_lines_on_granian(
    granian_address: tuple[str, int], request: bytes
) -> None:
    host, port = granian_address
    answers = assert_clean(exchange(host, port, request), server_refusals=True)
    for answer in answers:
        if answer.status >= 400 and answer.body:  # the app's answer to a request it read
            assert answer.headers.get("connection") == "close", answer
    assert_still_serves(host, port)
