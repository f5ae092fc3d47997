"""Pacing counts the same tokens in a native and a compat stream: text and tool-call arguments."""

from __future__ import annotations

import pytest

from mockserver.core.sse import chunk_tokens, frame
from mockserver.engine import count_tokens
from mockserver.scenarios.fault_streams import record_tokens

TEXT = "The weather in Oslo"
ARGUMENTS = '{"city":"Oslo"}'
NATIVE_TEXT = {"event": {"event_type": "progress", "delta": {"type": "text", "text": TEXT}}}
NATIVE_CALL = {"event": {"event_type": "progress",
                         "delta": {"type": "tool_call", "function": {"arguments": ARGUMENTS}}}}
COMPAT_TEXT = {"choices": [{"index": 0, "delta": {"content": TEXT}}]}
COMPAT_CALL = {"choices": [{"index": 0, "delta": {"tool_calls": [
    {"index": 0, "function": {"arguments": ARGUMENTS}}]}}]}  # fmt: skip


@pytest.mark.parametrize(
    ("native", "compat", "text"),
    [(NATIVE_TEXT, COMPAT_TEXT, TEXT), (NATIVE_CALL, COMPAT_CALL, ARGUMENTS)],
    ids=["text", "tool call arguments"],
)
def test_both_endpoints_count_the_same_tokens(native, compat, text):
    assert chunk_tokens(native) == chunk_tokens(compat) == count_tokens(text) > 0
    assert record_tokens(frame(native)) == record_tokens(frame(compat)) == count_tokens(text)


def test_records_without_text_count_nothing():
    assert chunk_tokens({"choices": []}) == 0
    assert record_tokens(b"data: [DONE]\n\n") == 0
    assert record_tokens(b"data: {not json\n\n") == 0
