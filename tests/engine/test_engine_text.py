"""Text answers: exact replies the user asked for, and tool results reported in plain words."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mockserver.engine import Engine
from mockserver.engine.conversation import ToolResult, read_turn
from mockserver.engine.draws import Draws
from mockserver.engine.text import (
    _CONTROL,
    _EXACT_GATE,
    _EXACT_WORDS,
    _LONG_ASK,
    _LONG_WORDS,
    _SPACES,
    _rules_out,
    answer_text,
    exact_reply,
    report,
    snippet,
)
from mockserver.engine.tokens import count_tokens

# Texts near the words the answer looks for: any case, exotic letters that case-blind regexes
# fold to ASCII ("\u017f" for "s", "\u0131" for "i", "\u212a" for "k"), spaces of every kind.
_WORDS = st.sampled_from([*_EXACT_WORDS, *_LONG_WORDS, "1000 words", "in detail", "at length"])
_FOLDED = {"s": "\u017f", "i": "\u0131", "k": "\u212a", "I": "\u0130"}
_NEAR_WORDS = st.lists(
    _WORDS.map(lambda word: word.upper() if len(word) % 2 else word.title())
    | st.tuples(_WORDS, st.sampled_from(sorted(_FOLDED))).map(
        lambda pair: pair[0].replace(pair[1], _FOLDED[pair[1]], 1)
    )
    | st.sampled_from(["\u017f", "\u0131", "\u212a", "\u0130", " ", "  ", "\t", "\u00a0", '"'])
    | st.text(max_size=6),
    max_size=8,
).map("".join)


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
        (  # a sentence of its own keeps its one full stop
            ToolResult("search", "Lyon has about 522,000 inhabitants (2021).", '{"q": "Lyon"}'),
            "The result of search for Lyon: Lyon has about 522,000 inhabitants (2021).",
        ),
        (
            ToolResult("search", "Is it open? Yes!", '{"q": "Lyon"}'),
            "The result of search for Lyon: Is it open? Yes!",
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


@pytest.mark.parametrize("word", [*_EXACT_WORDS, *_LONG_WORDS])
@pytest.mark.parametrize("letter", sorted(_FOLDED))
def test_letters_a_case_blind_pattern_folds_to_ascii_are_never_ruled_out(word, letter):
    text = f"Please {word.replace(letter, _FOLDED[letter])} now"
    if _EXACT_GATE.search(text) is not None:
        assert not _rules_out(text, _EXACT_WORDS)
    if _LONG_ASK.search(text) is not None:
        assert not _rules_out(text, _LONG_WORDS)


@given(_NEAR_WORDS)
def test_the_cheap_word_tests_never_rule_out_what_the_patterns_find(text):
    if _rules_out(text, _EXACT_WORDS):
        assert _EXACT_GATE.search(text) is None
    if _rules_out(text, _LONG_WORDS):
        assert _LONG_ASK.search(text) is None


@given(_NEAR_WORDS)
def test_a_snippet_of_plain_text_is_the_snippet_the_patterns_make(text):
    clean = _SPACES.sub(" ", _CONTROL.sub(" ", text)).strip().replace('"', "'")
    short = " ".join(clean.split(" ")[:8])
    short = short[:60].rstrip() if len(short) > 60 else short
    assert snippet(text) == short + ("..." if short != clean else "")


_SENTENCES = st.lists(st.text(min_size=1, max_size=14), min_size=1, max_size=14).map(" ".join)


@given(st.text(max_size=300) | _SENTENCES | _NEAR_WORDS, st.binary(min_size=32, max_size=32))
def test_a_text_answer_counts_its_own_tokens(user_text, digest):
    turn = read_turn([{"role": "user", "content": user_text}])
    text, used = answer_text(Draws(digest), turn)
    assert used == count_tokens(text)


@pytest.mark.parametrize("result", ['{"city": "\\ud800"}', "[" * 300 + "]" * 300, '["a", NaN]'])
@pytest.mark.parametrize("arguments", ['{"city": "\\udc00"}', "{" * 100 + "}" * 100, ""])
def test_a_report_reads_json_it_cannot_write_back_as_text(result, arguments):
    said = report(ToolResult("get_weather", result, arguments))
    said.encode("utf-8")  # no lone surrogate made it through
    assert said.startswith("The weather")
