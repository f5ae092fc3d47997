"""Matching requests against steps, safe regexes, and conversation keys."""

from __future__ import annotations

import pytest

from contract.scenarios.loading import parse_scenario
from contract.scenarios.match import (
    MatchRequest,
    closest_step,
    continuation_key,
    history_key,
    last_user_text,
    match_request,
    normalized_path,
    request_key,
)
from contract.scenarios.patterns import (
    MAX_SUBJECT_CHARS,
    UnsafePattern,
    compile_safe,
    search_bounded,
)

TOOLS = [{"type": "function", "function": {"name": "get_weather", "parameters": {}}}]


def _request(*, endpoint: str = "native", path: str = "/v1/chat/completions",
             headers: dict[str, str] | None = None, **body: object) -> MatchRequest:
    body.setdefault("model", "Llama-4-Scout-17B-16E-Instruct-FP8")
    body.setdefault("messages", [{"role": "user", "content": "What is the weather in Paris?"}])
    return MatchRequest(endpoint, path, headers or {}, body)  # type: ignore[arg-type]


def _match(yaml_match: str):  # type: ignore[no-untyped-def]
    return parse_scenario(f"name: m\nsteps:\n  - match: {yaml_match}\n").steps[0].match


@pytest.mark.parametrize(("condition", "request_", "failed", "reason"), [
    ("{endpoint: compat}", _request(), "endpoint", "wanted compat, got native"),
    ("{model: Llama-3.3-70B-Instruct}", _request(), "model",
     "wanted Llama-3.3-70B-Instruct, got 'Llama-4-Scout-17B-16E-Instruct-FP8'"),
    ("{stream: true}", _request(), "stream", "wanted stream true, got false"),
    ("{tools: true}", _request(), "tools", "wanted tools, the request offers none"),
    ("{tools: false}", _request(tools=TOOLS), "tools", "wanted no tools, got get_weather"),
    ("{tools: [get_time]}", _request(tools=TOOLS), "tools",
     "wanted get_time among the tools, got get_weather"),
    ("{tool_result: true}", _request(), "tool_result",
     "wanted a tool result last, the last message is a user message"),
    ("{tool_result: true}", _request(messages=[{"role": "user", "content": "hi"},
                                               {"role": "assistant", "content": "Hello"}]),
     "tool_result", "wanted a tool result last, the last message is an assistant message"),
    ("{last_user_message: {contains: paris}}", _request(), "last_user_message.contains",
     "wanted 'paris' in 'What is the weather in Paris?' (case-sensitive)"),
    ("{last_user_message: {regex: '^Rome'}}", _request(), "last_user_message.regex",
     "/^Rome/ does not match 'What is the weather in Paris?'"),
    ("{last_user_message: {contains: x}}", _request(messages=[{"role": "system", "content": "s"}]),
     "last_user_message.contains", "the request has no user message"),
    ("{headers: {X-Tenant: blue}}", _request(headers={"x-tenant": "red"}), "headers.x-tenant",
     "wanted 'blue', got 'red'"),
    ("{headers: {X-Tenant: blue}}", _request(), "headers.x-tenant",
     "wanted 'blue', no such header"),
    ("{path: /v1/models}", _request(), "path", "wanted /v1/models, got /v1/chat/completions"),
    ("{}", _request(path="/v1/moderations"), "path",
     "the step answers chat completions; the request is for /v1/moderations"),
])
def test_the_first_failed_condition_is_named_with_a_reason(
    condition: str, request_: MatchRequest, failed: str, reason: str
) -> None:
    outcome = match_request(_match(condition), request_)
    assert (outcome.matched, outcome.condition, outcome.reason) == (False, failed, reason)


def test_all_conditions_holding_match() -> None:
    match = _match("{endpoint: compat, stream: true, tools: [get_weather], tool_result: false, "
                   "last_user_message: {contains: Paris, regex: '(?i)weather'}, "
                   "headers: {x-tenant: blue}, model: [a, Llama-4-Scout-17B-16E-Instruct-FP8]}")
    request = _request(endpoint="compat", path="/compat/v1/chat/completions", stream=True,
                       tools=TOOLS, headers={"x-tenant": "blue"})
    assert match_request(match, request).matched


def test_native_paths_without_v1_prefix_count_as_v1() -> None:
    assert normalized_path("/chat/completions/") == "/v1/chat/completions"
    assert normalized_path("/compat/v1/models") == "/compat/v1/models"
    assert match_request(_match("{path: /models}"), _request(path="/models")).matched


def test_closest_step_is_the_one_that_got_furthest() -> None:
    scenario = parse_scenario(
        "name: c\nsteps:\n"
        "  - {name: a, match: {endpoint: compat}}\n"
        "  - {name: b, match: {stream: false, last_user_message: {contains: Rome}}}\n"
    )
    step, outcome = closest_step(scenario.steps, _request())  # type: ignore[misc]
    assert step.name == "b"
    assert outcome.condition == "last_user_message.contains"


def test_last_user_text_reads_every_content_form() -> None:
    items = [{"type": "text", "text": "one"}, {"type": "image_url", "image_url": {"url": "u"}},
             {"type": "text", "text": "two"}]
    assert last_user_text([{"role": "user", "content": items}]) == "one\ntwo"
    assert last_user_text([{"role": "user", "content": "hi"}, {"role": "assistant"}]) == "hi"
    assert last_user_text([{"role": "user", "content": "x" * (MAX_SUBJECT_CHARS + 5)}]) == (
        "x" * MAX_SUBJECT_CHARS)


def test_the_next_turn_has_the_key_the_answer_predicted() -> None:
    first = [{"role": "system", "content": "s"}, {"role": "user", "content": "q1"}]
    answer = {"role": "assistant", "content": "a1",
              "tool_calls": [{"id": "c1", "function": {"name": "f", "arguments": '{"x": 1}'}}]}
    predicted = continuation_key(first, answer)
    # The client writes the answer back in another form: object content, compact arguments.
    echoed = {"role": "assistant", "content": {"type": "text", "text": "a1"}, "stop_reason": "stop",
              "tool_calls": [{"id": "c1", "type": "function",
                              "function": {"name": "f", "arguments": '{"x":1}'}}]}
    second = [*first, echoed, {"role": "tool", "tool_call_id": "c1", "content": "r"}]
    assert history_key(second) == predicted
    assert history_key(first) == history_key([first[0]])
    assert history_key(second) != history_key(first)
    short = request_key("/chat/completions", {"a": 1})
    assert short == request_key("/v1/chat/completions", {"a": 1})


@pytest.mark.parametrize(
    ("pattern", "message"),
    [(r"(?<=a)b", "invalid perl operator"), (r"(a)\1", "invalid escape"), (r"a++", "repetition"),
     (r"(?>a)", "invalid perl operator"), (r"(x{100}){100}", "repetition size"), ("(", "missing")],
)
def test_patterns_re2_cannot_run_are_refused_with_the_reason(pattern: str, message: str) -> None:
    with pytest.raises(UnsafePattern, match=message) as caught:
        compile_safe(pattern)
    assert "RE2 syntax" in str(caught.value)


@pytest.mark.parametrize("pattern", [r"(?i)weather in (\w+)", r"(a|b)+", r"(ab+)?c", r"(a{2})+",
                                     r"\(a+\)+", r"[(]+x", r"^\d{3}-\d{4}$", r"(a+)+$",
                                     r"(\w+\s?)*x", r"(?P<city>\pL+)", r"(?<city>[[:alpha:]]+)"])
def test_ordinary_patterns_are_accepted(pattern: str) -> None:
    compile_safe(pattern)


def test_patterns_run_on_a_bounded_subject() -> None:
    pattern = compile_safe("needle")
    assert search_bounded(pattern, "needle" + "x" * MAX_SUBJECT_CHARS)
    assert not search_bounded(pattern, "x" * MAX_SUBJECT_CHARS + "needle")
    with pytest.raises(UnsafePattern, match="at most 1000"):
        compile_safe("a" * 1001)


def test_a_long_user_text_is_quoted_cut_in_a_match_failure() -> None:
    long_text = "weather " * 200
    outcome = match_request(_match("{last_user_message: {contains: Rome}}"),
                            _request(messages=[{"role": "user", "content": long_text}]))
    assert outcome.reason == f"wanted 'Rome' in {long_text[:57] + '...'!r} (case-sensitive)"
