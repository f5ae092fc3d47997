"""Every size and depth limit, at the limit and one past it."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask.testing import FlaskClient
from hostile_wire import exchange, parse_answers

from contract.reading import DEFAULT_MAX_DEPTH, DEFAULT_MAX_NUMBER_DIGITS
from mockserver import MockConfig, MockService, create_app
from mockserver.adapters.live import LiveServer

AUTH = {"Authorization": "Bearer key"}
CHAT = {
    "model": "Llama-4-Maverick-17B-128E-Instruct-FP8",
    "messages": [{"role": "user", "content": "hello"}],
}
BODY_LIMIT = 4096


def _client(**settings: Any) -> FlaskClient:
    return create_app(MockConfig(**settings)).test_client()


def _padded(size: int) -> bytes:
    """A valid chat request of exactly `size` bytes (JSON whitespace pads it)."""
    body = json.dumps(CHAT).encode()
    return body[:-1] + b" " * (size - len(body)) + b"}"


def _post(client: FlaskClient, body: bytes, path: str = "/v1/chat/completions") -> Any:
    return client.post(path, data=body, headers=AUTH, content_type="application/json")


@pytest.mark.parametrize(
    "path", ["/v1/chat/completions", "/compat/v1/chat/completions", "/v1/moderations"]
)
def test_a_body_at_the_size_limit_is_read_and_one_byte_more_is_413(path: str) -> None:
    client = _client(max_body_bytes=BODY_LIMIT)
    body = _padded(BODY_LIMIT)
    if path.endswith("moderations"):
        body = json.dumps({"messages": CHAT["messages"]}).encode()
        body = body[:-1] + b" " * (BODY_LIMIT - len(body)) + b"}"
    assert len(body) == BODY_LIMIT
    assert _post(client, body, path).status_code == 200
    over = _post(client, body[:-1] + b" }", path)
    assert over.status_code == 413
    document = over.get_json()
    errors = document["errors"] if "errors" in document else document["error"]["errors"]
    assert errors[0]["rule"] == "body.too_large"
    assert f"{BODY_LIMIT + 1} bytes" in errors[0]["message"]


def _chunked(body: bytes) -> bytes:
    half = len(body) // 2
    parts = [body[:half], body[half:]]
    framed = b"".join(f"{len(p):x}\r\n".encode() + p + b"\r\n" for p in parts)
    return (
        b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer key\r\n"
        b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
        b"Connection: close\r\n\r\n" + framed + b"0\r\n\r\n"
    )


def test_a_chunked_body_without_a_length_is_held_to_the_same_limit() -> None:
    server = LiveServer(MockService(MockConfig(max_body_bytes=BODY_LIMIT))).start()
    try:
        host, port = server.base_url.removeprefix("http://").rsplit(":", 1)
        at_limit = parse_answers(exchange(host, int(port), _chunked(_padded(BODY_LIMIT))))
        assert [a.status for a in at_limit] == [200]
        over = _padded(BODY_LIMIT)[:-1] + b" }"
        past = parse_answers(exchange(host, int(port), _chunked(over)))
        assert [a.status for a in past] == [413]
        server.raise_errors()
    finally:
        server.stop()


def _nested_request(depth: int) -> bytes:
    # The request object is level 1; an unknown field holding depth-1 nested arrays reaches `depth`.
    inner = "[" * (depth - 1) + "]" * (depth - 1)
    return json.dumps(CHAT).encode()[:-1] + f', "nesting": {inner}}}'.encode()


def test_json_nesting_at_the_depth_limit_is_read_and_one_more_is_refused() -> None:
    client = _client()
    assert DEFAULT_MAX_DEPTH == 64
    at_limit = _post(client, _nested_request(DEFAULT_MAX_DEPTH))
    assert at_limit.status_code == 200, at_limit.get_data()
    assert "field.unknown" in at_limit.headers["x-contract-warnings"]
    past = _post(client, _nested_request(DEFAULT_MAX_DEPTH + 1))
    assert past.status_code == 400
    assert past.get_json()["errors"][0]["rule"] == "json.too_deep"


def test_a_configured_depth_limit_applies() -> None:
    client = _client(max_depth=8)
    assert _post(client, _nested_request(8)).status_code == 200
    assert _post(client, _nested_request(9)).get_json()["errors"][0]["rule"] == "json.too_deep"


def _with_number(literal: str) -> bytes:
    return json.dumps(CHAT).encode()[:-1] + f', "big": {literal}}}'.encode()


@pytest.mark.parametrize("sign", ["", "-"])
def test_an_integer_at_the_digit_limit_is_read_and_one_digit_more_is_refused(sign: str) -> None:
    client = _client()
    digits = DEFAULT_MAX_NUMBER_DIGITS
    assert _post(client, _with_number(sign + "9" * digits)).status_code == 200
    past = _post(client, _with_number(sign + "9" * (digits + 1)))
    assert past.status_code == 400
    assert past.get_json()["errors"][0]["rule"] == "json.number_too_large"


def test_a_number_literal_at_the_length_limit_is_read_and_one_more_is_refused() -> None:
    client = _client()
    length = DEFAULT_MAX_NUMBER_DIGITS + 10
    literal = "1." + "5" * (length - 2)
    assert _post(client, _with_number(literal)).status_code == 200
    past = _post(client, _with_number(literal + "5"))
    assert past.status_code == 400
    assert past.get_json()["errors"][0]["rule"] == "json.number_too_large"


def test_a_number_overflowing_a_double_is_refused() -> None:
    answer = _post(_client(), _with_number("1e400"))
    assert answer.status_code == 400
    assert answer.get_json()["errors"][0]["rule"] == "json.number_too_large"


@pytest.mark.parametrize("size", [1, 5])
def test_the_journal_keeps_exactly_its_size_newest_first_out(size: int) -> None:
    client = _client(journal_size=size)
    ids = []
    for _ in range(size + 3):
        answer = _post(client, json.dumps(CHAT).encode())
        ids.append(answer.headers["x-request-id"])
    journal = client.get("/_mock/journal").get_json()
    assert journal["count"] == size
    assert [entry["id"] for entry in journal["entries"]] == ids[-size:]


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("name: x\nsteps: " + "9" * 5000, "application/yaml"),
        ('{"name": "x", "steps": ' + "9" * 5000 + "}", "application/json"),
    ],
)
def test_an_integer_past_pythons_digit_limit_in_a_scenario_is_a_400(
    body: str, content_type: str
) -> None:
    answer = _client().post("/_mock/scenarios", data=body, content_type=content_type)
    assert answer.status_code == 400
    assert answer.get_json()["errors"][0]["rule"] == "scenario.invalid"


@pytest.mark.parametrize("path", ["/_mock/scenarios", "/_mock/faults"])
@pytest.mark.parametrize(
    "body",
    ["[" * 100_000 + "]" * 100_000, "name: \x01x\nsteps: []\n", "\x00", "9" * 5000],
)
@pytest.mark.parametrize("content_type", ["application/json", "application/yaml"])
def test_admin_bodies_too_deep_or_unreadable_are_a_400(
    path: str, body: str, content_type: str
) -> None:
    answer = _client().post(path, data=body, content_type=content_type)
    assert answer.status_code == 400, answer.get_data()[:300]
