"""`@given(exchange=exchanges(...))` with the `llama_exchanges` fixture, as a user writes it:
test files run by pytester, hundreds of examples, no health-check warning, bugs shrunk."""

from __future__ import annotations

import pytest
from llama_api_client import LlamaAPIClient

from contract.conformance.checks import ToolCallOutcome
from contract.scenarios.model import Respond, ToolCallSpec
from contract.strategies import ClientExchange

# The user's test of docs/pytest.md: their client (here the official SDK, streaming) against
# every generated answer. `{fix}` is where the buggy variant breaks the text.
USER_TEST = """
from hypothesis import given, settings
from llama_api_client import LlamaAPIClient

from contract.strategies import exchanges


def my_client(url, api_key, request):
    client = LlamaAPIClient(api_key=api_key, base_url=url, max_retries=0)
    text, calls, stop = "", {{}}, None
    for chunk in client.chat.completions.create(**request):
        event = chunk.event
        if event.event_type == "progress" and event.delta.type == "text":
            text += event.delta.text
        elif event.event_type == "progress" and event.delta.type == "tool_call":
            if event.delta.id:
                calls[event.delta.id] = [event.delta.function.name, ""]
            else:
                calls[list(calls)[-1]][1] += event.delta.function.arguments or ""
        elif event.event_type == "complete":
            stop = event.stop_reason
    return {fix}, [tuple(call) for call in calls.values()], stop


@settings(max_examples=200, deadline=None)
@given(exchange=exchanges(endpoint="native", stream=True, tools=False))
def test_my_client_hands_on_every_answer(llama_exchanges, exchange):
    served = llama_exchanges.serve(exchange)
    text, calls, stop = my_client(served.url, served.api_key, served.request)
    served.assert_outcome(text=text, tool_calls=calls, stop_reason=stop)
"""


def test_two_hundred_generated_exchanges_run_in_a_users_test(pytester):
    pytester.makepyfile(USER_TEST.format(fix="text"))
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, warnings=0)


def test_a_buggy_client_is_found_and_shown_its_minimal_exchange(pytester):
    pytester.makepyfile(USER_TEST.format(fix="text.strip()"))
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    # The smallest text the bug mangles: one whitespace character.
    result.stdout.re_match_lines(
        [r".*client\.text\.intact.*", r'.*"text": "( |\\n|\\t)",', r".*Failing test case.*"]
    )


def test_the_mock_is_plain_again_after_the_test(pytester):
    pytester.makepyfile(
        USER_TEST.format(fix="text")
        + """

def test_afterwards_the_engine_answers(llama_mock):
    from llama_api_client import LlamaAPIClient

    client = LlamaAPIClient(api_key=llama_mock.api_key, base_url=llama_mock.base_url + "/v1")
    answer = client.chat.completions.create(
        model="Llama-4-Maverick-17B-128E-Instruct-FP8",
        messages=[{"role": "user", "content": "Reply with the word OK"}],
    )
    assert answer.completion_message.content.text == "OK"
"""
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-p", "no:randomly")
    result.assert_outcomes(passed=2, warnings=0)


# assert_outcome(tool_calls=...): pairs, or (name, arguments, id) triples as ToolCallOutcome has.
WEATHER_TOOL = {"type": "function", "function": {"name": "get_weather", "parameters": {
    "type": "object", "properties": {"city": {"type": "string"}}}}}  # fmt: skip
TOOL_EXCHANGE = ClientExchange(
    "native",
    {
        "model": "Llama-4-Maverick-17B-128E-Instruct-FP8",
        "tools": [WEATHER_TOOL],
        "messages": [{"role": "user", "content": "Weather in Paris?"}],
    },
    Respond(
        tool_calls=(ToolCallSpec("get_weather", '{"city": "Paris"}', "call_7"),),
        stop_reason="tool_calls",
    ),
)


def _sdk_calls(served):
    client = LlamaAPIClient(api_key=served.api_key, base_url=served.url, max_retries=0)
    message = client.chat.completions.create(**served.request).completion_message
    calls = [(c.function.name, c.function.arguments, c.id) for c in message.tool_calls]
    return calls, message.stop_reason


def test_tool_calls_as_triples_check_the_id_too(llama_exchanges):
    served = llama_exchanges.serve(TOOL_EXCHANGE)
    calls, stop = _sdk_calls(served)
    assert calls == [("get_weather", '{"city": "Paris"}', "call_7")]
    served.assert_outcome(tool_calls=calls, stop_reason=stop)  # was a ValueError inside
    served.assert_outcome(tool_calls=[call[:2] for call in calls], stop_reason=stop)  # pairs
    served.assert_outcome(tool_calls=[ToolCallOutcome(*calls[0])], stop_reason=stop)


@pytest.mark.parametrize(
    ("call_id", "message"),
    [
        ("call_8", "client.tool_calls.intact: tool call 0: id 'call_8'; the server sent 'call_7'"),
        (None, "client.tool_calls.intact: tool call 0: the client returned no id; the server "
               "sent 'call_7'"),
    ],
)  # fmt: skip
def test_a_client_that_mangles_or_drops_the_id_fails(llama_exchanges, call_id, message):
    served = llama_exchanges.serve(TOOL_EXCHANGE)
    (call,), stop = _sdk_calls(served)
    with pytest.raises(AssertionError) as failed:
        served.assert_outcome(tool_calls=[(*call[:2], call_id)], stop_reason=stop)
    assert str(failed.value).splitlines()[1] == message


@pytest.mark.parametrize(
    ("tool_calls", "message"),
    [
        ([("get_weather",)], r"tool_calls\[0\] is 1 items \(\('get_weather',\)\)"),
        ([("get_weather", "{}", "call_7", "x")], r"tool_calls\[0\] is 4 items"),
        ([{"name": "get_weather", "arguments": "{}"}], r"tool_calls\[0\] is dict"),
        ({"call_7": ("get_weather", "{}")}, r"takes a list of .*, not a dict"),
        ("get_weather", r"takes a list of .*, not a str"),
    ],
)
def test_any_other_shape_is_a_type_error_naming_the_argument_and_the_shapes(
    llama_exchanges, tool_calls, message
):
    served = llama_exchanges.serve(TOOL_EXCHANGE)
    with pytest.raises(TypeError, match=message) as refused:
        served.assert_outcome(tool_calls=tool_calls, stop_reason="tool_calls")
    assert str(refused.value).startswith("assert_outcome(tool_calls=...)")
    assert "(name, arguments) pairs or (name, arguments, id) triples" in str(refused.value)
