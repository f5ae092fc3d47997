"""The extractor tries its date, time, e-mail and list patterns only where their mark is (`-`,
`:`, `@`, `, `) and enum mentions only where the member's first character is: it must find exactly
what a scan of the whole text with the pattern's leading lookbehind finds. A value's label is read
by walking back from its mark: it must be what one pattern searched over the window finds."""

from __future__ import annotations

import re

from hypothesis import example, given
from hypothesis import strategies as st

from mockserver.engine.listen.marks import at_marks, emails, label_before, word_lists
from mockserver.engine.listen.mentions import _mention
from mockserver.engine.listen.patterns import DATE, DATETIME, EMAIL, TIME, WORD_LIST

# Pieces the patterns turn on, in any order: digits, marks, letters, "_", spaces, non-ASCII.
MARKED_PIECES = ["2027", "12", "5", "05", "-", ":", "T", "Z", " ", "@", ",", "_", ".5", "é", "\u0663",
                 "+01:00", "a"]  # fmt: skip
MARKED_TEXT = st.lists(st.sampled_from(MARKED_PIECES), max_size=40).map("".join)
LIST_TEXT = st.lists(
    st.sampled_from(["red", "gr_en", "é", "x" * 31, ",", ", ", " and ", " or ", "_", " ", "4"]),
    max_size=30,
).map("".join)
ADDRESS_TEXT = st.lists(
    st.sampled_from(["ada", "@", ".", "x.io", "+", "-", "_", " ", "@b.c", "é", "a" * 40]),
    max_size=30,
).map("".join)

EMAIL_SCAN = re.compile(r"(?<![\w.+-])" + EMAIL.pattern)
WORD_LIST_SCAN = re.compile(r"(?<!\w)" + WORD_LIST.pattern)


def spans(matches: object) -> list[tuple[int, int]]:
    return [match.span() for match in matches]  # type: ignore[attr-defined]


@given(MARKED_TEXT)
def test_dates_and_times_tried_at_their_marks_are_those_a_whole_scan_finds(text: str) -> None:
    assert spans(at_marks(text, DATE, "-", (4,))) == spans(DATE.finditer(text))
    assert spans(at_marks(text, DATETIME, "-", (4,))) == spans(DATETIME.finditer(text))
    assert spans(at_marks(text, TIME, ":", (2, 1))) == spans(TIME.finditer(text))


@given(st.one_of(MARKED_TEXT, ADDRESS_TEXT))
def test_addresses_tried_before_each_at_sign_are_those_a_whole_scan_finds(text: str) -> None:
    assert spans(emails(text)) == spans(EMAIL_SCAN.finditer(text))


@given(st.one_of(MARKED_TEXT, LIST_TEXT))
@example("gr_en, red and blue")  # no list starts after a "_"
@example("é, red or x, " + "y" * 31 + ", z and w")
def test_lists_tried_before_each_comma_are_those_a_whole_scan_finds(text: str) -> None:
    assert spans(word_lists(text)) == spans(WORD_LIST_SCAN.finditer(text))


@given(st.sampled_from(["celsius", "c++", "a.b", "-x", "é", "new york"]), LIST_TEXT)
def test_an_enum_member_is_mentioned_where_a_whole_scan_finds_it(member: str, filler: str) -> None:
    text = f"{filler}{member} x{member}{filler}{member}_ {member}"
    scan = re.compile(rf"(?<!\w){re.escape(member)}(?!\w)")
    assert spans(_mention(member).finditer(text)) == spans(scan.finditer(text))


def test_the_marks_find_the_values_they_stand_for() -> None:
    """Known answers, so a finder that found nothing at all could not pass the equalities."""
    text = "On 2027-01-05T09:30Z or 2027-01-06 at 10:45, mail ada@x.io: red, green and blue"
    assert [m.group() for m in at_marks(text, DATETIME, "-", (4,))] == ["2027-01-05T09:30Z"]
    assert [m.group() for m in at_marks(text, DATE, "-", (4,))] == ["2027-01-05", "2027-01-06"]
    assert [m.group() for m in at_marks(text, TIME, ":", (2, 1))] == ["09:30", "10:45"]
    assert [m.group() for m in emails(text)] == ["ada@x.io"]
    assert [m.group() for m in word_lists(text)] == ["red, green and blue"]


LABEL_SCAN = re.compile(r"([^\W\d]\w{0,40})\s*[:=]\s*$")  # what a label is, as one pattern
LABEL_TEXT = st.lists(
    st.sampled_from(["key", "x" * 45, "7", "_", ":", "=", " ", "\t", "é", "\u0663", "a1", "-", "v"]),
    max_size=30,
).map("".join)


@given(LABEL_TEXT)
@example("order_id: 42")
@example("9" + "k" * 44 + ": 42")
@example("xkey" + " " * 43 + ": v")  # "key" opens the window, its "x" is outside
def test_the_label_before_a_value_is_the_one_a_pattern_search_finds(text: str) -> None:
    for start in range(len(text) + 1):
        if text[max(0, start - 3) : start].rstrip()[-1:] in (":", "="):
            found = LABEL_SCAN.search(text, max(0, start - 48), start)
            assert label_before(text, start) == (found.group(1).lower() if found else "")
        else:
            assert label_before(text, start) == ""
