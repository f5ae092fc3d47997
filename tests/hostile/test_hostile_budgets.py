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
