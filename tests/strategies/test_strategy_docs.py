"""The examples of docs/strategies.md run as they are written: each ```python block is a test file
a user could save, run by pytest in a fresh directory (the last one fails on purpose)."""

from __future__ import annotations

import re
from pathlib import Path

DOC = Path(__file__).resolve().parents[2] / "docs" / "strategies.md"
BLOCKS = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.DOTALL)
FAILS_ON_PURPOSE = "test_images_survive_redaction"


def test_the_docs_have_the_examples_this_test_runs():
    assert len(BLOCKS) == 4
    assert FAILS_ON_PURPOSE in BLOCKS[-1]


def test_every_example_runs_with_a_fixed_seed(pytester):
    pytester.makepyfile(**{f"test_example_{n}": block for n, block in enumerate(BLOCKS[:-1])})
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--hypothesis-seed=1234")
    result.assert_outcomes(passed=7)


def test_the_failing_example_fails_with_the_smallest_request_and_replays(pytester):
    pytester.makepyfile(test_redaction=BLOCKS[-1])
    runs = [
        pytester.runpytest_subprocess("-p", "no:cacheprovider", "--hypothesis-seed=1234")
        for _ in range(2)
    ]
    shown = []
    for result in runs:
        result.assert_outcomes(failed=1)
        result.stdout.fnmatch_lines([f"*Failing test case: {FAILS_ON_PURPOSE}("])
        # The docs' smallest request: one user message, one image item.
        (line,) = [line for line in result.outlines if line.startswith("request = {")]
        assert "'messages': [{'role': 'user', 'content': [{'type': 'image_url'" in line
        shown.append(line)
    assert shown[0] == shown[1]  # the same seed, the same failure
    assert shown[0] in DOC.read_text(encoding="utf-8")
