"""Structured output through the engine: valid documents, or a client error that names why."""

from __future__ import annotations

import json

import jsonschema
import jsonschema_rs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contract import validate_request
from mockserver.engine import Engine, EngineError, count_tokens, tokenize

MODEL = "Llama-4-Maverick-17B-128E-Instruct-FP8"
SCHEMA_PATH = "/response_format/json_schema/schema"
EVENT = {
    "type": "object",
    "properties": {
        "title": {"type": "string"},
        "date": {"type": "string", "format": "date"},
        "attendees": {"type": "array", "items": {"type": "string"}, "minItems": 1},
    },
    "required": ["title", "date", "attendees"],
    "additionalProperties": False,
}


def structured(schema, **fields):
    return {
        "model": MODEL,
        "messages": [{"role": "user", "content": "Plan a team event in Lisbon"}],
        "response_format": {
            "type": "json_schema",
            "json_schema": {"name": "answer", "schema": schema},
        },
        **fields,
    }


def test_the_text_is_a_compact_json_document_valid_against_the_schema():
    completion = Engine().complete(structured(EVENT))
    document = json.loads(completion.text)
    jsonschema.validate(document, EVENT)
    assert completion.text == json.dumps(document, separators=(",", ":"), ensure_ascii=False)
    assert completion.stop_reason == "stop"
    assert completion.completion_tokens == count_tokens(completion.text)


def test_structured_output_is_deterministic_per_seed():
    assert Engine(seed=4).complete(structured(EVENT)) == Engine(seed=4).complete(structured(EVENT))
    assert (
        Engine(seed=4).complete(structured(EVENT)).text
        != Engine(seed=5).complete(structured(EVENT)).text
    )


def test_a_document_longer_than_the_limit_is_cut_with_length():
    full = Engine().complete(structured(EVENT))
    cut = Engine().complete(structured(EVENT, max_completion_tokens=5))
    assert cut.stop_reason == "length"
    assert cut.completion_tokens == 5
    assert cut.text == "".join(tokenize(full.text)[:5])


def test_compat_structured_output_works_the_same():
    completion = Engine().complete(structured(EVENT), endpoint="compat")
    jsonschema.validate(json.loads(completion.text), EVENT)


def test_a_required_tool_wins_over_structured_output():
    tool = {
        "type": "function",
        "function": {"name": "find_venue", "parameters": {"type": "object"}},
    }
    completion = Engine().complete(structured(EVENT, tools=[tool], tool_choice="required"))
    assert completion.stop_reason == "tool_calls"
    completion = Engine().complete(structured(EVENT, tools=[tool], tool_choice="none"))
    jsonschema.validate(json.loads(completion.text), EVENT)


@pytest.mark.parametrize(
    ("schema", "rule", "path", "words"),
    [
        (
            {
                "type": "object",
                "properties": {"n": {"type": "number", "minimum": 10, "maximum": 1}},
                "required": ["n"],
            },
            "response_format.schema.unsatisfiable",
            SCHEMA_PATH + "/properties/n",
            ["minimum 10", "maximum 1"],
        ),
        (
            {"allOf": [{"const": "a"}, {"const": "b"}]},
            "response_format.schema.unsatisfiable",
            SCHEMA_PATH + "/allOf/1/const",
            ['const "b"', 'const "a"'],
        ),
        (
            {"type": "object", "required": ["id"], "properties": {}, "additionalProperties": False},
            "response_format.schema.unsatisfiable",
            SCHEMA_PATH,
            ["'id'", "additionalProperties is false"],
        ),
        (
            {"type": "string", "pattern": "^(?!admin).*$"},
            "response_format.schema.unsupported",
            SCHEMA_PATH,
            ["not supported by the mock"],
        ),
        (
            {"type": "intger"},
            "response_format.schema.invalid",
            SCHEMA_PATH,
            ["not a valid JSON Schema"],
        ),
    ],
)
def test_schemas_without_a_document_are_client_errors(schema, rule, path, words):
    body = structured(schema)
    body["messages"] = [{"role": "user", "content": "plan something nice"}]  # offers no value
    with pytest.raises(EngineError) as caught:
        Engine().complete(body)
    error = caught.value
    assert (error.rule, error.path) == (rule, path)
    for word in words:
        assert word in error.message


def test_a_value_from_the_conversation_fits_a_pattern_the_generator_cannot_make():
    completion = Engine().complete(structured({"type": "string", "pattern": "^(?!admin).*$"}))
    assert json.loads(completion.text) == "Lisbon"


def test_keywords_outside_the_subset_are_checked_before_answering():
    # `not` is outside the generator's subset: every document is checked by a validator before it
    # is answered, so a schema the generator misreads gets an explicit error, never a bad document.
    misread = {"type": "integer", "minimum": 0, "maximum": 0, "not": {"const": 0}}
    with pytest.raises(EngineError) as caught:
        Engine().complete(structured(misread))
    assert caught.value.rule == "response_format.schema.unsupported"
    assert "could not generate" in caught.value.message
    harmless = {"type": "string", "minLength": 1, "not": {"const": ""}}
    jsonschema.validate(json.loads(Engine().complete(structured(harmless)).text), harmless)


def outcome(request):
    try:
        return Engine().complete(request), None
    except EngineError as error:
        return None, error


KEYWORDS = st.sampled_from(
    ["type", "properties", "required", "items", "prefixItems", "enum", "const", "anyOf", "oneOf",
     "allOf", "not", "minimum", "maximum", "multipleOf", "minLength", "maxLength", "pattern",
     "format", "additionalProperties", "minItems", "maxItems", "uniqueItems", "$ref", "if", "then",
     "contains", "dependentRequired", "propertyNames", "minProperties", "maxProperties",
     "exclusiveMinimum"]
)  # fmt: skip
VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-5, 20)
    | st.floats(-5, 20, allow_nan=False)
    | st.sampled_from(
        ["string", "integer", "object", "array", "#", "#/properties/a", "^a+$", "date", "a"]
    ),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(KEYWORDS | st.sampled_from(["a", "b"]), inner, max_size=3)
    ),
    max_leaves=10,
)


@settings(
    max_examples=250,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(st.dictionaries(KEYWORDS, VALUES, max_size=4))
def test_any_schema_gets_a_valid_document_or_a_client_error(schema):
    completion, error = outcome(structured(schema))
    if error is not None:
        assert error.rule.startswith("response_format.schema.")
        assert error.path.startswith(SCHEMA_PATH)
        assert error.message
    else:
        assert jsonschema_rs.validator_for(schema).is_valid(json.loads(completion.text))





@pytest.mark.parametrize("where", ["url", "relative to $id", "file"])
def test_a_reference_outside_the_schema_is_refused_never_fetched(where, listener, tmp_path):
    secret = tmp_path / "secret.json"
    secret.write_text('{"minimum": "pw=hunter2"}')
    ref, extra = {
        "url": (listener.url + "/x.json", {}),
        "relative to $id": ("other.json", {"$id": listener.url + "/root.json"}),
        "file": (secret.as_uri(), {}),
    }[where]
    schema = {**extra, "type": "object", "properties": {"a": {"$ref": ref}}, "required": ["a"]}
    tool = {"type": "function", "function": {"name": "f", "parameters": schema}}
    as_tool = {**structured({"type": "object"}), "tools": [tool], "tool_choice": "required"}
    for body, rule in ((structured(schema), "response_format.schema.unsupported"),
                       (as_tool, "tools.parameters.unsupported")):  # fmt: skip
        with pytest.raises(EngineError) as caught:
            Engine().complete(body)
        assert caught.value.rule == rule
        assert "only references inside the schema (#/...) are read" in caught.value.message
        assert "hunter2" not in caught.value.message
    assert listener.connections() == 0


def test_a_remote_metaschema_is_not_fetched_either(listener):
    with pytest.raises(EngineError) as caught:
        Engine().complete(structured({"$schema": listener.url + "/meta", "type": "object"}))
    assert caught.value.rule == "response_format.schema.invalid"
    assert listener.connections() == 0


@pytest.mark.parametrize(("number", "distinct"), [
    ({"minimum": -1e308, "maximum": 1e308}, 3),
    ({"exclusiveMinimum": -1.7976931348623157e308, "exclusiveMaximum": 1.7976931348623157e308}, 3),
    ({"minimum": 1.7e308}, 1),  # floats that far out are too sparse to draw three apart
    ({"maximum": -1.7e308}, 1),
    ({"maximum": -1000}, 3),  # distinct values step down from the only bound, not past it
])  # fmt: skip
@pytest.mark.parametrize("said", ["hi", "x is 5 and 6 and 7"])
def test_numbers_bounded_by_the_largest_floats_are_made(number, distinct, said):
    # The distance between such bounds is no float (it once overflowed: a 500).
    schema = {"type": "object", "required": ["many"], "properties": {
        "many": {"type": "array", "uniqueItems": True, "minItems": distinct,
                 "items": {"type": "number", **number}}}}  # fmt: skip
    body = structured(schema)
    body["messages"] = [{"role": "user", "content": said}]
    jsonschema.validate(json.loads(Engine().complete(body).text), schema)


@pytest.mark.parametrize("schema", [
    {"type": "object", "properties": {"x": {"not": {}}}},
    {"type": "object", "properties": {"a": {"type": "string"}, "b": {"type": "string"}},
     "dependentRequired": {"a": ["c"]}},
    {"type": "object", "properties": {"a": {"type": "integer"}},
     "if": {"required": ["a"]}, "then": {"properties": {"a": {"const": 7}}}},
])  # fmt: skip
def test_keywords_the_generator_does_not_read_leave_the_required_part(schema):
    # They constrained only optional properties: the last try, with only what is required, fits.
    jsonschema.validate(json.loads(Engine().complete(structured(schema)).text), schema)


@pytest.mark.parametrize("pattern", [r"^\p{Lu}\p{Ll}+$", r"^(?<first>\p{Lu})\p{Ll}+$"])
def test_an_ecma_pattern_python_cannot_read_is_accepted_and_heard(pattern):
    # JSON Schema patterns are ECMA-262: Unicode property escapes and (?<name>) are valid there.
    schema = {"type": "object", "properties": {"name": {"type": "string", "pattern": pattern}},
              "required": ["name"]}  # fmt: skip
    body = structured(schema)
    body["messages"] = [{"role": "user", "content": "My name is Ada"}]
    assert validate_request(body).ok, validate_request(body).violations
    assert json.loads(Engine().complete(body).text) == {"name": "Ada"}
    broken = structured({"type": "string", "pattern": "["})
    assert [v.rule for v in validate_request(broken).violations] == [
        "response_format.schema.invalid"]  # fmt: skip
