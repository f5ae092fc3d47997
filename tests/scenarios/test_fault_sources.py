"""Faults wherever they are set (header, admin API, scenario step, `Prefer: example=`): the same
checks, the same bounds, the same effect."""

from __future__ import annotations

import json
from typing import Any

import pytest

from contract.scenarios.loading import Scenario
from mockserver import MockConfig, MockRequest, MockResponse, MockService
from mockserver.scenarios.layer import ScenarioLayer, install_scenarios

MODEL = "Llama-4-Maverick-17B-128E-Instruct-FP8"
FAULTY = b"""\
name: faulty
steps:
  - name: calm
    respond: {text: All is well.}
  - name: boom
    fault: http_error; status=502; message=scripted failure
  - name: garbled
    respond: {text: This answer arrives cut in half.}
    fault: {name: malformed_json, status: 500}
"""


def _service() -> tuple[MockService, ScenarioLayer]:
    service = MockService(MockConfig())
    layer = install_scenarios(service)
    response = layer.admin_scenarios(MockRequest(
        "POST", "/_mock/scenarios", {"content-type": "application/yaml"}, FAULTY))
    assert response.status == 200
    return service, layer


def _chat(service: MockService, *, stream: bool = False, **headers: str) -> tuple[int, bytes]:
    body = {"model": MODEL, "messages": [{"role": "user", "content": "hi"}], "stream": stream}
    request = MockRequest("POST", "/v1/chat/completions",
                          {"authorization": "Bearer k", "content-type": "application/json",
                           **{k.replace("_", "-"): v for k, v in headers.items()}},
                          json.dumps(body).encode())
    response: MockResponse = service.handle(request)
    return response.status, b"".join(response.iter_body())


def _admin_faults(layer: ScenarioLayer, document: Any) -> tuple[int, Any]:
    body = document if isinstance(document, bytes) else json.dumps(document).encode()
    response = layer.admin_faults(MockRequest(
        "POST", "/_mock/faults", {"content-type": "application/json"}, body))
    raw = b"".join(response.iter_body())
    return response.status, json.loads(raw) if raw else None


def test_prefer_example_serves_the_steps_faults_as_the_state_would() -> None:
    service, _ = _service()
    status, body = _chat(service, prefer="example=boom", x_mock_scenario="faulty")
    assert status == 502
    assert json.loads(body)["detail"] == "scripted failure"
    status, body = _chat(service, prefer="example=garbled")
    assert status == 500
    with pytest.raises(json.JSONDecodeError):
        json.loads(body)
    entries = service.store.journal_entries()
    assert [(e.step, e.fault) for e in entries] == [
        ("boom", "http_error; status=502; message=\"scripted failure\""),
        ("garbled", "malformed_json; status=500"),
    ]
    # Prefer does not move the state: the conversation still starts at the first step.
    assert _chat(service, x_mock_session="s")[0] == 200
    assert service.store.journal_entries()[-1].step == "calm"


@pytest.mark.parametrize("status", [200, 500, 404])
def test_malformed_json_on_a_stream_sends_its_status_and_a_cut_first_record(status: int) -> None:
    service, _ = _service()
    got, body = _chat(service, stream=True, x_mock_fault=f"malformed_json; status={status}")
    assert got == status  # it was always 200 on a stream
    assert body.startswith(b"data: {")
    assert not body.endswith(b"\n\n")
    with pytest.raises(json.JSONDecodeError):
        json.loads(body.removeprefix(b"data: "))


def _admin_scenario(layer: ScenarioLayer, fault: dict[str, Any]) -> tuple[int, Any]:
    scenario = {"name": "bounds", "steps": [{"match": {"stream": True}, "fault": fault}]}
    response = layer.admin_scenarios(MockRequest(
        "POST", "/_mock/scenarios", {"content-type": "application/json"},
        json.dumps(scenario).encode()))
    return response.status, json.loads(b"".join(response.iter_body()))


# (the fault as an object, as text, what every refusal says, what the mock's own check adds)
OUT_OF_BOUNDS = [
    ({"name": "http_error", "retry_after": 1.5}, "http_error; retry_after=1.5",
     ("retry_after", "1.5", "integer"), "retry_after must be an integer from 0 to 3600, got"),
    ({"name": "fail_then_succeed", "times": 101}, "fail_then_succeed; times=101",
     ("times", "101", "at most 100"), "times=101 is too large"),
    ({"name": "stream_error", "after": -1}, "stream_error; after=-1",
     ("after", "-1", "at least 0"), "after=-1 is too small"),
    ({"name": "stream_error", "message": "m" * 9000}, f"stream_error; message={'m' * 9000}",
     ("message", "9,000 characters", "8,192"), "it must be text of 1 to 8,192 characters"),
    ({"name": "redirect", "location": "/caf\u00e9"}, "redirect; location=/caf\u00e9",
     ("location", "/caf\u00e9", "visible ASCII"), "not visible ASCII; it must be 1 to 2,048"),
]


@pytest.mark.parametrize(("fault", "text", "said", "checked"), OUT_OF_BOUNDS)
def test_a_fault_value_out_of_bounds_is_refused_the_same_wherever_it_is_set(
    fault: dict[str, Any], text: str, said: tuple[str, ...], checked: str
) -> None:
    service, layer = _service()
    refusals = {
        "header": _chat(service, stream=True, x_mock_fault=text),
        "admin text": _admin_faults(layer, {"fault": text}),
        "admin object": _admin_faults(layer, {"fault": fault, "times": 3}),
        "admin list": _admin_faults(layer, {"fault": ["latency; ms=1", fault]}),
        "scenario step": _admin_scenario(layer, fault),
    }
    for source, (status, body) in refusals.items():
        error = json.loads(body) if isinstance(body, bytes) else body
        assert status == 400, source
        detail = error["detail"]
        rule = "scenario.invalid" if source == "scenario step" else "fault.invalid"
        assert error["errors"][0]["rule"] == rule, source
        assert all(fragment in detail for fragment in said), (source, detail)
        assert checked in detail, (source, detail)  # a file too: make_fault's words
    assert _admin_faults(layer, b"")[0] == 400
    assert layer.standing_faults.listed() == []
    assert _chat(service, stream=True)[0] == 200  # nothing was set


@pytest.mark.parametrize(("document", "said"), [
    ({"fault": []}, "fault: the list is empty; give at least one fault"),
    ({"fault": [["reset"]]}, 'fault[0]: a fault is "NAME; key=value; ..." or {"name": NAME, ...}, '
                             'got array ["reset"]'),
    ({"fault": {"name": 5}}, "got object"),
    ({"fault": None}, "got null"),
    ({"fault": "reset", "time": 5}, "unknown key 'time'; did you mean 'times'?"),
    ({"faults": "reset"}, 'send {"fault": "NAME; key=value", "times": N}; got no fault key'),
    ([{"fault": "reset"}], "got array"),
    ({"fault": "reset", "times": 0}, "times must be an integer from 1 to 1,000,000"),
    ({"fault": "reset", "times": 1_000_001}, "got 1,000,001"),
    ({"fault": "reset", "times": 2.5}, "got number 2.5"),
    ({"fault": "reset", "times": True}, "got boolean true"),
    ({"fault": "reset", "times": "3"}, 'got string "3"'),
    ({"fault": "reset", "times": None}, "got null"),
    ({"fault": ["reset", "http_error"]}, "fault: at most one fault may replace the answer"),
    ({"fault": ["latency; ms=1", {"name": "http_error", "status": 99}]},
     "fault[1]: http_error: status=99 is too small"),
])
def test_an_admin_fault_body_is_checked_key_by_key(document: Any, said: str) -> None:
    _, layer = _service()
    status, error = _admin_faults(layer, document)
    assert (status, error["errors"][0]["rule"]) == (400, "fault.invalid")
    assert said in error["detail"]
    assert layer.standing_faults.listed() == []


def test_admin_and_file_texts_take_several_faults_as_the_header_does() -> None:
    service, layer = _service()
    status, listed = _admin_faults(layer, {"fault": "latency; ms=1, http_error; status=502",
                                           "times": 1_000_000})
    assert status == 200
    assert listed["faults"] == [{
        "faults": ["latency; distribution=fixed; ms=1", "http_error; status=502"],
        "remaining": 1_000_000,
    }]
    assert _chat(service)[0] == 502
    scenario = b"name: two\nsteps:\n  - fault: 'latency; ms=1, http_error; status=418'\n"
    assert layer.admin_scenarios(MockRequest(
        "POST", "/_mock/scenarios", {"content-type": "application/yaml"}, scenario)).status == 200
    loaded = layer.router.find("two")
    assert isinstance(loaded, Scenario)
    assert [f.name for f in loaded.steps[0].faults] == ["latency", "http_error"]
