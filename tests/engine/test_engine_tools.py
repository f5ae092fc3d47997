"""Tool calls: the tool_choice matrix, arguments valid against the parameters, and limits."""

from __future__ import annotations

import json
import re

import jsonschema
import pytest
from hypothesis import given
from hypothesis import strategies as st

import mockserver.engine.listen.listener as listener_module
from mockserver.engine import Engine, EngineError, count_tokens

MODEL = "Llama-4-Scout-17B-16E-Instruct-FP8"
WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Get current weather for a given location.",
        "parameters": {
            "type": "object",
            "properties": {
                "location": {"type": "string", "description": "City and country"},
                "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
                "days": {"type": "integer", "minimum": 1, "maximum": 7},
            },
            "required": ["location"],
            "additionalProperties": False,
        },
        "strict": True,
    },
}
STOCKS = {
    "type": "function",
    "function": {
        "name": "get_stock_price",
        "description": "Look up the latest stock price for a ticker symbol.",
        "parameters": {
            "type": "object",
            "properties": {"ticker": {"type": "string", "pattern": "^[A-Z]{1,5}$"}},
            "required": ["ticker"],
        },
    },
}
CLOCK = {"type": "function", "function": {"name": "current_time"}}


def request(
    *,
    tools=(WEATHER, STOCKS),
    tool_choice=None,
    after_tool=False,
    text="Is it raining in Bellevue?",
):
    messages = [{"role": "user", "content": text}]
    if after_tool:
        messages += [
            {
                "role": "assistant",
                "content": {"type": "text", "text": ""},
                "stop_reason": "tool_calls",
                "tool_calls": [
                    {
                        "id": "call_1",
                        "function": {"name": "get_weather", "arguments": '{"location":"Bellevue"}'},
                    }
                ],
            },
            {"role": "tool", "tool_call_id": "call_1", "content": "Light rain, 12 C"},
        ]
    body = {"model": MODEL, "messages": messages, "tools": list(tools)}
    if tool_choice is not None:
        body["tool_choice"] = tool_choice
    return body


NAMED_STOCKS = {"type": "function", "function": {"name": "get_stock_price"}}


@pytest.mark.parametrize(
    ("tool_choice", "after_tool", "expected"),
    [
        (None, False, "get_weather"),
        ("auto", False, "get_weather"),
        (None, True, None),
        ("auto", True, None),
        ("none", False, None),
        ("none", True, None),
        ("required", False, "get_weather"),
        ("required", True, "get_stock_price"),  # never the call already answered
        (NAMED_STOCKS, False, "get_stock_price"),
        (NAMED_STOCKS, True, "get_stock_price"),
    ],
)
def test_tool_choice_matrix(tool_choice, after_tool, expected):
    completion = Engine().complete(request(tool_choice=tool_choice, after_tool=after_tool))
    if expected is None:
        assert completion.tool_calls == ()
        assert completion.stop_reason == "stop"
        assert completion.text
    else:
        assert [call.name for call in completion.tool_calls] == [expected]
        assert completion.stop_reason == "tool_calls"
        assert completion.text == ""


def test_after_a_tool_result_the_text_reports_it_in_plain_words():
    completion = Engine().complete(request(after_tool=True))
    assert completion.text == "The weather in Bellevue: Light rain, 12 C."


def test_required_prefers_the_tool_the_user_asked_about():
    asked = request(text="What is the stock price of ACME today?", tool_choice="required")
    assert Engine().complete(asked).tool_calls[0].name == "get_stock_price"
    asked["tool_choice"] = "auto"
    assert Engine().complete(asked).tool_calls[0].name == "get_stock_price"


@pytest.mark.parametrize(
    ("tool_choice", "after_tool", "reads"),
    [("auto", True, 0), ("none", False, 0), ("auto", False, 1), ("required", True, 1)],
)
def test_the_conversation_is_read_only_when_the_answer_needs_its_values(
    monkeypatch, tool_choice, after_tool, reads
):
    real = listener_module.extract
    calls = []

    def counted(texts):
        calls.append(texts)
        return real(texts)

    monkeypatch.setattr(listener_module, "extract", counted)
    Engine().complete(request(tool_choice=tool_choice, after_tool=after_tool))
    assert len(calls) == reads


def test_auto_answers_in_text_when_the_last_turn_is_not_the_user():
    body = request()
    body["messages"].append({"role": "assistant", "content": "Let me check."})
    assert Engine().complete(body).tool_calls == ()


@pytest.mark.parametrize("tool", [WEATHER, STOCKS])
@pytest.mark.parametrize("seed", range(5))
def test_arguments_are_compact_json_valid_against_the_parameters(tool, seed):
    name = tool["function"]["name"]
    choice = {"type": "function", "function": {"name": name}}
    call = Engine(seed=seed).complete(request(tool_choice=choice)).tool_calls[0]
    arguments = json.loads(call.arguments)
    jsonschema.validate(arguments, tool["function"]["parameters"])
    assert call.arguments == json.dumps(arguments, separators=(",", ":"), ensure_ascii=False)


def test_location_arguments_use_the_place_the_user_named():
    call = Engine().complete(request()).tool_calls[0]
    assert json.loads(call.arguments)["location"] == "Bellevue"


def test_a_function_without_parameters_gets_an_empty_object():
    choice = {"type": "function", "function": {"name": "current_time"}}
    call = Engine().complete(request(tools=[CLOCK], tool_choice=choice)).tool_calls[0]
    assert call.arguments == "{}"


def test_tool_call_ids_are_deterministic_and_look_like_calls():
    first = Engine().complete(request()).tool_calls[0]
    assert re.fullmatch(r"call_[A-Za-z0-9]{24}", first.id)
    assert Engine().complete(request()).tool_calls[0] == first
    assert Engine(seed=3).complete(request()).tool_calls[0].id != first.id


def test_completion_tokens_of_a_call_count_its_name_and_arguments():
    completion = Engine().complete(request())
    call = completion.tool_calls[0]
    assert completion.completion_tokens == count_tokens(call.name) + count_tokens(call.arguments)


def test_a_call_longer_than_the_limit_is_cut_as_text():
    body = request(tool_choice="required")
    body["max_completion_tokens"] = 4
    completion = Engine().complete(body)
    assert completion.tool_calls == ()
    assert completion.stop_reason == "length"
    assert completion.completion_tokens == 4
    assert completion.text.startswith('{"')


def test_a_named_function_that_is_not_declared_is_a_client_error():
    choice = {"type": "function", "function": {"name": "launch_rocket"}}
    with pytest.raises(EngineError) as caught:
        Engine().complete(request(tool_choice=choice))
    assert caught.value.rule == "tool_choice.undeclared"
    assert caught.value.path == "/tool_choice/function/name"
    assert "launch_rocket" in caught.value.message


def test_unsatisfiable_parameters_are_a_client_error_naming_why():
    broken = {
        "type": "function",
        "function": {
            "name": "book",
            "parameters": {
                "type": "object",
                "properties": {"nights": {"type": "integer", "minimum": 5, "maximum": 2}},
                "required": ["nights"],
            },
        },
    }
    with pytest.raises(EngineError) as caught:
        Engine().complete(
            request(tools=[WEATHER, broken], tool_choice="required", text="book a hotel")
        )
    error = caught.value
    assert error.rule == "tools.parameters.unsatisfiable"
    assert error.path == "/tools/1/function/parameters/properties/nights"
    assert "minimum 5" in error.message
    assert "maximum 2" in error.message
    assert error.violation.rule == error.rule


def test_unsatisfiable_parameters_of_a_tool_not_called_do_not_matter():
    broken = {"type": "function", "function": {"name": "never", "parameters": False}}
    completion = Engine().complete(request(tools=[WEATHER, broken]))
    assert completion.tool_calls[0].name == "get_weather"


def _function(name: str, **properties: object) -> dict[str, object]:
    parameters = {"type": "object", "properties": properties, "required": list(properties)}
    return {"type": "function", "function": {"name": name, "parameters": parameters}}


@pytest.mark.parametrize(("price", "read"), [
    ("1 250,00 €", 1250.0), ("$1,250.50", 1250.5), ("1.250,00", 1250.0), ("EUR 99", 99),
])
def test_an_amount_written_as_text_in_a_tool_result_fills_its_number(price, read):
    # The result's "price" is a text; the final answer's price took the user's other number (2).
    search = _function("search_flights", destination={"type": "string"})
    final = _function("final_result", flight={"type": "string"}, price={"type": "number"})
    call = {"id": "call_1", "type": "function",
            "function": {"name": "search_flights", "arguments": '{"destination": "Oslo"}'}}
    body = {"model": MODEL, "tools": [search, final], "tool_choice": "required", "messages": [
        {"role": "user", "content": "Find 2 seats to Oslo, then give the flight and its price."},
        {"role": "assistant", "content": "", "tool_calls": [call]},
        {"role": "tool", "tool_call_id": "call_1",
         "content": json.dumps({"flight": "BA112", "price": price})},
    ]}  # fmt: skip
    [answer] = Engine().complete(body).tool_calls
    assert (answer.name, json.loads(answer.arguments)) == (
        "final_result", {"flight": "BA112", "price": read})


@given(st.text(max_size=60))
def test_reading_an_amount_never_raises_and_reads_only_short_texts(text):
    from mockserver.engine.listen.amounts import MAX_CHARS, amount

    said = amount(text)
    assert said is None or isinstance(said, int | float)
    if len(text) > MAX_CHARS:
        assert said is None


def test_parallel_calls_share_the_values_the_user_left_open() -> None:
    """Only the listed value differs between the calls; an optional unit or count the user did
    not give is drawn once for all of them."""
    weather = {"type": "function", "function": {"name": "get_weather", "parameters": {
        "type": "object", "required": ["city"], "properties": {
            "city": {"type": "string"},
            "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
            "days": {"type": "integer", "minimum": 1, "maximum": 7}}}}}  # fmt: skip
    for asked, cities in (("What's the weather in Paris and in Rome?", ["Paris", "Rome"]),
                          ("Weather in Oslo, Lima and Kyiv, please", ["Oslo", "Lima", "Kyiv"])):  # fmt: skip
        request = {"model": "m", "messages": [{"role": "user", "content": asked}], "tools": [weather]}
        calls = [json.loads(c.arguments) for c in Engine().complete(request).tool_calls]
        assert [call.pop("city") for call in calls] == cities
        assert all(call == calls[0] for call in calls), calls
        assert len({c.id for c in Engine().complete(request).tool_calls}) == len(cities)


def _optional_tool(**parameters: object) -> dict[str, object]:
    schema = {"type": "object", "properties": {"a": {"type": "string"}, "b": {"type": "integer"}}}
    return {"type": "function", "function": {"name": "f", "parameters": {**schema, **parameters}}}


def test_optional_arguments_nobody_gave_are_left_out_unless_min_properties_asks_for_them():
    def arguments(tool: dict[str, object], text: str = "hi") -> dict[str, object]:
        request = {"model": MODEL, "messages": [{"role": "user", "content": text}],
                   "tools": [tool], "tool_choice": "required"}  # fmt: skip
        result: dict[str, object] = json.loads(Engine().complete(request).tool_calls[0].arguments)
        return result

    assert arguments(_optional_tool()) == {}
    assert arguments(_optional_tool(), "take 7") == {"b": 7}
    assert len(arguments(_optional_tool(minProperties=1))) == 1
    assert len(arguments(_optional_tool(minProperties=2))) == 2


def test_a_structured_document_keeps_its_optional_properties():
    schema = {"type": "object", "properties": {"a": {"type": "string"}, "b": {"type": "integer"}}}
    request = {"model": MODEL, "messages": [{"role": "user", "content": "hi"}],
               "response_format": {"type": "json_schema",
                                   "json_schema": {"name": "x", "schema": schema}}}  # fmt: skip
    assert set(json.loads(Engine().complete(request).text)) == {"a", "b"}


def test_the_whole_user_turn_fills_one_text_field_not_every_one():
    schema = {"type": "object", "required": ["to", "subject", "body"], "properties": {
        "to": {"type": "string", "format": "email"}, "subject": {"type": "string"},
        "body": {"type": "string"}}}  # fmt: skip
    turn = "Tell ada@example.com that lunch is at 12:30"
    request = {"model": MODEL, "messages": [{"role": "user", "content": turn}],
               "tools": [{"type": "function", "function": {"name": "send_email",
                                                           "parameters": schema}}],
               "tool_choice": "required"}  # fmt: skip
    arguments = json.loads(Engine().complete(request).tool_calls[0].arguments)
    assert arguments["to"] == "ada@example.com"
    assert arguments["subject"] == turn
    assert arguments["body"]
    assert arguments["body"] != turn
