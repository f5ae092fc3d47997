"""`llama-contract validate` on a request without --endpoint: native or compat is told from what only
one dialect has, and the output always says which endpoint it checked against and how to choose."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from contract.strategies import chat_requests
from contract.validate.detect import request_endpoint
from mockserver.cli.main import main

MODEL = "Llama-4-Maverick-17B-128E-Instruct-FP8"
USER = {"role": "user", "content": "Weather in Paris?"}
CALL = {"id": "c1", "type": "function",
        "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'}}  # fmt: skip
TOOL = {"role": "tool", "tool_call_id": "c1", "content": "18C"}
# The trial's file: what an OpenAI client sends back after a tool call.
OPENAI_SHAPED = {
    "model": MODEL,
    "messages": [USER, {"role": "assistant", "content": None, "tool_calls": [CALL]}, TOOL],
    "max_tokens": 100,
}


def _request(**fields: Any) -> dict[str, Any]:
    return {"model": MODEL, "messages": [USER], **fields}


def _with_assistant(**fields: Any) -> dict[str, Any]:
    return _request(messages=[USER, {"role": "assistant", **fields}, USER])


def _run(tmp_path: Path, document: Any, capsys: Any, *args: str) -> tuple[int, str, str]:
    path = tmp_path / "request.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    status = main(["validate", *args, str(path)])
    out, err = capsys.readouterr()
    return status, out, err


def test_an_openai_shaped_request_is_checked_as_compat_and_says_why(tmp_path, capsys):
    status, out, err = _run(tmp_path, OPENAI_SHAPED, capsys)
    assert status == 0
    assert out == ""
    note, verdict = err.splitlines()
    assert note == (
        "note: checked as compat (the OpenAI-compatible endpoint) because of /messages/1/content "
        "(null), which only compat requests have; pass --endpoint native to check it as native"
    )
    assert verdict == "compat request: conforms, 0 warning(s)"


def test_the_same_request_checked_as_native_on_demand_says_null_once(tmp_path, capsys):
    status, out, err = _run(tmp_path, OPENAI_SHAPED, capsys, "--endpoint", "native")
    assert status == 1
    assert out.splitlines()[-1] == (
        "/messages/1/content: 'content' is null; expected string or object [field.type]"
    )
    assert "note:" not in err  # the user chose: nothing to explain


def test_a_request_nothing_tells_apart_is_native_and_the_output_says_it_was_assumed(
    tmp_path, capsys
):
    status, _, err = _run(tmp_path, _request(), capsys)
    assert status == 0
    assert err.splitlines()[0] == (
        "note: checked as native, assumed (nothing in it is only native or only compat); pass "
        "--endpoint compat to check it as compat (the OpenAI-compatible endpoint), --endpoint "
        "native to choose native"
    )


@pytest.mark.parametrize(
    ("document", "endpoint", "clue"),
    [
        (_request(stream=True, stream_options={"include_usage": True}), "compat", "/stream_options"),
        (_request(n=2), "compat", "/n"),
        (_request(logprobs=True), "compat", "/logprobs"),
        (_request(seed=1), "compat", "/seed"),
        (_with_assistant(content=None, tool_calls=[CALL]), "compat", "/messages/1/content (null)"),
        (_with_assistant(content=[{"type": "text", "text": "x"}]), "compat",
         "/messages/1/content (an array)"),
        (_with_assistant(content="x", refusal=None), "compat", "/messages/1/refusal"),
        (_request(messages=[{**USER, "name": "bob"}]), "compat", "/messages/0/name"),
        (_request(messages=[{"role": "user", "content": [
            {"type": "image_url", "image_url": {"url": "https://x.test/a.png", "detail": "low"}}]}]),
         "compat", "/messages/0/content/0/image_url/detail"),
        (_request(response_format={"type": "json_schema", "json_schema": {
            "name": "a", "schema": {"type": "object"}, "strict": True}}), "compat",
         "/response_format/json_schema/strict"),
        (_request(top_k=5), "native", "/top_k"),
        (_request(repetition_penalty=1.1), "native", "/repetition_penalty"),
        (_with_assistant(content={"type": "text", "text": "x"}), "native",
         "/messages/1/content (an object)"),
        (_with_assistant(content="x", stop_reason="stop"), "native", "/messages/1/stop_reason"),
    ],
)  # fmt: skip
def test_a_field_only_one_dialect_has_decides(tmp_path, capsys, document, endpoint, clue):
    status, out, _ = _run(tmp_path, document, capsys, "--format", "json")
    report = json.loads(out)
    assert report["kind"] == f"{endpoint} request"
    (note,) = report["notes"]
    assert note.startswith(f"checked as {endpoint} ")
    assert clue in note
    other = "native" if endpoint == "compat" else "compat"
    assert f"pass --endpoint {other}" in note
    assert status == 0, report["violations"]  # conforms to the endpoint it was detected for


def test_max_tokens_tells_nothing_the_llama_apis_own_native_example_sends_it(tmp_path, capsys):
    status, out, err = _run(tmp_path, _request(max_tokens=256), capsys)
    assert status == 0
    assert out.startswith('warning: /max_tokens: unknown field "max_tokens"; did you mean ')
    assert err.startswith("note: checked as native, assumed (nothing")


def test_a_tool_call_type_tells_nothing_both_dialects_accept_it(tmp_path, capsys):
    document = _with_assistant(content="", tool_calls=[CALL])
    assert request_endpoint(document)[1].startswith("checked as native, assumed (nothing")


def test_a_request_with_fields_of_both_is_native_and_names_both(tmp_path, capsys):
    status, _, err = _run(tmp_path, _request(n=2, top_k=3), capsys)
    assert status == 0
    assert err.splitlines()[0] == (
        "note: checked as native, assumed (it has both /n, an OpenAI field that suggests an "
        "OpenAI client, and /top_k, which only native ones have); pass --endpoint compat to check "
        "it as compat (the OpenAI-compatible endpoint), --endpoint native to choose native"
    )


def test_jsonl_requests_are_detected_one_by_one_and_the_notes_grouped(tmp_path, capsys):
    records = [_request(), _request(n=2), _request(), *[_request()] * 6]
    path = tmp_path / "requests.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    assert main(["validate", "--format", "json", str(path)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["kind"] == "documents"
    assumed, detected = report["notes"]
    assert assumed.startswith("lines 1, 3, 4, 5, 6 and 3 more: checked as native, assumed")
    assert detected.startswith("line 2: checked as compat (the OpenAI-compatible endpoint) because")


def test_responses_and_streams_carry_no_endpoint_note(tmp_path, capsys):
    response = {"completion_message": {"role": "assistant", "content": {"type": "text", "text": "x"},
                                       "stop_reason": "stop"}}  # fmt: skip
    _, _, err = _run(tmp_path, response, capsys)
    assert "note:" not in err


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(native=chat_requests(endpoint="native", strict=True),
       compat=chat_requests(endpoint="compat", strict=True))  # fmt: skip
def test_a_conforming_request_is_never_taken_for_the_other_dialect(native, compat):
    assert request_endpoint(native)[0] == "native"
    endpoint, note = request_endpoint(compat)
    assert endpoint == "compat" or note.startswith("checked as native, assumed (nothing")
