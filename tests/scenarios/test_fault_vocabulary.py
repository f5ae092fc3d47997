"""The fault vocabulary: header syntax, typed parameters, defaults and errors that name the key."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contract.scenarios.fault_forms import parse_fault_list, parse_fault_text
from contract.scenarios.faults import FAULT_KINDS, FaultError, FaultSpec, make_fault

ISSUE_NAMES = {
    "latency", "slow_stream", "http_error", "rate_limit", "fail_then_succeed", "reset",
    "empty_response", "malformed_json", "malformed_sse", "truncate_stream", "stream_error",
    "stall", "redirect", "tool_call_as_text",
}


def test_every_fault_of_the_issue_is_known_and_parses_with_defaults() -> None:
    assert set(FAULT_KINDS) == ISSUE_NAMES
    for name in ISSUE_NAMES - {"latency"}:
        spec = parse_fault_text(name)
        assert spec.name == name
        for param in FAULT_KINDS[name].params:
            assert spec.get(param.name) == param.default


def test_header_values_become_typed_parameters() -> None:
    spec = parse_fault_text("http_error; status=503; retry_after=2; should_retry=false")
    assert spec == FaultSpec("http_error", (
        ("status", 503), ("retry_after", 2), ("should_retry", False)))
    assert isinstance(spec.get("status"), int)
    assert spec.number("retry_after") == 2
    assert spec.number("retry_after_ms") is None
    assert parse_fault_text("http_error; retry_after_ms=1.5").number("retry_after_ms") == 1.5


def test_quoted_values_keep_separators_and_text_round_trips() -> None:
    text = 'http_error; status=500; message="busy; try again, later"'
    spec = parse_fault_text(text)
    assert spec.text("message") == "busy; try again, later"
    assert parse_fault_text(str(spec)) == spec


def test_several_faults_separated_by_commas() -> None:
    specs = parse_fault_list("latency; distribution=uniform; min_ms=5; max_ms=10, truncate_stream")
    assert [s.name for s in specs] == ["latency", "truncate_stream"]
    assert specs[0].get("min_ms") == 5
    assert specs[1].get("after") == 3


@pytest.mark.parametrize(("text", "key", "fragment"), [
    ("http_eror", "", "did you mean 'http_error'"),
    ("http_error; stauts=503", "stauts", "did you mean 'status'"),
    ("http_error; status=abc", "status", "status must be an integer from 400 to 599, got 'abc'"),
    ("http_error; retry_after=1.5", "retry_after",
     "retry_after must be an integer from 0 to 3600, got '1.5'; a Retry-After is whole seconds"),
    ("rate_limit; retry_after=3601", "retry_after", "retry_after=3601 is too large"),
    ("fail_then_succeed; times=1_0", "times", "times must be an integer from 1 to 100, got '1_0'"),
    ("fail_then_succeed; times=+2", "times", "got '+2'"),
    ("latency; ms=nan", "ms", "ms must be a number from 0 to 60000, got 'nan'"),
    ("http_error; status=" + "9" * 5000, "status", "status must be an integer from 400 to 599"),
    ("latency; ms=" + "9" * 5000, "ms", "ms must be a number from 0 to 60000, got '999"),
    ("latency; ms=inf", "ms", "got 'inf'"),
    ("http_error; message=", "message", "message='' is empty; it must be text of 1 to 8,192"),
    ("http_error; body=" + "x" * 8193, "body", "has 8,193 characters; it must be text of 1 to"),
    ("redirect; location=/caf\u00e9", "location",
     "not visible ASCII; it must be 1 to 2,048 visible ASCII characters"),
    ("http_error; status=200", "status", "at least 400"),
    ("http_error; status=503; status=500", "status", "given twice"),
    ("latency; ms=-1", "ms", "at least 0"),
    ("latency; ms=1e999", "ms", "finite"),
    ("latency; distribution=gaussian", "distribution", "choose one of fixed, uniform, lognormal"),
    ("latency; distribution=uniform; min_ms=9; max_ms=3", "min_ms", "larger than max_ms"),
    ("latency; distribution=uniform; ms=3; min_ms=1; max_ms=2", "ms", "does not apply"),
    ("latency", "ms", "needs ms"),
    ("slow_stream; tokens_per_second=0", "tokens_per_second", "at least 0.01667"),
    ("slow_stream; tokens_per_second=0.0166", "tokens_per_second", "at least 0.01667"),
    ("redirect; status=200", "status", "choose one of 301, 302, 303, 307, 308"),
    ("reset; after=2", "after", "reset takes no parameters"),
    ("http_error; should_retry=maybe", "should_retry", "true or false"),
    ("http_error; status", "status", "is not key=value"),
    ('http_error; message="unclosed', "", "never closed"),
    ("; status=503", "", "no fault name"),
])
def test_bad_fault_text_is_refused_naming_the_key(text: str, key: str, fragment: str) -> None:
    with pytest.raises(FaultError) as caught:
        parse_fault_list(text)
    assert caught.value.key == key
    assert fragment in str(caught.value)


def test_one_slowest_pace_for_faults_scenario_steps_and_serve() -> None:
    from contract.scenarios.loading import parse_scenario
    from mockserver.cli.serve import _pace

    assert make_fault("slow_stream", {"tokens_per_second": 0.5}).get("tokens_per_second") == 0.5
    step = parse_scenario("name: x\nsteps:\n  - respond: {text: hi, pacing: {tokens_per_second: "
                          "0.0167}}\n")
    assert step.steps[0].respond.pacing is not None
    assert _pace("0.0167") == 0.0167
    for refused in (lambda: make_fault("slow_stream", {"tokens_per_second": 0.0166}),
                    lambda: parse_scenario("name: x\nsteps:\n  - respond: {text: hi, pacing: "
                                           "{tokens_per_second: 0.0166}}\n")):
        with pytest.raises(ValueError, match=r"0\.01667|0\.0166"):
            refused()


def test_faults_applied_together_must_be_compatible() -> None:
    with pytest.raises(FaultError, match="at most one fault may replace the answer"):
        parse_fault_list("http_error, reset")
    with pytest.raises(FaultError, match="given twice"):
        parse_fault_list("latency; ms=1, latency; ms=2")
    assert len(parse_fault_list("latency; ms=1, http_error, tool_call_as_text")) == 3


def test_file_values_must_already_have_their_type() -> None:
    with pytest.raises(FaultError, match="after must be an integer from 0 to 100000, got string "
                                         '"3"'):
        make_fault("truncate_stream", {"after": "3"})
    with pytest.raises(FaultError, match="got boolean true"):
        make_fault("truncate_stream", {"after": True})
    with pytest.raises(FaultError, match=r"got number 1\.5; a Retry-After is whole seconds"):
        make_fault("rate_limit", {"retry_after": 1.5})
    with pytest.raises(FaultError, match=r"got number 2\.0"):
        make_fault("rate_limit", {"retry_after": 2.0})
    with pytest.raises(FaultError, match="lone surrogate"):
        make_fault("stream_error", {"message": "\ud800"})
    assert make_fault("latency", {"ms": 2.5}).get("ms") == 2.5


@given(st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=40))
def test_every_text_value_survives_its_written_form(message: str) -> None:
    # Standing faults are kept as text and read back on each request: "\n" came back empty.
    spec = make_fault("http_error", {"message": message})
    assert parse_fault_text(str(spec)) == spec
    assert parse_fault_list(f"latency; ms=1, {spec}")[1] == spec


@pytest.mark.parametrize(("text", "said"), [
    ("explode", "unknown fault 'explode'. Known faults: empty_response, "),
    ("latensy", "unknown fault 'latensy'; did you mean 'latency'? Known faults: empty_response, "),
])
def test_an_unknown_fault_is_named_then_the_known_ones_listed(text: str, said: str) -> None:
    with pytest.raises(FaultError) as caught:
        parse_fault_list(text)
    assert str(caught.value).startswith(said)
