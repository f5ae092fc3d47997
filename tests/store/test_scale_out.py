"""Several processes as one mock: `serve --workers 2 --store redis://...`, and two `serve` processes
sharing one Redis. Real processes, a real redis-server, real HTTP over fresh connections."""

from __future__ import annotations

import itertools

import httpx
import pytest
from llama_api_client import LlamaAPIClient

AUTH = {"Authorization": "Bearer key-one"}
MODEL = "Llama-4-Maverick-17B-128E-Instruct-FP8"
TIMEOUT_S = 30.0


def _chat(text: str) -> dict[str, object]:
    return {"model": MODEL, "messages": [{"role": "user", "content": text}], "max_tokens": 20}


def _post(base: str, body: dict[str, object], **headers: str) -> httpx.Response:
    with httpx.Client(timeout=TIMEOUT_S) as client:  # a fresh connection each time
        return client.post(f"{base}/v1/chat/completions", json=body, headers={**AUTH, **headers})


def _journal(base: str) -> list[dict[str, object]]:
    with httpx.Client(timeout=TIMEOUT_S) as client:
        response = client.get(f"{base}/_mock/journal")
    response.raise_for_status()
    entries: list[dict[str, object]] = response.json()["entries"]
    return entries


@pytest.fixture(params=["workers", "hosts"])
def mock_urls(request, redis_url, start_mock) -> list[str]:
    """Base URLs that are one mock: one serve with 2 workers, or two serves on two ports."""
    args = ("--store", redis_url, "--rpm", "10", "--scenarios", "multi-turn")
    if request.param == "workers":
        mock = start_mock("--workers", "2", *args)
        return [mock.wait_ready()]
    first, second = start_mock(*args), start_mock(*args)
    return [first.wait_ready(), second.wait_ready()]


def test_fail_then_succeed_counts_across_processes(mock_urls):
    urls = itertools.cycle(mock_urls)
    fault = {"x-mock-fault": "fail_then_succeed; times=2; status=503", "x-mock-session": "ft"}
    statuses = [_post(next(urls), _chat("capital?"), **fault).status_code for _ in range(3)]
    assert statuses == [503, 503, 200]


def test_rate_limit_is_one_budget_across_processes(mock_urls):
    urls = itertools.cycle(mock_urls)
    statuses = [_post(next(urls), _chat("capital?"), **{"x-mock-session": f"r{n}"}).status_code
                for n in range(14)]
    assert statuses.count(200) == 10
    assert statuses.count(429) == 4
    assert statuses[:10] == [200] * 10


def test_journal_shows_every_request_whichever_process_answers(mock_urls):
    urls = itertools.cycle(mock_urls)
    ids = [_post(next(urls), _chat("capital?"), **{"x-mock-session": f"j{n}"}).headers[
        "x-request-id"] for n in range(6)]
    assert len(set(ids)) == 6
    for url in mock_urls:
        assert [entry["id"] for entry in _journal(url)] == ids


def test_scenario_advances_step_by_step_whichever_process_answers(mock_urls):
    urls = itertools.cycle(mock_urls)
    answers = []
    for question in ("What is the capital of France?", "And its population?", "Which river?"):
        client = LlamaAPIClient(api_key="key-one", base_url=f"{next(urls)}/v1", max_retries=0,
                                default_headers={"x-mock-session": "tour"})
        response = client.chat.completions.create(
            model=MODEL, messages=[{"role": "user", "content": question}])
        answers.append(response.completion_message.content.text)  # type: ignore[union-attr]
        client.close()
    assert "Paris" in answers[0]
    assert "2.1 million" in answers[1]
    assert "Seine" in answers[2]


def test_reset_through_one_process_clears_the_whole_mock(mock_urls):
    _post(mock_urls[0], _chat("capital?"))
    with httpx.Client(timeout=TIMEOUT_S) as client:
        assert client.post(f"{mock_urls[-1]}/_mock/reset").status_code == 204
    for url in mock_urls:
        assert _journal(url) == []


def test_store_lost_while_serving_answers_json_503_then_recovers(own_redis, start_mock):
    mock = start_mock("--workers", "2", "--store", own_redis.url)
    url = mock.wait_ready()
    assert _post(url, _chat("capital?")).status_code == 200
    own_redis.stop()
    for _ in range(3):  # whichever worker answers
        lost = _post(url, _chat("capital?"), **{"x-mock-session": "down"})
        assert lost.status_code == 503
        document = lost.json()
        assert document["errors"][0]["rule"] == "mock.store_unavailable"
        assert f"the shared store at {own_redis.url} is unreachable" in document["detail"]
        with httpx.Client(timeout=TIMEOUT_S) as client:
            journal = client.get(f"{url}/_mock/journal")
            models = client.get(f"{url}/v1/models", headers=AUTH)
        assert journal.status_code == 503
        assert journal.headers["content-type"].startswith("application/json")
        assert models.status_code == 200  # stateless answers go on
    own_redis.start()
    statuses = [_post(url, _chat("capital?"), **{"x-mock-session": "up"}).status_code
                for _ in range(3)]
    assert statuses == [200, 200, 200]
    assert mock.process.poll() is None


def test_unreachable_store_at_start_is_one_line_and_exit_2(tmp_path, start_mock):
    mock = start_mock("--store", f"unix://{tmp_path}/nothing.sock")
    code, stderr = mock.finish()
    assert code == 2
    lines = stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("llama-contract serve: error: the shared store at unix://")


def test_several_workers_without_a_shared_store_are_refused(start_mock):
    mock = start_mock("--workers", "2")
    code, stderr = mock.finish()
    assert code == 2
    assert stderr.strip() == (
        "llama-contract serve: error: --workers 2 needs a shared store (--store "
        "redis://HOST:PORT/DB): in memory each worker would keep its own journal, fault counters "
        "and rate limits"
    )


def test_a_store_url_that_is_not_redis_is_refused(start_mock):
    mock = start_mock("--store", "postgres://x")
    code, stderr = mock.finish()
    assert code == 2
    assert "expected 'memory' or a Redis URL" in stderr


def test_admin_faults_set_through_one_process_apply_on_all(mock_urls):
    urls = itertools.cycle(mock_urls)
    with httpx.Client(timeout=TIMEOUT_S) as client:
        added = client.post(f"{mock_urls[-1]}/_mock/faults",
                            json={"fault": "http_error; status=502", "times": 3})
        assert added.status_code == 200
    statuses = [_post(next(urls), _chat("capital?"), **{"x-mock-session": f"a{n}"}).status_code
                for n in range(5)]
    assert statuses == [502, 502, 502, 200, 200]
    with httpx.Client(timeout=TIMEOUT_S) as client:
        assert client.get(f"{mock_urls[0]}/_mock/faults").json() == {"faults": []}
