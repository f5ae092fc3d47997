"""Request validation: the seed request, the wizard, and one table row per way to get it wrong."""

from __future__ import annotations

import copy

import pytest
from contract_samples import (
    MAVERICK,
    WEATHER_TOOL,
    chat_request,
    errors,
    found,
    image_request,
    seed_request,
    tool_conversation,
)
from invalid_requests import DELETE, INVALID, MSG, REQUEST_RULES, with_change

from contract import RULES, validate_moderation_request, validate_request, validate_request_bytes


def test_seed_request_is_accepted_with_one_warning_about_max_tokens():
    result = validate_request(seed_request())
    assert result.ok
    assert result.errors == []
    assert found(result) == [("field.unknown", "/max_tokens")]
    (warning,) = result.warnings
    assert "max_completion_tokens" in warning.message


def test_seed_request_is_rejected_when_strict():
    result = validate_request(seed_request(), strict=True)
    assert not result.ok
    assert errors(result) == [("field.unknown", "/max_tokens")]


def test_wizard_role_gives_one_error_naming_the_four_roles():
    result = validate_request({"model": "m", "messages": [{"role": "wizard", "content": "hi"}]})
    assert errors(result) == [("message.role.unknown", "/messages/0/role")]
    message = result.errors[0].message
    assert "wizard" in message
    for role in ("system", "user", "assistant", "tool"):
        assert f'"{role}"' in message


@pytest.mark.parametrize(
    "payload",
    [
        chat_request(),
        tool_conversation(),
        image_request(),
        image_request("https://example.com/cat.jpg"),
        chat_request(tool_choice="none"),
        chat_request(tools=[WEATHER_TOOL], tool_choice="required"),
        chat_request(
            tools=[WEATHER_TOOL],
            tool_choice={"type": "function", "function": {"name": "get_weather"}},
        ),
        chat_request(response_format={"type": "text"}, stream=True),
        chat_request(
            messages=[{"role": "assistant", "content": "earlier"}, {"role": "user", "content": "x"}]
        ),
        chat_request(tools=[{"type": "function", "function": {"name": "no_params"}}]),
        chat_request(
            temperature=0, top_p=1, repetition_penalty=2, top_k=0, max_completion_tokens=1
        ),
    ],
)
def test_valid_requests_have_no_findings_even_when_strict(payload):
    result = validate_request(payload, strict=True)
    assert result.violations == ()


def test_fields_clients_really_send_are_tolerated_with_warnings():
    payload = tool_conversation()
    payload["messages"][1]["name"] = "alice"
    payload["messages"][2]["tool_calls"][0]["type"] = "function"  # a known optional field
    payload["stream_options"] = {"include_usage": True}
    result = validate_request(payload)
    assert result.ok
    assert found(result) == [
        ("field.unknown", "/messages/1/name"),
        ("field.unknown", "/stream_options"),
    ]
    assert "ignores it" in result.warnings[1].message


def test_a_misspelt_field_gets_a_did_you_mean():
    result = validate_request(chat_request(temprature=0.5))
    assert found(result) == [("field.unknown", "/temprature")]
    assert 'did you mean "temperature"?' in result.warnings[0].message


def test_an_unknown_field_far_from_any_known_lists_the_known_fields():
    result = validate_request(chat_request(zzz=1))
    assert "max_completion_tokens" in result.warnings[0].message


def test_unknown_model_is_a_warning_and_an_error_when_strict():
    assert found(validate_request(chat_request(model="gpt-4o"))) == [("model.unknown", "/model")]
    assert validate_request(chat_request(model="gpt-4o")).ok
    assert not validate_request(chat_request(model="gpt-4o"), strict=True).ok


def test_violations_are_ordered_by_path_with_numeric_indexes():
    messages = [{"role": "user", "content": "x"} for _ in range(12)]
    messages[2]["role"] = "bad"
    messages[10]["role"] = "bad"
    result = validate_request(chat_request(messages=messages, temperature=5, model=7))
    assert [v.path for v in result.violations] == [
        "/messages/2/role",
        "/messages/10/role",
        "/model",
        "/temperature",
    ]


def test_a_wrong_message_shape_yields_one_violation_not_a_cascade():
    result = validate_request(chat_request(messages=["hi", 5, None]))
    assert found(result) == [
        ("field.type", "/messages/0"),
        ("field.type", "/messages/1"),
        ("field.type", "/messages/2"),
    ]


def test_a_rule_inside_a_value_the_schema_rejected_is_not_reported_twice():
    tool = copy.deepcopy(WEATHER_TOOL)
    tool["function"]["parameters"] = {"type": 5}
    tool["function"]["strict"] = "yes"
    payload = chat_request(tools=[tool, tool])
    result = validate_request(payload)
    assert ("tools.duplicate_name", "/tools/1/function/name") in found(result)
    assert ("field.type", "/tools/0/function/strict") in found(result)


def test_the_table_has_forty_rows_and_covers_every_request_rule():
    assert len(INVALID) >= 40
    assert {row.rule for row in INVALID} == REQUEST_RULES
    assert set(RULES) >= REQUEST_RULES


@pytest.mark.parametrize(
    ("payload", "strict", "rule", "path"),
    [row[1:] for row in INVALID],
    ids=[row.name for row in INVALID],
)
def test_each_mistake_gives_exactly_one_error_with_its_rule_and_path(payload, strict, rule, path):
    result = validate_request(payload, strict=strict)
    assert not result.ok
    assert errors(result) == [(rule, path)]
    assert result.errors[0].message


def test_every_message_says_what_was_found_and_what_is_allowed():
    result = validate_request(chat_request(temperature=1.5))
    assert result.errors[0].message == "'temperature' is 1.5; allowed: 0 to 1"
    result = validate_request(with_change([*MSG, 1, "content"], DELETE))
    assert result.errors[0].message == '"content" is missing; it is required in a user message'


def test_compat_requests_take_openai_fields_and_refuse_json_object():
    payload = chat_request(max_tokens=100, stream_options={"include_usage": True}, stream=True)
    payload["messages"][0]["name"] = "alice"
    assert validate_request(payload, endpoint="compat", strict=True).violations == ()
    assert validate_request(payload, endpoint="native").ok  # tolerated there, with warnings
    bad = chat_request(response_format={"type": "json_object"})
    result = validate_request(bad, endpoint="compat")
    assert errors(result) == [("response_format.unsupported", "/response_format/type")]


def test_compat_assistant_messages_may_have_null_content_with_tool_calls():
    call = {"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{}"}}
    messages = [
        {"role": "user", "content": "x"},
        {"role": "assistant", "content": None, "tool_calls": [call]},
        {"role": "tool", "tool_call_id": "c1", "content": "done"},
    ]
    tools = [{"type": "function", "function": {"name": "f"}}]
    payload = chat_request(messages=messages, tools=tools)
    assert validate_request(payload, endpoint="compat", strict=True).violations == ()
    assert errors(validate_request(payload, endpoint="native")) == [
        ("field.type", "/messages/1/content")
    ]


def test_moderation_requests_take_messages_and_an_optional_model():
    assert validate_moderation_request({"messages": [{"role": "user", "content": "x"}]}).ok
    result = validate_moderation_request({"messages": [], "model": "Llama-Guard"})
    assert errors(result) == [("messages.empty", "/messages")]


@pytest.mark.parametrize("payload", [[], "text", 5, None])
def test_a_request_that_is_not_an_object_is_one_violation(payload):
    result = validate_request(payload)
    assert errors(result) == [("body.not_object", "")]


@pytest.mark.parametrize(
    ("body", "rule"),
    [
        (b"{", "json.invalid"),
        (b"\xff\xfe{}", "json.invalid"),
        (b'{"model": NaN}', "json.invalid"),
        (b"[" * 100_000 + b"]" * 100_000, "json.too_deep"),
        (b'{"max_completion_tokens": ' + b"9" * 5000 + b"}", "json.number_too_large"),
    ],
)
def test_request_bytes_that_cannot_be_read_give_one_read_error(body, rule):
    result = validate_request_bytes(body)
    assert [v.rule for v in result.violations] == [rule]
    assert not result.ok


def test_request_bytes_that_parse_are_validated():
    result = validate_request_bytes(b'{"model": "%s", "messages": []}' % MAVERICK.encode())
    assert errors(result) == [("messages.empty", "/messages")]


def test_unknown_endpoint_or_kind_is_a_clear_error():
    with pytest.raises(ValueError, match="no schema for endpoint 'compat' and kind 'moderation'"):
        validate_request(chat_request(), endpoint="compat", kind="moderation")


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        (
            with_change(["tools", 0, "function", "name"], 5),
            [("field.type", "/tools/0/function/name")],
        ),
        (
            with_change([*MSG, 2, "tool_calls", 0], "call_1"),
            [("field.type", "/messages/2/tool_calls/0")],
        ),
        (
            chat_request(tools="get_weather", tool_choice="auto"),
            [("field.type", "/tools")],
        ),
    ],
)
def test_a_broken_declaration_does_not_make_its_users_look_wrong(payload, expected):
    assert errors(validate_request(payload)) == expected
