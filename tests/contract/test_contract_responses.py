"""Response validation: the reference example, token metrics, stop reasons, other endpoints."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from contract_samples import COMPAT_RESPONSE, REFERENCE_RESPONSE, errors, found

from contract import validate_response
from contract.violations import Violation


def test_the_reference_response_conforms():
    assert validate_response(REFERENCE_RESPONSE).violations == ()


def test_string_content_and_no_id_conform():
    response = copy.deepcopy(REFERENCE_RESPONSE)
    response["completion_message"]["content"] = "Paris."
    del response["id"]
    assert validate_response(response).violations == ()


def test_a_tool_call_response_conforms():
    response = copy.deepcopy(REFERENCE_RESPONSE)
    message = response["completion_message"]
    message["stop_reason"] = "tool_calls"
    message["tool_calls"] = [
        {"id": "call_1", "function": {"name": "get_weather", "arguments": '{"city":"Paris"}'}}
    ]
    assert validate_response(response).violations == ()


def _response_with(**changes):
    response = copy.deepcopy(REFERENCE_RESPONSE)
    for path, value in changes.items():
        target: Any = response
        parts = path.split("__")
        for part in parts[:-1]:
            target = target[int(part) if part.isdigit() else part]
        last = int(parts[-1]) if parts[-1].isdigit() else parts[-1]
        if value is None:
            del target[last]
        else:
            target[last] = value
    return response


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        (_response_with(completion_message__content=[{"type": "text", "text": "x"}]),
         [("field.type", "/completion_message/content")]),
        (_response_with(completion_message__role="user"),
         [("field.enum", "/completion_message/role")]),
        (_response_with(completion_message=None), [("field.required", "/completion_message")]),
        (_response_with(metrics=None), [("metrics.missing", "/metrics")]),
        (_response_with(metrics__2=None), [("metrics.missing", "/metrics")]),
        (_response_with(metrics__2__value=34), [("metrics.inconsistent", "/metrics/2/value")]),
        (_response_with(metrics__0__value=-1, metrics__2__value=24),
         [("metrics.inconsistent", "/metrics/0/value")]),
        (_response_with(metrics__0__value="8"), [("field.type", "/metrics/0/value")]),
        (_response_with(completion_message__stop_reason="tool_calls"),
         [("stop_reason.mismatch", "/completion_message/stop_reason")]),
        (_response_with(completion_message__stop_reason="finished"),
         [("field.enum", "/completion_message/stop_reason")]),
        (_response_with(completion_message__tool_calls=[
            {"id": "a", "function": {"name": "f", "arguments": "{}"}},
            {"id": "a", "function": {"name": "g", "arguments": "{}"}},
        ]), [("stop_reason.mismatch", "/completion_message/stop_reason"),
             ("tool_call.id.duplicate", "/completion_message/tool_calls/1/id")]),
    ],
)  # fmt: skip
def test_native_response_findings(response, expected):
    result = validate_response(response)
    assert found(result) == expected
    assert not result.ok


def test_metrics_messages_say_what_does_not_add_up():
    result = validate_response(_response_with(metrics__2__value=34))
    assert result.violations[0].message == (
        "num_total_tokens is 34 but num_prompt_tokens + num_completion_tokens is 25 + 8 = 33"
    )


def test_the_compat_response_conforms_and_its_usage_must_add_up():
    assert validate_response(COMPAT_RESPONSE, endpoint="compat").violations == ()
    broken = copy.deepcopy(COMPAT_RESPONSE)
    broken["usage"]["total_tokens"] = 40
    assert found(validate_response(broken, endpoint="compat")) == [
        ("metrics.inconsistent", "/usage/total_tokens")
    ]
    del broken["usage"]
    assert found(validate_response(broken, endpoint="compat")) == [("metrics.missing", "/usage")]


def test_a_compat_finish_reason_must_agree_with_tool_calls():
    response = copy.deepcopy(COMPAT_RESPONSE)
    response["choices"][0]["finish_reason"] = "tool_calls"
    assert errors(validate_response(response, endpoint="compat")) == [
        ("stop_reason.mismatch", "/choices/0/finish_reason")
    ]


def test_models_model_and_moderation_responses():
    model = {
        "id": "Llama-3.3-70B-Instruct",
        "object": "model",
        "created": 1733443200,
        "owned_by": "Meta",
    }
    assert validate_response({"data": [model]}, kind="models").ok
    assert validate_response(
        {"object": "list", "data": [model]}, kind="models", endpoint="compat"
    ).ok
    assert validate_response(model, kind="model").ok
    assert errors(validate_response([model], kind="models")) == [("body.not_object", "")]
    assert errors(validate_response({**model, "object": "list"}, kind="model")) == [
        ("field.enum", "/object")
    ]
    moderation: dict[str, Any] = {
        "model": "Llama-Guard",
        "results": [{"flagged": True, "flagged_categories": ["S1"]}],
    }
    assert validate_response(moderation, kind="moderation").ok
    del moderation["results"][0]["flagged"]
    assert errors(validate_response(moderation, kind="moderation")) == [
        ("field.required", "/results/0/flagged")
    ]


def test_error_bodies_of_both_endpoints():
    violation = Violation("message.role.unknown", "/messages/0/role", "bad role").to_dict()
    native = {"title": "Bad Request", "detail": "1 violation", "status": 400, "errors": [violation]}
    assert validate_response(native, kind="error").ok
    assert errors(validate_response({**native, "status": 200}, kind="error")) == [
        ("field.range", "/status")
    ]
    compat = {
        "error": {
            "message": "bad role",
            "type": "invalid_request_error",
            "param": "messages",
            "code": None,
        }
    }
    assert validate_response(compat, endpoint="compat", kind="error").ok
    assert errors(
        validate_response({"error": {"message": "x"}}, endpoint="compat", kind="error")
    ) == [
        ("field.required", "/error/code"),
        ("field.required", "/error/param"),
        ("field.required", "/error/type"),
    ]


def test_unknown_kind_is_a_clear_error():
    with pytest.raises(ValueError, match="kind 'moderation'"):
        validate_response({}, endpoint="compat", kind="moderation")
