"""Tests read only files inside the repository: a fresh clone, whose parent folder holds
nothing else, runs the whole suite."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PARENTS = re.compile(r"Path\(__file__\)\.resolve\(\)\.parents\[(\d+)\]")


def test_no_test_climbs_out_of_the_repository():
    outside = []
    for file in sorted(ROOT.joinpath("tests").rglob("*.py")):
        text = file.read_text()
        for match in PARENTS.finditer(text):
            if not file.resolve().parents[int(match.group(1))].is_relative_to(ROOT):
                outside.append(f"{file.relative_to(ROOT)}: parents[{match.group(1)}]")
    assert outside == []


def test_the_seed_page_is_kept_in_the_repository():
    assert "api.llama.com/v1/chat/completions" in (ROOT / "tests" / "data" /
                                                   "llama-api-chat-completion.txt").read_text()
