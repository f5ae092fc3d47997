"""Hostile raw requests against `llama-contract serve`, where granian parses HTTP itself.

granian refuses bytes it cannot parse as HTTP (a garbage request line, a broken header, broken
chunked framing) before the app sees them, with an empty 400 and a closed connection. Everything
that reaches the app gets the app's JSON 4xx. Never a 5xx, never a hang, and the server still
answers the next request.
"""

from __future__ import annotations

import pytest
from hostile_requests import framed_requests, garbage_request_lines
from hostile_wire import assert_clean, assert_still_serves, exchange, good_request, parse_answers
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


def _with_header(host: str, port: int, line: bytes) -> bytes:
    """The good request with one more header line, as raw bytes."""
    request = good_request(host, port)
    head, _, body = request.partition(b"\r\n\r\n")
    return head + b"\r\n" + line + b"\r\n\r\n" + body


@pytest.mark.parametrize(
    "line",
    [b"Authorization: Bearer cl\xc3\xa9", b"x-mock-fault: status=5\xff3", b"Prefer: code=\xe9"],
)
def test_a_read_header_that_is_not_ascii_is_named_in_a_400(
    granian_address: tuple[str, int], line: bytes
) -> None:
    """granian hands the app only ASCII header values: such a header is refused by name, not
    read as missing (an API key sent in UTF-8 used to get "send a non-empty key")."""
    host, port = granian_address
    if line.startswith(b"Authorization"):  # the only Authorization header of the request
        request = good_request(host, port).replace(b"Authorization: Bearer hostile\r\n", b"")
        head, _, body = request.partition(b"\r\n\r\n")
        request = head + b"\r\n" + line + b"\r\n\r\n" + body
    else:
        request = _with_header(host, port, line)
    [answer] = parse_answers(exchange(host, port, request, half_close=False))
    assert answer.status == 400, answer
    document = answer.json()
    name = line.split(b":")[0].decode().lower()
    assert document["errors"][0]["rule"] == "http.header"
    assert repr(name) in document["errors"][0]["message"]


def test_other_headers_that_are_not_ascii_do_not_stop_a_request(
    granian_address: tuple[str, int],
) -> None:
    host, port = granian_address
    request = _with_header(host, port, "User-Agent: Zoë's app".encode())
    [answer] = parse_answers(exchange(host, port, request, half_close=False))
    assert answer.status == 200, answer
