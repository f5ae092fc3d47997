"""Text answers: deterministic, visibly answering, cut at the token limit, counted consistently."""

from __future__ import annotations

import copy
import json
import re

import pytest

from contract import validate_request
from mockserver.engine import Engine, count_tokens, prompt_tokens, tokenize

MODEL = "Llama-4-Maverick-17B-128E-Instruct-FP8"
SEED_REQUEST = {
    "model": MODEL,
    "messages": [
        {"role": "system", "content": "You are a helpful assistant that provides concise answers."},
        {"role": "user", "content": "What is the capital of France?"},
    ],
    "max_tokens": 256,
}


def ask(text: str, **fields):
    return {"model": MODEL, "messages": [{"role": "user", "content": text}], **fields}


def test_same_request_and_seed_give_the_same_completion_byte_for_byte():
    first = Engine(seed=7).complete(SEED_REQUEST)
    again = Engine(seed=7).complete(copy.deepcopy(SEED_REQUEST))
    assert first == again
    reordered = dict(reversed(list(SEED_REQUEST.items())))
    assert Engine(seed=7).complete(reordered) == first


def test_the_seed_and_the_request_change_the_answer():
    base = Engine(seed=0).complete(SEED_REQUEST)
    assert Engine(seed=1).complete(SEED_REQUEST).text != base.text
    assert Engine(seed=1).complete(SEED_REQUEST).id != base.id
    other = copy.deepcopy(SEED_REQUEST)
    other["temperature"] = 0.2
    assert Engine(seed=0).complete(other).id != base.id


def test_streaming_or_not_gives_the_same_answer():
    engine = Engine()
    plain = engine.complete(ask("Tell me about rivers"))
    streamed = engine.complete(ask("Tell me about rivers", stream=True, stream_options={}))
    assert streamed == plain


def test_ids_look_like_the_live_service():
    completion = Engine().complete(SEED_REQUEST)
    assert re.fullmatch(r"[A-Za-z0-9]{23}", completion.id)


def test_the_answer_quotes_the_last_user_turn():
    request = ask("What is the capital of France?")
    request["messages"] = [
        {"role": "user", "content": "Hello there"},
        {"role": "assistant", "content": "Hi!"},
        {"role": "user", "content": "What is the capital of France?"},
    ]
    completion = Engine().complete(request)
    assert '"What is the capital of France?"' in completion.text
    assert completion.stop_reason == "stop"
    assert completion.tool_calls == ()


def test_a_quoted_turn_is_short_single_line_and_has_no_double_quotes():
    text = 'Line one\nline "two"\x00 ' + "word " * 40
    completion = Engine().complete(ask(text))
    quoted = completion.text.split('"')[1]
    assert "\n" not in quoted
    assert "\x00" not in quoted
    assert quoted.startswith("Line one line 'two'")
    assert quoted.endswith("...")
    assert len(quoted) <= 63


def test_text_items_are_read_and_images_are_acknowledged():
    request = ask("")
    request["messages"][0]["content"] = [{"type": "text", "text": "Describe this picture"}]
    assert "Describe this picture" in Engine().complete(request).text
    only_image = {"type": "image_url", "image_url": {"url": "https://example.com/cat.png"}}
    request["messages"][0]["content"] = [only_image]
    assert "image" in Engine().complete(request).text


def test_typical_answers_have_20_to_60_tokens():
    engine = Engine()
    counts = [engine.complete(ask(f"Question number {i}")).completion_tokens for i in range(60)]
    assert all(15 <= n <= 75 for n in counts)
    assert 20 <= sum(counts) / len(counts) <= 60


def test_completion_tokens_count_the_text():
    completion = Engine().complete(SEED_REQUEST)
    assert completion.completion_tokens == count_tokens(completion.text)
    assert completion.total_tokens == completion.prompt_tokens + completion.completion_tokens


@pytest.mark.parametrize("limit", [1, 2, 5, 13])
def test_max_completion_tokens_cuts_to_exactly_that_many_tokens(limit):
    full = Engine().complete(ask("Explain photosynthesis"))
    request = ask("Explain photosynthesis", max_completion_tokens=limit)
    cut = Engine().complete(request)
    assert cut.stop_reason == "length"
    assert cut.completion_tokens == limit
    assert len(tokenize(cut.text)) == limit
    assert cut.text == "".join(tokenize(full.text)[:limit])


def test_a_limit_the_answer_fits_in_does_not_cut():
    full = Engine().complete(ask("Explain photosynthesis"))
    request = ask("Explain photosynthesis", max_completion_tokens=full.completion_tokens)
    fitted = Engine().complete(request)
    assert fitted.stop_reason == "stop"
    assert fitted.text == full.text


def test_native_ignores_max_tokens_but_compat_takes_it():
    request = ask("Explain photosynthesis", max_tokens=3)
    assert Engine().complete(request, endpoint="native").stop_reason == "stop"
    compat = Engine().complete(request, endpoint="compat")
    assert (compat.stop_reason, compat.completion_tokens) == ("length", 3)
    both = ask("Explain photosynthesis", max_tokens=3, max_completion_tokens=5)
    assert Engine().complete(both, endpoint="compat").completion_tokens == 5


@pytest.mark.parametrize(("field", "endpoint"), [("max_completion_tokens", "native"),
                                                 ("max_completion_tokens", "compat"),
                                                 ("max_tokens", "compat")])  # fmt: skip
def test_a_limit_written_as_a_float_is_the_same_limit(field, endpoint):
    # JSON Schema (and so the contract) counts 5.0 as an integer: it once passed and cut nothing.
    for written in (5.0, 5):
        cut = Engine().complete(ask("Explain photosynthesis", **{field: written}), endpoint=endpoint)
        assert (cut.stop_reason, cut.completion_tokens) == ("length", 5)
    request = ask("Explain photosynthesis", **{field: 5.0})
    assert validate_request(request, endpoint=endpoint).ok


def test_prompt_tokens_count_texts_messages_images_and_tools():
    text = "What is the capital of France?"
    one = prompt_tokens(ask(text))
    assert one == count_tokens(text) + 4
    image = {"type": "image_url", "image_url": {"url": "https://example.com/a.png"}}
    with_image = ask("")
    with_image["messages"][0]["content"] = [{"type": "text", "text": text}, image, image]
    assert prompt_tokens(with_image) == one + 2 * 64
    tools = [{"type": "function", "function": {"name": "get_weather", "parameters": {}}}]
    with_tools = ask(text, tools=tools)
    tools_json = json.dumps(tools, separators=(",", ":"))
    assert prompt_tokens(with_tools) == one + count_tokens(tools_json)
    assert Engine().complete(with_tools).prompt_tokens == prompt_tokens(with_tools)


def test_prompt_tokens_count_tool_calls_and_tool_results():
    request = ask("Weather?")
    request["messages"] += [
        {
            "role": "assistant",
            "content": {"type": "text", "text": ""},
            "stop_reason": "tool_calls",
            "tool_calls": [
                {"id": "c1", "function": {"name": "get_weather", "arguments": '{"city":"Oslo"}'}}
            ],
        },
        {"role": "tool", "tool_call_id": "c1", "content": "Sunny"},
    ]
    expected = (
        (count_tokens("Weather?") + 4)
        + (4 + count_tokens("get_weather") + count_tokens('{"city":"Oslo"}'))
        + (4 + count_tokens("Sunny"))
    )
    assert prompt_tokens(request) == expected


def test_a_conversation_without_a_user_turn_still_gets_an_answer():
    request = {"model": MODEL, "messages": [{"role": "system", "content": "Be brief."}]}
    completion = Engine().complete(request)
    assert completion.text
    assert completion.stop_reason == "stop"
