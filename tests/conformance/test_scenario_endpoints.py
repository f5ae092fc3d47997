"""Where a scenario is played is decided once (`cases.scenario_endpoints`) for every runner: the
server check's scenario cases, `check server --faults` and `check client`. A step names its
endpoint by `endpoint:` or by its `path:`; a scenario whose steps name none plays where its tags
say."""

from __future__ import annotations

import pytest

from contract.scenarios.loading import Scenario, builtin_scenarios, parse_scenario
from mockserver.conformance.cases import Endpoint, scenario_cases, scenario_endpoints
from mockserver.conformance.client_plays import calls_of, plays_of
from mockserver.conformance.faults import fault_cases, fault_plays, fault_scenarios

BOTH: tuple[Endpoint, ...] = ("native", "compat")


def _scenario(name: str, tags: str, match: str) -> Scenario:
    return parse_scenario(f"""
name: {name}
tags: [{tags}]
steps:
  - name: only
    match: {{{match}}}
    request:
      model: Llama-4-Maverick-17B-128E-Instruct-FP8
      messages: [{{role: user, content: Hi}}]
    respond: {{status: 503, error: busy}}
""")


@pytest.mark.parametrize(
    ("scenario", "endpoints"),
    [
        (_scenario("by-path", "errors", "path: /compat/v1/chat/completions"), ("compat",)),
        (_scenario("by-native-path", "errors", "path: /v1/chat/completions"), ("native",)),
        (_scenario("by-endpoint", "errors, native, compat", "endpoint: compat"), ("compat",)),
        (_scenario("by-tags", "errors, compat", "stream: false"), ("compat",)),
        (_scenario("by-both-tags", "errors, native, compat", "stream: false"), BOTH),
        (_scenario("by-nothing", "errors", "stream: false"), ("native",)),
    ],
    ids=lambda value: value.name if isinstance(value, Scenario) else None,
)  # fmt: skip
def test_every_runner_plays_a_scenario_where_its_steps_or_tags_say(
    scenario: Scenario, endpoints: tuple[Endpoint, ...]
) -> None:
    assert scenario_endpoints(scenario) == endpoints
    # check server: its example is sent where it plays first, once (valid, an example request)
    assert [case.endpoint for case in scenario_cases([scenario], endpoints=BOTH)] == [endpoints[0]]
    # check server --faults: once on each endpoint it plays on, never elsewhere
    assert fault_scenarios([scenario], endpoints=BOTH) == (scenario,)
    plays = fault_plays([scenario], endpoints=BOTH)
    assert [endpoint for _, endpoint in plays] == list(endpoints)
    assert {case.endpoint for case in fault_cases(plays)} == set(endpoints)
    # check client: the same endpoints, and each call is sent there
    played = plays_of(scenario, BOTH)
    assert [endpoint for _, endpoint in played] == list(endpoints)
    for _, endpoint in played:
        assert [c.endpoint for _, c in calls_of(scenario, endpoint=endpoint)] == [endpoint]


def test_a_check_of_the_other_endpoint_only_plays_no_fault_of_this_one() -> None:
    scenario = _scenario("compat-only", "errors", "path: /compat/v1/chat/completions")
    assert fault_scenarios([scenario], endpoints=("native",)) == ()
    assert fault_plays([scenario], endpoints=("native",)) == []
    assert scenario_cases([scenario], endpoints=("native",)) == []


def test_the_builtin_library_plays_alike_in_every_runner() -> None:
    for scenario in builtin_scenarios():
        own = scenario_endpoints(scenario)
        assert [e for _, e in plays_of(scenario, BOTH)] == list(own), scenario.name
        if scenario in fault_scenarios([scenario], endpoints=BOTH):
            assert [e for _, e in fault_plays([scenario], endpoints=BOTH)] == list(own)
