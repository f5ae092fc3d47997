"""Header and standing faults when scenarios are loaded and no step matches: a fault that replaces
the answer still answers (it answers every chat request so), counted exactly; a fault that acts on
an answer has none, and the 404 stands, the fault neither applied nor counted."""

from __future__ import annotations

import json
from typing import Any

from mockserver import MockConfig, MockRequest, MockResponse, MockService
from mockserver.scenarios.layer import ScenarioLayer, install_scenarios

MODEL = "Llama-4-Maverick-17B-128E-Instruct-FP8"
SCENARIO = b"""\
name: weather
steps:
  - match: {last_user_message: {contains: weather}}
    respond: {text: Sunny.}
"""


def _service() -> tuple[MockService, ScenarioLayer, list[float]]:
    service = MockService(MockConfig())
    layer = install_scenarios(service)
    slept: list[float] = []
    service.chat_handler.sleep = slept.append
    assert _admin(layer, "POST", "/_mock/scenarios", SCENARIO, "application/yaml")[0] == 200
    return service, layer, slept


def _admin(layer: ScenarioLayer, method: str, path: str, body: bytes = b"",
           content_type: str = "application/json") -> tuple[int, Any]:
    handler = layer.admin_scenarios if path.endswith("scenarios") else layer.admin_faults
    response = handler(MockRequest(method, path, {"content-type": content_type}, body))
    raw = b"".join(response.iter_body())
    return response.status, json.loads(raw) if raw else None


def _chat(service: MockService, text: str = "tell me a joke", **headers: str) -> MockResponse:
    body = {"model": MODEL, "messages": [{"role": "user", "content": text}]}
    response = service.handle(MockRequest(
        "POST", "/v1/chat/completions",
        {"authorization": "Bearer k", "content-type": "application/json",
         **{k.replace("_", "-"): v for k, v in headers.items()}}, json.dumps(body).encode()))
    b"".join(response.iter_body())
    return response


def _remaining(layer: ScenarioLayer) -> list[Any]:
    return [entry["remaining"] for entry in _admin(layer, "GET", "/_mock/faults")[1]["faults"]]


def _stand(layer: ScenarioLayer, fault: str, times: int) -> None:
    body = json.dumps({"fault": fault, "times": times}).encode()
    assert _admin(layer, "POST", "/_mock/faults", body)[0] in (200, 201)


def test_a_header_fault_answers_a_request_no_step_matches() -> None:
    service, _, _ = _service()
    assert _chat(service).status == 404
    response = _chat(service, x_mock_fault="http_error; status=418")
    assert response.status == 418
    entry = service.store.journal_entries()[-1]
    assert entry.fault == "http_error; status=418"
    assert entry.extra["scenario_miss"] == "scenario.no_match"
    assert entry.to_dict()["scenario_miss_message"].startswith(  # which matcher failed, journaled
        "no scenario step matches this request; closest: scenario 'weather'")
    assert _chat(service, "weather?", x_mock_fault="http_error; status=418").status == 418


def test_a_standing_fault_answers_unmatched_requests_and_counts_exactly() -> None:
    service, layer, _ = _service()
    _stand(layer, "http_error; status=418", 3)
    assert [_chat(service).status for _ in range(2)] == [418, 418]
    assert _remaining(layer) == [1]
    assert service.store.journal_entries()[-1].fault == "http_error; status=418"
    assert _chat(service).status == 418
    assert _remaining(layer) == []
    assert _chat(service).status == 404


def test_a_fault_that_acts_on_an_answer_leaves_the_404_and_is_not_counted() -> None:
    service, layer, slept = _service()
    _stand(layer, "latency; ms=250", 2)
    response = _chat(service)
    assert response.status == 404
    assert json.loads(response.body)["errors"][0]["rule"] == "scenario.no_match"
    assert (_remaining(layer), slept, service.store.journal_entries()[-1].fault) == ([2], [], None)
    for fault in ("latency; ms=250", "malformed_json", "tool_call_as_text"):
        assert _chat(service, x_mock_fault=fault).status == 404
    assert (_remaining(layer), slept) == ([2], [])
    assert _chat(service, "weather?").status == 200  # a matching step takes the standing latency
    assert (_remaining(layer), slept) == ([1], [0.25])


def test_a_delay_goes_with_a_replacing_fault_as_on_any_answer() -> None:
    service, layer, slept = _service()
    _stand(layer, "latency; ms=100", 1)
    assert _chat(service, x_mock_fault="rate_limit").status == 429
    assert (_remaining(layer), slept) == ([], [0.1])
    applied = service.store.journal_entries()[-1].fault or ""
    assert applied.startswith("rate_limit")
    assert "latency" in applied


def test_the_header_wins_over_a_standing_fault_without_a_step_too() -> None:
    service, layer, _ = _service()
    _stand(layer, "http_error; status=418", 2)
    assert _chat(service, x_mock_fault="http_error; status=503").status == 503
    assert _remaining(layer) == [2]  # overridden, so not counted: as when a step matches
    assert [_chat(service).status for _ in range(3)] == [418, 418, 404]


def test_a_standing_fault_the_header_overrides_is_not_counted_when_a_step_answers() -> None:
    service, layer, slept = _service()
    _stand(layer, "http_error; status=418", 2)
    _stand(layer, "rate_limit, latency; ms=50", 1)  # a set with a delay beside it is taken
    assert _chat(service, "weather?", x_mock_fault="http_error; status=503").status == 503
    assert (_remaining(layer), slept) == ([2], [0.05])
    assert [_chat(service, "weather?").status for _ in range(3)] == [418, 418, 200]


def test_fail_then_succeed_fails_then_the_404_is_the_normal_answer() -> None:
    service, _, _ = _service()
    fault = "fail_then_succeed; times=1; status=503"
    assert _chat(service, x_mock_session="s", x_mock_fault=fault).status == 503
    assert _chat(service, x_mock_session="s", x_mock_fault=fault).status == 404
    assert service.store.journal_entries()[-1].fault is None


def test_an_unknown_scenario_header_is_still_refused_whatever_the_fault() -> None:
    service, layer, _ = _service()
    _stand(layer, "http_error; status=418", 1)
    response = _chat(service, x_mock_scenario="nope", x_mock_fault="http_error; status=418")
    assert response.status == 400
    assert json.loads(response.body)["errors"][0]["rule"] == "scenario.unknown"
    assert _remaining(layer) == [1]


def test_a_finished_scenario_answers_a_replacing_fault_too() -> None:
    service, layer, _ = _service()
    done = b"name: done\nwhen_done: fail\nsteps:\n  - respond: {text: once}\n"
    assert _admin(layer, "POST", "/_mock/scenarios", done, "application/yaml")[0] == 200
    assert _chat(service, x_mock_scenario="done", x_mock_session="f").status == 200
    assert _chat(service, x_mock_scenario="done", x_mock_session="f").status == 404
    response = _chat(service, x_mock_scenario="done", x_mock_session="f", x_mock_fault="reset")
    assert response.reset
