"""The extractor: typed values from conversation text, never an exception, bounded reading."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mockserver.engine import Engine
from mockserver.engine.listen.extract import (
    MAX_CANDIDATES,
    MAX_COPIES,
    MAX_TEXT_CHARS,
    MAX_TEXTS,
    extract,
)

ANY_TEXT = st.text(st.characters(exclude_categories=()), max_size=600)  # surrogates too


def values(text: str) -> list[tuple[str, object]]:
    """What was found, without single capitalised words that open a sentence ("weak" names)."""
    return [(c.kind, c.value) for c in extract([("user", text)]).candidates if not c.weak]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Please greet Zoë Núñez", [("name", "Zoë Núñez")]),
        ("¡Hola! ¿Qué tiempo hace en Madrid?", [("name", "Madrid")]),  # "¿", "¡" open sentences
        ("Flights from Rio de Janeiro to Zürich", [("name", "Rio de Janeiro"), ("name", "Zürich")]),
        ("Встреча \u0441 Анной Петровой", [("name", "Анной Петровой")]),
        ("Set it to -5 degrees", [("integer", -5)]),
        ("It costs $1,250.50 today", [("number", 1250.5)]),
        ("Das kostet 1.299,99 € insgesamt", [("number", 1299.99)]),  # both separators, European
        ("es sind 12.345.678,9 insgesamt", [("number", 12345678.9)]),
        ("It weighs 1.299 kg", [("number", 1.299)]),  # one separator: the English way
        ("Book 2 tickets for 'Swan Lake'", [("integer", 2), ("quoted", "Swan Lake")]),
        ("on 2027-02-30 or 2027-02-28", [("date", "2027-02-28")]),
        ("at 2027-01-05T09:30:00Z sharp", [("datetime", "2027-01-05T09:30:00Z")]),
        ("Write to ada@example.com.", [("email", "ada@example.com")]),
        # after a colon a capitalised word is what was named, not a sentence's opening word
        ("Invite the team: Ana, Luis and Marta", [("name", "Ana"), ("name", "Luis"), ("name", "Marta")]),
        # a capital right after a digit or "_" is part of a code or an identifier, not a name
        ("Ship it to 221B Baker Street", [("integer", 221), ("name", "Baker Street")]),
        ("It is 18C in Oslo", [("integer", 18), ("name", "Oslo")]),
        ("Set MAX_BODY_BYTES to 5", [("integer", 5)]),
        ("See https://example.org/a?b=1).", [("url", "https://example.org/a?b=1")]),
        ("Convert USD to EUR", [("code", "USD"), ("code", "EUR")]),
        ("Is it on? yes", [("boolean", True)]),
        ("No, yes: True or false", [("boolean", v) for v in (False, True, True, False)]),
        ("piano, casino, untrue", []),
        ("Meet with Jean-no and A-yes", [("name", "Jean-no"), ("name", "A-yes")]),
        ("What's the weather like?", []),
    ],
)
def test_typed_values_in_the_order_they_were_said(text, expected):
    assert values(text) == expected


def test_one_capitalised_word_opening_a_sentence_is_a_weak_name_unless_a_common_word():
    found = extract([("user", "Paris is lovely. Write to me. Use the Oslo office.")]).candidates
    assert [(c.value, c.weak) for c in found] == [("Paris", True), ("Oslo", False)]


def test_a_number_keeps_its_unit_and_a_name_knows_it_follows_a_place_word():
    found = extract([("user", "Marie Curie, 66 years old, lives in Warsaw")]).candidates
    assert [(c.value, c.unit, c.place) for c in found] == [
        ("Marie Curie", "", False),
        (66, "years", False),
        ("Warsaw", "", True),
    ]


def test_lists_are_runs_of_one_kind():
    found = extract([("user", "Weather in Paris, Rome and in Oslo; tags red, green or blue")])
    assert [[c.value for c in run] for run in found.lists] == [
        ["Paris", "Rome", "Oslo"],
        ["red", "green", "blue"],
    ]


@pytest.mark.parametrize(
    ("text", "listed"),
    [
        ("Wie ist das Wetter in Köln und in Düsseldorf?", ["Köln", "Düsseldorf"]),
        ("Quel temps fait-il à Paris et à Lyon ?", ["Paris", "Lyon"]),
        ("¿Qué tiempo hace en Madrid y en Sevilla?", ["Madrid", "Sevilla"]),
        ("Che tempo fa a Roma e a Milano?", ["Roma", "Milano"]),
    ],
)
def test_lists_are_joined_by_and_or_or_in_other_languages_too(text, listed):
    found = extract([("user", text)])
    assert [[c.value for c in run] for run in found.lists] == [listed]


def test_json_tool_results_give_values_under_their_keys():
    result = json.dumps({"temperature": 7, "wind": {"speed": 3.5}, "tags": ["a", "b"]})
    found = extract([("tool", result)]).candidates
    assert [(c.key, c.value) for c in found] == [
        ("temperature", 7),
        ("speed", 3.5),
        ("tags", "a"),
        ("tags", "b"),
    ]


def test_a_number_said_again_is_a_value_again_up_to_a_few_copies():
    assert values("What is 12 times 12?") == [("integer", 12), ("integer", 12)]
    found = extract([("user", "Sum 2, 2 and 2")])
    assert [[c.value for c in run] for run in found.lists] == [[2, 2, 2]]
    said_all_over = " ".join(f"In 1755 year {n}." for n in range(40))
    copies = [c for c in extract([("user", said_all_over)]).candidates if c.value == 1755]
    assert len(copies) == MAX_COPIES
    assert [c.spot[1] for c in copies] == sorted(c.spot[1] for c in copies)


ASCII_PIECES = st.sampled_from(
    ["Ada", "Rio de Janeiro", "USD", "12", "-3.5", "$1,250", "125,000", "yes", "Yes", "No",
     "False", "TRUE", "piano", " ", ", ", " and ", ". ", "'", '"', ":", "-", "2027-01-05",
     "09:30", "a@b.io", "http://x.io"]
)  # fmt: skip
ASCII_TEXT = st.one_of(
    st.text(st.characters(max_codepoint=127), max_size=300),
    st.lists(ASCII_PIECES, max_size=40).map("".join),
)


@given(ASCII_TEXT)
def test_ascii_text_reads_the_same_as_text_with_other_letters(text):
    """ASCII text is read with re's ASCII classes; a word of other letters after it changes
    nothing that was found before it."""
    kept = text[: MAX_TEXT_CHARS - 3]
    ascii_only = extract([("user", kept)])
    mixed = extract([("user", kept + "\n\n\u00e9t\u00e9")])
    assert ascii_only.candidates == mixed.candidates
    assert ascii_only.lists == mixed.lists


def test_a_text_read_again_gives_its_values_from_where_it_now_stands():
    """A text is read once and kept (clients resend the conversation every turn); its values
    carry the source and place of each reading."""
    said = "Book 2 tickets to Rio de Janeiro or Lisbon"
    first = extract([("user", said)])
    again = extract([("user", "And for Oslo?"), ("earlier", said)])
    earlier = [c for c in again.candidates if c.source == "earlier"]
    assert [(c.kind, c.value, c.text) for c in earlier] == [
        (c.kind, c.value, c.text) for c in first.candidates
    ]
    assert [c.spot for c in earlier] == [(1, c.spot[1]) for c in first.candidates]
    assert [[c.source for c in run] for run in again.lists] == [["earlier", "earlier"]]
    assert again.only("user").candidates == tuple(
        c for c in again.candidates if c.source == "user"
    )


@given(ANY_TEXT)
def test_the_extractor_never_raises_and_every_value_is_where_it_says(text):
    found = extract([("user", text), ("tool", text)])
    for candidate in found.candidates:
        start = candidate.spot[1]
        if candidate.source == "user":
            assert text[start : start + len(candidate.text)] == candidate.text
    assert len(found.candidates) <= 2 * MAX_CANDIDATES


@given(ANY_TEXT, st.sampled_from(["auto", "required", "none"]))
def test_the_engine_answers_any_text(text, tool_choice):
    tool = {
        "type": "function",
        "function": {
            "name": "lookup",
            "parameters": {
                "type": "object",
                "properties": {
                    "when": {"type": "string", "format": "date"},
                    "n": {"type": "integer", "minimum": 0, "maximum": 9},
                    "tags": {"type": "array", "items": {"type": "string"}, "maxItems": 2},
                },
                "required": ["when", "n", "tags"],
            },
        },
    }
    body = {
        "model": "m",
        "messages": [{"role": "user", "content": text}],
        "tools": [tool],
        "tool_choice": tool_choice,
    }
    completion = Engine().complete(body)
    for call in completion.tool_calls:
        arguments = json.loads(call.arguments)
        assert 0 <= arguments["n"] <= 9
        assert len(arguments["tags"]) <= 2


@pytest.mark.parametrize("tool_choice", ["required", "auto", "none"])
@pytest.mark.parametrize("nested", ["[" * 1000, "[" * 500 + "x" * 600 + "[" * 499, "{" * 5000])
def test_a_tool_result_of_json_nested_too_deep_is_read_as_text(tool_choice, nested):
    tool = {"type": "function", "function": {"name": "lookup", "parameters": {
        "type": "object", "properties": {"q": {"type": "string"}}, "required": ["q"]}}}  # fmt: skip
    call = {"id": "c1", "type": "function", "function": {"name": "lookup", "arguments": "{}"}}
    body = {
        "model": "m",
        "messages": [
            {"role": "user", "content": "Look up Oslo"},
            {"role": "assistant", "content": "", "tool_calls": [call]},
            {"role": "tool", "tool_call_id": "c1", "content": nested},
        ],
        "tools": [tool],
        "tool_choice": tool_choice,
    }
    completion = Engine().complete(body)
    assert completion.text or completion.tool_calls
    found = extract([("tool", nested)])
    assert all(c.kind != "quoted" or c.text in nested for c in found.candidates)


@pytest.mark.parametrize(
    "unit",
    ["a@", "1,", "'x", "Aa ", "http://", "2027-01-01 ", "red, ", "\u201c", "-", "Ab-Cd'"],
)
def test_reading_is_bounded_whatever_the_text(unit):
    text = unit * (200_000 // len(unit))
    found = extract([("user", text)] * (MAX_TEXTS + 4))
    assert len(found.texts) == MAX_TEXTS
    assert all(len(kept) <= MAX_TEXT_CHARS for _, kept in found.texts)
    assert all(c.spot[1] < MAX_TEXT_CHARS for c in found.candidates)
    assert len(found.candidates) <= MAX_TEXTS * MAX_CANDIDATES
