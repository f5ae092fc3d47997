"""Text answers: exact replies the user asked for, and tool results reported in plain words."""

from __future__ import annotations

import json

import pytest

from mockserver.engine import Engine
from mockserver.engine.conversation import ToolResult
from mockserver.engine.text import exact_reply, report


@pytest.mark.parametrize(
    ("text", "reply"),
    [
        ("Reply with the word OK", "OK"),
        ("Reply with OK.", "OK"),
        ('Say "hello world"', "hello world"),
        ("Answer with just yes.", "yes"),
        ("Respond only with the number 42", "42"),
        ("Repeat after me: Zoë Núñez was here", "Zoë Núñez was here"),
        ("Write a haiku about autumn leaves", None),
        ("What should I reply with?", None),
        ("Say hello", None),
    ],
)
def test_an_exact_reply_is_found_only_when_asked_for(text, reply):
    assert exact_reply(text) == reply


def test_the_engine_answers_an_exact_reply_and_cuts_it_at_the_limit():
    ask = {"model": "m", "messages": [{"role": "user", "content": "Reply with the word OK"}]}
    completion = Engine().complete(ask)
    assert (completion.text, completion.stop_reason, completion.completion_tokens) == (
        "OK",
        "stop",
        1,
    )


@pytest.mark.parametrize(
    ("result", "sentence"),
    [
        (
            ToolResult(
                "get_weather", '{"temperature": 7, "condition": "snow"}', '{"city": "Oslo"}'
            ),
            "The weather in Oslo: temperature 7, condition snow.",
        ),
        (
            ToolResult("get_stock_price", '{"price": 12.5, "open": true}', '{"ticker": "ACME"}'),
            "The stock price for ACME: price 12.5, open yes.",
        ),
        (
            ToolResult("multiply", "408", '{"a": 12, "b": 34}'),
            "The result of multiply for 12 and 34: 408.",
        ),
        (
            ToolResult("lookup_tags", '["a", "b"]', ""),
            "The tags: a, b.",
        ),
        (
            ToolResult("tool", "", ""),
            "The result of tool: nothing.",
        ),
    ],
)
def test_a_tool_result_is_reported_in_plain_words(result, sentence):
    assert report(result) == sentence


def test_parallel_results_are_each_reported():
    calls = [
        {"id": f"c{i}", "function": {"name": "get_weather", "arguments": json.dumps({"city": c})}}
        for i, c in enumerate(["Paris", "Rome"])
    ]
    messages = [
        {"role": "user", "content": "Weather in Paris and Rome?"},
        {"role": "assistant", "content": "", "stop_reason": "tool_calls", "tool_calls": calls},
        {"role": "tool", "tool_call_id": "c0", "content": '{"sky": "clear"}'},
        {"role": "tool", "tool_call_id": "c1", "content": '{"sky": "rain"}'},
    ]
    completion = Engine().complete({"model": "m", "messages": messages})
    assert completion.text == "The weather in Paris: sky clear. The weather in Rome: sky rain."
