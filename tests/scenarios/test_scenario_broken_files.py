"""Every broken scenario file is refused with its file, line and field named."""

from __future__ import annotations

from pathlib import Path

import pytest

from contract.scenarios.loading import ScenarioError, load_scenario, load_scenarios

BROKEN = Path(__file__).parent / "broken"

# file -> (line, field, a fragment of the message)
CASES = {
    "unknown-top-key.yaml": (2, "descripton", "did you mean 'description'"),
    "unknown-respond-key.yaml": (7, "steps[0].respond.txt", "did you mean 'text'"),
    "times-wrong-type.yaml": (5, "steps[0].times", "expected integer"),
    "invalid-regex.yaml": (6, "steps[0].match.last_user_message.regex", "invalid regular"),
    "lookbehind-regex.yaml": (6, "steps[0].match.last_user_message.regex", "RE2 syntax"),
    "status-out-of-range.yaml": (5, "steps[0].respond.status", "at most 599"),
    "error-with-text.yaml": (6, "steps[0].respond.text", "error answer carries no text"),
    "unknown-fault.yaml": (4, "steps[0].fault", "did you mean 'http_error'"),
    "fault-param-out-of-range.yaml": (6, "steps[0].fault.status", "at least 400"),
    "fault-unknown-param.yaml": (7, "steps[0].fault.msec", "unknown key 'msec'"),
    "stream-fault-without-stream.yaml": (8, "steps[1].fault", "add 'stream: true'"),
    "missing-steps.yaml": (1, "steps", "missing required key 'steps'"),
    "duplicate-step-names.yaml": (5, "steps[1].name", "already used by step 1"),
    "duplicate-key.yaml": (6, "steps[0].respond.text", "duplicate key 'text' (first given on "
                                                       "line 5)"),
    "tool-calls-wrong-stop-reason.yaml": (7, "steps[0].respond.stop_reason", "has stop_reason"),
    "date-not-text.yaml": (5, "steps[0].respond.text", "as a date; quote it"),
    "latency-missing-bound.yaml": (4, "steps[0].fault.max_ms", "needs max_ms"),
    "bad-scenario-name.yaml": (1, "name", "lower-case letters"),
    "expect-wrong-type.json": (8, "steps[0].expect.status", 'found a string ("200")'),
    "tools-wrong-type.yaml": (5, "steps[0].match.tools", "expected boolean or array"),
}


def test_every_broken_file_has_a_case() -> None:
    assert sorted(p.name for p in BROKEN.iterdir()) == sorted(CASES)
    assert len(CASES) >= 10


@pytest.mark.parametrize(("name", "line", "field", "fragment"),
                         [(name, *case) for name, case in sorted(CASES.items())])
def test_broken_file_is_refused_naming_file_line_and_field(
    name: str, line: int, field: str, fragment: str
) -> None:
    path = BROKEN / name
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    error = caught.value
    assert (error.file, error.line, error.field) == (str(path), line, field)
    assert fragment in error.message
    assert str(error).startswith(f"{path}:{line}: {field}: ")


def test_a_folder_with_a_broken_file_is_refused() -> None:
    with pytest.raises(ScenarioError) as caught:
        load_scenarios([BROKEN])
    assert caught.value.file.startswith(str(BROKEN))
    assert caught.value.line is not None
