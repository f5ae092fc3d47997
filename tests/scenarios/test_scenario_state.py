"""Step state: per session, per conversation history, `times`, `when_done`, thread safety."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from contract.scenarios.loading import Scenario, parse_scenario
from contract.scenarios.match import MatchRequest
from mockserver.scenarios.router import NoMatch, ScenarioRouter, Selection, next_position
from mockserver.state.store import MemoryStore

THREE_STEPS = """\
name: three
when_done: {when_done}
steps:
  - {{name: one, times: 2, respond: {{text: first}}}}
  - {{name: two, respond: {{text: second}}}}
  - {{name: three, respond: {{text: third}}}}
"""


def _scenario(when_done: str = "repeat_last") -> Scenario:
    return parse_scenario(THREE_STEPS.format(when_done=when_done))


def _request(messages: list[dict[str, Any]] | None = None) -> MatchRequest:
    body = {"model": "m", "messages": messages or [{"role": "user", "content": "hi"}]}
    return MatchRequest("native", "/v1/chat/completions", {}, body)


def _answer(router: ScenarioRouter, request: MatchRequest, session: str | None,
            answer: dict[str, Any] | None = None) -> str:
    chosen = router.select(request, session=session, scenario_name=None)
    assert isinstance(chosen, Selection), chosen
    router.state.advance(chosen, answer=answer)
    return chosen.step.name


@pytest.mark.parametrize(("when_done", "after"), [
    ("repeat_last", ["three", "three"]), ("restart", ["one", "one"]), ("fail", [None, None])])
def test_a_session_walks_the_steps_with_times_and_when_done(when_done: str,
                                                           after: list[Any]) -> None:
    router = ScenarioRouter(MemoryStore(), [_scenario(when_done)])
    walked = [_answer(router, _request(), "s1") for _ in range(4)]
    assert walked == ["one", "one", "two", "three"]
    for expected in after:
        if expected is None:
            chosen = router.select(_request(), session="s1", scenario_name=None)
            assert isinstance(chosen, NoMatch)
            assert chosen.rule == "scenario.finished"
        else:
            assert _answer(router, _request(), "s1") == expected


def test_next_position_caps_the_count_of_a_repeating_last_step() -> None:
    scenario = _scenario()
    assert next_position(scenario, (2, 1)) == (2, 1)
    assert next_position(scenario, (0, 0)) == (0, 1)


def test_sessions_do_not_disturb_each_other_in_parallel() -> None:
    router = ScenarioRouter(MemoryStore(), [_scenario()])
    walked: dict[str, list[str]] = {}
    barrier = threading.Barrier(8)

    def walk(session: str) -> None:
        barrier.wait()
        walked[session] = [_answer(router, _request(), session) for _ in range(5)]

    threads = [threading.Thread(target=walk, args=(f"s{i}",)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert walked == {f"s{i}": ["one", "one", "two", "three", "three"] for i in range(8)}


def test_without_a_session_the_conversation_history_carries_the_state() -> None:
    router = ScenarioRouter(MemoryStore(), [_scenario()])
    turn1 = [{"role": "user", "content": "hi"}]
    assert _answer(router, _request(turn1), None, {"role": "assistant", "content": "1"}) == "one"
    # The same opening again (another conversation, or a retry) gets the same step.
    assert _answer(router, _request(turn1), None, {"role": "assistant", "content": "1"}) == "one"
    turn2 = [*turn1, {"role": "assistant", "content": {"type": "text", "text": "1"}},
             {"role": "user", "content": "again"}]
    assert _answer(router, _request(turn2), None, {"role": "assistant", "content": "A"}) == "one"
    turn3 = [*turn2, {"role": "assistant", "content": "A"}, {"role": "user", "content": "more"}]
    assert _answer(router, _request(turn3), None, {"role": "assistant", "content": "B"}) == "two"


def test_without_a_session_an_error_answer_moves_an_identical_retry_on() -> None:
    scenario = parse_scenario("name: r\nsteps:\n"
                              "  - {name: fail, times: 2, respond: {status: 503}}\n"
                              "  - {name: ok, respond: {text: fine}}\n")
    router = ScenarioRouter(MemoryStore(), [scenario])
    assert [_answer(router, _request(), None) for _ in range(3)] == ["fail", "fail", "ok"]


def test_an_unmatched_request_names_the_closest_step_and_a_step_that_would_match() -> None:
    scenario = parse_scenario(
        "name: tools\nsteps:\n"
        "  - {name: call, match: {tool_result: false}, respond: {text: a}}\n"
        "  - {name: answer, match: {tool_result: true}, respond: {text: b}}\n")
    router = ScenarioRouter(MemoryStore(), [scenario])
    assert _answer(router, _request(), "s") == "call"
    missed = router.select(_request(), session="s", scenario_name=None)
    assert isinstance(missed, NoMatch)
    assert missed.rule == "scenario.no_match"
    assert missed.message.startswith(
        "no scenario step matches this request; closest: scenario 'tools' step 2 ('answer'), "
        "which failed on tool_result: wanted a tool result last, the last message is a user message")
    assert "step 1 ('call') would match" in missed.message
    assert "it moved past it: an answer, a stream the client cancelled too" in missed.message


def test_a_step_ahead_that_would_match_says_the_earlier_turns_were_not_seen() -> None:
    """A tool result sent to a fresh server (restarted mid-conversation): the hint says so, not
    to reset, which would not help."""
    scenario = parse_scenario(
        "name: tools\nsteps:\n"
        "  - {name: call, match: {tool_result: false}, respond: {text: a}}\n"
        "  - {name: answer, match: {tool_result: true}, respond: {text: b}}\n")
    router = ScenarioRouter(MemoryStore(), [scenario])
    turns = [{"role": "user", "content": "weather?"},
             {"role": "assistant", "content": "", "tool_calls": [{"id": "c1", "type": "function",
              "function": {"name": "get_weather", "arguments": "{}"}}]},
             {"role": "tool", "tool_call_id": "c1", "content": "sunny"}]  # fmt: skip
    missed = router.select(_request(turns), session="s", scenario_name=None)
    assert isinstance(missed, NoMatch)
    assert "step 2 ('answer') would match, but this conversation is at step 1" in missed.message
    assert "the server has not seen its earlier turns" in missed.message


WEATHER = ("name: weather\nsteps:\n  - {name: call-tool, match: {tools: [get_weather], "
           "last_user_message: {contains: weather}}, respond: {text: a}}\n")
AGENT = "name: agent\nsteps:\n  - {name: plan, match: {tools: true}, respond: {text: b}}\n"
TENANT = ("name: tenant\nsteps:\n  - {name: acme, match: {headers: {x-tenant: acme}}, "
          "respond: {text: c}}\n")


def test_the_step_that_failed_on_fewer_conditions_is_closest_and_ties_are_all_named() -> None:
    planner = AGENT.replace("name: agent", "name: planner")
    router = ScenarioRouter(MemoryStore(), [parse_scenario(text) for text in (WEATHER, AGENT,
                                                                             planner)])
    missed = router.select(_request([{"role": "user", "content": "Hello there"}]),
                           session=None, scenario_name=None)
    assert isinstance(missed, NoMatch)
    # weather failed on its tools and its user text; agent and planner on their tools alone
    assert missed.message == (
        "no scenario step matches this request; closest: scenario 'agent' step 1 ('plan'), which "
        "failed on tools: wanted tools, the request offers none; as close: scenario 'planner' "
        "step 1 ('plan'), which failed on tools: wanted tools, the request offers none")


def test_a_step_that_states_little_is_not_closest_to_every_request() -> None:
    # The tenant step's only condition is a header, checked last: it used to be "closest" to any
    # request, over a step whose tools held and whose user text alone failed.
    router = ScenarioRouter(MemoryStore(), [parse_scenario(TENANT), parse_scenario(WEATHER)])
    tools = [{"type": "function", "function": {"name": "get_weather", "parameters": {}}}]
    request = MatchRequest("native", "/v1/chat/completions", {}, {
        "model": "m", "messages": [{"role": "user", "content": "Hello there"}], "tools": tools})
    missed = router.select(request, session=None, scenario_name=None)
    assert isinstance(missed, NoMatch)
    assert missed.message.startswith(
        "no scenario step matches this request; closest: scenario 'weather' step 1 ('call-tool'), "
        "which failed on last_user_message.contains")
    assert "tenant" not in missed.message


def test_unknown_scenario_names_suggest_the_closest() -> None:
    router = ScenarioRouter(MemoryStore())
    missed = router.select(_request(), session=None, scenario_name="streaming-txt")
    assert isinstance(missed, NoMatch)
    assert missed.rule == "scenario.unknown"
    assert "did you mean 'streaming-text'" in missed.message
    assert router.select(_request(), session=None, scenario_name=None) is None


def test_activating_replaces_by_name_and_forgets_progress() -> None:
    store = MemoryStore()
    router = ScenarioRouter(store, [_scenario()])
    _answer(router, _request(), "s")
    _answer(router, _request(), "s")
    assert _answer(router, _request(), "s") == "two"
    router.activate([_scenario()], replace=False)
    assert [s.name for s in router.active] == ["three"]
    assert _answer(router, _request(), "s") == "one"
