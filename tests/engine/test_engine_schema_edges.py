"""Edges of the generator's JSON Schema subset: a valid instance, or the precise 400, never a 500."""

from __future__ import annotations

import json
from typing import Any

import jsonschema_rs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mockserver.engine import Engine, EngineError

MODEL = "Llama-4-Maverick-17B-128E-Instruct-FP8"
WHERE = "/tools/0/function/parameters"
Schema = dict[str, Any]


def _body(schema: Schema, said: str = "go") -> dict[str, Any]:
    return {
        "model": MODEL,
        "messages": [{"role": "user", "content": said}],
        "tools": [{"type": "function", "function": {"name": "f", "parameters": schema}}],
        "tool_choice": "required",
    }


def _arguments(schema: Schema, said: str = "go", seed: int = 0) -> Any:
    """The arguments the engine answers, checked by the validator the engine checks them with."""
    arguments = json.loads(Engine(seed=seed).complete(_body(schema, said)).tool_calls[0].arguments)
    validator = jsonschema_rs.validator_for(schema, validate_formats=True)
    assert validator.is_valid(arguments), (arguments, next(validator.iter_errors(arguments)).message)
    return arguments


def _refused(schema: Schema, said: str = "go") -> EngineError:
    with pytest.raises(EngineError) as caught:
        Engine().complete(_body(schema, said))
    return caught.value


def _wrap(value: Schema) -> Schema:
    return {"type": "object", "properties": {"x": value}, "required": ["x"]}


# --- the generator's subset, bounded, with the edges drawn often ---------------------------

MULTIPLES = [1e-300, 1e300, 1e308, 5e-324, 0.1, 0.7, 0.01, 2.5, 3, 7, 1e-5]
BOUNDS = st.none() | st.integers(-20, 20) | st.sampled_from([0.25, 0.35, -1.5, 1e6 + 0.05, 1e300])


@st.composite
def numbers(draw: st.DrawFn) -> Schema:
    schema: Schema = {"type": draw(st.sampled_from(["integer", "number"]))}
    if draw(st.booleans()):
        schema["multipleOf"] = draw(st.sampled_from(MULTIPLES))
    for keyword in ("minimum", "maximum"):
        bound = draw(BOUNDS)
        if bound is not None:
            exclusive = draw(st.booleans())
            schema[("exclusiveM" + keyword[1:]) if exclusive else keyword] = bound
    return schema


STRINGS = st.sampled_from([
    {"type": "string"}, {"type": "string", "minLength": 2, "maxLength": 5},
    {"type": "string", "format": "email"}, {"type": "string", "format": "date"},
    {"type": "string", "pattern": "^[A-Z]{3}$"}, {"type": "string", "pattern": r"^\p{Lu}\p{Ll}+$"},
])  # fmt: skip
LEAVES = (
    numbers()
    | STRINGS
    | st.sampled_from([{"type": "boolean"}, {"type": "null"}, {}, {"const": 5}, {"enum": [1, "a"]}])
)


def _composites(children: st.SearchStrategy[Schema]) -> st.SearchStrategy[Schema]:
    arrays = st.builds(
        lambda items, contains, low, more, least, most: {
            "type": "array", "items": items, "minItems": low,
            **({"maxItems": low + more} if more is not None else {}),
            **({"contains": contains} if contains is not None else {}),
            **({"minContains": least} if least is not None else {}),
            **({"maxContains": most} if most is not None else {}),
        },
        children, st.none() | children, st.integers(0, 3), st.none() | st.integers(0, 3),
        st.none() | st.integers(0, 2), st.none() | st.integers(1, 3),
    )  # fmt: skip
    objects = st.builds(
        lambda props, required: {"type": "object", "properties": props,
                                 "required": [name for name in props if name in required]},
        st.dictionaries(st.sampled_from(["a", "b", "count", "city"]), children, max_size=3),
        st.sets(st.sampled_from(["a", "b", "count", "city"])),
    )  # fmt: skip
    choices = st.builds(
        lambda keyword, subs: {keyword: subs},
        st.sampled_from(["anyOf", "oneOf", "allOf"]),
        st.lists(children, min_size=1, max_size=3),
    )
    return arrays | objects | choices


SUBSET = st.recursive(LEAVES, _composites, max_leaves=8)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    value=SUBSET,
    said=st.sampled_from(["go", "x is 5", "use 2.5 and 3 and 12", "Ada Lovelace in Paris"]),
    seed=st.integers(0, 3),
    referenced=st.booleans(),
)
def test_a_valid_argument_or_a_client_error(
    value: Schema, said: str, seed: int, referenced: bool
) -> None:
    schema = _wrap(value)
    if referenced:  # the same, reached through a local $ref
        schema = {**_wrap({"$ref": "#/$defs/part"}), "$defs": {"part": value}}
    error = _outcome(schema, said, seed)
    if error is not None:
        assert error.rule.startswith("tools.parameters."), error
        assert error.path.startswith(WHERE), error
        assert error.message


def _outcome(schema: Schema, said: str, seed: int) -> EngineError | None:
    """None when the engine answered valid arguments; its error when it refused the schema."""
    try:
        _arguments(schema, said, seed)
    except EngineError as error:
        return error
    return None


# --- multipleOf ------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [
    {"type": "number", "multipleOf": 1e-300},
    {"type": "number", "multipleOf": 1e-300, "exclusiveMaximum": 4},  # too fine to move a float
    {"type": "number", "multipleOf": 5e-324, "minimum": 0.25, "exclusiveMaximum": 4},
    {"type": "number", "multipleOf": 1e300},
    {"type": "number", "multipleOf": 1e308, "minimum": 0.25},
    {"type": "integer", "multipleOf": 1e300},
    {"type": "integer", "multipleOf": 0.7},
    {"type": "integer", "multipleOf": 5e-324, "exclusiveMaximum": -1.5},
    {"type": "number", "multipleOf": 0.7, "minimum": 1e300},
    {"type": "number", "multipleOf": 1e-300, "exclusiveMinimum": 1e300},
    {"type": "number", "multipleOf": 5e-324, "exclusiveMaximum": -1e300},
    {"allOf": [{"type": "integer", "multipleOf": 1e-300}, {"multipleOf": 1e308}],
     "minimum": 0.25},  # once an OverflowError: a 500
])  # fmt: skip
@pytest.mark.parametrize("said", ["go", "x is 5"])
def test_extreme_multiples_are_made(value, said):
    _arguments(_wrap(value), said)


@pytest.mark.parametrize(("value", "made"), [
    ({"type": "number", "multipleOf": 0.1, "minimum": 0.25, "maximum": 0.35}, 0.3),
    ({"type": "number", "multipleOf": 0.1, "exclusiveMinimum": 0.5, "exclusiveMaximum": 0.7}, 0.6),
    ({"type": "number", "multipleOf": 0.01, "minimum": 0.575, "maximum": 0.585}, 0.58),
])  # fmt: skip
def test_a_multiple_the_float_division_misses_is_still_one(value, made):
    # JSON Schema divides the numbers as written (0.3 / 0.1 is 3), as the mock's validator does;
    # these were refused as having no multiple at all.
    assert _arguments(_wrap(value)) == {"x": made}


@pytest.mark.parametrize(("value", "reason"), [
    ({"type": "number", "multipleOf": 2, "exclusiveMinimum": 2, "exclusiveMaximum": 4},
     "no multiple of 2 satisfies exclusiveMinimum 2 and exclusiveMaximum 4"),
    ({"type": "integer", "multipleOf": 3, "exclusiveMinimum": 0, "exclusiveMaximum": 3},
     "no multiple of 3 satisfies exclusiveMinimum 0 and exclusiveMaximum 3"),
    ({"type": "number", "multipleOf": 0.1, "minimum": 0.31, "maximum": 0.39},
     "no multiple of 0.1 satisfies minimum 0.31 and maximum 0.39"),
])  # fmt: skip
def test_bounds_that_leave_no_multiple_are_named(value, reason):
    error = _refused(_wrap(value))
    assert (error.rule, error.path, error.message) == (
        "tools.parameters.unsatisfiable", WHERE + "/properties/x", reason)  # fmt: skip


# --- oneOf: exactly one ------------------------------------------------------------------------


@pytest.mark.parametrize("value", [
    {"oneOf": [{"type": "integer"}, {"type": "number"}]},
    {"oneOf": [{"type": "number"}, {"type": "integer"}]},
    {"oneOf": [{"type": "integer"}, {"type": "number", "multipleOf": 0.5}]},
    {"oneOf": [{"type": "integer", "minimum": 0}, {"type": "number", "maximum": 10}]},
    {"oneOf": [{"type": "string"}, {"type": "string", "format": "email"}]},
    {"type": "array", "items": {"oneOf": [{"type": "integer"}, {"type": "number"}]},
     "minItems": 3, "uniqueItems": True},
])  # fmt: skip
@pytest.mark.parametrize("said", ["go", "x is 5", "mail ada@example.com"])
@pytest.mark.parametrize("seed", range(6))
def test_a_value_matching_two_alternatives_of_a_one_of_is_not_answered(value, said, seed):
    # An integer is a number too: 5 matches both alternatives, and oneOf takes exactly one.
    _arguments(_wrap(value), said, seed)


def test_a_one_of_whose_alternatives_always_overlap_is_refused_saying_why():
    error = _refused(_wrap({"oneOf": [{"type": "string"}, {"type": "string"}]}))
    assert (error.rule, error.path) == ("tools.parameters.unsupported", WHERE + "/properties/x/oneOf")
    assert "matches alternative" in error.message
    assert "oneOf takes exactly one" in error.message


# --- contains ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "made"), [
    # minContains 0: contains asks nothing, even what the items cannot be.
    ({"type": "array", "items": {"type": "integer"}, "contains": {"type": "string"},
      "minContains": 0, "minItems": 2}, None),
    ({"type": "array", "items": {"type": "integer"}, "contains": {"const": "z"},
      "minContains": 0, "maxItems": 0}, []),
    ({"type": "array", "contains": {"const": "z"}, "minContains": 2, "maxItems": 2},
     ["z", "z"]),
    ({"type": "array", "items": {"type": "integer", "minimum": 0, "maximum": 9},
      "contains": {"minimum": 5}, "minContains": 3, "uniqueItems": True}, None),
])  # fmt: skip
@pytest.mark.parametrize("seed", range(4))
def test_contains_with_min_contains_is_made(value, made, seed):
    arguments = _arguments(_wrap(value), seed=seed)
    if made is not None:
        assert arguments == {"x": made}


@pytest.mark.parametrize(("value", "reason"), [
    ({"type": "array", "contains": {"type": "string"}, "minContains": 3, "maxItems": 2},
     "contains needs 3 matching items but at most 2 items are allowed"),
    ({"type": "array", "contains": {"type": "string"}, "maxItems": 0},
     "contains needs 1 matching item but at most 0 items are allowed"),
])  # fmt: skip
def test_contains_that_cannot_fit_is_named(value, reason):
    error = _refused(_wrap(value))
    assert (error.rule, error.path, error.message) == (
        "tools.parameters.unsatisfiable", WHERE + "/properties/x", reason)  # fmt: skip


# --- maxContains -------------------------------------------------------------------------------

DIGITS = {"type": "integer", "minimum": 0, "maximum": 9}


@pytest.mark.parametrize(("value", "matching"), [
    ({"type": "array", "items": DIGITS, "contains": {"minimum": 5}, "maxContains": 1,
      "minItems": 4}, (1, 1)),
    ({"type": "array", "items": DIGITS, "contains": {"minimum": 5}, "minContains": 2,
      "maxContains": 2, "minItems": 5, "uniqueItems": True}, (2, 2)),
    ({"type": "array", "items": DIGITS, "contains": {"minimum": 5}, "minContains": 0,
      "maxContains": 0, "minItems": 3}, (0, 0)),
    ({"type": "array", "items": {"type": "boolean"}, "contains": {"const": True},
      "maxContains": 1, "minItems": 3}, (1, 1)),
    ({"type": "array", "items": {"enum": ["a", "b", "z"]}, "contains": {"const": "z"},
      "maxContains": 1, "minItems": 3, "maxItems": 3, "uniqueItems": True}, (1, 1)),
    # Items that all match contains are fine up to maxContains.
    ({"type": "array", "items": {"type": "integer", "minimum": 5, "maximum": 9},
      "contains": {"minimum": 5}, "maxContains": 3, "minItems": 3}, (3, 3)),
])  # fmt: skip
@pytest.mark.parametrize("seed", range(4))
def test_max_contains_is_kept(value: Schema, matching: tuple[int, int], seed: int) -> None:
    # Too many matching items once failed the final validation: a 400 "could not generate".
    made = _arguments(_wrap(value), seed=seed)["x"]
    contains = jsonschema_rs.validator_for(value["contains"])
    assert matching[0] <= sum(contains.is_valid(item) for item in made) <= matching[1]


@pytest.mark.parametrize(("value", "pointer", "reason"), [
    ({"type": "array", "contains": {"type": "string"}, "minContains": 2, "maxContains": 1},
     "", "minContains 2 is greater than maxContains 1"),
    ({"type": "array", "contains": {"type": "string"}, "maxContains": 0},
     "", "maxContains 0 but contains needs 1 matching item (minContains defaults to 1)"),
    ({"type": "array", "items": {"type": "integer"}, "contains": {"type": "integer"},
      "maxContains": 1, "minItems": 3},
     "", "maxContains 1 but item 1 would match contains too"),
    ({"type": "array", "items": {"$ref": "#/properties/x/contains"}, "contains": {"const": 1},
      "minContains": 0, "maxContains": 0, "minItems": 1},
     "", "maxContains 0 but item 0 would match contains too"),
])  # fmt: skip
def test_max_contains_no_array_can_keep_is_named(value: Schema, pointer: str, reason: str) -> None:
    error = _refused(_wrap(value))
    assert (error.rule, error.path) == (
        "tools.parameters.unsatisfiable", WHERE + "/properties/x" + pointer)  # fmt: skip
    assert error.message.startswith(reason), error.message


def test_min_and_max_contains_of_two_contains_the_mock_cannot_keep_apart_say_so() -> None:
    value = {"type": "array", "allOf": [{"contains": {"type": "string"}, "minContains": 2},
                                        {"contains": {"const": "z"}, "maxContains": 1}]}
    error = _refused(_wrap(value))
    assert (error.rule, error.path) == ("tools.parameters.unsupported", WHERE + "/properties/x")
    assert error.message.startswith("minContains 2 and maxContains 1 of another contains")
