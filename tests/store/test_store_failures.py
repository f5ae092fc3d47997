"""Redis failing in every way it can (gone, refusing the credentials, refusing a command) is a JSON
503 that never shows the store's password, and one line at start: never a 500 or a traceback."""

from __future__ import annotations

import json
from typing import Any

import pytest

from mockserver import MockConfig, MockRequest, MockService
from mockserver.state.redis_store import RedisStore
from mockserver.state.store import shown_url

MODEL = "Llama-4-Maverick-17B-128E-Instruct-FP8"
SECRET = "s3cret-pass"


def _chat(service: MockService) -> tuple[int, dict[str, Any]]:
    body = {"model": MODEL, "messages": [{"role": "user", "content": "Hello"}]}
    answer = service.handle(MockRequest(
        "POST", "/v1/chat/completions",
        {"authorization": "Bearer k", "content-type": "application/json"},
        json.dumps(body).encode(),
    ))  # fmt: skip
    assert isinstance(answer.body, bytes)
    return answer.status, json.loads(answer.body)


def _with_password(own_redis: Any) -> str:
    client = own_redis.client()
    client.config_set("requirepass", SECRET)
    client.close()
    return own_redis.url.replace("unix://", f"unix://:{SECRET}@")


@pytest.mark.parametrize(("url", "shown"), [
    ("redis://:pw@host:6379/0", "redis://:***@host:6379/0"),
    ("rediss://user:pw@host/1", "rediss://***:***@host/1"),
    ("unix://:pw@/tmp/r.sock", "unix://:***@/tmp/r.sock"),
    ("redis://host:6379/0", "redis://host:6379/0"),
])
def test_a_store_url_is_shown_without_its_credentials(url: str, shown: str) -> None:
    assert shown_url(url) == shown


def test_a_lost_store_is_a_503_without_the_password_and_no_second_wait(own_redis, monkeypatch):
    url = _with_password(own_redis)
    service = MockService(MockConfig(store_url=url))
    assert _chat(service)[0] == 200
    own_redis.stop()
    appended: list[object] = []
    monkeypatch.setattr(RedisStore, "journal_append", lambda store, entry: appended.append(entry))
    status, document = _chat(service)
    assert status == 503
    assert document["errors"][0]["rule"] == "mock.store_unavailable"
    assert "is unreachable" in document["detail"]
    assert SECRET not in json.dumps(document)
    assert "unix://:***@" in document["detail"]
    # the journal entry is not written: it would wait on the lost store a second time
    assert appended == []


def test_health_says_503_while_the_shared_store_is_lost(own_redis):
    """A load balancer or a readiness probe must not send chats to a mock that cannot answer
    them (a trial saw `ok` while every chat got a 503)."""
    service = MockService(MockConfig(store_url=_with_password(own_redis)))
    health = service.handle(MockRequest("GET", "/health", {}))
    assert (health.status, health.body) == (200, b'{"status":"ok"}')
    own_redis.stop()
    lost = service.handle(MockRequest("GET", "/health", {}))
    assert lost.status == 503
    assert isinstance(lost.body, bytes)
    assert json.loads(lost.body)["errors"][0]["rule"] == "mock.store_unavailable"


@pytest.mark.parametrize(("password", "said"), [
    ("wrong-pass", "refuses the credentials"), ("", "refuses the credentials"),
])
def test_credentials_the_store_refuses_are_a_503_that_says_so(own_redis, password, said):
    _with_password(own_redis)
    url = own_redis.url.replace("unix://", f"unix://:{password}@") if password else own_redis.url
    status, document = _chat(MockService(MockConfig(store_url=url)))
    assert status == 503
    assert said in document["detail"]
    assert "unreachable" not in document["detail"]
    if password:
        assert password not in json.dumps(document)


def test_a_command_the_store_refuses_is_a_503_not_a_500(own_redis):
    client = own_redis.client()
    client.config_set("maxmemory-policy", "noeviction")
    client.config_set("maxmemory", "1")
    client.close()
    status, document = _chat(MockService(MockConfig(store_url=own_redis.url)))
    assert status == 503
    assert "refused a command" in document["detail"]
    assert "OOM" in document["detail"]


def test_a_database_out_of_range_at_start_is_one_line_and_exit_2(own_redis, start_mock):
    mock = start_mock("--store", own_redis.url + "?db=99")
    code, stderr = mock.finish()
    assert code == 2
    assert "Traceback" not in stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert "refused a command (DB index is out of range)" in lines[0]
