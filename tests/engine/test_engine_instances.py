"""The instance generator: every instance of a satisfiable schema validates; the rest say why."""

from __future__ import annotations

import random
import re
import uuid
from datetime import date, datetime

import jsonschema
import jsonschema_rs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mockserver.engine import SchemaProblem, generate_instance
from mockserver.engine.listen.answers import Answers
from mockserver.engine.listen.extract import extract

NAMES = [
    "name",
    "city",
    "email",
    "age",
    "price",
    "tags",
    "id",
    "title",
    "count",
    "x_1",
    "firstName",
]
PATTERNS = [
    r"^[A-Z]{3}-\d{4}$",
    r"^\+?[0-9]{7,12}$",
    r"^(foo|bar)+$",
    r"[a-z]+@[a-z]+\.com",
    r"^\S+$",
]
FORMATS = ["date", "date-time", "email", "uri", "uuid", "ipv4", "hostname"]
SCALARS = st.none() | st.booleans() | st.integers(-50, 50) | st.text(max_size=6)


@st.composite
def integer_schemas(draw):
    schema = {"type": "integer"}
    low = draw(st.none() | st.integers(-100, 100))
    step = draw(st.none() | st.integers(1, 7))
    if low is not None:
        exclusive = draw(st.booleans())
        schema["exclusiveMinimum" if exclusive else "minimum"] = low
        if draw(st.booleans()):
            width = draw(st.integers(0, 50)) + (step or 1) + (2 if exclusive else 0)
            schema["maximum"] = low + width
    if step is not None:
        schema["multipleOf"] = step
    return schema


@st.composite
def number_schemas(draw):
    schema = {"type": "number"}
    step = draw(st.none() | st.sampled_from([0.5, 0.25, 0.1, 0.01, 2.5, 3]))
    low = draw(st.none() | st.floats(-1000, 1000, allow_nan=False).map(lambda f: round(f, 2)))
    if low is not None:
        schema["exclusiveMinimum" if draw(st.booleans()) else "minimum"] = low
        if draw(st.booleans()):
            width = draw(st.floats(0.5, 100)) + (step or 0) * 2
            key = "exclusiveMaximum" if draw(st.booleans()) else "maximum"
            schema[key] = round(low + width, 2)
    if step is not None:
        schema["multipleOf"] = step
    return schema


@st.composite
def string_schemas(draw):
    schema = {"type": "string"}
    kind = draw(st.sampled_from(["plain", "format", "pattern"]))
    if kind == "format":
        schema["format"] = draw(st.sampled_from(FORMATS))
    elif kind == "pattern":
        schema["pattern"] = draw(st.sampled_from(PATTERNS))
    else:
        low = draw(st.integers(0, 20))
        schema["minLength"] = low
        if draw(st.booleans()):
            schema["maxLength"] = low + draw(st.integers(0, 10))
    return schema


leaves = (
    integer_schemas()
    | number_schemas()
    | string_schemas()
    | st.just({"type": "boolean"})
    | st.just({"type": "null"})
    | st.lists(SCALARS, min_size=1, max_size=4, unique_by=repr).map(lambda values: {"enum": values})
    | SCALARS.map(lambda value: {"const": value})
    | string_schemas().map(lambda s: {**s, "type": ["string", "null"]})
    | st.just({})
)


def objects(children):
    @st.composite
    def build(draw):
        names = draw(st.lists(st.sampled_from(NAMES), max_size=4, unique=True))
        properties = {name: draw(children) for name in names}
        schema = {"type": "object", "properties": properties}
        required = draw(st.lists(st.sampled_from(names), unique=True)) if names else []
        if required:
            schema["required"] = required
        additional = draw(st.sampled_from(["absent", False, True, "schema"]))
        if additional == "schema":
            schema["additionalProperties"] = draw(leaves)
        elif additional != "absent":
            schema["additionalProperties"] = additional
        if draw(st.booleans()):
            schema["minProperties"] = min(len(names), draw(st.integers(0, 3)))
        return schema

    return build()


def arrays(children):
    @st.composite
    def build(draw):
        low = draw(st.integers(0, 3))
        schema = {"type": "array", "items": draw(children), "minItems": low}
        if draw(st.booleans()):
            schema["maxItems"] = low + draw(st.integers(0, 3))
        return schema

    return build()


@st.composite
def unique_arrays(draw):
    items = draw(st.sampled_from([{"type": "string"}, {"type": "integer"}, {"type": "number"}]))
    return {
        "type": "array",
        "items": items,
        "uniqueItems": True,
        "minItems": draw(st.integers(0, 5)),
    }


@st.composite
def tuples(draw, children):
    prefix = draw(st.lists(children, min_size=1, max_size=3))
    return {"type": "array", "prefixItems": prefix, "items": False, "minItems": len(prefix)}


@st.composite
def disjoint_one_of(draw):
    return {
        "oneOf": [
            draw(string_schemas()),
            draw(integer_schemas()),
            {"type": "object", "properties": {"kind": {"const": "box"}}, "required": ["kind"]},
        ]
    }


def compositions(children):
    any_of = st.lists(children, min_size=1, max_size=3).map(lambda subs: {"anyOf": subs})
    all_of = st.tuples(integer_schemas(), st.integers(0, 5)).map(
        lambda pair: {"allOf": [pair[0], {"type": "integer"}]}
    )
    merged_objects = st.tuples(objects(leaves), objects(leaves)).map(
        lambda pair: {"allOf": [_open(pair[0]), _open(pair[1], "other_")]}
    )
    return any_of | all_of | merged_objects | disjoint_one_of()


def _open(schema, prefix=""):
    """An object schema without the keywords that forbid or demand other properties, its
    property names prefixed (so that two of them never disagree about one property)."""
    out = {"type": "object", "properties": {prefix + k: v for k, v in schema["properties"].items()}}
    if "required" in schema:
        out["required"] = [prefix + name for name in schema["required"]]
    return out


schemas = st.recursive(
    leaves,
    lambda children: (
        objects(children)
        | arrays(children)
        | tuples(children)
        | unique_arrays()
        | compositions(children)
    ),
    max_leaves=12,
)
# $defs and $ref at the root (a local reference resolves against the root schema).
schemas = schemas | schemas.map(lambda sub: {"$defs": {"part": sub}, "$ref": "#/$defs/part"})


def assert_valid(instance, schema):
    validator = jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(instance)]
    assert not errors, (instance, errors)
    assert jsonschema_rs.validator_for(schema, validate_formats=True).is_valid(instance), instance


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(schema=schemas, seed=st.integers(0, 2**32))
def test_every_instance_validates(schema, seed):
    instance = generate_instance(schema, rng=random.Random(seed))
    assert_valid(instance, schema)


@given(schema=schemas, seed=st.integers(0, 2**32))
def test_generation_is_deterministic(schema, seed):
    first = generate_instance(schema, rng=random.Random(seed))
    assert generate_instance(schema, rng=random.Random(seed)) == first


PERSON = {
    "type": "object",
    "properties": {
        "name": {"type": "string"},
        "city": {"type": "string"},
        "email": {"type": "string", "format": "email"},
        "age": {"type": "integer", "minimum": 0, "maximum": 130},
        "born": {"type": "string", "format": "date"},
        "seen": {"type": "string", "format": "date-time"},
        "id": {"type": "string", "format": "uuid"},
        "home": {"type": "string", "format": "uri"},
    },
    "required": ["name", "city", "email", "age", "born", "seen", "id", "home"],
    "additionalProperties": False,
}


def test_values_are_plausible_for_their_names_and_formats():
    person = generate_instance(PERSON, rng=random.Random(1))
    assert re.fullmatch(r"[A-Z][a-z]+ [A-Z][a-z]+", person["name"])
    assert person["city"][0].isupper()
    assert re.fullmatch(r"[a-z]+\.[a-z]+@example\.com", person["email"])
    assert 18 <= person["age"] <= 80
    date.fromisoformat(person["born"])
    datetime.fromisoformat(person["seen"].replace("Z", "+00:00"))
    assert uuid.UUID(person["id"]).version == 4
    assert person["home"].startswith("https://")


def test_values_the_conversation_offers_come_first():
    schema = {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}
    answers = Answers(extract([("user", "Is it cold in New York?")]))
    assert generate_instance(schema, rng=random.Random(0), answers=answers) == {"city": "New York"}


def test_recursive_references_terminate():
    tree = {
        "$defs": {
            "node": {
                "type": "object",
                "properties": {
                    "value": {"type": "integer"},
                    "children": {"type": "array", "items": {"$ref": "#/$defs/node"}},
                },
                "required": ["value", "children"],
            }
        },
        "$ref": "#/$defs/node",
    }
    for seed in range(10):
        assert_valid(generate_instance(tree, rng=random.Random(seed)), tree)


def test_draft7_forms_are_understood():
    schema = {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "definitions": {"code": {"type": "string", "pattern": "^[A-Z]{2}$"}},
        "type": "array",
        "items": [{"$ref": "#/definitions/code"}, {"type": "integer"}],
        "additionalItems": False,
        "minItems": 2,
    }
    instance = generate_instance(schema, rng=random.Random(0))
    jsonschema.Draft7Validator(schema).validate(instance)


def test_nullable_types_prefer_the_value():
    schema = {"type": ["integer", "null"], "minimum": 3}
    assert isinstance(generate_instance(schema, rng=random.Random(0)), int)


@pytest.mark.parametrize(
    ("schema", "pointer", "words"),
    [
        ({"type": "integer", "minimum": 5, "maximum": 1}, "", ["minimum 5", "maximum 1"]),
        (
            {"type": "number", "exclusiveMinimum": 2, "exclusiveMaximum": 2},
            "",
            ["exclusiveMinimum 2"],
        ),
        ({"type": "integer", "multipleOf": 7, "minimum": 1, "maximum": 6}, "", ["multiple of 7"]),
        ({"type": "string", "minLength": 4, "maxLength": 2}, "", ["minLength 4", "maxLength 2"]),
        ({"type": "array", "minItems": 3, "maxItems": 1}, "", ["minItems 3", "maxItems 1"]),
        ({"allOf": [{"const": 1}, {"const": 2}]}, "/allOf/1/const", ["const 2", "const 1"]),
        ({"allOf": [{"type": "string"}, {"type": "integer"}]}, "/allOf/1/type", ["type"]),
        (
            {
                "type": "object",
                "properties": {"a": {}},
                "required": ["b"],
                "additionalProperties": False,
            },
            "",
            ["'b'", "additionalProperties"],
        ),
        (
            {
                "type": "object",
                "properties": {"p": {"type": "integer", "minimum": 9, "maximum": 0}},
                "required": ["p"],
            },
            "/properties/p",
            ["minimum 9"],
        ),
        (
            {"type": "array", "items": {"enum": [1, 2]}, "minItems": 3, "uniqueItems": True},
            "/items",
            ["uniqueItems"],
        ),
        ({"enum": []}, "", ["enum is empty"]),
        ({"type": "string", "enum": [1, 2]}, "", ["enum"]),
        (
            {
                "anyOf": [
                    {"type": "integer", "minimum": 3, "maximum": 1},
                    {"const": 1, "type": "string"},
                ]
            },
            None,
            ["anyOf"],
        ),
        (False, "", ["false"]),
        (
            {
                "$defs": {
                    "n": {
                        "type": "object",
                        "properties": {"n": {"$ref": "#/$defs/n"}},
                        "required": ["n"],
                    }
                },
                "$ref": "#/$defs/n",
            },
            "/$defs/n/properties/n",
            ["deeper"],
        ),
    ],
)
def test_unsatisfiable_schemas_name_why_and_where(schema, pointer, words):
    with pytest.raises(SchemaProblem) as caught:
        generate_instance(schema, rng=random.Random(0))
    problem = caught.value
    assert problem.kind == "unsatisfiable"
    if pointer is not None:
        assert problem.pointer == pointer
    for word in words:
        assert word in problem.reason


@pytest.mark.parametrize(
    ("schema", "kind", "words"),
    [
        ({"type": "string", "pattern": "(?=a)b"}, "unsupported", ["lookaround"]),
        ({"type": "string", "pattern": r"(a)\1"}, "unsupported", ["\\1"]),
        ({"$ref": "https://example.com/schema.json"}, "unsupported", ["inside the schema"]),
        ({"anyOf": [{"$ref": "#"}]}, "unsupported", ["cycle"]),
        ({"$ref": "#/$defs/missing"}, "invalid", ["points to nothing"]),
        ({"type": "strin"}, "invalid", ["not a JSON Schema type"]),
    ],
)
def test_schemas_the_mock_cannot_handle_say_so(schema, kind, words):
    with pytest.raises(SchemaProblem) as caught:
        generate_instance(schema, rng=random.Random(0))
    assert caught.value.kind == kind
    for word in words:
        assert word in caught.value.reason


@pytest.mark.parametrize("schema", [
    {"type": "string", "pattern": "^[0-9]+$", "minLength": 12},
    {"type": "string", "pattern": "^a+$", "minLength": 5},
    {"type": "string", "pattern": r"^\d+$", "minLength": 12, "maxLength": 12},
    {"type": "string", "pattern": "^x*$", "minLength": 3, "maxLength": 3},
    {"type": "string", "pattern": "^(ab)+$", "minLength": 21},
    {"type": "object", "patternProperties": {"^x_": {"type": "integer"}},
     "additionalProperties": False, "minProperties": 3},
    {"type": "object", "patternProperties": {"^[a-z]{3}$": {"type": "string"}},
     "additionalProperties": False, "minProperties": 2},
])  # fmt: skip
@pytest.mark.parametrize("seed", range(5))
def test_satisfiable_lengths_and_names_are_made_not_refused(schema, seed):
    # Each was once refused: a pattern anchored at both ends cannot be padded, and filler names
    # never matched a patternProperties key.
    assert_valid(generate_instance(schema, rng=random.Random(seed)), schema)
