"""contains with minContains and maxContains, beside minItems, maxItems and uniqueItems: over
small item domains, where whether any array satisfies the schema is counted out exactly, the
generator makes a valid instance exactly when one exists, and names the schema unsatisfiable
otherwise."""

from __future__ import annotations

import json
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


def _generated_unless_unsatisfiable(schema: Schema, satisfiable: bool, seed: int) -> Any:
    """The generated array; None (after checking the precise refusal) when none can exist."""
    if not satisfiable:
        with pytest.raises(SchemaProblem) as caught:
            generate_instance(schema, rng=random.Random(seed))
        assert caught.value.kind == "unsatisfiable", caught.value
        return None
    return generate_instance(schema, rng=random.Random(seed))


@settings(max_examples=400, deadline=None)
@given(schema=contains_arrays(), seed=st.integers(0, 2**32))
def test_an_instance_exactly_when_one_exists(schema: Schema, seed: int) -> None:
    instance = _generated_unless_unsatisfiable(schema, _satisfiable(schema), seed)
    if instance is None:
        return
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


# --- which drafts count matches ---------------------------------------------------------------
# minContains and maxContains are 2019-09 and 2020-12 keywords; draft 6 and 7 know only contains
# (one match at least), draft 4 not even that. The generator reads the root's $schema as the final
# validator (jsonschema-rs) does: none, or one it takes for the latest, is 2020-12.

DRAFT4 = "http://json-schema.org/draft-04/schema#"
DRAFT6 = "http://json-schema.org/draft-06/schema#"
DRAFT7 = "http://json-schema.org/draft-07/schema#"
DRAFT7_BARE = "http://json-schema.org/draft-07/schema"  # without the '#': draft 7 all the same
DRAFT2019 = "https://json-schema.org/draft/2019-09/schema"
DRAFT2020 = "https://json-schema.org/draft/2020-12/schema"
LATEST = "http://json-schema.org/schema#"  # jsonschema-rs: the latest, 2020-12
COUNTING = [None, DRAFT2019, DRAFT2020, LATEST]
NOT_COUNTING = [DRAFT4, DRAFT6, DRAFT7, DRAFT7_BARE]
BITS = {"type": "integer", "minimum": 0, "maximum": 1}


def _in_draft(dialect: str | None, schema: Schema) -> Schema:
    return schema if dialect is None else {"$schema": dialect, **schema}


def _generated(schema: Schema) -> Any:
    """An instance, valid for both validators of the schema's own draft."""
    instance = generate_instance(schema, rng=random.Random(7))
    assert jsonschema_rs.validator_for(schema).is_valid(instance), (schema, instance)
    draft = jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)
    assert draft(schema).is_valid(instance), instance
    return instance


# (schema, what 2019-09 and 2020-12 call it: the message of the 400, or None for an instance)
COUNTED = [
    ({"type": "array", "items": BITS, "contains": {"const": 1}, "minContains": 2, "maxContains": 1},
     "minContains 2 is greater than maxContains 1"),
    ({"type": "array", "items": BITS, "contains": {"const": 1}, "maxContains": 0},
     "maxContains 0 but contains needs 1 matching item (minContains defaults to 1)"),
    ({"type": "array", "items": {"type": "integer", "minimum": 1, "maximum": 1},
      "contains": {"const": 1}, "maxContains": 1, "minItems": 2},
     "maxContains 1 but item 1 would match contains too"),
    ({"type": "array", "items": BITS, "contains": {"const": 1}, "minContains": 0, "maxContains": 0,
      "minItems": 1}, None),
]  # fmt: skip


@pytest.mark.parametrize("dialect", COUNTING + NOT_COUNTING)
@pytest.mark.parametrize(("schema", "counted"), COUNTED)
def test_min_and_max_contains_count_only_in_the_drafts_that_define_them(
    dialect: str | None, schema: Schema, counted: str | None
) -> None:
    schema = _in_draft(dialect, schema)
    if dialect in NOT_COUNTING:  # only contains: one matching item at least, as many as wanted
        instance = _generated(schema)
        assert 1 in instance or dialect == DRAFT4, instance
        return
    if counted is not None:
        with pytest.raises(SchemaProblem) as caught:
            generate_instance(schema, rng=random.Random(7))
        assert (caught.value.kind, caught.value.reason[: len(counted)]) == (
            "unsatisfiable", counted)  # fmt: skip
        return
    assert 1 not in _generated(schema)


@pytest.mark.parametrize("dialect", [DRAFT4, DRAFT6, DRAFT7])
def test_contains_itself_counts_from_draft_6(dialect: str) -> None:
    schema = {"$schema": dialect, "type": "array", "items": BITS, "contains": False}
    if dialect == DRAFT4:  # not a draft 4 keyword: any array of bits
        assert set(_generated(schema)) <= {0, 1}
        return
    with pytest.raises(SchemaProblem) as caught:
        generate_instance(schema, rng=random.Random(7))
    assert caught.value.kind == "unsatisfiable"


def test_a_draft_7_schema_with_min_contains_above_max_contains_is_answered() -> None:
    from mockserver.engine import Engine

    schema = _in_draft(DRAFT7, {"type": "object", "required": ["tags"], "properties": {
        "tags": {"type": "array", "items": BITS, "contains": {"const": 1},
                 "minContains": 2, "maxContains": 1}}})  # fmt: skip
    request = {
        "model": "Llama-4-Maverick-17B-128E-Instruct-FP8",
        "messages": [{"role": "user", "content": "go"}],
        "response_format": {"type": "json_schema", "json_schema": {"name": "t", "schema": schema}},
    }
    document = json.loads(Engine().complete(request).text)
    assert jsonschema_rs.validator_for(schema).is_valid(document), document
    assert 1 in document["tags"]


@settings(max_examples=200, deadline=None)
@given(schema=contains_arrays(), dialect=st.sampled_from([DRAFT6, DRAFT7]),
       seed=st.integers(0, 2**32))  # fmt: skip
def test_drafts_6_and_7_make_an_instance_exactly_when_one_with_a_match_exists(
    schema: Schema, dialect: str, seed: int
) -> None:
    counts_ignored = {key: value for key, value in schema.items()
                      if key not in ("minContains", "maxContains")}  # fmt: skip
    schema = _in_draft(dialect, schema)
    instance = _generated_unless_unsatisfiable(schema, _satisfiable(counts_ignored), seed)
    if instance is None:
        return
    assert jsonschema_rs.validator_for(schema).is_valid(instance), (schema, instance)
    assert jsonschema.validators.validator_for(schema)(schema).is_valid(instance), instance
