"""OpenAI parameters the compat contract does not define (`n`, `stop`, `seed`...): an unknown-field
warning whose note says what the mock does with each (`x-tolerated` of compat-chat-request.json),
never a misleading "did you mean" (`stop` is not `top_p`, `store` is not `stream`); an error when
strict. And what each note says is what the mock does."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from contract_samples import OPENAI_PARAMETERS, WEATHER_FUNCTION

from contract import validate_request
from contract.schemas import load_schema
from contract.validate.detect import _OPENAI_FIELDS
from mockserver import MockConfig, MockRequest, MockService

MODEL = "Llama-4-Maverick-17B-128E-Instruct-FP8"
QUESTION = {"role": "user", "content": "What is the weather in Paris?"}
WEATHER = {"type": "function", "function": WEATHER_FUNCTION}


def _request(**fields: Any) -> dict[str, Any]:
    return {"model": MODEL, "messages": [QUESTION], **fields}


def _post(service: MockService, payload: dict[str, Any]) -> tuple[int, dict[str, Any], list[Any]]:
    body = json.dumps(payload).encode()
    headers = {"authorization": "Bearer k", "content-type": "application/json"}
    answer = service.handle(
        MockRequest("POST", "/compat/v1/chat/completions", headers, body, len(body))
    )
    assert isinstance(answer.body, bytes)
    warnings = json.loads(answer.header("x-contract-warnings") or "[]")
    return answer.status, json.loads(answer.body), warnings


@pytest.fixture(scope="module")
def service() -> MockService:
    return MockService()


def test_the_tolerated_openai_parameters_are_the_ones_validate_takes_for_openai_fields():
    schema = load_schema("compat-chat-request")
    assert set(schema["x-tolerated"]) == set(OPENAI_PARAMETERS) == set(_OPENAI_FIELDS)
    assert not set(schema["x-tolerated"]) & set(schema["properties"])  # they stay unknown fields


@pytest.mark.parametrize("field", sorted(OPENAI_PARAMETERS))
def test_each_openai_parameter_is_warned_about_with_what_the_mock_does(field):
    result = validate_request(_request(**{field: OPENAI_PARAMETERS[field]}), endpoint="compat")
    assert result.ok
    (warning,) = result.warnings
    assert (warning.rule, warning.path) == ("field.unknown", f"/{field}")
    assert warning.message.startswith(f'unknown field "{field}": OpenAI\'s ')
    assert "not part of the Llama API" in warning.message
    assert "did you mean" not in warning.message
    assert "ignored" in warning.message or "deterministic" in warning.message


@pytest.mark.parametrize(("field", "not_meant"), [("stop", "top_p"), ("store", "stream"),
                                                  ("reasoning_effort", "response_format")])  # fmt: skip
def test_no_misleading_suggestion(field, not_meant):
    result = validate_request(_request(**{field: OPENAI_PARAMETERS[field]}), endpoint="compat")
    assert not_meant not in result.warnings[0].message


@pytest.mark.parametrize("field", ["n", "stop", "functions"])
def test_strict_makes_them_errors_with_the_same_note(field):
    result = validate_request(
        _request(**{field: OPENAI_PARAMETERS[field]}), endpoint="compat", strict=True
    )
    (error,) = result.errors
    assert (error.rule, error.path) == ("field.unknown", f"/{field}")
    assert "not part of the Llama API" in error.message


def test_the_mock_sends_the_note_in_the_warnings_header(service):
    status, _, warnings = _post(service, _request(stop=["\n"]))
    assert status == 200
    assert warnings == [{
        "rule": "field.unknown", "path": "/stop",
        "message": 'unknown field "stop": OpenAI\'s stop sequences, not part of the Llama API; '
                   "ignored: the answer is not cut at them",
    }]  # fmt: skip


def test_a_strict_mock_refuses_them(service):
    status, body, _ = _post(MockService(MockConfig(strict=True)), _request(n=2))
    assert status == 400
    assert body["error"]["code"] == "field.unknown"
    assert body["error"]["param"] == "n"
    assert "the answer has one choice" in body["error"]["message"]


# What the notes say, checked against the mock's answers.


def test_n_gets_one_choice(service):
    _, body, _ = _post(service, _request(n=3))
    assert len(body["choices"]) == 1


def test_stop_does_not_cut_the_answer(service):
    _, body, _ = _post(service, _request(stop=["."]))
    text = body["choices"][0]["message"]["content"]
    assert "." in text.rstrip(".")  # a full stop inside the text: not cut at the first one
    assert body["choices"][0]["finish_reason"] == "stop"


def test_seed_the_same_request_gets_the_same_answer(service):
    first = _post(service, _request(seed=7))[1]
    assert _post(service, _request(seed=7))[1]["choices"] == first["choices"]


def test_logprobs_are_null(service):
    _, body, _ = _post(service, _request(logprobs=True, top_logprobs=2))
    assert body["choices"][0]["logprobs"] is None


def test_parallel_tool_calls_false_may_still_get_several_calls(service):
    question = {"role": "user", "content": "What is the weather in Paris and in Rome?"}
    payload = {"model": MODEL, "messages": [question], "tools": [WEATHER],
               "parallel_tool_calls": False}  # fmt: skip
    _, body, warnings = _post(service, payload)
    calls = body["choices"][0]["message"]["tool_calls"]
    assert [json.loads(c["function"]["arguments"])["city"] for c in calls] == ["Paris", "Rome"]
    assert [w["path"] for w in warnings] == ["/parallel_tool_calls"]


def test_service_tier_modalities_and_audio_change_nothing_in_the_answer(service):
    payload = _request(service_tier="auto", modalities=["text", "audio"],
                       audio={"voice": "alloy", "format": "wav"})  # fmt: skip
    _, body, _ = _post(service, payload)
    assert "service_tier" not in body
    message = body["choices"][0]["message"]
    assert set(message) == {"role", "content"}
    assert isinstance(message["content"], str)


def test_functions_and_function_call_call_nothing(service):
    payload = _request(functions=[WEATHER["function"]], function_call={"name": "get_weather"})
    _, body, _ = _post(service, payload)
    message = body["choices"][0]["message"]
    assert "tool_calls" not in message
    assert "function_call" not in message
    assert isinstance(message["content"], str)


def test_docs_server_md_lists_the_tolerated_parameters():
    doc = (Path(__file__).resolve().parents[2] / "docs" / "server.md").read_text(encoding="utf-8")
    section = doc.split("### OpenAI parameters on the compat endpoint\n", 1)[1].split("\n#", 1)[0]
    listed = section.split("does not take:\n", 1)[1].split(". ", 1)[0]
    assert [name.strip(" `\n") for name in listed.split(",")] == list(
        load_schema("compat-chat-request")["x-tolerated"]
    )
    assert "--llama-strict" in section
    note = load_schema("compat-chat-request")["x-tolerated"]["stop"]
    assert f'unknown field "stop": {note}' in section
