"""`@given(exchange=exchanges(...))` with the `llama_exchanges` fixture, as a user writes it:
test files run by pytester, hundreds of examples, no health-check warning, bugs shrunk."""

from __future__ import annotations

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
