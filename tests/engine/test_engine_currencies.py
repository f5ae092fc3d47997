"""Currencies said in words or by symbol, read as ISO 4217 codes for fields that ask for one."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mockserver.engine.listen.extract import extract
from mockserver.engine.listen.lazy_values import currencies
from mockserver.engine.listen.patterns import CURRENCY_CODES, CURRENCY_NAMES, CURRENCY_WORDS

DOCS = Path(__file__).resolve().parents[2] / "docs" / "engine.md"


def said(text: str) -> list[tuple[str, str, str]]:
    return [(c.value, c.text, c.toward) for c in currencies(extract([("user", text)]))]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Convert 99 euros to dollars", [("EUR", "euros", "from"), ("USD", "dollars", "to")]),
        ("How many yen is 50 pounds?", [("JPY", "yen", ""), ("GBP", "pounds", "from")]),
        ("100 Canadian dollars into US Dollars", [("CAD", "Canadian dollars", "from"),
                                                  ("USD", "US Dollars", "to")]),
        ("Rechne 99 Euro in Dollar um", [("EUR", "Euro", "from"), ("USD", "Dollar", "")]),
        ("Сколько рублей стоят 100 долларов?", [("RUB", "рублей", ""), ("USD", "долларов", "from")]),
        ("Pay 12,50 € and 3 pound sterling", [("GBP", "pound sterling", "from")]),
        ("What's $20 in yen?", [("JPY", "yen", ""), ("USD", "$", "from")]),  # words, then symbols
        ("a compound euroscepticism of the pounding yenisei", []),  # whole words only
        ("I won the real prize in rand terms", []),  # ambiguous words alone are no currencies
    ],
)  # fmt: skip
def test_currency_words_and_symbols_are_codes(text, expected):
    assert said(text) == expected


def test_a_symbol_code_stands_beside_its_amount():
    found = extract([("user", "Send $20 now")])
    (amount,) = found.candidates
    (code,) = currencies(found)
    assert (amount.value, amount.spot) == (20, (0, 5))
    assert (code.value, code.spot) == ("USD", (0, 6))  # two values: the amount stays free


def test_the_last_user_turn_alone_has_no_other_texts():
    found = extract([("user", "Convert it"), ("earlier", "I have 99 euros"), ("tool", "yen")])
    asked = found.only("user")
    assert [text for _, text in asked.texts] == ["Convert it", "", ""]
    assert currencies(asked) == ()
    assert [c.value for c in currencies(found)] == ["EUR", "JPY"]


@given(st.text(st.characters(exclude_categories=()), max_size=300))
def test_any_text_gives_codes_said_where_they_stand(text):
    found = extract([("user", text)])
    for candidate in currencies(found):
        assert candidate.value in CURRENCY_CODES
        index, start = candidate.spot
        said_there = found.texts[index][1][start : start + len(candidate.text)]
        assert said_there == candidate.text or candidate.text in "$€£¥"


@given(st.sampled_from(sorted(CURRENCY_WORDS)), st.sampled_from(["", "Convert 5 ", "in "]))
def test_every_word_is_read_in_any_case(word, before):
    for written in (word, word.upper(), word.title()):
        assert said(f"{before}{written}.")[0][:2] == (CURRENCY_WORDS[word], written)


def test_the_docs_list_every_currency_word():
    docs = DOCS.read_text(encoding="utf-8")
    for code, words in CURRENCY_NAMES.items():
        assert f"| {code} | {words} |" in docs
