"""The live server of the `llama_mock` fixture: a werkzeug thread serving a MockService."""

from __future__ import annotations

import httpx
import pytest

from mockserver import MockConfig, MockResponse, MockService
from mockserver.adapters.live import LiveServer, LiveServerError

AUTH = {"Authorization": "Bearer LLM|1|test"}
CHAT = {
    "model": "Llama-4-Maverick-17B-128E-Instruct-FP8",
    "messages": [{"role": "user", "content": "hi"}],
}


@pytest.fixture
def service() -> MockService:
    return MockService(MockConfig(port=0))


@pytest.fixture
def server(service):
    live = LiveServer(service).start()
    yield live
    live.stop()


def test_serves_on_a_free_loopback_port_once_healthy(server, service):
    assert server.base_url.startswith("http://127.0.0.1:")
    assert server.running
    response = httpx.post(server.base_url + "/v1/chat/completions", json=CHAT, headers=AUTH)
    assert response.status_code == 200
    assert [e.path for e in service.store.journal_entries()][-1] == "/v1/chat/completions"


def test_streams_arrive_record_by_record(server):
    with httpx.stream(
        "POST", server.base_url + "/v1/chat/completions", json={**CHAT, "stream": True},
        headers=AUTH,
    ) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        lines = [line for line in response.iter_lines() if line]
    assert lines[0].startswith('data: {"id"')
    assert '"event_type":"metrics"' in lines[-1]


def test_stop_frees_the_port_and_can_be_called_twice(service):
    live = LiveServer(service).start()
    url = live.base_url
    live.stop()
    live.stop()
    assert not live.running
    with pytest.raises(httpx.ConnectError):
        httpx.get(url + "/health")
    with pytest.raises(LiveServerError, match="not started"):
        _ = live.base_url


def test_cannot_start_twice(server):
    with pytest.raises(LiveServerError, match="already started"):
        server.start()


def test_an_error_in_the_app_is_a_json_500_and_is_re_raised_in_the_test(server, service):
    def broken(call):
        raise KeyError("engine bug")

    service.responders.append(broken)
    response = httpx.post(server.base_url + "/v1/chat/completions", json=CHAT, headers=AUTH)
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/json"
    with pytest.raises(KeyError, match="engine bug") as raised:
        server.raise_errors()
    assert "llama mock server thread" in "".join(raised.value.__notes__)
    server.raise_errors()  # reported once, then forgotten


def test_an_error_while_streaming_is_re_raised_in_the_test(server, service):
    def records():
        yield b"data: {}\n\n"
        raise RuntimeError("stream bug")

    service.responders.append(
        lambda call: MockResponse(200, records(), content_type="text/event-stream")
    )
    with pytest.raises(httpx.HTTPError), httpx.stream(
        "POST", server.base_url + "/v1/chat/completions", json=CHAT, headers=AUTH
    ) as response:
        response.read()
    with pytest.raises(RuntimeError, match="stream bug"):
        server.raise_errors()


def test_a_client_error_is_not_a_server_error(server):
    response = httpx.post(
        server.base_url + "/v1/chat/completions", content=b"{not json", headers=AUTH
    )
    assert response.status_code == 400
    server.raise_errors()  # nothing kept: a client's mistake is not a bug of the server
