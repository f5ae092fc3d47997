"""Raw HTTP over a socket for the hostile-input tests: send any bytes, read every answer back.

`exchange` sends bytes, half-closes the socket (so a server waiting for a body the request
promised sees the end of it), and reads until the server closes, under a socket timeout: a server
that hangs fails the test with `TimeoutError`. `parse_answers` splits what came back into answers.
"""

from __future__ import annotations

import json
import socket
from dataclasses import dataclass, field

SOCKET_TIMEOUT_S = 15.0  # a bound against hangs, not a claim about speed
GOOD_BODY = json.dumps(
    {
        "model": "Llama-4-Maverick-17B-128E-Instruct-FP8",
        "messages": [{"role": "user", "content": "What is the capital of France?"}],
    }
).encode()


@dataclass
class Answer:
    status: int
    reason: str
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""

    def json(self) -> object:
        return json.loads(self.body)


def exchange(host: str, port: int, data: bytes, *, half_close: bool = True) -> bytes:
    """Send `data`, half-close, and return all bytes read until the server closes.

    granian drops a request whose client half-closed before the answer (hyper ends the
    connection at the read side's end), so a well-formed request that must be answered is sent
    with `half_close=False` (it asks for `Connection: close`).
    """
    with socket.create_connection((host, port), timeout=SOCKET_TIMEOUT_S) as sock:
        try:
            sock.sendall(data)
            if half_close:
                sock.shutdown(socket.SHUT_WR)
        except TimeoutError:
            raise  # the server stopped reading and never answered: a hang
        except OSError:
            pass  # the server answered and closed before reading all: read what it said
        chunks = []
        while True:
            try:
                chunk = sock.recv(65536)
            except ConnectionResetError:
                break  # a reset is a close, not a hang
            if not chunk:
                break
            chunks.append(chunk)
    return b"".join(chunks)


def parse_answers(raw: bytes, *, head_only: bool = False) -> list[Answer]:
    """Every HTTP answer in `raw`, in order; raises AssertionError on bytes that are not HTTP."""
    answers = []
    rest = raw
    if rest and not rest.startswith(b"HTTP/"):
        # http.server takes a bare "GARBAGE" line for an HTTP/0.9 request and answers it in
        # HTTP/0.9: the body alone, without a status line or headers.
        document = json.loads(rest)
        return [Answer(document["status"], "HTTP/0.9", {"content-type": "application/json"}, rest)]
    while rest:
        head, separator, rest = rest.partition(b"\r\n\r\n")
        assert separator, f"an answer without the end of its head: {head[:300]!r}"
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        version, _, status_reason = status_line.partition(" ")
        assert version.startswith("HTTP/1."), f"not an HTTP status line: {status_line!r}"
        status_text, _, reason = status_reason.partition(" ")
        headers = {}
        for line in header_lines:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        answer = Answer(int(status_text), reason, headers)
        if head_only or answer.status in (204, 304):
            body = b""
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            body, rest = _dechunk(rest)
        elif "content-length" in headers:
            size = int(headers["content-length"])
            body, rest = rest[:size], rest[size:]
            assert len(body) == size, f"the body is cut short: {len(body)} of {size} bytes"
        else:
            body, rest = rest, b""
        answer.body = body
        answers.append(answer)
    return answers


def _dechunk(data: bytes) -> tuple[bytes, bytes]:
    body = b""
    while True:
        size_line, separator, data = data.partition(b"\r\n")
        assert separator, "a chunked body cut short"
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            _, _, data = data.partition(b"\r\n")
            return body, data
        body, data = body + data[:size], data[size + 2 :]


def assert_clean(raw: bytes, *, server_refusals: bool = False) -> list[Answer]:
    """Every answer is a 4xx (or 2xx) with a JSON body; none is a 5xx. No answer: a clean close.

    `server_refusals`: the HTTP server may also refuse bytes it cannot parse as HTTP before the
    app sees them, with an empty 4xx as its last answer (granian does, then closes).
    """
    answers = parse_answers(raw)
    for index, answer in enumerate(answers):
        assert answer.status < 500, f"{answer.status} {answer.reason}: {answer.body[:500]!r}"
        if server_refusals and 400 <= answer.status < 500 and not answer.body:
            assert index == len(answers) - 1, "the server read on after refusing a request"
            continue
        if answer.status >= 400:
            content_type = answer.headers.get("content-type", "")
            assert content_type.startswith("application/json"), (answer.status, content_type)
            document = answer.json()
            assert isinstance(document, dict), document
            assert document.get("status") == answer.status or "error" in document, document
    return answers


def good_request(host: str, port: int) -> bytes:
    return (
        b"POST /v1/chat/completions HTTP/1.1\r\n"
        + f"Host: {host}:{port}\r\n".encode()
        + b"Authorization: Bearer hostile\r\nContent-Type: application/json\r\n"
        + f"Content-Length: {len(GOOD_BODY)}\r\nConnection: close\r\n\r\n".encode()
        + GOOD_BODY
    )


def assert_still_serves(host: str, port: int) -> None:
    answers = parse_answers(exchange(host, port, good_request(host, port), half_close=False))
    assert [a.status for a in answers] == [200], [(a.status, a.body[:300]) for a in answers]
    assert "completion_message" in answers[0].json()  # type: ignore[operator]
