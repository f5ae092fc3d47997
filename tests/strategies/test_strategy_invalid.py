"""Every invalid request breaks exactly the rule it claims, and every request rule is covered."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import contract
from contract import validate_request
from contract.rules import RULES
from contract.strategies import covered_rules, invalid_chat_requests

ENDPOINTS = ("native", "compat")
STRICT_ONLY = covered_rules(strict=True) - covered_rules(strict=False)


# The modules and schemas behind validate_request. Request-scope rules named nowhere in them are
# decided outside the request body (headers, server state, the mock's engine) and are not ours.
_VALIDATOR_SOURCES = (
    "validate/request_rules.py", "validate/explain.py", "validate/documents.py",
    "schemas/native-chat-request.json", "schemas/compat-chat-request.json",
)  # fmt: skip
_RULE_LITERAL = re.compile(r'"([a-z_]+(?:\.[a-z_]+)+)"')


def _body_rules():
    root = Path(contract.__file__).parent
    named = set()
    for source in _VALIDATOR_SOURCES:
        named |= set(_RULE_LITERAL.findall((root / source).read_text(encoding="utf-8")))
    return {rule_id for rule_id in named if rule_id in RULES and RULES[rule_id].scope == "request"}


def test_every_rule_the_request_validator_reports_is_covered():
    body_rules = _body_rules()
    assert len(body_rules) >= 20  # the sources were found and read
    assert body_rules <= covered_rules(strict=True), body_rules - covered_rules(strict=True)


def test_covered_rules_are_request_rules_of_the_catalog():
    assert all(RULES[rule_id].scope == "request" for rule_id in covered_rules(strict=True))
    assert {RULES[rule_id].severity for rule_id in STRICT_ONLY} == {"warning"}


def _errors(payload, endpoint, strict):
    result = validate_request(payload, endpoint=endpoint, strict=strict)
    return [str(v) for v in result.errors], {v.rule for v in result.errors}


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("rule", sorted(covered_rules(strict=True)))
@settings(max_examples=8, deadline=None)
@given(data=st.data())
def test_each_rule_is_broken_alone(endpoint, rule, data):
    strict = rule in STRICT_ONLY
    payload, claimed = data.draw(
        invalid_chat_requests(endpoint=endpoint, rules=[rule], strict=strict)
    )
    assert claimed == rule
    shown, rules = _errors(payload, endpoint, strict)
    assert rules == {rule}, shown
    assert len(shown) == 1, shown  # one mistake, one violation


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("strict", [False, True])
@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_any_invalid_request_fails_with_exactly_its_rule(endpoint, strict, data):
    payload, rule = data.draw(invalid_chat_requests(endpoint=endpoint, strict=strict))
    assert rule in covered_rules(strict=strict)
    shown, rules = _errors(payload, endpoint, strict)
    assert rules == {rule}, shown


@pytest.mark.parametrize("rule", sorted(STRICT_ONLY))
@settings(max_examples=10, deadline=None)
@given(data=st.data())
def test_strict_only_defects_are_mere_warnings_without_strict(rule, data):
    payload, _ = data.draw(invalid_chat_requests(rules=[rule], strict=True))
    result = validate_request(payload)
    assert result.ok
    assert rule in {v.rule for v in result.warnings}
