"""A scenario step answering 204 or 205 through `llama-contract serve` (granian): the status line
and headers, then nothing, whether the request asked for a stream or not."""

from __future__ import annotations

import json
import socket
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

MODEL = "Llama-4-Maverick-17B-128E-Instruct-FP8"
CLI = [sys.executable, "-m", "mockserver.cli.main"]
BOUND_S = 30.0  # a bound against hangs, not a speed claim


def _raw_exchange(url: str, scenario: str, *, stream: bool) -> bytes:
    """Everything the server sends for one chat request on a connection it then closes."""
    where = urlsplit(url)
    assert where.hostname is not None
    assert where.port is not None
    body = json.dumps({"model": MODEL, "stream": stream,
                       "messages": [{"role": "user", "content": "hi"}]}).encode()  # fmt: skip
    head = (f"POST /v1/chat/completions HTTP/1.1\r\nHost: {where.netloc}\r\n"
            "Authorization: Bearer k\r\nContent-Type: application/json\r\n"
            f"x-mock-scenario: {scenario}\r\nContent-Length: {len(body)}\r\n"
            "Connection: close\r\n\r\n")  # fmt: skip
    with socket.create_connection((where.hostname, where.port), timeout=BOUND_S) as connection:
        connection.sendall(head.encode() + body)
        received = b""
        while chunk := connection.recv(65536):
            received += chunk
    return received


@pytest.mark.parametrize("status", [204, 205])
def test_a_bodiless_step_is_a_status_line_and_headers_only(
    launch, tmp_path: Path, status: int
) -> None:
    (tmp_path / "bare.yaml").write_text(
        f"name: bare\nsteps:\n  - respond: {{status: {status}, headers: {{x-a: b}}}}\n"
    )
    server = launch([*CLI, "serve", "--port", "0", "--scenarios", str(tmp_path / "bare.yaml")])
    url = server.wait_ready()
    for stream in (False, True):
        head, _, rest = _raw_exchange(url, "bare", stream=stream).partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        headers = dict(line.lower().split(": ", 1) for line in lines[1:])
        assert lines[0].startswith(f"HTTP/1.1 {status} "), lines
        assert rest == b"", rest
        assert headers.get("content-length") in ((None,) if status == 204 else (None, "0"))
        assert "transfer-encoding" not in headers, headers
        assert "content-type" not in headers, headers  # no content, no type
        assert headers["x-a"] == "b"
    assert server.stop() == 0
    server.clean_stderr()
