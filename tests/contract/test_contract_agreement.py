"""The compiled validator decides, `jsonschema` explains: the two agree on every document."""

from __future__ import annotations

from functools import cache
from typing import Any

import jsonschema
from contract_strategies import chat_requests, mutated, native_chunks, native_responses
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contract import validate_request
from contract.validate.documents import compiled_schema, lenient_variant
from contract.validate.explain import ExplainingValidator

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
requests = mutated(chat_requests(), rounds=3)


@cache
def _explaining_lenient(name: str) -> Any:
    return ExplainingValidator(lenient_variant(compiled_schema(name).schema))


def _agree(name: str, document: Any) -> None:
    compiled = compiled_schema(name)
    explained = list(compiled.explaining.iter_errors(document))
    assert compiled.is_valid(document) == (not explained), explained
    if compiled.lenient is not None:
        lenient = _explaining_lenient(name)
        assert compiled.lenient.is_valid(document) == (not list(lenient.iter_errors(document)))


@SETTINGS
@given(requests, st.sampled_from(["native-chat-request", "compat-chat-request"]))
def test_compiled_and_jsonschema_agree_on_requests(request, name):
    _agree(name, request)


@SETTINGS
@given(mutated(native_responses), mutated(native_chunks))
def test_compiled_and_jsonschema_agree_on_responses_and_chunks(response, chunk):
    _agree("native-chat-response", response)
    _agree("native-stream-chunk", chunk)


@SETTINGS
@given(requests)
def test_schema_findings_of_validate_request_follow_the_compiled_decision(request):
    result = validate_request(request)
    schema_rules = {v.rule for v in result.violations} - {"model.unknown"}
    if compiled_schema("native-chat-request").is_valid(request):
        assert all(not rule.startswith(("field.", "message.", "content.")) for rule in schema_rules)
    else:
        assert result.violations  # every rejection is explained


def test_a_trailing_newline_is_refused_by_both_validators():
    # Python's `$` matches before a final newline; ECMA-262's (and jsonschema-rs's) does not. The
    # explaining validator follows ECMA so the two agree; plain jsonschema would not.
    tool = {"type": "function", "function": {"name": "get_weather\n"}}
    request: dict[str, Any] = {
        "model": "m",
        "messages": [{"role": "user", "content": "x"}],
        "tools": [tool],
    }
    compiled = compiled_schema("native-chat-request")
    assert not compiled.is_valid(request)
    assert list(compiled.explaining.iter_errors(request))
    plain = jsonschema.Draft202012Validator(compiled.schema)
    assert not list(plain.iter_errors(request))
