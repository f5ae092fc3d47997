"""Messages that name an object say "an assistant message", "a user message", as it is spoken."""

from __future__ import annotations

import pytest

from contract import validate_request
from contract.validate.explain import with_article


def _warning(payload: dict, *, endpoint: str = "native") -> str:
    (warning,) = [w for w in validate_request(payload, endpoint=endpoint).warnings
                  if w.rule == "field.unknown"]  # fmt: skip
    return warning.message


def test_an_unknown_field_of_an_assistant_message_says_an():
    messages = [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "x", "foo": 1}]
    message = _warning({"model": "m", "messages": messages}, endpoint="compat")
    assert "the known fields of an assistant message are " in message
    assert " a assistant " not in message


def test_an_unknown_field_of_an_image_url_says_an():
    part = {"type": "image_url", "image_url": {"url": "https://x.test/a.png", "zz": 1}}
    message = _warning({"model": "m", "messages": [{"role": "user", "content": [part]}]})
    assert "the known fields of an image URL are url" in message


def test_a_missing_field_of_a_consonant_object_keeps_a():
    result = validate_request({"model": "m", "messages": [{"role": "user"}]})
    assert result.errors[0].message == '"content" is missing; it is required in a user message'


def test_a_missing_field_of_an_image_url_says_an():
    part = {"type": "image_url", "image_url": {}}
    result = validate_request({"model": "m", "messages": [{"role": "user", "content": [part]}]})
    assert [e.message for e in result.errors] == [
        '"url" is missing; it is required in an image URL'
    ]


@pytest.mark.parametrize(
    ("noun", "spoken"),
    [
        ("assistant message", "an assistant message"),
        ("image content part", "an image content part"),
        ("error", "an error"),
        ("usage", "a usage"),
        ("user message", "a user message"),
        ("tool call", "a tool call"),
        ("this object", "this object"),
    ],
)
def test_with_article(noun, spoken):
    assert with_article(noun) == spoken
