"""The seed page's example and the bad input the mock must answer cleanly, over raw HTTP."""

from __future__ import annotations

import http.client
import json
import re
import socket
from pathlib import Path

import pytest
from integration_support import API_KEY, MODEL

from contract import validate_response

SEED = Path(__file__).resolve().parents[1] / "data" / "llama-api-chat-completion.txt"


def seed_curl() -> tuple[str, dict[str, str], str]:
    """The curl example of the seed page: its URL, headers and body."""
    text = SEED.read_text()
    url = re.search(r'curl "([^"]+)"', text).group(1)
    headers = dict(h.split(": ", 1) for h in re.findall(r'-H "([^"]+)"', text))
    body = re.search(r"-d '(.*?)'\s*$", text, re.S | re.M).group(1)
    return url, headers, body


def send(mock, method: str, path: str, body: bytes | None = None, headers=None):
    host, port = mock.base_url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    base = {"Authorization": f"Bearer {API_KEY}", "Content-Type": "application/json"}
    connection.request(method, path, body=body, headers={**base, **(headers or {})})
    response = connection.getresponse()
    data = response.read()
    connection.close()
    return response, data


def test_the_seed_example_with_the_base_url_swapped(mock):
    url, headers, body = seed_curl()
    assert url == "https://api.llama.com/v1/chat/completions"
    headers["Authorization"] = headers["Authorization"].replace("$LLAMA_API_KEY", API_KEY)
    response, data = send(
        mock, "POST", url.removeprefix("https://api.llama.com"), body.encode(), headers
    )
    assert response.status == 200
    document = json.loads(data)
    assert validate_response(document).ok
    assert "capital of France" in document["completion_message"]["content"]["text"]
    warnings = json.loads(response.getheader("x-contract-warnings"))
    assert [(w["rule"], w["path"]) for w in warnings] == [("field.unknown", "/max_tokens")]
    assert "max_completion_tokens" in warnings[0]["message"]


def _error(data: bytes, status: int) -> dict:
    document = json.loads(data)
    assert document["status"] == status
    assert document["errors"], document
    return document


@pytest.mark.parametrize(
    ("body", "headers", "status", "rule"),
    [
        (b'{"model": "m", "messages": [', {}, 400, "json.invalid"),
        (b'{"model": "\xff\xfe"}', {}, 400, "json.invalid"),
        (b'{"model": "m", "temperature": NaN, "messages": []}', {}, 400, "json.invalid"),
        (b"[" * 5000 + b"]" * 5000, {}, 400, "json.too_deep"),
        (b'["a list"]', {}, 400, "body.not_object"),
        (
            b'{"model":"m","messages":[]}',
            {"Content-Type": "application/x-www-form-urlencoded"},
            400,
            "http.content_type",
        ),
        (b'{"model":"m","messages":[]}', {"Authorization": ""}, 401, "auth.missing"),
        (b'{"model":"m","messages":[]}', {"Authorization": "Basic abc"}, 401, "auth.missing"),
    ],
)
def test_bad_input_is_a_json_error(mock, body, headers, status, rule):
    response, data = send(mock, "POST", "/v1/chat/completions", body, headers)
    assert response.status == status
    assert response.getheader("Content-Type").startswith("application/json")
    assert _error(data, status)["errors"][0]["rule"] == rule


def test_body_over_the_limit_is_refused_from_content_length(start_mock):
    small = start_mock(max_body_bytes=1000)
    host, port = small.base_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        # Announce a large body but send none of it: the answer must come from the header alone.
        sock.sendall(
            b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Authorization: Bearer k\r\nContent-Length: 5000000\r\n\r\n"
        )
        head = sock.recv(65536)
    assert head.startswith(b"HTTP/1.1 413")


@pytest.mark.parametrize(
    ("method", "path", "status", "rule"),
    [
        ("GET", "/v1/chat/completions", 405, "http.method"),
        ("POST", "/v2/nothing", 404, "http.not_found"),
    ],
)
def test_wrong_method_and_unknown_path(mock, method, path, status, rule):
    response, data = send(mock, method, path, b"{}")
    assert response.status == status
    assert _error(data, status)["errors"][0]["rule"] == rule


def test_compat_errors_are_openai_shaped(mock):
    response, data = send(mock, "POST", "/compat/v1/chat/completions", b"{not json")
    assert response.status == 400
    assert json.loads(data)["error"]["code"] == "json.invalid"


def test_client_disconnecting_mid_stream_leaves_the_server_serving(start_mock):
    paced = start_mock(tokens_per_second=200)
    host, port = paced.base_url.removeprefix("http://").split(":")
    body = json.dumps(
        {
            "model": "m",
            "stream": True,
            "messages": [{"role": "user", "content": "a long answer please"}],
        }
    )
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(
            f"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            f"Authorization: Bearer k\r\nContent-Length: {len(body)}\r\n\r\n{body}".encode()
        )
        assert sock.recv(1024).startswith(b"HTTP/1.1 200")
    response, data = send(paced, "GET", "/v1/models")
    assert response.status == 200
    assert json.loads(data)["data"]


def test_openapi_document_is_served(mock):
    response, data = send(mock, "GET", "/openapi.json")
    assert response.status == 200
    document = json.loads(data)
    assert document["openapi"].startswith("3.1")
    assert "/v1/chat/completions" in document["paths"]
    assert "/compat/v1/chat/completions" in document["paths"]


def test_health(mock):
    response, data = send(mock, "GET", "/health", headers={"Authorization": ""})
    assert response.status == 200
    assert json.loads(data) == {"status": "ok"}


def test_thousands_of_unknown_fields_get_a_capped_warnings_header(mock):
    request = {"model": MODEL, "messages": [{"role": "user", "content": "Hi"}]}
    request.update({f"unknown_field_{n}": n for n in range(3000)})
    headers = {"Authorization": f"Bearer {API_KEY}", "Content-Type": "application/json"}
    response, _ = send(mock, "POST", "/v1/chat/completions", json.dumps(request).encode(),
                          headers)
    assert response.status == 200
    header = response.getheader("x-contract-warnings")
    assert len(header) <= 4096
    kept = json.loads(header)
    assert kept[0] == {"rule": "field.unknown", "path": "/unknown_field_0",
                       "message": kept[0]["message"]}
    assert len(kept) + int(response.getheader("x-contract-warnings-omitted")) == 3000
    request_id = response.getheader("x-request-id")
    entry = next(e for e in mock.service.store.journal_entries() if e.id == request_id)
    assert len(entry.validation.warnings) == 3000
