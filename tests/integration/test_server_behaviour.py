"""Server behaviour users rely on: strictness, quirks, the journal, determinism, rate-limit headers."""

from __future__ import annotations

import json

import httpx
import pytest
from integration_support import API_KEY, MODEL

SEED_LIKE = {
    "model": MODEL,
    "messages": [{"role": "user", "content": "What is the capital of France?"}],
    "max_tokens": 256,
}
AUTH = {"Authorization": f"Bearer {API_KEY}"}


def post(base: str, payload: dict, **headers: str) -> httpx.Response:
    return httpx.post(f"{base}/v1/chat/completions", json=payload, headers={**AUTH, **headers})


def test_strict_turns_warnings_into_400s(start_mock):
    strict = start_mock(strict=True)
    response = post(strict.base_url, SEED_LIKE)
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert [(e["rule"], e["path"], e["severity"]) for e in errors] == [
        ("field.unknown", "/max_tokens", "error")
    ]
    unknown_model = post(
        strict.base_url, {"model": "Llama-9", "messages": SEED_LIKE["messages"]}
    ).json()
    assert [e["rule"] for e in unknown_model["errors"]] == ["model.unknown"]


def test_lenient_by_default_with_the_warning_in_a_header(mock):
    response = post(mock.base_url, {**SEED_LIKE, "model": "Llama-9"})
    assert response.status_code == 200
    rules = sorted(w["rule"] for w in json.loads(response.headers["x-contract-warnings"]))
    assert rules == ["field.unknown", "model.unknown"]


def test_quirks_refuse_a_stream_without_a_json_or_sse_accept(start_mock):
    quirky = start_mock(quirks=True)
    streaming = {**SEED_LIKE, "stream": True}
    refused = post(quirky.base_url, streaming, Accept="*/*")
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["rule"] == "http.accept"
    for accept in ("application/json", "text/event-stream"):
        assert post(quirky.base_url, streaming, Accept=accept).status_code == 200
    # Without the profile the same request streams.
    assert post(start_mock().base_url, streaming, Accept="*/*").status_code == 200


def test_the_same_request_gives_the_same_bytes_and_the_seed_changes_them(start_mock, mock):
    payload = {"model": MODEL, "messages": [{"role": "user", "content": "Name three rivers"}]}
    first, second = post(mock.base_url, payload), post(mock.base_url, payload)
    assert first.content == second.content
    other_seed = post(start_mock(seed=99).base_url, payload)
    assert other_seed.content != first.content


def test_the_journal_lists_and_clears(start_mock):
    server = start_mock()
    post(server.base_url, SEED_LIKE)
    post(server.base_url, {"model": MODEL, "messages": [{"role": "wizard", "content": "x"}]})
    journal = httpx.get(f"{server.base_url}/_mock/journal").json()
    assert journal["count"] == 2
    statuses = [(e["status"], e["validation"]["ok"]) for e in journal["entries"]]
    assert statuses == [(200, True), (400, False)]
    assert "test-key" not in json.dumps(journal)  # keys are masked
    assert httpx.delete(f"{server.base_url}/_mock/journal").status_code == 204
    assert httpx.get(f"{server.base_url}/_mock/journal").json()["count"] == 0


def test_admin_needs_the_token_when_one_is_set(start_mock):
    server = start_mock(admin_token="s3cret")
    assert httpx.get(f"{server.base_url}/_mock/journal").status_code == 403
    allowed = httpx.get(
        f"{server.base_url}/_mock/journal", headers={"x-mock-admin-token": "s3cret"}
    )
    assert allowed.status_code == 200


@pytest.mark.parametrize("path", ["/v1/chat/completions", "/compat/v1/chat/completions"])
def test_chat_answers_carry_rate_limit_headers(mock, path):
    response = httpx.post(f"{mock.base_url}{path}", json=SEED_LIKE, headers=AUTH)
    assert response.status_code == 200
    for name in (
        "x-ratelimit-limit-requests",
        "x-ratelimit-remaining-requests",
        "x-ratelimit-limit-tokens",
        "x-ratelimit-remaining-tokens",
    ):
        assert int(response.headers[name]) >= 0


def test_prism_style_paths_without_v1(mock):
    response = httpx.post(f"{mock.base_url}/chat/completions", json=SEED_LIKE, headers=AUTH)
    assert response.status_code == 200
    assert response.json()["completion_message"]["role"] == "assistant"
