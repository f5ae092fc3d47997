"""Each built-in scenario's example requests break nothing and warn only where the step says so."""

from __future__ import annotations

import pytest

from contract import validate_request
from contract.scenarios.loading import builtin_scenarios

STEPS = [
    pytest.param(scenario, step, id=f"{scenario.name}-{step.index + 1}")
    for scenario in builtin_scenarios()
    for step in scenario.steps
    # Chat steps only: the moderation and models steps have bodies of other kinds (or none).
    if step.request is not None
    and (step.match.path is None or step.match.path.endswith("/chat/completions"))
]


@pytest.mark.parametrize(("scenario", "step"), STEPS)
def test_example_request_conforms(scenario, step):
    endpoint = "compat" if step.match.endpoint == "compat" else "native"
    result = validate_request(step.request, endpoint=endpoint)
    assert result.errors == [], [str(v) for v in result.errors]
    expected = set(step.expect.warnings) if step.expect else set()
    assert {w.rule for w in result.warnings} == expected, [str(v) for v in result.warnings]
