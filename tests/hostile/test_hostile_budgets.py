"""Budgets of what one client controls: waits, header values, secrets, counts of active state.

Each test reproduces a probe of the hardening issue (#14) that once froze, exhausted or poisoned
the mock, and asserts the clear 4xx (or the bound) that replaced it.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from mockserver import MockConfig, create_app
from mockserver.sse import MAX_STREAM_PAUSE_S, paced

AUTH = {"Authorization": "Bearer key"}
CHAT = {
    "model": "Llama-4-Maverick-17B-128E-Instruct-FP8",
    "messages": [{"role": "user", "content": "hello"}],
}


def _client(**settings: Any) -> FlaskClient:
    return create_app(MockConfig(**settings)).test_client()


def _rule(answer: Any) -> str:
    document = answer.get_json()
    errors = document["errors"] if "errors" in document else document["error"]["errors"]
    return str(errors[0]["rule"])


# Row 3 and 8: waits without an upper bound held threads for minutes; 1e-300 raised OverflowError.
@pytest.mark.parametrize(
    "fault",
    [
        "slow_stream; tokens_per_second=1e-300",
        "slow_stream; tokens_per_second=1e-9",
        "slow_stream; ttft_ms=600000",
        "latency; ms=600000",
        "stall; ms=1e309",
        "latency; distribution=uniform; min_ms=0; max_ms=1e300",
    ],
)
def test_a_wait_past_its_bound_is_a_400_before_anything_sleeps(fault: str) -> None:
    slept: list[float] = []
    app = create_app(MockConfig())
    from mockserver.app import service_of

    service_of(app).scenarios.sleep = slept.append
    answer = app.test_client().post(
        "/v1/chat/completions",
        json={**CHAT, "stream": True},
        headers={**AUTH, "x-mock-fault": fault},
    )
    assert answer.status_code == 400, answer.get_data()[:300]
    assert _rule(answer) == "fault.invalid"
    assert slept == []


def test_all_pauses_of_one_stream_stop_at_the_stream_budget() -> None:
    slept: list[float] = []
    records = [(b"r", 1000)] * 50
    out = list(paced(records, ttft_ms=60_000, tokens_per_second=1.0, sleep=slept.append))
    assert len(out) == 50
    assert sum(slept) == pytest.approx(MAX_STREAM_PAUSE_S)


def test_admin_faults_hold_the_same_bounds() -> None:
    answer = _client().post("/_mock/faults", json={"fault": "latency; ms=600000"})
    assert answer.status_code == 400
    assert "at most 60000" in answer.get_json()["detail"]


def _scenario_with_headers(headers: dict[str, str]) -> dict[str, Any]:
    return {"name": "h", "steps": [{"respond": {"text": "hi", "headers": headers}}]}


# Row 9: header values were not checked at load: a 500 (JSON, or gunicorn's HTML page) on every
# chat after, or a stream silently cut to the Content-Length given.
@pytest.mark.parametrize(
    "headers",
    [
        {"x-evil": "a\r\nset-cookie: x=1"},
        {"x-evil": "a\nb"},
        {"x-evil": "a\x00b"},
        {"x-evil": "caf\u00e9 \u20ac"},
        {"Content-Length": "5"},
        {"transfer-encoding": "chunked"},
        {"x-long": "a" * 9000},
    ],
)
def test_a_scenario_header_that_could_break_the_answer_is_refused_at_load(
    headers: dict[str, str],
) -> None:
    client = _client()
    answer = client.post("/_mock/scenarios", json=_scenario_with_headers(headers))
    assert answer.status_code == 400, answer.get_data()[:300]
    assert _rule(answer) == "scenario.invalid"
    assert "respond.headers" in answer.get_json()["detail"]
    assert client.get("/_mock/scenarios").get_json()["active"] == []
    chat = client.post("/v1/chat/completions", json={**CHAT, "stream": True}, headers=AUTH)
    assert chat.status_code == 200


def test_a_latin1_header_value_is_sent() -> None:
    client = _client()
    loaded = client.post("/_mock/scenarios", json=_scenario_with_headers({"x-ok": "caf\u00e9"}))
    assert loaded.status_code == 200, loaded.get_data()
    assert client.post("/v1/chat/completions", json=CHAT, headers=AUTH).status_code == 200


# Row 11 (part): a 3,000-step scenario's error message repeated the steps array twice.
@pytest.mark.parametrize(
    "document",
    [
        {"name": "h", "steps": [{"respond": {"text": "hi"}, "bogus": 1}] * 3000},
        {"name": "h", "steps": [{"respond": {"text": "hi", "headers": {"x": "a" * 8193}}}]},
    ],
)
def test_errors_name_the_problem_without_echoing_the_input(document: dict[str, Any]) -> None:
    answer = _client().post("/_mock/scenarios", json=document)
    assert answer.status_code == 400
    assert len(answer.get_data()) < 4096


# Row 10: only four header names were masked; api-key and friends sat verbatim in the journal.
@pytest.mark.parametrize(
    "name",
    ["api-key", "proxy-authorization", "x-goog-api-key", "x-amz-security-token",
     "x-hub-signature-256", "x-client-secret", "set-cookie", "authorization", "x-mock-admin-token"],
)
def test_a_header_whose_name_says_secret_is_masked_in_the_journal(name: str) -> None:
    client = _client()
    secret = "sk-live-0123456789abcdef"
    headers = {**AUTH, name: secret} if name != "authorization" else {name: f"Bearer {secret}"}
    assert client.post("/v1/chat/completions", json=CHAT, headers=headers).status_code == 200
    journal = client.get("/_mock/journal").get_data(as_text=True)
    assert "0123456789ab" not in journal
    entry = client.get("/_mock/journal").get_json()["entries"][0]
    assert "***" in entry["headers"][name]


def test_ordinary_headers_stay_readable_in_the_journal() -> None:
    client = _client()
    headers = {**AUTH, "x-mock-session": "run-7", "x-stainless-retry-count": "0"}
    client.post("/v1/chat/completions", json=CHAT, headers=headers)
    entry = client.get("/_mock/journal").get_json()["entries"][0]
    assert entry["headers"]["x-mock-session"] == "run-7"
    assert entry["headers"]["x-stainless-retry-count"] == "0"
