"""The active scenarios are one list for the whole mock: `POST`, `DELETE /_mock/scenarios` and
`POST /_mock/reset` through one worker change what every worker answers, from the very next
request. Real `serve --workers 2 --store redis://...`, a real redis-server, real HTTP on loopback,
a fresh connection per request (so either worker may take it)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

AUTH = {"Authorization": "Bearer key-one"}
MODEL = "Llama-4-Maverick-17B-128E-Instruct-FP8"
TIMEOUT_S = 30.0
MAX_TRIES = 200  # requests sent until both workers have answered


def _document(name: str, text: str) -> dict[str, Any]:
    return {"name": name, "steps": [{"name": "only", "respond": {"text": text}}]}


def _send(method: str, url: str, **kwargs: Any) -> httpx.Response:
    with httpx.Client(timeout=TIMEOUT_S) as client:  # a fresh connection each time
        return client.request(method, url, **kwargs)


def _chat(base: str, n: int) -> tuple[str, str]:
    """The answer's text, and the tag of the worker that gave it (from its request id)."""
    body = {"model": MODEL, "messages": [{"role": "user", "content": f"question {n}"}]}
    response = _send("POST", f"{base}/v1/chat/completions", json=body,
                     headers={**AUTH, "x-mock-session": f"s{n}"})
    assert response.status_code == 200, response.text
    return response.json()["completion_message"]["content"]["text"], _worker(response)


def _worker(response: httpx.Response) -> str:
    request_id = response.headers["x-request-id"]  # req_ + the worker's 6-digit tag + a number
    assert request_id.startswith("req_"), request_id
    assert len(request_id) == 4 + 6 + 8, request_id
    return request_id[4:10]


def _until_both_workers(base: str, check: Callable[[str], None]) -> None:
    """Chat until two workers have answered (bounded), `check`ing every answer's text."""
    workers: set[str] = set()
    for n in range(MAX_TRIES):
        text, worker = _chat(base, n)
        check(text)
        workers.add(worker)
        if len(workers) == 2:
            return
    pytest.fail(f"{MAX_TRIES} requests reached only the workers {sorted(workers)}")


def _post_scenarios(base: str, body: dict[str, Any]) -> httpx.Response:
    return _send("POST", f"{base}/_mock/scenarios", json=body)


@pytest.fixture
def mock_url(redis_url: str, start_mock: Any) -> str:
    return str(start_mock("--workers", "2", "--store", redis_url).wait_ready())


def test_a_posted_document_answers_on_every_worker_then_delete_stops_it(mock_url):
    _, engine_worker = _chat(mock_url, -1)
    posted = _post_scenarios(mock_url, {"scenarios": [_document("posted", "Posted answer.")]})
    assert posted.status_code == 200, posted.text
    assert [s["name"] for s in posted.json()["active"]] == ["posted"]

    def follows(text: str) -> None:
        assert text == "Posted answer."

    _until_both_workers(mock_url, follows)
    assert _send("DELETE", f"{mock_url}/_mock/scenarios").status_code == 204

    def engine(text: str) -> None:
        assert text != "Posted answer."

    _until_both_workers(mock_url, engine)
    assert engine_worker


def test_the_next_request_after_each_change_sees_it(mock_url):
    for round_ in range(12):  # each change, then at once one chat on whichever worker
        text = f"Answer of round {round_}."
        posted = _post_scenarios(mock_url, {"scenarios": [_document("round", text)]})
        assert posted.status_code == 200, posted.text
        assert _chat(mock_url, round_)[0] == text
        if round_ % 3 == 2:
            deleted = _send("DELETE", f"{mock_url}/_mock/scenarios",
                            json={"scenarios": ["round"]})
            assert deleted.status_code == 200, deleted.text
            assert deleted.json()["active"] == []
            assert _chat(mock_url, 100 + round_)[0] != text


def test_a_yaml_document_and_a_built_in_name_reach_every_worker(mock_url):
    yaml_text = "name: from-yaml\nsteps:\n  - name: only\n    respond: {text: From YAML.}\n"
    posted = _send("POST", f"{mock_url}/_mock/scenarios", content=yaml_text,
                   headers={"content-type": "application/yaml"})
    assert posted.status_code == 200, posted.text
    added = _post_scenarios(mock_url, {"scenarios": ["seed-example"], "replace": False})
    assert added.status_code == 200, added.text
    workers: set[str] = set()
    for _ in range(MAX_TRIES):  # every worker lists both, in order
        listed = _send("GET", f"{mock_url}/_mock/scenarios")
        assert [s["name"] for s in listed.json()["active"]] == ["from-yaml", "seed-example"]
        workers.add(_worker(listed))
        if len(workers) == 2:
            break
    assert len(workers) == 2

    def follows(text: str) -> None:
        assert text == "From YAML."

    _until_both_workers(mock_url, follows)


def test_reset_keeps_the_list_and_a_restarted_serve_starts_from_its_own(
    redis_url, start_mock, mock_url
):
    assert _post_scenarios(mock_url, {"scenarios": [_document("kept", "Kept.")]}).status_code == 200
    assert _send("POST", f"{mock_url}/_mock/reset").status_code == 204

    def follows(text: str) -> None:
        assert text == "Kept."

    _until_both_workers(mock_url, follows)
    again = start_mock("--store", redis_url, "--scenarios", "seed-example").wait_ready()
    listed = _send("GET", f"{again}/_mock/scenarios").json()["active"]
    assert [s["name"] for s in listed] == ["seed-example"]  # the posted list of the old run went
    assert [s["name"] for s in _send("GET", f"{mock_url}/_mock/scenarios").json()["active"]] == [
        "seed-example"]  # one store, one list


def test_size_limits_are_clear_4xx_and_change_nothing(mock_url):
    from contract.scenarios.source import MAX_FILE_BYTES
    from mockserver.scenarios.active import MAX_POSTED_BYTES

    too_big = _post_scenarios(mock_url, {"scenarios": [_document("big", "x" * MAX_FILE_BYTES)]})
    assert too_big.status_code == 400
    assert "larger than" in too_big.json()["detail"]
    per_post = MAX_FILE_BYTES - 1000
    fits = MAX_POSTED_BYTES // per_post
    for n in range(fits):
        body = {"scenarios": [_document(f"big{n}", "x" * (per_post - 200))], "replace": False}
        assert _post_scenarios(mock_url, body).status_code == 200
    refused = _post_scenarios(
        mock_url, {"scenarios": [_document("one-more", "x" * (per_post - 200))], "replace": False})
    assert refused.status_code == 413, refused.text
    assert refused.json()["errors"][0]["rule"] == "scenario.too_large"
    assert f"at most {MAX_POSTED_BYTES:,}" in refused.json()["detail"]
    listed = _send("GET", f"{mock_url}/_mock/scenarios").json()["active"]
    assert [s["name"] for s in listed] == [f"big{n}" for n in range(fits)]
