"""Every request the valid strategies generate passes validation, and the options are honoured."""

from __future__ import annotations

import json

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contract import validate_request
from contract.models import takes_images
from contract.reading import parse_json
from contract.strategies import chat_requests, conversations, messages, tools

ENDPOINTS = ("native", "compat")
SETTINGS = settings(max_examples=40, deadline=None)


def _image_items(payload):
    return [
        item
        for message in payload["messages"]
        if isinstance(message.get("content"), list)
        for item in message["content"]
        if item.get("type") == "image_url"
    ]


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@SETTINGS
@given(data=st.data())
def test_strict_requests_validate_without_any_finding(endpoint, data):
    payload = data.draw(chat_requests(endpoint=endpoint, strict=True))
    result = validate_request(payload, endpoint=endpoint, strict=True)
    assert not result.violations, [str(v) for v in result.violations]


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@SETTINGS
@given(data=st.data())
def test_lenient_requests_carry_at_most_unknown_field_warnings(endpoint, data):
    payload = data.draw(chat_requests(endpoint=endpoint))
    result = validate_request(payload, endpoint=endpoint)
    assert result.ok, [str(v) for v in result.errors]
    assert {v.rule for v in result.warnings} <= {"field.unknown"}


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@settings(max_examples=20, deadline=None)
@given(data=st.data())
def test_requests_survive_a_trip_through_json_text(endpoint, data):
    payload = data.draw(chat_requests(endpoint=endpoint))
    assert parse_json(json.dumps(payload).encode()) == payload


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("flag", [True, False])
@settings(max_examples=15, deadline=None)
@given(data=st.data())
def test_forced_options_are_honoured(endpoint, flag, data):
    payload = data.draw(
        chat_requests(endpoint=endpoint, stream=flag, tools=flag, images=flag, strict=True)
    )
    assert payload["stream"] is flag
    if flag:
        assert payload["tools"]
        assert _image_items(payload)
        assert takes_images(payload["model"])
    else:
        assert "tools" not in payload
        assert payload.get("tool_choice", "none") == "none"
        assert not _image_items(payload)
    assert validate_request(payload, endpoint=endpoint, strict=True).ok


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@SETTINGS
@given(data=st.data())
def test_tool_choice_agrees_with_the_tools(endpoint, data):
    payload = data.draw(chat_requests(endpoint=endpoint, tools=True, strict=True))
    names = [tool["function"]["name"] for tool in payload["tools"]]
    choice = payload.get("tool_choice")
    if isinstance(choice, dict):
        assert choice["function"]["name"] in names
    else:
        assert choice in (None, "none", "auto", "required")


@settings(max_examples=25, deadline=None)
@given(declared=tools(min_size=0, max_size=4))
def test_tools_have_unique_valid_names_and_valid_parameter_schemas(declared):
    names = [tool["function"]["name"] for tool in declared]
    assert len(set(names)) == len(names) <= 4
    for tool in declared:
        assert tool["type"] == "function"
        assert len(tool["function"]["name"]) <= 64
        parameters = tool["function"].get("parameters")
        if parameters is not None:
            jsonschema.Draft202012Validator.check_schema(parameters)
    payload = {"model": "Llama-3.3-70B-Instruct", "messages": [{"role": "user", "content": "hi"}]}
    if declared:
        payload["tools"] = declared
    assert not validate_request(payload, strict=True).violations


def _coherence_problems(conversation, declared, *, min_turns, max_turns):
    """Walk the conversation as system? (user assistant-call tool-results assistant?)*."""
    by_name = {tool["function"]["name"]: tool["function"] for tool in declared}
    seen_ids = []
    k = 1 if conversation and conversation[0]["role"] == "system" else 0
    turns = 0
    while k < len(conversation):
        if conversation[k]["role"] != "user":
            return f"message {k} should be a user turn"
        turns, k = turns + 1, k + 1
        if k == len(conversation):
            break
        reply = conversation[k]
        if reply["role"] != "assistant":
            return f"message {k} should answer the user"
        calls = reply.get("tool_calls") or []
        k += 1
        if calls:
            for call in calls:
                function = by_name.get(call["function"]["name"])
                if function is None:
                    return f"call of undeclared {call['function']['name']!r}"
                arguments = json.loads(call["function"]["arguments"])
                jsonschema.validate(arguments, function.get("parameters", {"type": "object"}))
            ids = [call["id"] for call in calls]
            results = conversation[k : k + len(ids)]
            if [m["role"] for m in results] != ["tool"] * len(ids):
                return f"the calls at {k - 1} are not followed by one tool result each"
            if [m["tool_call_id"] for m in results] != ids:
                return f"the tool results after {k - 1} do not answer exactly {ids}"
            seen_ids.extend(ids)
            k += len(ids)
            if k < len(conversation):
                if conversation[k]["role"] != "assistant" or conversation[k].get("tool_calls"):
                    return f"message {k} should be the assistant's answer after the tool results"
                k += 1
    if not min_turns <= turns <= max_turns:
        return f"{turns} turns, outside {min_turns}..{max_turns}"
    if len(set(seen_ids)) != len(seen_ids):
        return "a tool call id is used twice"
    if conversation[-1]["role"] not in ("user", "tool"):
        return "the conversation should end where the model speaks next"
    return None


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@SETTINGS
@given(data=st.data())
def test_conversations_are_coherent_and_valid(endpoint, data):
    declared = data.draw(tools(min_size=1, max_size=3))
    low = data.draw(st.integers(1, 3))
    high = data.draw(st.integers(low, 4))
    conversation = data.draw(
        conversations(min_turns=low, max_turns=high, tools=declared, images=True, endpoint=endpoint)
    )
    assert _coherence_problems(conversation, declared, min_turns=low, max_turns=high) is None
    payload = {"model": "Llama-4-Scout-17B-16E-Instruct-FP8", "messages": conversation}
    payload["tools"] = declared
    assert not validate_request(payload, endpoint=endpoint, strict=True).violations


@settings(max_examples=15, deadline=None)
@given(conversation=conversations())
def test_conversations_without_tools_call_none(conversation):
    assert not any(m.get("tool_calls") for m in conversation)
    assert not any(m["role"] == "tool" for m in conversation)
    assert not any(
        isinstance(m["content"], list) and any(item["type"] == "image_url" for item in m["content"])
        for m in conversation
    )


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("role", ["system", "user", "assistant", "tool", None])
@settings(max_examples=15, deadline=None)
@given(data=st.data())
def test_single_messages_have_the_role_asked_for_and_validate(endpoint, role, data):
    message = data.draw(messages(role=role, images=True, endpoint=endpoint))
    if role is not None:
        assert message["role"] == role
    history = []
    if message["role"] == "tool":
        call = {
            "id": message["tool_call_id"],
            "type": "function",
            "function": {"name": "lookup", "arguments": "{}"},
        }
        history = [{"role": "assistant", "tool_calls": [call]}]
    payload = {"model": "Llama-4-Maverick-17B-128E-Instruct-FP8", "messages": [*history, message]}
    result = validate_request(payload, endpoint=endpoint, strict=True)
    assert not result.violations, [str(v) for v in result.violations]
