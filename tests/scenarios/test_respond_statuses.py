"""A step's `respond` status must be one the mock can honour: a status HTTP sends without a body
(204, 205) takes nothing that makes one, and is then answered with no body; a 1xx, a 3xx (no
Location header) and a 304 are refused. Refused the same way wherever a scenario is loaded (a file,
the admin API as JSON or YAML, the pytest marker), and by the published schema."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest
import yaml

from contract.scenarios.build import scenario_schema
from contract.scenarios.loading import ScenarioError, load_scenario, parse_scenario
from contract.scenarios.respond_rules import respond_schema_rules
from mockserver import MockConfig, MockRequest, MockService
from mockserver.pytest_plugin.markers import MarkerError, markers_applied
from mockserver.scenarios.layer import install_scenarios

MODEL = "Llama-4-Maverick-17B-128E-Instruct-FP8"
NO_BODY = "HTTP forbids a body in a {status} answer"
ALLOWED = "it must be an integer from 200 to 299 or 400 to 599"
CALL = {"name": "get_weather", "arguments": {"city": "Paris"}}

# (respond, the refused field under respond, what the refusal says)
REFUSED: list[tuple[dict[str, Any], str, str]] = [
    ({"status": 204, "text": "hi"}, "text", NO_BODY.format(status=204)),
    ({"status": 205, "text": ""}, "text", NO_BODY.format(status=205)),
    ({"status": 204, "body": {"a": 1}}, "body", NO_BODY.format(status=204)),
    ({"status": 204, "tool_calls": [CALL]}, "tool_calls", NO_BODY.format(status=204)),
    ({"status": 205, "document": {"a": 1}}, "document", NO_BODY.format(status=205)),
    ({"status": 204, "stop_reason": "stop"}, "stop_reason", NO_BODY.format(status=204)),
    ({"status": 204, "metrics": {"prompt_tokens": 1}}, "metrics", NO_BODY.format(status=204)),
    ({"status": 204, "deltas": [1]}, "deltas", NO_BODY.format(status=204)),
    ({"status": 205, "pacing": {"ttft_ms": 5}}, "pacing", NO_BODY.format(status=205)),
    ({"status": 100}, "status", "a 1xx answer is interim"),
    ({"status": 199}, "status", "a 1xx answer is interim"),
    ({"status": 302, "headers": {"location": "/v1/x"}}, "status", "use the redirect fault"),
    ({"status": 300}, "status", "use the redirect fault"),
    ({"status": 304}, "status", "a 304 answer only says a cached copy is fresh"),
]

# (a step whose faults act on a body its status does not have, what the refusal says)
REFUSED_FAULTS: list[tuple[dict[str, Any], str]] = [
    ({"respond": {"status": 204}, "fault": "malformed_json"},
     "malformed_json acts on the answer's body, and status 204 sends none"),
    ({"match": {"stream": True}, "respond": {"status": 205}, "fault": "truncate_stream; after=1"},
     "truncate_stream acts on the answer's body, and status 205 sends none"),
    ({"respond": {"status": 204}, "fault": {"name": "http_error", "status": 503}},
     "this step's respond would never be sent"),
]  # fmt: skip


def _file_refusal(tmp_path: Path, step: dict[str, Any]) -> ScenarioError:
    file = tmp_path / "bad.yaml"
    file.write_text(yaml.safe_dump({"name": "bad", "steps": [step]}, sort_keys=False))
    with pytest.raises(ScenarioError) as caught:
        load_scenario(file)
    assert str(caught.value).startswith(f"{file}:{caught.value.line}: {caught.value.field}: ")
    return caught.value


def _admin_refusals(step: dict[str, Any]) -> dict[str, tuple[int, str, str]]:
    layer = install_scenarios(MockService(MockConfig()))
    document = {"name": f"st-{uuid.uuid4().hex[:6]}", "steps": [step]}
    bodies = {
        "admin json": ("application/json", json.dumps(document).encode()),
        "admin json list": ("application/json", json.dumps({"scenarios": [document]}).encode()),
        "admin yaml": ("application/yaml", yaml.safe_dump(document).encode()),
    }
    refusals = {}
    for label, (content_type, body) in bodies.items():
        answer = layer.admin_scenarios(MockRequest(
            "POST", "/_mock/scenarios", {"content-type": content_type}, body))
        error = json.loads(b"".join(answer.iter_body()))
        refusals[label] = (answer.status, error["errors"][0]["rule"], error["detail"])
    assert layer.router.active == ()
    return refusals


def _marker_refusal(pytester: pytest.Pytester, step: dict[str, Any]) -> str:
    pytester.path.joinpath("bad.yaml").write_text(yaml.safe_dump({"name": "bad", "steps": [step]}))
    item = pytester.getitem("""
        import pytest

        @pytest.mark.llama_scenario("bad.yaml")
        def test_func(): pass
    """)

    def admin(method: str, path: str, body: bytes, content_type: str) -> None:
        raise AssertionError(f"{method} {path} was sent for a scenario the marker must refuse")

    with pytest.raises(MarkerError) as raised, markers_applied(item, admin):
        pass
    return str(raised.value)


@pytest.mark.parametrize(("respond", "key", "why"), REFUSED)
def test_a_respond_the_mock_cannot_honour_is_refused_alike_wherever_it_is_loaded(
    tmp_path: Path, pytester: pytest.Pytester, respond: dict[str, Any], key: str, why: str
) -> None:
    step = {"name": "s", "respond": respond}
    error = _file_refusal(tmp_path, step)
    field = f"steps[0].respond.{key}"
    assert (error.line, error.field) == (5 + list(respond).index(key), field), error
    assert why in error.message, error.message
    if key == "status":
        assert f"status {respond['status']} is refused: " in error.message
        assert ALLOWED in error.message
    for source, (status, rule, detail) in _admin_refusals(step).items():
        assert (status, rule) == (400, "scenario.invalid"), source
        assert f"{field}: {error.message}" in detail, (source, detail)
    marker = _marker_refusal(pytester, step)
    assert marker.startswith("llama_scenario('bad.yaml'): "), marker
    assert field in marker, marker
    assert why in marker, marker


@pytest.mark.parametrize(("step", "why"), REFUSED_FAULTS)
def test_a_fault_on_the_body_of_a_bodiless_step_is_refused(
    tmp_path: Path, step: dict[str, Any], why: str
) -> None:
    error = _file_refusal(tmp_path, step)
    assert error.field == "steps[0].fault"
    assert why in error.message, error.message
    for source, (status, rule, detail) in _admin_refusals(step).items():
        assert (status, rule) == (400, "scenario.invalid"), source
        assert why in detail, (source, detail)


def test_the_published_schema_refuses_the_same_responds() -> None:
    validator = jsonschema.Draft202012Validator(scenario_schema())
    for respond, _, _ in REFUSED:
        assert not validator.is_valid({"name": "s", "steps": [{"respond": respond}]}), respond
    for respond in ({"status": 204}, {"status": 205, "headers": {"x-a": "b"}},
                    {"status": 201, "text": "hi"}, {"status": 206, "body": {}},
                    {"status": 503, "error": "down"}):
        assert validator.is_valid({"name": "s", "steps": [{"respond": respond}]}), respond


def test_the_published_schema_carries_the_rules_of_the_code() -> None:
    published = scenario_schema()["$defs"]["respond"]
    rules = respond_schema_rules()
    # On drift, set these in contract/schemas/scenario.json from respond_schema_rules().
    assert published["properties"]["status"] == rules["status"]
    assert (published["if"], published["then"]) == (rules["if"], rules["then"])
    assert set(rules["then"]["properties"]) <= set(published["properties"])


def _chat(base_url: str, name: str, *, compat: bool, stream: bool) -> httpx.Response:
    path = "/compat/v1/chat/completions" if compat else "/v1/chat/completions"
    body = {"model": MODEL, "messages": [{"role": "user", "content": "hi"}], "stream": stream}
    headers = {"authorization": "Bearer k", "x-mock-scenario": name,
               "x-mock-session": uuid.uuid4().hex}
    return httpx.post(base_url + path, json=body, headers=headers, timeout=10)


@pytest.mark.parametrize("status", [204, 205])
def test_a_bare_bodiless_status_is_answered_with_no_body(scenario_mock: Any, status: int) -> None:
    name = f"bare-{status}-{uuid.uuid4().hex[:6]}"
    scenario = {"name": name, "steps": [{"respond": {"status": status, "headers": {"x-a": "b"}}}]}
    with httpx.Client(base_url=scenario_mock.base_url) as client:
        assert client.post("/_mock/scenarios", json=scenario).status_code == 200
    for compat in (False, True):
        for stream in (False, True):
            answer = _chat(scenario_mock.base_url, name, compat=compat, stream=stream)
            assert (answer.status_code, answer.content) == (status, b""), (compat, stream)
            # HTTP: no Content-Length on a 204 (a 205 may say 0), and no type for no content
            assert answer.headers.get("content-length") in ((None,) if status == 204 else (None, "0"))
            assert "content-type" not in answer.headers, answer.headers
            assert answer.headers["x-a"] == "b"
    # In process too: the service's answer itself is empty.
    service = MockService(MockConfig())
    layer = install_scenarios(service)
    layer.router.activate([parse_scenario(json.dumps(scenario), json_syntax=True)], replace=True)
    request = MockRequest("POST", "/v1/chat/completions", {
        "content-type": "application/json", "authorization": "Bearer k",
        "x-mock-scenario": name}, json.dumps({"model": MODEL, "messages": [
            {"role": "user", "content": "hi"}]}).encode())  # fmt: skip
    answer = service.handle(request)
    assert (answer.status, b"".join(answer.iter_body())) == (status, b"")


@pytest.mark.parametrize("status", [201, 203, 206])
def test_a_success_status_other_than_200_is_sent_with_the_scripted_answer(
    scenario_mock: Any, status: int
) -> None:
    name = f"ok-{status}-{uuid.uuid4().hex[:6]}"
    scenario = {"name": name, "steps": [{"respond": {"status": status, "text": "Made."}}]}
    with httpx.Client(base_url=scenario_mock.base_url) as client:
        assert client.post("/_mock/scenarios", json=scenario).status_code == 200
    for compat in (False, True):
        answer = _chat(scenario_mock.base_url, name, compat=compat, stream=False)
        assert answer.status_code == status
        assert "Made." in answer.text
        streamed = _chat(scenario_mock.base_url, name, compat=compat, stream=True)
        assert streamed.status_code == status
        assert "Made." in streamed.text
