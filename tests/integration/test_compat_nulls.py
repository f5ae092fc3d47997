"""`null` for "not set" on the OpenAI-compatible endpoint, with the real openai SDK: a parameter
passed as None (`max_tokens=cfg.max_tokens`) and an answer sent back with `message.model_dump()`
(`"tool_calls": null`) are read as left out, with a `field.null` warning; `--strict` refuses them;
a null where a value is required stays an error; the native endpoint keeps null a type error (its
SDK's types take no None)."""

from __future__ import annotations

import json
from typing import Any

import openai
import pytest
from llama_api_client import BadRequestError as LlamaBadRequest
from llama_api_client import LlamaAPIClient

from contract import validate_request

MODEL = "Llama-4-Maverick-17B-128E-Instruct-FP8"
HELLO = [{"role": "user", "content": "Hello"}]
NULLABLE_BY_OPENAI: dict[str, Any] = {
    "max_tokens": None, "max_completion_tokens": None, "temperature": None, "top_p": None,
    "stream": None, "stream_options": None, "response_format": None, "tools": None,
    "tool_choice": None, "user": None,
}  # fmt: skip


def _warned(response: Any) -> list[dict[str, Any]]:
    warnings: list[dict[str, Any]] = json.loads(response.headers.get("x-contract-warnings", "[]"))
    return warnings


def test_parameters_passed_as_none_are_read_as_left_out(mock: Any) -> None:
    client = openai.OpenAI(api_key="k", base_url=mock.compat, max_retries=0)
    raw = client.chat.completions.with_raw_response.create(
        model=MODEL, messages=HELLO, **NULLABLE_BY_OPENAI
    )
    plain = client.chat.completions.with_raw_response.create(model=MODEL, messages=HELLO)
    answer = raw.parse()
    assert answer.choices[0].message.content == plain.parse().choices[0].message.content
    assert answer.choices[0].finish_reason == "stop"
    warned = {w["path"]: w["rule"] for w in _warned(raw)}
    assert warned == {f"/{key}": "field.null" for key in NULLABLE_BY_OPENAI}
    journaled = next(e for e in mock.service.store.journal_entries()
                     if e.id == raw.headers["x-request-id"])  # fmt: skip
    assert journaled.body["max_tokens"] is None  # the body as sent, where the warning points


def test_an_answer_sent_back_with_model_dump_is_accepted(mock: Any) -> None:
    client = openai.OpenAI(api_key="k", base_url=mock.compat, max_retries=0)
    first = client.chat.completions.create(model=MODEL, messages=HELLO)
    dumped = first.choices[0].message.model_dump()
    assert dumped["tool_calls"] is None  # what the SDK's own message object dumps
    follow_up = [*HELLO, dumped, {"role": "user", "content": "And then?"}]
    raw = client.chat.completions.with_raw_response.create(model=MODEL, messages=follow_up)
    assert raw.parse().choices[0].message.content
    rules = {(w["rule"], w["path"]) for w in _warned(raw)}
    assert ("field.null", "/messages/1/tool_calls") in rules
    assert all(rule in ("field.null", "field.unknown") for rule, _ in rules), rules


def test_strict_refuses_a_null_naming_it(start_mock: Any) -> None:
    strict = start_mock(strict=True)
    client = openai.OpenAI(api_key="k", base_url=strict.compat, max_retries=0)
    with pytest.raises(openai.BadRequestError) as refused:
        client.chat.completions.create(model=MODEL, messages=HELLO, max_tokens=None)
    error = refused.value.body
    assert isinstance(error, dict)
    assert (error["code"], error["param"]) == ("field.null", "max_tokens")
    assert "'max_tokens' is null" in error["message"]


def test_a_null_where_a_value_is_required_is_still_an_error() -> None:
    for request, path in (
        ({"model": None, "messages": HELLO}, "/model"),
        ({"model": MODEL, "messages": [{"role": "user", "content": None}]}, "/messages/0/content"),
        ({"model": MODEL, "messages": [{"role": "tool", "tool_call_id": None, "content": "7"}]},
         "/messages/0/tool_call_id"),
    ):  # fmt: skip
        result = validate_request(request, endpoint="compat")
        assert not result.ok
        assert (result.errors[0].rule, result.errors[0].path) == ("field.type", path)


def test_the_native_endpoint_keeps_null_a_type_error(mock: Any) -> None:
    client = LlamaAPIClient(api_key="k", base_url=mock.native, max_retries=0)
    with pytest.raises(LlamaBadRequest) as refused:
        client.chat.completions.create(
            model=MODEL,
            messages=[{"role": "user", "content": "Hello"}],
            max_completion_tokens=None,  # type: ignore[arg-type]  # its types take no None
        )
    assert "'max_completion_tokens' is null; expected integer" in str(refused.value)
