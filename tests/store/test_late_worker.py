"""A worker that starts while others serve must not reset the conversations in the shared store."""

from __future__ import annotations

import json

from mockserver import MockConfig, MockService
from mockserver.core.http import MockRequest

HEADERS = {
    "authorization": "Bearer key-one",
    "content-type": "application/json",
    "x-mock-session": "tour",
}
QUESTIONS = ("What is the capital of France?", "And its population?", "Which river?")


def ask(service: MockService, question: str) -> dict[str, object]:
    body = json.dumps(
        {"model": "Llama-3.3-70B-Instruct", "messages": [{"role": "user", "content": question}]}
    ).encode()
    answer = service.handle(MockRequest("POST", "/v1/chat/completions", HEADERS, body, len(body)))
    assert answer.status == 200, b"".join(answer.iter_body())
    return json.loads(b"".join(answer.iter_body()))


def test_a_late_worker_continues_the_conversation(redis_url):
    config = MockConfig(store_url=redis_url, scenarios=("multi-turn",))
    first = MockService(config)
    texts = [ask(first, QUESTIONS[0])]
    late = MockService(config)  # a second worker process coming up now, on the same store
    texts.append(ask(late, QUESTIONS[1]))
    texts.append(ask(first, QUESTIONS[2]))
    said = [t["completion_message"]["content"]["text"] for t in texts]  # type: ignore[index]
    assert "Paris" in said[0]
    assert "2.1 million" in said[1]
    assert "Seine" in said[2]
