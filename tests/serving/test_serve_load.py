"""`llama-contract serve` on granian under the load users put on it: long streams of small events,
32 paced streams at once beside plain requests, and a clean stop with all of them in flight.

Nothing here measures time: pacing only makes the streams last while the test acts.
"""

from __future__ import annotations

import signal
import sys
import threading

import httpx
from llama_api_client import LlamaAPIClient

from mockserver.engine.tokens import count_tokens

MODEL = "Llama-4-Maverick-17B-128E-Instruct-FP8"
AUTH = {"Authorization": "Bearer test", "Accept": "text/event-stream"}
CLIENT_TIMEOUT_S = 60.0  # a bound against hangs, not a speed claim
CLI = [sys.executable, "-m", "mockserver.cli.main"]
LONG_ASK = [{"role": "user", "content": "Write a long essay about lighthouses."}]
PACED_STREAMS = 32


def test_a_long_answer_streams_hundreds_of_events_of_a_few_tokens(launch):
    server = launch([*CLI, "serve", "--port", "0"])
    url = server.wait_ready()
    client = LlamaAPIClient(api_key="test", base_url=f"{url}/v1", max_retries=0)
    events = list(
        client.chat.completions.create(
            model=MODEL, messages=LONG_ASK, max_completion_tokens=2048, stream=True
        )
    )
    progress = [e.event.delta.text for e in events if e.event.event_type == "progress"]
    assert len(events) >= 300, len(events)
    assert all(1 <= count_tokens(text) <= 3 for text in progress), progress[:5]
    metrics = {m.metric: m.value for m in events[-1].event.metrics or []}
    assert 300 <= metrics["num_completion_tokens"] <= 2048
    assert count_tokens("".join(progress)) == metrics["num_completion_tokens"]
    assert server.stop() == 0
    server.clean_stderr()


def test_32_paced_streams_and_plain_requests_are_served_together_then_stop_cleanly(launch):
    # 20 tokens/s over a 1,200+ token answer: every stream outlasts the test by far.
    server = launch([*CLI, "serve", "--port", "0", "--tokens-per-second", "20"])
    url = server.wait_ready()
    all_open = threading.Barrier(PACED_STREAMS + 1, timeout=CLIENT_TIMEOUT_S)
    plain_done = threading.Event()
    seen_after_plain: list[bool] = []
    failures: list[BaseException] = []

    def stream() -> None:
        body = {
            "model": MODEL, "messages": LONG_ASK, "max_completion_tokens": 2048, "stream": True
        }
        try:
            with httpx.Client(timeout=CLIENT_TIMEOUT_S) as client, client.stream(
                "POST", f"{url}/v1/chat/completions", json=body, headers=AUTH
            ) as answer:
                lines = answer.iter_lines()
                assert answer.status_code == 200
                progress = (line for line in lines if '"progress"' in line)
                next(progress)  # this stream is open and under way
                all_open.wait()
                plain_done.wait(CLIENT_TIMEOUT_S)
                # still under way after the plain requests were answered beside it
                seen_after_plain.append(next(progress, None) is not None)
        except BaseException as exc:  # reported by the main thread
            failures.append(exc)
            all_open.abort()

    threads = [threading.Thread(target=stream, daemon=True) for _ in range(PACED_STREAMS)]
    for thread in threads:
        thread.start()
    all_open.wait()  # 32 streams hold a progress event each and none has ended
    with httpx.Client(timeout=CLIENT_TIMEOUT_S) as client:
        statuses = [
            client.post(
                f"{url}/v1/chat/completions",
                json={"model": MODEL, "messages": [{"role": "user", "content": f"Hi {n}"}]},
                headers={"Authorization": "Bearer test"},
            ).status_code
            for n in range(20)
        ]
    plain_done.set()
    for thread in threads:
        thread.join(CLIENT_TIMEOUT_S)
    assert not failures, failures[0]
    assert statuses == [200] * 20
    assert seen_after_plain == [True] * PACED_STREAMS

    # A stop with more paced streams in flight is still clean.
    holders = [threading.Thread(target=stream, daemon=True) for _ in range(4)]
    all_open = threading.Barrier(len(holders) + 1, timeout=CLIENT_TIMEOUT_S)
    plain_done.clear()
    for thread in holders:
        thread.start()
    all_open.wait()
    assert server.stop(signal.SIGTERM) == 0
    plain_done.set()
    server.clean_stderr()
