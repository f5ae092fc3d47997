"""Identifiers ("u-1029", "order #4521") read for string fields whose name says id."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mockserver.engine import Engine
from mockserver.engine.listen.extract import extract
from mockserver.engine.listen.lazy_values import identifier_for, identifiers

MODEL = "Llama-4-Maverick-17B-128E-Instruct-FP8"


def chosen(text: str, hint: str) -> str | None:
    found = extract([("user", text)])
    candidate = identifier_for(hint, identifiers(found), set())
    return None if candidate is None else candidate.value


@pytest.mark.parametrize(
    ("text", "hint", "expected"),
    [
        ("get user u-1029", "user_id", "u-1029"),  # letters and digits: an id wherever said
        ("Where is order ORD-12345?", "order_id", "ORD-12345"),
        ("look up A1B2C3 please", "id", "A1B2C3"),
        ("Fetch the profile of user 1029", "user_id", "1029"),  # digits after the field's word
        ("Show me ticket #4521", "ticket_id", "4521"),  # after a hash sign
        ("the id: 42, not 7", "item_id", "42"),
        ("Book room 101 for 2 nights", "roomId", "101"),  # camelCase names say their words
        ("Write a haiku about 3 cats", "order_id", None),  # digits after no such word
        ("Meet at 5pm on the 3rd floor in 10km", "order_id", None),  # units, ordinals
        ("order 17 was lost, then order 18", "order_id", "17"),  # the first said
        ("user 7 ordered A-9", "user_id", "7"),  # the field's word first, then a mixed token
    ],
)  # fmt: skip
def test_an_identifier_is_the_one_its_field_names(text: str, hint: str, expected: str | None) -> None:
    assert chosen(text, hint) == expected


@given(st.text(max_size=3000))
def test_reading_identifiers_never_raises_and_is_bounded(text: str) -> None:
    found = extract([("user", text), ("tool", text)])
    read = identifiers(found)
    assert len(read) <= 64
    for candidate, _ in read:
        index, start = candidate.spot
        assert found.texts[index][1][start : start + len(candidate.text)] == candidate.text


def _tool_call(text: str, *tools: Any, provenance: bool = False) -> Any:
    request = {"model": MODEL, "messages": [{"role": "user", "content": text}], "tools": list(tools)}
    engine = Engine()
    if provenance:
        return json.loads(engine.explain(request))
    calls = engine.complete(request).tool_calls or []
    return [(call.name, json.loads(call.arguments)) for call in calls]


def _tool(name: str, **properties: Any) -> dict[str, Any]:
    schema = {"type": "object", "properties": properties, "required": list(properties)}
    return {"type": "function", "function": {"name": name, "description": "", "parameters": schema}}


GET_USER = _tool("get_user", user_id={"type": "string"})
GET_ORDER = _tool("get_order", order_id={"type": "string"}, quantity={"type": "integer"})


def test_an_identifier_relates_its_tool_and_is_no_number_for_another_field() -> None:
    assert _tool_call("get user u-1029", GET_USER) == [("get_user", {"user_id": "u-1029"})]
    # the 1029 inside the id is used with it; the 3 is the quantity
    assert _tool_call("Add 3 to order B-1029", GET_ORDER) == [
        ("get_order", {"order_id": "B-1029", "quantity": 3})
    ]
    assert _tool_call("Write a haiku about 3 cats", GET_USER) == []  # text: nothing relates


def test_provenance_says_an_identifier_was_read() -> None:
    told = _tool_call("get user u-1029", GET_USER, provenance=True)
    (value,) = told["calls"][0]["values"]
    assert value["at"] == "/user_id"
    assert (value["from"], value["kind"], value["said"]) == ("user", "id", "u-1029")
