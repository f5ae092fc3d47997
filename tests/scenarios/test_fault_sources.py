"""Faults wherever they are set (header, admin API, scenario step, `Prefer: example=`): the same
checks, the same bounds, the same effect."""

from __future__ import annotations

import json
from typing import Any

import pytest

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
    assert body.startswith(b"data: {") and not body.endswith(b"\n\n")
    with pytest.raises(json.JSONDecodeError):
        json.loads(body.removeprefix(b"data: "))
