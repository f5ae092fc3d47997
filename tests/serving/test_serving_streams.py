"""`mockserver.adapters.serving` on granian with a small gated-stream app: readiness, unbuffered and
concurrent streams, shutdown with streams open, start-up failures."""

from __future__ import annotations

import os
import signal
import socket
import sys
from pathlib import Path

import httpx
import pytest

from mockserver.adapters.serving import ServeError, base_url, open_listener, ready_lines

READ_TIMEOUT_S = 15.0  # a bound so that a buffered stream fails the test instead of hanging it
GATED_APP = Path(__file__).with_name("gated_stream_app.py")
FIRST = b"data: first\n\n"
SECOND = b"data: second\n\n"


def gated_app_argv(*extra: str) -> list[str]:
    return [sys.executable, str(GATED_APP), "--port", "0", *extra]


def _client() -> httpx.Client:
    return httpx.Client(timeout=httpx.Timeout(READ_TIMEOUT_S))


def _read_exactly(chunks, size: int) -> bytes:
    received = b""
    while len(received) < size:
        received += next(chunks)
    return received


def _open_stream(client: httpx.Client, url: str):
    response = client.send(client.build_request("GET", url), stream=True)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    return response


def test_ready_lines_name_the_port_that_was_bound(launch):
    server = launch(gated_app_argv())
    url = server.wait_ready()
    port = int(url.rsplit(":", 1)[1])
    assert port != 0
    assert server.ready_lines == [
        f"Llama API mock listening on http://127.0.0.1:{port}",
        f"  native: http://127.0.0.1:{port}/v1",
        f"  compat: http://127.0.0.1:{port}/compat/v1",
    ]
    with _client() as client:
        answer = client.get(f"{url}/hello")
    assert answer.status_code == 200
    assert answer.json()["hello"] == "world"
    assert server.stop(signal.SIGTERM) == 0
    server.clean_stderr()


def test_first_event_reaches_the_client_before_the_app_makes_the_second(launch):
    server = launch(gated_app_argv())
    url = server.wait_ready()
    with _client() as client:
        response = _open_stream(client, f"{url}/stream/one")
        chunks = response.iter_raw()
        # The app makes SECOND only after the release below, which is sent only once FIRST has
        # arrived: a server that buffered the stream would time out here.
        assert _read_exactly(chunks, len(FIRST)) == FIRST
        assert client.post(f"{url}/release/one").status_code == 200
        assert b"".join(chunks) == SECOND
        response.close()
    assert server.stop(signal.SIGTERM) == 0
    server.clean_stderr()


def test_several_streams_are_open_at_the_same_time(launch):
    streams = 8
    server = launch(gated_app_argv("--threads", "16"))
    url = server.wait_ready()
    with httpx.Client(
        timeout=httpx.Timeout(READ_TIMEOUT_S), limits=httpx.Limits(max_connections=streams + 1)
    ) as client:
        opened = []
        for _ in range(streams):
            response = _open_stream(client, f"{url}/stream/many")
            chunks = response.iter_raw()
            assert _read_exactly(chunks, len(FIRST)) == FIRST
            opened.append((response, chunks))
        # All eight are now mid-stream together, each waiting at the same gate.
        assert client.post(f"{url}/release/many").status_code == 200
        for response, chunks in opened:
            assert b"".join(chunks) == SECOND
            response.close()
    assert server.stop(signal.SIGTERM) == 0
    server.clean_stderr()


@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_shutdown_with_a_stream_still_open_is_clean(launch, stop_signal):
    server = launch(gated_app_argv())
    url = server.wait_ready()
    with _client() as client:
        response = _open_stream(client, f"{url}/stream/never-released")
        chunks = response.iter_raw()
        assert _read_exactly(chunks, len(FIRST)) == FIRST
        assert server.stop(stop_signal) == 0
        # The stream ends with the server: a closed connection, not a hang.
        with pytest.raises(httpx.HTTPError):
            b"".join(chunks)
        response.close()
    assert "SIGKILL" not in server.clean_stderr()


def test_ctrl_c_stops_server_and_worker_cleanly(launch):
    server = launch(gated_app_argv(), own_process_group=True)
    url = server.wait_ready()
    with _client() as client:
        assert client.get(f"{url}/hello").status_code == 200
    assert server.interrupt_group() == 0
    server.clean_stderr()


def test_a_worker_stopped_by_a_signal_of_its_own_stops_the_server_cleanly(launch):
    # What Ctrl-C does when the worker happens to stop before the main process reacts: granian
    # alone would call it a crash (an error line and exit status 1).
    server = launch(gated_app_argv())
    url = server.wait_ready()
    with _client() as client:
        worker_pid = client.get(f"{url}/hello").json()["pid"]
    assert worker_pid != server.process.pid
    os.kill(worker_pid, signal.SIGINT)
    assert server.wait_exit() == 0
    server.clean_stderr()


def test_an_app_that_cannot_start_gives_one_line_and_exit_2(launch):
    server = launch(gated_app_argv("--fail-to-start"))
    code = server.wait_exit()
    stderr = server.stderr()
    assert code == 2
    assert "the app could not start: scenario file broken.yaml: line 3" in stderr
    assert len(stderr.splitlines()) == 1, stderr  # not followed by granian's "Unexpected exit"
    assert server.ready_lines == []


def test_open_listener_on_a_busy_port_says_so():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(ServeError, match=rf"127\.0\.0\.1:{port}: Address already in use"):
            open_listener(host="127.0.0.1", port=port)


def test_open_listener_port_zero_picks_a_free_port():
    listener = open_listener(host="127.0.0.1", port=0)
    with listener:
        assert listener.getsockname()[1] != 0


@pytest.mark.parametrize(
    ("host", "reason"),
    [
        ("192.0.2.1", "Cannot assign requested address"),  # TEST-NET: never a local address
        ("x" * 64 + ".example", "unknown host"),  # a DNS label longer than 63: no lookup made
        ("", "the host is empty"),
    ],
)
def test_open_listener_on_a_bad_host_says_why(host, reason):
    with pytest.raises(ServeError, match=reason):
        open_listener(host=host, port=0)


def test_open_listener_rejects_a_port_out_of_range():
    with pytest.raises(ServeError, match="between 0 and 65535"):
        open_listener(host="127.0.0.1", port=65536)


def test_urls_put_ipv6_hosts_in_brackets():
    assert base_url(("::1", 4010, 0, 0)) == "http://[::1]:4010"
    assert base_url(("127.0.0.1", 4010)) == "http://127.0.0.1:4010"
    assert ready_lines("http://[::1]:4010") == [
        "Llama API mock listening on http://[::1]:4010",
        "  native: http://[::1]:4010/v1",
        "  compat: http://[::1]:4010/compat/v1",
    ]
