"""The scenario layer inside `MockService` (no HTTP): selection, Prefer, journal, admin API."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mockserver import MockConfig, MockRequest, MockResponse, MockService
from mockserver.scenarios.fault_streams import ConnectionCut
from mockserver.scenarios.layer import ScenarioLayer, install_scenarios

MODEL = "Llama-4-Maverick-17B-128E-Instruct-FP8"
SCENARIO = """\
name: office
when_done: fail
steps:
  - name: greet
    match: {last_user_message: {contains: hello}}
    respond: {text: Hello from the office., headers: {x-office: open}}
  - name: busy
    respond: {status: 503, error: {"error": "custom body"}}
  - name: raw
    respond: {body: {"anything": [1, 2]}, status: 202}
"""


def _service(**config: Any) -> tuple[MockService, ScenarioLayer]:
    service = MockService(MockConfig(**config))
    return service, install_scenarios(service)


def _chat(service: MockService, text: str = "hello there", *, stream: bool = False,
          **headers: str) -> tuple[MockResponse, bytes]:
    body = {"model": MODEL, "messages": [{"role": "user", "content": text}], "stream": stream}
    request = MockRequest("POST", "/v1/chat/completions",
                          {"authorization": "Bearer k", "content-type": "application/json",
                           **{k.replace("_", "-"): v for k, v in headers.items()}},
                          json.dumps(body).encode())
    response = service.handle(request)
    return response, b"".join(response.iter_body())


def _admin(service: MockService, layer: ScenarioLayer, method: str, path: str,
           body: bytes = b"", content_type: str = "application/json") -> tuple[int, Any]:
    request = MockRequest(method, path, {"content-type": content_type}, body)
    handler = layer.admin_scenarios if path.endswith("scenarios") else layer.admin_faults
    response = handler(request)
    raw = b"".join(response.iter_body())
    return response.status, json.loads(raw) if raw else None


def test_nothing_in_play_leaves_the_engine_answer_untouched() -> None:
    plain = MockService(MockConfig())
    layered, _ = _service()
    assert _chat(plain)[1] == _chat(layered)[1]
    assert layered.store.journal_entries()[-1].scenario is None


def test_install_is_idempotent() -> None:
    service, layer = _service()
    assert install_scenarios(service) is layer
    assert sum(isinstance(getattr(r, "__self__", None), ScenarioLayer)
               for r in service.chat_handler.responders) == 1


def test_scenarios_from_config_walk_and_refuse_when_done(tmp_path: Path) -> None:
    path = tmp_path / "office.yaml"
    path.write_text(SCENARIO)
    service, _ = _service(scenarios=(str(path),))
    response, body = _chat(service, x_mock_session="s")
    assert response.status == 200
    assert json.loads(body)["completion_message"]["content"]["text"] == "Hello from the office."
    assert response.header("x-office") == "open"
    response, body = _chat(service, x_mock_session="s")
    assert (response.status, json.loads(body)) == (503, {"error": "custom body"})
    response, body = _chat(service, x_mock_session="s")
    assert (response.status, json.loads(body)) == (202, {"anything": [1, 2]})
    response, body = _chat(service, x_mock_session="s")
    assert response.status == 404
    assert json.loads(body)["errors"][0]["rule"] == "scenario.finished"
    steps = [(e.scenario, e.step) for e in service.store.journal_entries()]
    assert steps == [("office", "greet"), ("office", "busy"), ("office", "raw"), ("office", None)]


def test_unknown_scenario_header_is_a_400_naming_the_closest() -> None:
    service, _ = _service()
    response, body = _chat(service, x_mock_scenario="multi-trun")
    assert response.status == 400
    assert "did you mean 'multi-turn'" in json.loads(body)["detail"]


def test_stream_only_header_fault_on_a_plain_request_is_refused() -> None:
    service, _ = _service()
    response, body = _chat(service, x_mock_fault="truncate_stream")
    assert response.status == 400
    assert json.loads(body)["detail"] == (
        "x-mock-fault: truncate_stream affects streams only; this request has stream false")


@pytest.mark.parametrize(("prefer", "status", "rule"), [
    ("code=503", 503, "prefer.code"), ("code=302", 400, "prefer.invalid"),
    ("code=abc", 400, "prefer.invalid"), ("example=nope", 400, "scenario.unknown"),
])
def test_prefer_header(prefer: str, status: int, rule: str) -> None:
    service, _ = _service()
    response, body = _chat(service, prefer=prefer)
    assert response.status == status
    assert json.loads(body)["errors"][0]["rule"] == rule


def test_prefer_code_200_answers_normally() -> None:
    service, _ = _service()
    assert _chat(service, prefer="code=200")[0].status == 200


def test_admin_scenarios_activate_list_and_clear() -> None:
    service, layer = _service()
    status, listed = _admin(service, layer, "POST", "/_mock/scenarios",
                            json.dumps({"scenarios": ["streaming-text", "multi-turn"]}).encode())
    assert status == 200
    assert [s["name"] for s in listed["active"]] == ["streaming-text", "multi-turn"]
    _, body = _chat(service, "What is the capital of France?")
    assert json.loads(body)["completion_message"]["content"]["text"] == (
        "The capital of France is Paris.")
    status, listed = _admin(service, layer, "POST", "/_mock/scenarios", SCENARIO.encode(),
                            content_type="application/yaml")
    assert [s["name"] for s in listed["active"]] == ["streaming-text", "multi-turn", "office"]
    assert _admin(service, layer, "DELETE", "/_mock/scenarios") == (204, None)
    assert _admin(service, layer, "GET", "/_mock/scenarios")[1]["active"] == []


@pytest.mark.parametrize(("body", "content_type", "fragment"), [
    (b'{"scenarios": [\n {"name": "x",\n  "steps": [{"respond": {"txt": 1}}]}]}',
     "application/json", "<request body, scenarios[0]>:3: steps[0].respond.txt: unknown key"),
    (b"name: x\nsteps:\n  - respond: {status: 999}\n", "application/yaml",
     "<request body>:3: steps[0].respond.status"),
    (b"{not json", "application/json", "the body is not JSON"),
    (b"name: x\nsteps:\n  - respond: {text: hi}\n", "",  # YAML sent without its type
     "a YAML scenario goes with 'Content-Type: application/yaml'"),
    (b'{"scenarios": "multi-turn"}', "application/json", "send {"),
    (b'{"scenarios": ["multi-turn"], "replce": false}', "application/json",
     "unknown key 'replce'; the keys are scenarios, replace and first"),
    (b'{"scenarios": ["multi-turn"], "first": true}', "application/json",
     'it needs "replace": false'),
    (b'{"scenarios": ["multi-turn"], "replace": false, "first": 1}', "application/json",
     "first must be true or false"),
])
def test_admin_scenarios_refuses_bad_documents_clearly(body: bytes, content_type: str,
                                                       fragment: str) -> None:
    service, layer = _service()
    status, error = _admin(service, layer, "POST", "/_mock/scenarios", body, content_type)
    assert status == 400
    assert error["errors"][0]["rule"] == "scenario.invalid"
    assert fragment in error["detail"]


def test_admin_scenarios_names_an_unknown_scenario_by_its_own_rule() -> None:
    service, layer = _service()
    body = b'{"scenarios": ["multi-turn", "multi-trun-x"]}'
    status, error = _admin(service, layer, "POST", "/_mock/scenarios", body)
    assert status == 400
    assert error["errors"][0]["rule"] == "scenario.unknown"
    assert "no loaded or built-in scenario named 'multi-trun-x'" in error["detail"]
    assert "did you mean 'multi-turn'?" in error["detail"]
    assert _admin(service, layer, "GET", "/_mock/scenarios")[1]["active"] == []  # none taken


def test_admin_scenarios_put_first_stand_in_front_and_leave_one_by_one() -> None:
    service, layer = _service(scenarios=("multi-turn",))
    first = {"scenarios": ["streaming-text", "tool-round-trip-native"], "replace": False,
             "first": True}
    status, listed = _admin(service, layer, "POST", "/_mock/scenarios", json.dumps(first).encode())
    assert status == 200
    assert [s["name"] for s in listed["active"]] == [
        "streaming-text", "tool-round-trip-native", "multi-turn"]
    status, listed = _admin(service, layer, "DELETE", "/_mock/scenarios",
                            b'{"scenarios": ["streaming-text", "tool-round-trip-native"]}')
    assert (status, [s["name"] for s in listed["active"]]) == (200, ["multi-turn"])
    again = {"scenarios": ["multi-turn"], "replace": False, "first": True}
    status, error = _admin(service, layer, "POST", "/_mock/scenarios", json.dumps(again).encode())
    assert status == 400
    assert "'multi-turn' is active already" in error["detail"]


@pytest.mark.parametrize("body", [
    b'{"scenarios": []}', b'{"scenarios": "multi-turn"}', b'{"names": ["multi-turn"]}',
    b'{"scenarios": [1]}', b"[not json",
])
def test_a_delete_body_that_names_no_scenarios_is_refused_and_changes_nothing(body: bytes) -> None:
    service, layer = _service(scenarios=("multi-turn",))
    status, error = _admin(service, layer, "DELETE", "/_mock/scenarios", body)
    assert status == 400
    assert error["errors"][0]["rule"] == "scenario.invalid"
    assert [s.name for s in layer.router.active] == ["multi-turn"]


def test_admin_faults_apply_n_times_then_stop() -> None:
    service, layer = _service()
    status, listed = _admin(service, layer, "POST", "/_mock/faults",
                            b'{"fault": "http_error; status=502", "times": 2}')
    assert status == 200
    assert listed == {"faults": [{"faults": ["http_error; status=502"], "remaining": 2}]}
    assert [_chat(service)[0].status for _ in range(3)] == [502, 502, 200]
    status, error = _admin(service, layer, "POST", "/_mock/faults",
                           b'{"fault": {"name": "latency", "msec": 3}}')
    assert status == 400
    assert "unknown parameter 'msec'; did you mean 'ms'?" in error["detail"]


def test_a_stream_only_admin_fault_waits_for_a_stream_uncounted() -> None:
    service, layer = _service()
    status, _ = _admin(service, layer, "POST", "/_mock/faults",
                       b'{"fault": "truncate_stream; after=1", "times": 1}')  # fmt: skip
    assert status == 200
    assert [_chat(service)[0].status for _ in range(2)] == [200, 200]  # plain: untouched
    _, listed = _admin(service, layer, "GET", "/_mock/faults")
    assert listed["faults"] == [{"faults": ["truncate_stream; after=1"], "remaining": 1}]
    with pytest.raises(ConnectionCut):  # the next stream takes it
        _chat(service, stream=True)
    assert _chat(service, stream=True)[0].status == 200  # once
    assert _admin(service, layer, "GET", "/_mock/faults")[1] == {"faults": []}


@pytest.mark.parametrize("stream", [False, True])
def test_a_steps_headers_replace_the_mocks_of_the_same_name(stream: bool) -> None:
    service, layer = _service()
    scenario = (b'name: hdr\nsteps:\n  - respond:\n      headers: {content-type: text/html, '
                b'x-ratelimit-limit-requests: "7"}\n')  # fmt: skip
    assert _admin(service, layer, "POST", "/_mock/scenarios", scenario,
                  content_type="application/yaml")[0] == 200  # fmt: skip
    response, _ = _chat(service, stream=stream, x_mock_scenario="hdr")
    names = [name.lower() for name, _ in response.headers]
    assert names.count("x-ratelimit-limit-requests") == 1  # it was sent twice: 7 and 3000
    assert response.header("x-ratelimit-limit-requests") == "7"
    assert "content-type" not in names  # one content-type, the step's
    assert response.content_type == "text/html"


def test_malformed_json_sends_its_status() -> None:
    service, _ = _service()
    for status in (200, 500, 404):
        response, body = _chat(service, x_mock_fault=f"malformed_json; status={status}")
        assert response.status == status  # it was always 200
        with pytest.raises(json.JSONDecodeError):
            json.loads(body)


def test_chaos_is_reproducible_with_the_same_seed() -> None:
    def run(seed: int) -> list[int]:
        service, _ = _service(chaos_rate=0.5, seed=seed)
        return [_chat(service, f"question {n}", x_mock_session="c")[0].status for n in range(30)]

    first = run(3)
    assert first == run(3)
    assert any(status != 200 for status in first)
    assert any(status == 200 for status in first)
