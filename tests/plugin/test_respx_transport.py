"""The in-process respx transport: httpx clients, sync and async, against a MockService."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest

from mockserver import MockConfig, MockResponse, MockService
from mockserver.adapters.respx_aiohttp import NotIntercepted
from mockserver.adapters.respx_transport import (
    LlamaRespxRouter,
    ServiceByteStream,
    response_of,
    stream_class,
    to_httpx_response,
    to_mock_request,
)

MODEL = "Llama-4-Maverick-17B-128E-Instruct-FP8"
AUTH = {"Authorization": "Bearer LLM|1|test"}
CHAT = {"model": MODEL, "messages": [{"role": "user", "content": "Name a colour."}]}


@pytest.fixture
def service() -> MockService:
    return MockService(MockConfig(port=0))


class ScriptedStream:
    """A streamed body that records how far it was read and whether it was closed."""

    def __init__(self, records: list[bytes], *, fail_with: BaseException | None = None) -> None:
        self.records = records
        self.fail_with = fail_with
        self.produced = 0
        self.closed = False

    def __iter__(self):
        try:
            for record in self.records:
                self.produced += 1
                yield record
            if self.fail_with is not None:
                raise self.fail_with
        finally:
            self.closed = True


def answer_with(service: MockService, answer: MockResponse) -> None:
    service.responders.append(lambda call: answer)


def test_request_conversion_keeps_method_path_headers_and_body():
    request = httpx.Request(
        "POST", "https://api.llama.com/compat/v1/chat/completions?x=1",
        headers={"X-Custom": "a", "Authorization": "Bearer k"}, json={"a": 1},
    )
    converted = to_mock_request(request)
    assert converted.method == "POST"
    assert converted.path == "/compat/v1/chat/completions"
    assert converted.header("x-custom") == "a"
    assert converted.header("authorization") == "Bearer k"
    assert json.loads(converted.body) == {"a": 1}
    assert converted.content_length == len(converted.body)


def test_chat_answer_through_a_sync_client_is_journaled(service):
    with LlamaRespxRouter(service) as router, httpx.Client() as client:
        response = client.post("https://api.llama.com/v1/chat/completions", json=CHAT,
                               headers=AUTH)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json()["completion_message"]["role"] == "assistant"
    [entry] = router.requests
    assert entry.path == "/v1/chat/completions"
    assert entry.status == 200
    assert entry.body == CHAT
    assert entry.validation is not None
    assert entry.validation.ok


def test_compat_and_unprefixed_paths_are_served(service):
    with LlamaRespxRouter(service), httpx.Client() as client:
        compat = client.get("https://api.llama.com/compat/v1/models", headers=AUTH)
        health = client.get("https://api.llama.com/health")
    assert compat.status_code == 200
    assert compat.json()["object"] == "list"
    assert health.json() == {"status": "ok"}


def test_other_hosts_are_not_silently_answered(service):
    with LlamaRespxRouter(service), httpx.Client() as client, pytest.raises(
        Exception, match="not mocked"
    ):
        client.get("https://example.invalid/v1/models")


def test_a_stream_is_read_lazily_and_closed_when_the_client_stops(service):
    stream = ScriptedStream([b"data: 1\n\n", b"data: 2\n\n", b"data: 3\n\n"])
    answer_with(service, MockResponse(200, stream, content_type="text/event-stream"))
    with LlamaRespxRouter(service) as router, httpx.Client() as client, client.stream(
        "POST", "https://api.llama.com/v1/chat/completions", json=CHAT, headers=AUTH
    ) as response:
        chunks = response.iter_raw()
        assert next(chunks) == b"data: 1\n\n"
        assert stream.produced == 1
    assert stream.closed
    assert stream.produced == 1
    assert router.requests[0].client_disconnected


def test_an_async_client_receives_the_same_stream_as_a_sync_client(service):
    body = {**CHAT, "stream": True}

    def read_sync() -> list[bytes]:
        with httpx.Client() as client, client.stream(
            "POST", "https://api.llama.com/v1/chat/completions", json=body, headers=AUTH
        ) as response:
            return list(response.iter_raw())

    async def read_async() -> list[bytes]:
        async with httpx.AsyncClient() as client, client.stream(
            "POST", "https://api.llama.com/v1/chat/completions", json=body, headers=AUTH
        ) as response:
            assert response.headers["content-type"] == "text/event-stream"
            return [chunk async for chunk in response.aiter_raw()]

    with LlamaRespxRouter(service):
        sync_records = read_sync()
        async_records = asyncio.run(read_async())
    assert len(sync_records) >= 4
    assert sync_records == async_records
    assert all(record.startswith(b"data: ") for record in sync_records)
    assert json.loads(sync_records[-1][6:])["event"]["event_type"] == "metrics"


def test_an_async_stream_is_read_lazily(service):
    stream = ScriptedStream([b"a", b"b", b"c"])
    answer_with(service, MockResponse(200, stream, content_type="text/event-stream"))

    async def first_chunk() -> bytes:
        async with httpx.AsyncClient() as client, client.stream(
            "POST", "https://api.llama.com/v1/chat/completions", json=CHAT, headers=AUTH
        ) as response:
            async for chunk in response.aiter_raw():
                return chunk
        raise AssertionError("no chunk")

    with LlamaRespxRouter(service):
        assert asyncio.run(first_chunk()) == b"a"
    assert stream.produced == 1
    assert stream.closed


def test_a_reset_raises_the_error_of_a_dropped_connection(service):
    answer_with(service, MockResponse(200, b"", reset=True))
    with LlamaRespxRouter(service), httpx.Client() as client, pytest.raises(
        httpx.RemoteProtocolError, match="Server disconnected without sending a response"
    ):
        client.post("https://api.llama.com/v1/chat/completions", json=CHAT, headers=AUTH)


@pytest.mark.parametrize(
    ("dropped", "expected"),
    [
        # What httpx raises over a real socket when the server closes it mid-body.
        (ConnectionResetError(104, "cut"), httpx.RemoteProtocolError),
        (ConnectionAbortedError(103, "cut"), httpx.RemoteProtocolError),
        (OSError(5, "I/O error"), httpx.ReadError),
    ],
)
def test_a_connection_dropped_mid_stream_raises_after_the_records_sent(dropped, expected):
    request = httpx.Request("POST", "https://api.llama.com/v1/chat/completions")
    stream = ScriptedStream([b"data: 1\n\n"], fail_with=dropped)
    answer = MockResponse(200, stream, content_type="text/event-stream")
    response = to_httpx_response(answer, request)
    chunks = response.iter_raw()
    assert next(chunks) == b"data: 1\n\n"
    with pytest.raises(expected):
        next(chunks)

    async def read_async() -> None:
        stream = ServiceByteStream(ScriptedStream([b"x"], fail_with=dropped), request=request)
        async for _ in stream:
            pass

    with pytest.raises(expected):
        asyncio.run(read_async())


@pytest.mark.parametrize(
    ("dropped", "expected"),
    [(ConnectionResetError(104, "cut"), "RemoteProtocolError"), (OSError(5, "I/O"), "ReadError")],
)
def test_the_httpx2_stream_is_the_same_stream_with_httpx2_errors(dropped, expected):
    """The openai SDK 3.x reads through httpx2: the same lazy stream, raising httpx2's errors."""
    import httpx2

    request = httpx2.Request("POST", "https://api.llama.com/compat/v1/chat/completions")
    answer = MockResponse(200, ScriptedStream([b"data: 1\n\n"], fail_with=dropped),
                          content_type="text/event-stream")  # fmt: skip
    response = response_of(answer, request, httpx2)
    assert isinstance(response, httpx2.Response)
    assert type(response.stream) is stream_class(httpx2)
    assert isinstance(response.stream, (httpx2.SyncByteStream, httpx2.AsyncByteStream))
    assert stream_class(httpx2).__iter__ is ServiceByteStream.__iter__  # one implementation
    chunks = response.iter_raw()
    assert next(chunks) == b"data: 1\n\n"
    with pytest.raises(getattr(httpx2, expected)):
        next(chunks)


def test_head_answers_without_a_body():
    request = httpx.Request("HEAD", "https://api.llama.com/v1/models")
    response = to_httpx_response(MockResponse(200, b'{"data":[]}'), request)
    assert response.status_code == 200
    assert response.content == b""


def test_base_url_must_be_an_origin(service):
    with pytest.raises(ValueError, match="origin"):
        LlamaRespxRouter(service, base_url="https://api.llama.com/v1")


def test_another_base_url_is_served(service):
    with LlamaRespxRouter(service, base_url="http://llama.test:8080") as router, \
            httpx.Client() as client:
        response = client.get("http://llama.test:8080/v1/models", headers=AUTH)
    assert response.status_code == 200
    assert router.base_url == "http://llama.test:8080"


def test_assert_helpers_report_requests_and_violations(service):
    bad = {"model": MODEL, "messages": [{"role": "wizard", "content": "hi"}]}
    with LlamaRespxRouter(service) as router, httpx.Client() as client:
        client.post("https://api.llama.com/v1/chat/completions", json=CHAT, headers=AUTH)
        client.post("https://api.llama.com/v1/chat/completions", json=bad, headers=AUTH)
    router.assert_called()
    router.assert_called(times=2, path="/chat/completions")
    with pytest.raises(AssertionError) as called:
        router.assert_called(times=3)
    assert str(called.value).splitlines() == [
        "expected 3 requests to the llama mock, got 2",
        "  POST /v1/chat/completions -> 200",
        "  POST /v1/chat/completions -> 400",
    ]
    with pytest.raises(AssertionError) as conforms:
        router.assert_conforms()
    lines = str(conforms.value).splitlines()
    assert lines[0] == "1 request of 2 broke the Llama API contract (1 violation):"
    assert lines[1] == "POST /v1/chat/completions -> 400"
    assert lines[2].startswith("  /messages/0/role: ")
    assert lines[2].endswith("[message.role.unknown]")


def test_an_aiohttp_client_for_the_origin_fails_naming_llama_mock_and_others_go_out(service):
    """respx cannot patch httpx_aiohttp's transport (the SDKs' DefaultAioHttpClient): the native
    SDK's request for the mocked origin through it fails naming llama_mock (the SDK reports a
    connection error caused by NotIntercepted) instead of reaching the network; a request for
    another origin, a live mock on loopback, goes out through aiohttp and is answered."""
    from llama_api_client import APIConnectionError, AsyncLlamaAPIClient, DefaultAioHttpClient

    from mockserver.adapters.live import LiveServer

    live = LiveServer(MockService(MockConfig(port=0))).start()

    async def run() -> str:
        with LlamaRespxRouter(service) as router:
            async with AsyncLlamaAPIClient(
                api_key="LLM|1|test", http_client=DefaultAioHttpClient(), max_retries=0
            ) as client:
                with pytest.raises(APIConnectionError) as caught:
                    await client.chat.completions.create(**CHAT)
            cause = caught.value.__cause__
            assert isinstance(cause, NotIntercepted)
            assert "POST https://api.llama.com/v1/chat/completions" in str(cause)
            assert "llama_mock" in str(cause)
            async with AsyncLlamaAPIClient(
                api_key="LLM|1|test", base_url=live.base_url + "/v1",
                http_client=DefaultAioHttpClient(), max_retries=0,
            ) as client:  # fmt: skip
                answer = await client.chat.completions.create(**CHAT)
            assert router.requests == []  # neither reached the in-process mock
        return str(answer.completion_message.content.text)  # type: ignore[union-attr]

    try:
        text = asyncio.run(run())
    finally:
        live.stop()
    assert text
