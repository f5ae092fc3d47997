"""An `expect` that can never hold is refused when the scenario loads, naming its line and field;
an expectation another answer may meet (a retry answered by the next step, the engine's answer, a
fault's) loads."""

from __future__ import annotations

import pytest

from contract.scenarios.loading import ScenarioError, builtin_scenarios, parse_scenario


def _refused(text: str) -> ScenarioError:
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(text, file="s.yaml")
    return caught.value


def test_an_unknown_warning_rule_is_refused_naming_the_closest_id() -> None:
    error = _refused('name: s\nsteps:\n  - respond: {text: hi}\n'
                     '    expect: {warnings: [field.unkown, "not a rule"]}\n')
    assert (error.line, error.field) == (4, "steps[0].expect.warnings[0]")
    assert "'field.unkown' is not a rule id; did you mean 'field.unknown'?" in error.message
    error = _refused('name: s\nsteps:\n  - respond: {text: hi}\n'
                     '    expect:\n      warnings: ["not a rule"]\n')
    assert (error.line, error.field) == (5, "steps[0].expect.warnings[0]")
    assert "'not a rule' is not a rule id (" in error.message
    assert "llama-contract rules" in error.message


def test_an_error_rule_is_never_a_warning() -> None:
    error = _refused("name: s\nsteps:\n  - expect: {warnings: [json.invalid]}\n")
    assert error.field == "steps[0].expect.warnings[0]"
    assert "json.invalid is an error rule, never a warning" in error.message
    assert "field.unknown, model.unknown" in error.message


def test_a_text_answer_cannot_be_expected_to_call_tools() -> None:
    error = _refused("name: s\nsteps:\n  - respond: {text: hi}\n"
                     "    expect: {tool_called: get_weather, tool_calls: 2}\n")
    assert (error.line, error.field) == (4, "steps[0].expect.tool_calls")
    assert "tool_calls 2 can never hold" in error.message
    assert "no tool calls" in error.message
    error = _refused("name: s\nsteps:\n  - respond: {text: hi}\n"
                     "    expect: {tool_called: get_weather}\n")
    assert error.field == "steps[0].expect.tool_called"
    error = _refused("name: s\nsteps:\n  - respond:\n      tool_calls: [{name: get_time}]\n"
                     "    expect: {tool_called: [get_weather], stop_reason: tool_calls}\n")
    assert error.field == "steps[0].expect.tool_called"
    assert "1 tool call(s): get_time" in error.message
    error = _refused("name: s\nsteps:\n  - respond: {text: hi}\n    expect: {stop_reason: length}\n")
    assert error.field == "steps[0].expect.stop_reason"


def test_tool_call_as_text_leaves_no_tool_calls_to_expect() -> None:
    error = _refused("name: s\nsteps:\n  - respond:\n      tool_calls: [{name: get_weather}]\n"
                     "    fault: tool_call_as_text\n    expect: {tool_calls: 1}\n")
    assert error.field == "steps[0].expect.tool_calls"
    assert "tool_call_as_text" in error.message


def test_an_error_status_in_the_last_step_cannot_end_in_success() -> None:
    error = _refused("name: s\nsteps:\n  - respond: {status: 503}\n"
                     "    expect: {status: 200, tool_calls: 1}\n")
    assert (error.line, error.field) == (4, "steps[0].expect.status")
    assert "status 200 can never hold" in error.message
    assert "503 error" in error.message
    assert "the last one" in error.message
    error = _refused("name: s\nsteps:\n  - respond: {status: 503}\n    expect: {tool_calls: 1}\n")
    assert error.field == "steps[0].expect.tool_calls"
    error = _refused("name: s\nsteps:\n  - respond: {text: hi, status: 201}\n"
                     "    expect: {status: 200}\n")
    assert error.field == "steps[0].expect.status"


@pytest.mark.parametrize("text", [
    # the retry of the 503 is answered by the next step
    "name: s\nsteps:\n  - respond: {status: 503}\n    expect: {status: 200, tool_calls: 1}\n"
    "  - respond: {tool_calls: [{name: f}]}\n",
    # when_done: restart sends the retry to the first step
    "name: s\nwhen_done: restart\nsteps:\n  - respond: {tool_calls: [{name: f}]}\n"
    "  - respond: {status: 503}\n    expect: {status: 200, tool_calls: 1}\n",
    # a scenario that fails when done answers the retry 404
    "name: s\nwhen_done: fail\nsteps:\n  - respond: {status: 503}\n    expect: {status: 404}\n",
    # the engine answers: anything may come
    "name: s\nsteps:\n  - expect: {status: 200, tool_called: f, tool_calls: 1}\n",
    "name: s\nsteps:\n  - respond: {pacing: {ttft_ms: 1}}\n    expect: {tool_calls: 1}\n",
    # a fault sets the answer
    "name: s\nsteps:\n  - fault: http_error; status=503\n    expect: {status: 503}\n",
    "name: s\nsteps:\n  - respond: {text: hi}\n    fault: malformed_json; status=500\n"
    "    expect: {status: 500}\n",
    # fail_then_succeed: its 503 for a client that gives up, else the step's answer
    "name: s\nsteps:\n  - respond: {text: hi}\n    fault: fail_then_succeed; times=5\n"
    "    expect: {status: 503}\n",
    "name: s\nsteps:\n  - respond: {text: hi}\n    fault: fail_then_succeed\n"
    "    expect: {status: 200, tool_calls: 0, stop_reason: stop}\n",
    # a literal body: its content is not read
    "name: s\nsteps:\n  - respond: {body: {x: 1}}\n    expect: {status: 200, tool_calls: 1}\n",
])
def test_expectations_another_answer_may_meet_load(text: str) -> None:
    parse_scenario(text)


def test_fail_then_succeed_still_refuses_what_neither_answer_holds() -> None:
    error = _refused("name: s\nsteps:\n  - respond: {text: hi}\n    fault: fail_then_succeed\n"
                     "    expect: {status: 500}\n")
    assert error.field == "steps[0].expect.status"
    assert "fail_then_succeed fault's 503" in error.message


def test_the_builtin_library_still_loads() -> None:
    assert len(builtin_scenarios()) > 20
