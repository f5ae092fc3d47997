"""Stream validation: whole native and compat streams, given as parsed chunks or raw payloads."""

from __future__ import annotations

import json

import pytest
from contract_samples import (
    METRICS,
    compat_chunk,
    compat_stream,
    found,
    native_event,
    native_text_stream,
    native_tool_stream,
    text_delta,
)

from contract import validate_chunk, validate_stream


def test_the_reference_native_stream_conforms():
    assert validate_stream(native_text_stream()).violations == ()


def test_a_native_stream_given_as_raw_payloads_conforms():
    raw = [json.dumps(chunk) for chunk in native_text_stream()]
    assert validate_stream(raw).ok
    assert validate_stream([f"data: {text}" for text in raw]).ok
    assert validate_stream([text.encode() for text in raw]).ok


def test_a_streamed_tool_call_conforms():
    assert validate_stream(native_tool_stream()).violations == ()


def test_done_on_a_native_stream_is_an_error():
    result = validate_stream([*native_text_stream(), "[DONE]"])
    assert found(result) == [("stream.done.native", "")]
    assert result.violations[0].line == 6


def test_a_metrics_event_without_delta_is_an_error_at_its_record():
    chunks = native_text_stream()
    del chunks[4]["event"]["delta"]
    result = validate_stream(chunks)
    assert found(result) == [("field.required", "/event/delta")]
    assert result.violations[0].line == 5


def test_a_metrics_event_without_total_tokens():
    chunks = native_text_stream()
    chunks[4]["event"]["metrics"] = METRICS[:2]
    result = validate_stream(chunks)
    assert found(result) == [("metrics.missing", "/event/metrics")]
    assert "num_total_tokens" in result.violations[0].message


def test_metrics_that_do_not_add_up():
    chunks = native_text_stream()
    chunks[4]["event"]["metrics"][2]["value"] = 99
    assert found(validate_stream(chunks)) == [("metrics.inconsistent", "/event/metrics/2/value")]


def test_metrics_on_two_events_must_agree():
    chunks = native_text_stream()
    other = [dict(m, value=m["value"] + 1) for m in METRICS[:2]]
    other.append(dict(METRICS[2], value=METRICS[2]["value"] + 2))
    chunks[3]["event"]["metrics"] = other
    result = validate_stream(chunks)
    assert found(result) == [("metrics.inconsistent", "/event/metrics")]
    assert result.violations[0].line == 5


@pytest.mark.parametrize(
    ("order", "expected"),
    [
        (["progress", "complete", "metrics"], [(1, "/event/event_type")]),
        (["start", "metrics", "complete"], [(2, "/event/event_type"), (3, "/event/event_type")]),
        (["start", "complete", "progress", "metrics"], [(3, "/event/event_type")]),
        (["start", "progress", "complete"], [(3, "")]),
        (["start", "complete", "metrics", "metrics"], [(4, "/event/event_type")]),
    ],
)
def test_events_out_of_order(order, expected):
    metrics = {"metrics": METRICS}
    chunks = [
        native_event(kind, text_delta(), **({"stop_reason": "stop"} if kind == "complete" else {}),
                     **(metrics if kind == "metrics" else {}))
        for kind in order
    ]  # fmt: skip
    result = validate_stream(chunks)
    assert [(v.line, v.path) for v in result.violations if v.rule == "stream.order"] == expected
    assert {v.rule for v in result.violations} == {"stream.order"}


@pytest.mark.parametrize(
    ("order", "message"),
    [
        (["start", "progress", "complete"], 'the stream ends after "complete", with no "metrics" '
         'event; a native stream must end with a "complete" event, then a "metrics" event'),
        (["start", "progress"], 'the stream ends after "progress", with no "complete" event and '
         'no "metrics" event; a native stream must end with a "complete" event, then a "metrics" '
         "event"),
    ],
)  # fmt: skip
def test_a_stream_that_stops_early_says_what_is_missing(order, message):
    chunks = [
        native_event(kind, text_delta(), **({"stop_reason": "stop"} if kind == "complete" else {}))
        for kind in order
    ]
    (violation,) = validate_stream(chunks).violations
    assert (violation.rule, violation.line) == ("stream.order", len(order))
    assert violation.message == message


def test_a_stream_with_no_known_event_says_what_it_must_end_with():
    chunk = native_event("start", text_delta())
    chunk["event"]["event_type"] = "begin"
    messages = [v.message for v in validate_stream([chunk]).violations if v.path == ""]
    assert messages == ["no record has an event_type of start, progress, complete or metrics; "
                        'a native stream must end with a "complete" event, then a "metrics" event']  # fmt: skip


def test_an_empty_stream():
    assert found(validate_stream([])) == [("stream.empty", "")]


def test_chunk_ids_must_not_change():
    chunks = native_text_stream()
    chunks[2]["id"] = "other"
    assert found(validate_stream(chunks)) == [("stream.id.inconsistent", "/id")]


def test_the_complete_event_needs_a_stop_reason_that_agrees_with_tool_calls():
    chunks = native_text_stream()
    del chunks[3]["event"]["stop_reason"]
    assert found(validate_stream(chunks)) == [("stream.stop_reason.missing", "/event/stop_reason")]
    chunks = native_tool_stream()
    chunks[4]["event"]["stop_reason"] = "stop"
    assert found(validate_stream(chunks)) == [("stop_reason.mismatch", "/event/stop_reason")]


def test_a_tool_call_without_id_and_name_is_incomplete():
    chunks = native_tool_stream()
    del chunks[1]["event"]["delta"]["id"]
    del chunks[1]["event"]["delta"]["function"]["name"]
    result = validate_stream(chunks)
    assert found(result) == [("stream.tool_call.incomplete", "/event/delta")]
    assert "id and function.name" in result.violations[0].message


def test_tool_call_arguments_must_join_to_json():
    chunks = native_tool_stream()
    chunks[3]["event"]["delta"]["function"]["arguments"] = '"Paris"'  # the closing brace is lost
    result = validate_stream(chunks)
    assert found(result) == [("stream.tool_call.incomplete", "/event/delta/function/arguments")]
    assert result.violations[0].line == 2


def test_an_unreadable_record_is_reported_at_its_line_and_the_rest_still_checked():
    raw = [json.dumps(chunk) for chunk in native_text_stream()]
    raw[1] = "{not json"
    raw.insert(3, "[1, 2]")
    result = validate_stream(raw)
    assert [(v.rule, v.line) for v in result.violations] == [
        ("json.invalid", 2),
        ("body.not_object", 4),
    ]


def test_the_compat_stream_conforms_with_and_without_usage():
    assert validate_stream(compat_stream(), endpoint="compat").violations == ()
    assert validate_stream(compat_stream(usage=True), endpoint="compat").violations == ()


def test_a_compat_stream_without_done():
    chunks = compat_stream()[:-1]
    result = validate_stream(chunks, endpoint="compat")
    assert found(result) == [("stream.done.missing", "")]


def test_data_after_done_on_a_compat_stream():
    chunks = [*compat_stream(), compat_chunk({"content": "late"})]
    result = validate_stream(chunks, endpoint="compat")
    assert found(result) == [("stream.after_done", "")]
    assert result.violations[0].line == 5


def test_the_usage_chunk_comes_last_and_carries_no_choices():
    chunks = compat_stream(usage=True)
    chunks.insert(3, chunks.pop(2))  # the finish chunk after the usage chunk
    result = validate_stream(chunks, endpoint="compat")
    assert found(result) == [("stream.usage.misplaced", "/usage")]
    chunks = compat_stream(usage=True)
    chunks[3]["choices"] = chunks[2]["choices"]
    del chunks[2]
    result = validate_stream(chunks, endpoint="compat")
    assert found(result) == [("stream.usage.misplaced", "/choices")]


def test_compat_chunks_without_choices_or_finish_reason():
    chunks = compat_stream()
    chunks[1]["choices"] = []
    assert found(validate_stream(chunks, endpoint="compat")) == [("field.length", "/choices")]
    chunks = [compat_chunk({"content": "x"}), "[DONE]"]
    assert found(validate_stream(chunks, endpoint="compat")) == [("stream.order", "")]


def test_compat_streamed_tool_calls():
    first = {"index": 0, "id": "c1", "type": "function", "function": {"name": "f", "arguments": ""}}
    rest = {"index": 0, "function": {"arguments": '{"a": 1}'}}
    chunks = [
        compat_chunk({"role": "assistant", "tool_calls": [first]}),
        compat_chunk({"tool_calls": [rest]}),
        compat_chunk({}, "tool_calls"),
        "[DONE]",
    ]
    assert validate_stream(chunks, endpoint="compat").violations == ()
    chunks[2] = compat_chunk({}, "stop")
    assert found(validate_stream(chunks, endpoint="compat")) == [
        ("stop_reason.mismatch", "/choices/0/finish_reason")
    ]


def test_one_chunk_on_its_own():
    assert validate_chunk(native_text_stream()[1]).ok
    bad = native_event("progress", {"type": "audio"})
    assert found(validate_chunk(bad)) == [("delta.type.unknown", "/event/delta/type")]
    assert validate_chunk(compat_stream()[0], endpoint="compat").ok


def test_a_stream_given_as_one_value_or_for_an_unknown_endpoint_is_a_clear_error():
    with pytest.raises(TypeError, match="records"):
        validate_stream("data: {}\n\n")
    with pytest.raises(ValueError, match="unknown endpoint 'openai'"):
        validate_stream([], endpoint="openai")  # type: ignore[arg-type]
