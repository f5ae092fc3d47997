"""The status a fault answers with must be one HTTP lets it honour: over real HTTP, refused the
same way wherever the fault is set (header, admin API, scenario over the admin API, scenario
file), and served as set when it is allowed."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest

from contract.scenarios.build import scenario_schema
from contract.scenarios.loading import ScenarioError, load_scenario

MODEL = "Llama-4-Maverick-17B-128E-Instruct-FP8"
BODY_RANGE = "it must be an integer from 200 to 203, 206 to 299 or 400 to 599"
EMPTY_RANGE = "it must be an integer from 200 to 299 or 400 to 599"
NO_BODY = "HTTP forbids a body in a 204 or 205 answer"
NO_LOCATION = "sends no Location header"

# (fault, status, what the refusal says besides the fault, the status and the allowed range)
REFUSED = [
    ("malformed_json", 99, "is too small"),
    ("malformed_json", 100, "a 1xx answer is interim"),
    ("malformed_json", 199, "a 1xx answer is interim"),
    ("malformed_json", 204, NO_BODY),
    ("malformed_json", 205, NO_BODY),
    ("malformed_json", 300, NO_LOCATION),
    ("malformed_json", 301, NO_LOCATION),
    ("malformed_json", 304, "a 304 answer has no body"),
    ("malformed_json", 308, NO_LOCATION),
    ("empty_response", 101, "a 1xx answer is interim"),
    ("empty_response", 600, "is too large"),
    ("empty_response", 302, NO_LOCATION),
    ("empty_response", 304, "a 304 answer only"),
    ("empty_response", 399, NO_LOCATION),
]


def _client(scenario_mock: Any) -> httpx.Client:
    return httpx.Client(base_url=scenario_mock.base_url, timeout=10,
                        headers={"authorization": "Bearer k",
                                 "x-mock-session": f"statuses-{uuid.uuid4().hex[:8]}"})


def _chat(client: httpx.Client, fault: str | None = None, *, stream: bool = False) -> httpx.Response:
    body = {"model": MODEL, "messages": [{"role": "user", "content": "hi"}], "stream": stream}
    return client.post("/v1/chat/completions", json=body,
                       headers={"x-mock-fault": fault} if fault else {})


def _refusal(response: httpx.Response) -> tuple[int, str, str]:
    error = response.json()
    return response.status_code, error["errors"][0]["rule"], error["detail"]


@pytest.mark.parametrize(("fault", "status", "why"), REFUSED)
def test_a_status_the_fault_cannot_honour_is_refused_alike_wherever_it_is_set(
    scenario_mock: Any, tmp_path: Path, fault: str, status: int, why: str
) -> None:
    text = f"{fault}; status={status}"
    obj = {"name": fault, "status": status}
    allowed = BODY_RANGE if fault == "malformed_json" else EMPTY_RANGE
    with _client(scenario_mock) as client:
        refusals = {
            "header": _refusal(_chat(client, text)),
            "header on a stream": _refusal(_chat(client, text, stream=True)),
            "admin text": _refusal(client.post("/_mock/faults", json={"fault": text})),
            "admin object": _refusal(client.post("/_mock/faults", json={"fault": obj, "times": 2})),
        }
        for label, fault_value in (("scenario object", obj), ("scenario text", text)):
            scenario = {"name": f"st-{uuid.uuid4().hex[:6]}", "steps": [{"fault": fault_value}]}
            refusals[label] = _refusal(client.post("/_mock/scenarios", json=scenario))
        assert client.get("/_mock/faults").json() == {"faults": []}
        assert _chat(client).status_code == 200  # nothing was set
    for source, (got, rule, detail) in refusals.items():
        assert got == 400, source
        assert rule == ("scenario.invalid" if source.startswith("scenario") else "fault.invalid")
        assert f"{fault}: status={status} " in detail, (source, detail)
        assert why in detail, (source, detail)
        assert allowed in detail, (source, detail)
    file = tmp_path / "bad.yaml"
    file.write_text(f"name: bad\nsteps:\n  - fault: {{name: {fault}, status: {status}}}\n")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(file)
    assert (caught.value.line, caught.value.field) == (3, "steps[0].fault.status")
    assert f"{fault}: status={status} " in caught.value.message
    assert why in caught.value.message
    assert allowed in caught.value.message


@pytest.mark.parametrize(("fault", "status"), [
    (fault, status) for fault, status, _ in REFUSED] + [("http_error", 399), ("redirect", 304)])
def test_the_published_schema_refuses_the_same_statuses(fault: str, status: int) -> None:
    validator = jsonschema.Draft202012Validator(scenario_schema())
    document = {"name": "s", "steps": [{"fault": {"name": fault, "status": status}}]}
    assert not validator.is_valid(document)


@pytest.mark.parametrize("status", [200, 204, 205, 206, 404, 503])
def test_an_empty_answer_takes_any_final_status_but_a_redirect(
    scenario_mock: Any, status: int
) -> None:
    validator = jsonschema.Draft202012Validator(scenario_schema())
    fault = {"name": "empty_response", "status": status}
    assert validator.is_valid({"name": "s", "steps": [{"fault": fault}]})
    with _client(scenario_mock) as client:
        for stream in (False, True):
            answer = _chat(client, f"empty_response; status={status}", stream=stream)
            assert (answer.status_code, answer.content) == (status, b"")
            assert _chat(client).status_code == 200  # the connection is still good


@pytest.mark.parametrize("status", [200, 201, 203, 206, 299, 400, 599])
def test_a_cut_json_answer_is_sent_with_any_status_that_carries_a_body(
    scenario_mock: Any, status: int
) -> None:
    with _client(scenario_mock) as client:
        answer = _chat(client, f"malformed_json; status={status}")
        assert answer.status_code == status
        assert answer.content.startswith(b"{")
        with pytest.raises(json.JSONDecodeError):
            json.loads(answer.content)
        assert _chat(client).status_code == 200
