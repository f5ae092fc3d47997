"""On the shared store a chat request waits on Redis twice: once to be counted (reading, in the
same script, the token budget, the standing faults and the scenario list's token), once to count
its tokens and be journaled. Each wait is a round trip on loopback (about 0.1 ms here), so their
number is what a worker on Redis can serve."""

from __future__ import annotations

import json
from typing import Any

import pytest
import redis.connection

from mockserver import MockConfig, MockService
from mockserver.core.http import MockRequest

HEADERS = {"authorization": "Bearer key-one", "content-type": "application/json"}


@pytest.fixture
def round_trips(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The commands (or pipelines) sent to Redis, one item per write to its socket."""
    sent: list[str] = []
    real = redis.connection.AbstractConnection.send_packed_command

    def counted(self: Any, command: Any, check_health: bool = True) -> None:
        first = command[0] if isinstance(command, list) else command
        sent.append(bytes(first).split(b"\r\n")[2].decode())  # the command's name
        real(self, command, check_health)

    monkeypatch.setattr(redis.connection.AbstractConnection, "send_packed_command", counted)
    return sent


def _ask(service: MockService, text: str, **headers: str) -> Any:
    body = json.dumps({"model": "Llama-3.3-70B-Instruct",
                       "messages": [{"role": "user", "content": text}]}).encode()  # fmt: skip
    request = MockRequest("POST", "/v1/chat/completions", {**HEADERS, **headers}, body, len(body))
    return service.handle(request)


def test_a_chat_request_waits_on_redis_twice(redis_url: str, round_trips: list[str]) -> None:
    service = MockService(MockConfig(store_url=redis_url))
    _ask(service, "warm up")  # loads the scripts once
    round_trips.clear()
    assert _ask(service, "What is the capital of France?").status == 200
    assert round_trips == ["EVALSHA", "EVALSHA"]


def test_a_scenario_adds_only_its_own_progress(redis_url: str, round_trips: list[str]) -> None:
    service = MockService(MockConfig(store_url=redis_url, scenarios=("multi-turn",)))
    _ask(service, "What is the capital of France?", **{"x-mock-session": "warm"})
    round_trips.clear()
    answer = _ask(service, "What is the capital of France?", **{"x-mock-session": "tour"})
    assert "Paris" in b"".join(answer.iter_body()).decode()  # the list read with the count
    assert round_trips == [
        "EVALSHA",  # counted, with the standing faults and the list's token read
        "GET",  # where the session is in the scenario
        "MGET", "EVALSHA",  # how often this request was seen, counted (a compare-and-set)
        "MGET", "EVALSHA",  # the session moved to its next step (a compare-and-set)
        "EVALSHA",  # the answer's tokens counted, the request journaled
    ]


def test_the_counts_and_the_journal_hold_across_workers(redis_url: str) -> None:
    config = MockConfig(store_url=redis_url, rpm=5, tpm=None)
    first, second = MockService(config), MockService(config)
    answers = [_ask(worker, f"question {n}") for n, worker in enumerate((first, second, first))]
    remaining = [dict(a.headers)["x-ratelimit-remaining-requests"] for a in answers]
    assert remaining == ["4", "3", "2"]
    spent = sum(_total_tokens(answer) for answer in answers)
    last = _ask(second, "one more")
    tokens = dict(last.headers)["x-ratelimit-remaining-tokens"]
    # the nominal budget less what the answers used, this one's own included
    assert int(tokens) == 1_000_000 - spent - _total_tokens(last)
    assert len(first.store.journal_entries()) == 4


def _total_tokens(answer: Any) -> int:
    metrics = json.loads(b"".join(answer.iter_body()))["metrics"]
    return int(next(m["value"] for m in metrics if m["metric"] == "num_total_tokens"))


def test_a_standing_fault_set_on_one_worker_acts_on_the_next_request_of_another(
    redis_url: str,
) -> None:
    config = MockConfig(store_url=redis_url)
    first, second = MockService(config), MockService(config)
    assert _ask(second, "before").status == 200
    body = json.dumps({"fault": "http_error; status=503", "times": 1}).encode()
    admin = MockRequest("POST", "/_mock/faults", {"content-type": "application/json"}, body,
                        len(body))  # fmt: skip
    assert first.handle(admin).status in (200, 201)
    assert _ask(second, "after").status == 503
    assert _ask(second, "after that").status == 200
