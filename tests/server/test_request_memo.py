"""The memo of parsed, validated and answered bodies: same bytes out, bounded, journal intact."""

from __future__ import annotations

import json

from contract.violations import ValidationResult
from mockserver import MockRequest, MockService
from mockserver.state.memo import MAX_BODY_BYTES, Remembered, RequestMemo


def chat(service: MockService, payload: dict) -> tuple[int, bytes]:
    body = json.dumps(payload).encode()
    request = MockRequest(
        "POST",
        "/v1/chat/completions",
        {"authorization": "Bearer k", "content-type": "application/json"},
        body,
        len(body),
    )
    answer = service.handle(request)
    assert isinstance(answer.body, bytes)
    return answer.status, answer.body


def test_a_repeated_body_gets_the_same_bytes_and_two_journal_entries():
    service = MockService()
    payload = {"model": "m", "max_tokens": 5, "messages": [{"role": "user", "content": "hello"}]}
    first = chat(service, payload)
    second = chat(service, payload)
    assert first == second
    assert first[0] == 200
    entries = service.store.journal_entries()
    assert len(entries) == 2
    assert all(e.validation is not None and e.validation.warnings for e in entries)
    assert entries[0].body == entries[1].body == payload


def test_a_remembered_engine_refusal_is_refused_again():
    service = MockService()
    schema = {"type": "integer", "minimum": 5, "maximum": 1}
    payload = {
        "model": "m",
        "messages": [{"role": "user", "content": "a number"}],
        "response_format": {"type": "json_schema", "json_schema": {"name": "n", "schema": schema}},
    }
    first = chat(service, payload)
    assert first[0] == 400
    assert chat(service, payload) == first


def test_the_memo_is_bounded_and_skips_large_bodies():
    memo = RequestMemo(max_entries=2)
    for i in range(3):
        memo.put("native", str(i).encode(), Remembered({}, ValidationResult()))
    assert memo.get("native", b"0") is None
    assert memo.get("native", b"2") is not None
    large = b"x" * (MAX_BODY_BYTES + 1)
    memo.put("native", large, Remembered({}, ValidationResult()))
    assert memo.get("native", large) is None


def test_dialects_are_remembered_apart():
    memo = RequestMemo()
    memo.put("native", b"{}", Remembered({"a": 1}, ValidationResult()))
    assert memo.get("compat", b"{}") is None


def test_a_prefer_code_of_non_ascii_digits_is_a_client_error():
    service = MockService()
    body = b'{"model":"m","messages":[{"role":"user","content":"hi"}]}'
    request = MockRequest(
        "POST",
        "/v1/chat/completions",
        {"authorization": "Bearer k", "content-type": "application/json", "prefer": "code=\u00b2"},
        body,
        len(body),
    )
    answer = service.handle(request)
    assert answer.status == 400
    assert isinstance(answer.body, bytes)
    assert json.loads(answer.body)["errors"][0]["rule"] == "prefer.invalid"
