"""Budgets of what one client controls: waits, header values, secrets, counts of active state.

Each test reproduces a probe of the hardening issue (#14) that once froze, exhausted or poisoned
the mock, and asserts the clear 4xx (or the bound) that replaced it.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient

from mockserver import MockConfig, create_app
from mockserver.core.sse import MAX_STREAM_PAUSE_S, paced

CALL_TIMEOUT_S = 30.0  # a bound against a hang, not a claim about speed
AUTH = {"Authorization": "Bearer key"}
CHAT = {
    "model": "Llama-4-Maverick-17B-128E-Instruct-FP8",
    "messages": [{"role": "user", "content": "hello"}],
}


def _client(**settings: Any) -> FlaskClient:
    return create_app(MockConfig(**settings)).test_client()


def _bounded(call: Callable[[], Any]) -> Any:
    """Run `call` in a thread and fail (not hang) if it does not return within the bound."""
    result: list[Any] = []
    worker = threading.Thread(target=lambda: result.append(call()), daemon=True)
    worker.start()
    worker.join(CALL_TIMEOUT_S)
    assert not worker.is_alive(), f"the call did not return within {CALL_TIMEOUT_S}s"
    return result[0]


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
    from mockserver.adapters.flask_app import service_of

    service_of(app).scenarios.sleep = service_of(app).chat_handler.sleep = slept.append
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


# Row 2: the node limit let 0.16 MB of YAML expand to a 2,000 MB answer through one anchor.
def test_a_yaml_alias_bomb_under_the_node_limit_is_refused_by_its_expanded_size() -> None:
    anchor = "x" * 100_000
    lines = ["name: bomb", "steps:", "  - respond:", "      body:", f"        - &big {anchor}"]
    lines += ["        - *big"] * 20_000
    client = _client()
    answer = client.post(
        "/_mock/scenarios", data="\n".join(lines) + "\n", content_type="application/yaml"
    )
    assert answer.status_code == 400, answer.get_data()[:300]
    assert "characters of text (aliases?)" in answer.get_json()["detail"]
    assert client.get("/_mock/scenarios").get_json()["active"] == []


# Row 5: a lone surrogate was accepted, activated, and then made every chat of every client a 500.
@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/_mock/scenarios",
         '{"name": "s", "steps": [{"respond": {"text": "\\ud800"}}]}'),
        ("/_mock/scenarios",
         '{"scenarios": [{"name": "\\udfff", "steps": [{"respond": {"text": "x"}}]}]}'),
        ("/_mock/faults", '{"fault": "http_error; message=\\ud800"}'),
        ("/_mock/faults", '{"fault": {"name": "http_error", "message": "\\ud800"}}'),
    ],
)
def test_a_lone_surrogate_in_admin_json_is_a_400_and_leaves_no_trace(path: str, body: str) -> None:
    client = _client()
    answer = client.post(path, data=body, content_type="application/json")
    assert answer.status_code == 400, answer.get_data()[:300]
    assert "surrogate" in answer.get_json()["detail"]
    assert client.get("/_mock/scenarios").get_json()["active"] == []
    assert client.get("/_mock/faults").get_json()["faults"] == []
    assert client.post("/v1/chat/completions", json=CHAT, headers=AUTH).status_code == 200


def test_a_lone_surrogate_in_admin_yaml_is_a_400() -> None:
    client = _client()
    document = 'name: s\nsteps:\n  - respond: {text: "\\ud800"}\n'
    answer = client.post("/_mock/scenarios", data=document, content_type="application/yaml")
    assert answer.status_code == 400, answer.get_data()[:300]
    assert "Unicode" in answer.get_json()["detail"] or "surrogate" in answer.get_json()["detail"]
    assert client.post("/v1/chat/completions", json=CHAT, headers=AUTH).status_code == 200


# Row 6: a million tiny nodes were composed as YAML (67 s of CPU, 1 GB) before being counted.
@pytest.mark.parametrize("item", ["0", "[]", "{}"])
def test_a_json_scenario_with_too_many_nodes_is_refused_before_composing(item: str) -> None:
    nodes = 2 * 1024 * 1024 // (len(item) + 1) - 16
    body = '{"name": "n", "steps": [' + ",".join([item] * nodes) + "]}"
    answer = _bounded(lambda: _client().post(
        "/_mock/scenarios", data=body, content_type="application/json"))
    assert answer.status_code == 400, answer.get_data()[:300]
    assert "more than 20000 nodes" in answer.get_json()["detail"]


# Row 11: thousands of active scenarios or standing faults slowed every chat tenfold.
def test_active_scenarios_are_limited_and_the_refusal_changes_nothing() -> None:
    from mockserver.scenarios.router import MAX_ACTIVE_SCENARIOS

    client = _client()
    many = [{"name": f"s{i}", "steps": [{"respond": {"text": "x"}}]}
            for i in range(MAX_ACTIVE_SCENARIOS)]
    assert client.post("/_mock/scenarios", json={"scenarios": many}).status_code == 200
    one_more = {"name": "extra", "steps": [{"respond": {"text": "x"}}]}
    answer = client.post("/_mock/scenarios", json={"scenarios": [one_more], "replace": False})
    assert answer.status_code == 400
    assert f"at most {MAX_ACTIVE_SCENARIOS} scenarios" in answer.get_json()["detail"]
    assert len(client.get("/_mock/scenarios").get_json()["active"]) == MAX_ACTIVE_SCENARIOS
    replaced = client.post("/_mock/scenarios", json={"scenarios": [one_more]})
    assert replaced.status_code == 200


def test_standing_faults_are_limited() -> None:
    from mockserver.scenarios.standing import MAX_STANDING_FAULTS

    client = _client()
    for _ in range(MAX_STANDING_FAULTS):
        added = client.post("/_mock/faults", json={"fault": "latency; ms=0", "times": 5})
        assert added.status_code == 200
    answer = client.post("/_mock/faults", json={"fault": "latency; ms=0"})
    assert answer.status_code == 400
    assert f"at most {MAX_STANDING_FAULTS} standing faults" in answer.get_json()["detail"]
    assert len(client.get("/_mock/faults").get_json()["faults"]) == MAX_STANDING_FAULTS
    assert client.delete("/_mock/faults").status_code == 204
    assert client.post("/_mock/faults", json={"fault": "latency; ms=0"}).status_code == 200


# Row 7: 5,100 requests with distinct sessions made the store forget the oldest-inserted half of
# its keys, another session's scenario progress among them.
def test_strangers_sessions_do_not_reset_a_sessions_progress() -> None:
    from mockserver import MockService
    from mockserver.core.http import MockRequest

    service = MockService(MockConfig())
    two_steps = {"name": "two", "steps": [{"name": "first", "respond": {"text": "one"}},
                                          {"name": "second", "respond": {"text": "two"}}]}
    loaded = service.handle(MockRequest("POST", "/_mock/scenarios",
                                        {"content-type": "application/json"},
                                        json.dumps(two_steps).encode()))
    assert loaded.status == 200

    def chat(session: str) -> str:
        answer = service.handle(MockRequest(
            "POST", "/v1/chat/completions",
            {"authorization": "Bearer key", "content-type": "application/json",
             "x-mock-session": session},
            json.dumps(CHAT).encode()))
        assert answer.status == 200
        assert isinstance(answer.body, bytes)
        return str(json.loads(answer.body)["completion_message"]["content"]["text"])

    assert chat("victim") == "one"
    for index in range(5_100):
        chat(f"stranger-{index}")
    assert chat("victim") == "two"


def test_the_store_forgets_the_least_recently_used_key_first() -> None:
    from mockserver.state.store import MAX_VALUES_PER_POOL, MemoryStore

    store = MemoryStore()
    store.update("scenario:a", lambda _: 1)
    for index in range(MAX_VALUES_PER_POOL - 1):
        store.update(f"scenario:x{index}", lambda _: 0)
    assert store.get("scenario:a") == 1  # used: now the most recent
    store.update("scenario:new", lambda _: 0)
    assert store.get("scenario:a") == 1
    assert store.get("scenario:x0") is None
    for index in range(MAX_VALUES_PER_POOL * 2):
        store.update(f"fault:seen:s{index}:k", lambda _: 1)
    assert store.get("scenario:a") == 1
