"""contains with minContains and maxContains, beside minItems, maxItems and uniqueItems: over
small item domains, where whether any array satisfies the schema is counted out exactly, the
generator makes a valid instance exactly when one exists, and names the schema unsatisfiable
otherwise."""

from __future__ import annotations

import random
from typing import Any

import jsonschema
import jsonschema_rs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mockserver.engine import SchemaProblem, generate_instance

Schema = dict[str, Any]


@st.composite
def contains_arrays(draw: st.DrawFn) -> Schema:
    size = draw(st.integers(1, 6))  # the items are the integers 0 .. size-1
    schema: Schema = {
        "type": "array",
        "items": {"type": "integer", "minimum": 0, "maximum": size - 1},
        "contains": draw(st.sampled_from([
            {"minimum": draw(st.integers(0, size))}, {"maximum": draw(st.integers(-1, size - 1))},
            {"const": draw(st.integers(0, size - 1))}, {"enum": [0, 2, 4]},
        ])),
        "minItems": draw(st.integers(0, 5)),
    }  # fmt: skip
    for keyword, low, high in (("maxItems", 0, 6), ("minContains", 0, 3), ("maxContains", 0, 3)):
        if draw(st.booleans()):
            schema[keyword] = draw(st.integers(low, high))
    if draw(st.booleans()):
        schema["uniqueItems"] = True
    return schema


def _satisfiable(schema: Schema) -> bool:
    """Whether some array meets `schema`, counted: `length` items, `hits` of them matching."""
    domain = range(schema["items"]["maximum"] + 1)
    contains = jsonschema_rs.validator_for(schema["contains"])
    matching = sum(contains.is_valid(value) for value in domain)
    other = len(domain) - matching
    unique = schema.get("uniqueItems", False)
    low, most = schema.get("minContains", 1), schema.get("maxContains", 99)
    for length in range(schema.get("minItems", 0), schema.get("maxItems", 8) + 1):
        for hits in range(low, min(most, length) + 1):
            if (hits and not matching) or (length - hits and not other):
                continue
            if not unique or (hits <= matching and length - hits <= other):
                return True
    return False


@settings(max_examples=400, deadline=None)
@given(schema=contains_arrays(), seed=st.integers(0, 2**32))
def test_an_instance_exactly_when_one_exists(schema: Schema, seed: int) -> None:
    if not _satisfiable(schema):
        with pytest.raises(SchemaProblem) as caught:
            generate_instance(schema, rng=random.Random(seed))
        assert caught.value.kind == "unsatisfiable", caught.value
        return
    instance = generate_instance(schema, rng=random.Random(seed))
    assert jsonschema.Draft202012Validator(schema).is_valid(instance), (schema, instance)
    assert jsonschema_rs.validator_for(schema).is_valid(instance), (schema, instance)


@pytest.mark.parametrize(("schema", "satisfiable"), [
    ({"type": "array", "items": {"type": "integer", "minimum": 0, "maximum": 1},
      "contains": {"const": 1}, "maxContains": 1, "minItems": 3}, True),  # [1, 0, 0]
    ({"type": "array", "items": {"type": "integer", "minimum": 0, "maximum": 1},
      "contains": {"const": 1}, "maxContains": 1, "minItems": 3, "uniqueItems": True}, False),
    ({"type": "array", "items": {"type": "integer", "minimum": 0, "maximum": 0},
      "contains": {"const": 0}, "minContains": 0, "maxContains": 0}, True),  # []
])  # fmt: skip
def test_the_count_is_right(schema: Schema, satisfiable: bool) -> None:
    assert _satisfiable(schema) is satisfiable
