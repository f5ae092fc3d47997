"""docs/engine.md's field-name table and its two rules before it ("Which end", "Summing up") list
the words `listen/hints.py` reads, all of them and in the order they are tried: a user predicts
answers from that page."""

from __future__ import annotations

import re
from pathlib import Path

from mockserver.engine.listen.hints import HINT_KINDS, SUMMARY_HINTS, TOWARD_HINTS

PAGE = (Path(__file__).parents[2] / "docs" / "engine.md").read_text(encoding="utf-8")
TABLE_HEAD = "| field name or description mentions (the first row that matches wins) | takes first |"


def table_rows() -> list[list[str]]:
    """The first cell of each row of the field-name table, as its words."""
    lines = PAGE[PAGE.index(TABLE_HEAD) :].splitlines()[2:]
    rows = []
    for line in lines:
        if not line.startswith("| "):
            break
        rows.append([word.strip() for word in line.split("|")[1].split(",")])
    return rows


def rule_words(title: str, after: str, until: str) -> set[str]:
    """The words a rule names between two phrases of its paragraph."""
    rule = PAGE[PAGE.index(f"- **{title}.**") :]
    listed = rule[rule.index(after) + len(after) : rule.index(until)]
    return set(re.findall(r"[a-z]+", listed)) - {"or"}


def test_the_field_name_table_lists_every_hint_word_in_the_order_tried() -> None:
    rows = table_rows()
    assert rows[-1] == ["anything else"]
    assert [set(words) for words in rows[:-1]] == [set(hints) for hints, _, _ in HINT_KINDS]


def test_the_two_rules_before_the_table_name_every_word_they_read() -> None:
    assert rule_words("Summing up", "name or description says", "takes the") == SUMMARY_HINTS
    assert rule_words("Which end", "name or description says", "takes first") == (
        TOWARD_HINTS["from"]
    )
    assert rule_words("Which end", "or that says", ", what was said") == TOWARD_HINTS["to"]
