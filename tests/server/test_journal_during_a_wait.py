"""A request that waits on a fault (latency, stall) is journaled before it waits, as on
`llama-contract serve`: a test sees it (with its fault) while it waits, and a reset during the wait
clears it for good, so it never lands in the next test's journal (on a WSGI server the wait once
came first, and the entry after it)."""

from __future__ import annotations

import threading

import httpx

from mockserver import MockConfig, MockService
from mockserver.adapters.live import LiveServer

MODEL = "Llama-4-Maverick-17B-128E-Instruct-FP8"
BOUND_S = 30.0  # a bound against hangs, not a speed claim


def test_a_waiting_request_is_journaled_first_and_a_reset_during_the_wait_clears_it() -> None:
    service = MockService(MockConfig(port=0))
    waiting, release = threading.Event(), threading.Event()

    def wait(seconds: float) -> None:
        waiting.set()
        release.wait(BOUND_S)

    service.chat_handler.sleep = wait
    with LiveServer(service) as live:
        answers: list[int] = []

        def call() -> None:
            answer = httpx.post(
                f"{live.base_url}/v1/chat/completions",
                json={"model": MODEL, "messages": [{"role": "user", "content": "hi"}]},
                headers={"Authorization": "Bearer k", "x-mock-fault": "stall; ms=2000"},
                timeout=BOUND_S,
            )
            answers.append(answer.status_code)

        client = threading.Thread(target=call)
        client.start()
        assert waiting.wait(BOUND_S)
        [entry] = [e for e in service.store.journal_entries() if e.endpoint == "chat"]
        assert entry.fault == "stall; ms=2000; after=-1"  # there while it waits, with its fault
        service.reset()  # what the pytest fixtures do before the next test
        release.set()
        client.join(BOUND_S)
        assert answers == [200]
        assert service.store.journal_entries() == []
