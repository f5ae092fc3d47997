"""Hostile raw requests over real sockets: every answer is a JSON 4xx or a clean close, never a 5xx
or a hang, and the server answers a good request afterwards."""

from __future__ import annotations

from hostile_requests import framed_requests, garbage_request_lines
from hostile_wire import assert_clean, assert_still_serves, exchange
from hypothesis import HealthCheck, given, settings

from mockserver.adapters.live import LiveServer

SETTINGS = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)


def _address(live: LiveServer) -> tuple[str, int]:
    host, port = live.base_url.removeprefix("http://").rsplit(":", 1)
    return host, int(port)


@SETTINGS
@given(request=framed_requests())
def test_hostile_bodies_and_framing_get_json_4xx_or_close(live: LiveServer, request: bytes) -> None:
    host, port = _address(live)
    assert_clean(exchange(host, port, request))
    live.raise_errors()
    assert_still_serves(host, port)


@settings(SETTINGS, max_examples=60)
@given(request=garbage_request_lines)
def test_garbage_request_lines_get_json_4xx_or_close(live: LiveServer, request: bytes) -> None:
    host, port = _address(live)
    assert_clean(exchange(host, port, request))
    live.raise_errors()
    assert_still_serves(host, port)
