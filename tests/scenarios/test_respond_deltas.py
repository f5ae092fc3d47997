"""A respond's `deltas` that cannot cut a stream is refused saying what is wrong and what is
allowed, not in jsonschema's words."""

from __future__ import annotations

import pytest

from contract.scenarios.loading import ScenarioError, parse_scenario, scenario_schema
from contract.scenarios.respond_rules import MAX_DELTA_SIZE, MAX_DELTAS


def _deltas_error(deltas: str) -> ScenarioError:
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(f"name: s\nsteps:\n  - respond:\n      text: hi\n      deltas: {deltas}\n",
                       file="s.yaml")
    return caught.value


@pytest.mark.parametrize(("deltas", "field", "fragments"), [
    ("[0, 0]", "steps[0].respond.deltas",
     ["[0, 0] has no size above 0", "never be sent", "at least one size of 1 or more", "[1, 0]"]),
    ("[0]", "steps[0].respond.deltas", ["[0] has no size above 0"]),
    ("[-1]", "steps[0].respond.deltas",
     ["deltas[0] is -1", "whole number of characters from 0 to 100,000", "0: an empty delta"]),
    ("[]", "steps[0].respond.deltas", ["[] gives no size", "1 to 64", "leave deltas out"]),
    (str(list(range(1, 66))), "steps[0].respond.deltas", ["65 sizes are too many: at most 64"]),
    ("[2, -1]", "steps[0].respond.deltas[1]", ["-1 is out of range; it must be at least 0"]),
])
def test_bad_deltas_say_what_is_wrong_and_allowed(deltas: str, field: str,
                                                  fragments: list[str]) -> None:
    error = _deltas_error(deltas)
    assert (error.line, error.field) == (5, field)
    assert "does not contain items" not in error.message
    assert "should be non-empty" not in error.message
    for fragment in fragments:
        assert fragment in error.message


def test_good_deltas_load() -> None:
    scenario = parse_scenario("name: s\nsteps:\n  - respond: {text: hi, deltas: [1, 0]}\n")
    assert scenario.steps[0].respond is not None
    assert scenario.steps[0].respond.deltas == (1, 0)


def test_the_bounds_named_are_the_published_schema_s() -> None:
    schema = scenario_schema()["$defs"]["respond"]["properties"]["deltas"]
    assert (schema["maxItems"], schema["items"]["maximum"]) == (MAX_DELTAS, MAX_DELTA_SIZE)
