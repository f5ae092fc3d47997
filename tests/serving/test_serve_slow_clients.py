"""`llama-contract serve` against clients that are slow, silent or gone: none of them may hold up
anyone else, and each is let go (issue #14, rows 3 and 4).

Nothing here measures speed: the timeouts are bounds against hangs.
"""

from __future__ import annotations

import json
import socket
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

import httpx
from llama_api_client import LlamaAPIClient

MODEL = "Llama-4-Maverick-17B-128E-Instruct-FP8"
CLI = [sys.executable, "-m", "mockserver.cli.main"]
BOUND_S = 30.0  # a bound against hangs, not a speed claim
HEALTH_S = 2.0  # issue #14: the server answers /health within this during and after every probe
SILENT_CLIENTS = 24  # many more than the thread pool of 1 these servers get


def _address(url: str) -> tuple[str, int]:
    host, port = url.removeprefix("http://").rsplit(":", 1)
    return host, int(port)


@contextmanager
def _silent_clients(address: tuple[str, int], count: int) -> Iterator[list[socket.socket]]:
    """Half of them send headers and 10 of 1,000 declared body bytes, half an unfinished header
    block; then all go silent."""
    with ExitStack() as stack:
        sockets = []
        for index in range(count):
            sock = stack.enter_context(socket.create_connection(address, timeout=BOUND_S))
            if index % 2:
                sock.sendall(b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthor")
            else:
                sock.sendall(
                    b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n"
                    b"Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n"
                    b'{"model": '
                )
            sockets.append(sock)
        yield sockets


def _healthy(url: str) -> bool:
    return httpx.get(f"{url}/health", timeout=HEALTH_S).status_code == 200


def _chat(url: str) -> str:
    client = LlamaAPIClient(api_key="test", base_url=f"{url}/v1", max_retries=0, timeout=BOUND_S)
    answer = client.chat.completions.create(
        model=MODEL, messages=[{"role": "user", "content": "Say hello."}]
    )
    return answer.completion_message.stop_reason


def test_silent_clients_hold_up_no_one(launch):
    server = launch([*CLI, "serve", "--port", "0", "--threads", "1", "--read-timeout", "120"])
    url = server.wait_ready()
    with _silent_clients(_address(url), SILENT_CLIENTS):
        assert _healthy(url)
        assert _chat(url) == "stop"
        # The Flask app answers this one (a method the direct path leaves to it) on the pool.
        put = httpx.put(f"{url}/v1/chat/completions", timeout=BOUND_S)
        assert put.status_code == 405
        assert put.json()["status"] == 405
    assert server.stop() == 0
    server.clean_stderr()


def test_a_body_that_stops_coming_gets_a_json_408_and_a_closed_connection(launch):
    server = launch([*CLI, "serve", "--port", "0", "--read-timeout", "1"])
    url = server.wait_ready()
    with _silent_clients(_address(url), 2) as (body_sender, header_sender):
        raw = _read_to_close(body_sender)
        head, _, body = raw.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 408 "), raw
        assert b"connection: close" in head.lower()
        document = json.loads(body)
        assert document["status"] == 408
        assert "did not arrive within 1 s" in document["detail"]
        # An unfinished header block never reaches the app: the server closes it all the same.
        assert not _read_to_close(header_sender).startswith(b"HTTP/1.1 2")
    assert _chat(url) == "stop"
    assert server.stop() == 0
    server.clean_stderr()


def test_clients_that_hang_up_on_paced_streams_leave_nothing_behind(launch):
    # One token a minute: each stream would pause for its whole 120 s budget.
    server = launch(
        [*CLI, "serve", "--port", "0", "--threads", "1", "--tokens-per-second", "0.0167"]
    )
    url = server.wait_ready()
    host, port = _address(url)
    request = json.dumps(
        {"model": MODEL, "messages": [{"role": "user", "content": "Write a long essay."}],
         "stream": True}
    ).encode()
    for index in range(SILENT_CLIENTS):
        with socket.create_connection((host, port), timeout=BOUND_S) as sock:
            # Every other one waits on a latency fault of a minute before its answer starts.
            fault = b"x-mock-fault: latency; ms=60000\r\n" if index % 2 else b""
            sock.sendall(
                b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer t\r\n"
                b"Content-Type: application/json\r\n"
                + fault
                + f"Content-Length: {len(request)}\r\n\r\n".encode()
                + request
            )
            if not fault:
                assert sock.recv(65536).startswith(b"HTTP/1.1 200 ")
            assert _healthy(url)
            # then the client hangs up
    # Each paced stream stops when its client hangs up, not when its minute-long pause ends: the
    # journal records the hang-up as the stream's generator closes.
    deadline = time.monotonic() + BOUND_S
    while _open_streams(url) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _open_streams(url) == 0
    deadline = time.monotonic() + BOUND_S
    while _server_sockets_waiting_to_close(port) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _server_sockets_waiting_to_close(port) == 0
    assert _healthy(url)
    assert _chat(url) == "stop"
    assert server.stop() == 0
    server.clean_stderr()


def _open_streams(url: str) -> int:
    """Streams in the journal whose end (completed or hung up) is not recorded yet."""
    entries = httpx.get(f"{url}/_mock/journal", timeout=HEALTH_S).json()["entries"]
    streams = [entry for entry in entries if entry["stream"]]
    assert len(streams) == SILENT_CLIENTS // 2
    return sum(1 for entry in streams if not entry["client_disconnected"])


def _read_to_close(sock: socket.socket) -> bytes:
    received = b""
    while chunk := sock.recv(65536):
        received += chunk
    return received


def _server_sockets_waiting_to_close(port: int) -> int:
    """Server-side TCP sockets on `port` whose client has closed (state CLOSE_WAIT)."""
    count = 0
    with open("/proc/net/tcp") as table:
        next(table)
        for line in table:
            fields = line.split()
            local_port = int(fields[1].rsplit(":", 1)[1], 16)
            if local_port == port and fields[3] == "08":
                count += 1
    return count
