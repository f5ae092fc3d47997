"""Small clients with one realistic bug each, as adapters (see contract.conformance.checks.Conversation).

Each wraps the official SDK the way application code does; the scenario library does not reveal
their bugs, generated exchanges do.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from llama_api_client import LlamaAPIClient

from contract.conformance.checks import ClientOutcome, Conversation, ToolCallOutcome, Unsupported
from mockserver.conformance.adapters import llama_api_client, llama_errors, sdk_arguments


def _with_stream(
    base_url: str, api_key: str, conversation: Conversation, read: Any
) -> ClientOutcome:
    """Streams go through `read(chunks, out)`; everything else through the correct adapter. Only
    the SDK's errors are the client's: a bug in `read` propagates."""
    if not conversation.stream:
        return llama_api_client(base_url, api_key, conversation)
    if conversation.endpoint != "native":
        raise Unsupported("native API only")
    out = ClientOutcome()
    with LlamaAPIClient(api_key=api_key, base_url=base_url, default_headers=conversation.headers,
                        max_retries=0) as client:  # fmt: skip
        create = client.chat.completions.create
        arguments = sdk_arguments(create, conversation.request)
        try:
            chunks = list(create(**arguments))
        except llama_errors() as exc:
            out.error = exc
            return out
    read(chunks, out)
    return out


def _read(
    chunks: Any,
    out: ClientOutcome,
    *,
    keep: int | None = None,
    empty_ends_text: bool = False,
    skip_blanks: bool = False,
) -> None:
    """A native stream read as an application would, with the bug the keywords switch on."""
    text: list[str] = []
    calls: dict[str, list[str]] = {}
    names: dict[str, str] = {}
    current = None
    text_ended = False
    for chunk in chunks:
        event, delta = chunk.event, chunk.event.delta
        if event.event_type == "progress" and delta.type == "text" and not text_ended:
            if skip_blanks and not (delta.text or "").strip():
                continue  # the bug: a blank delta taken for a keep-alive
            if empty_ends_text and delta.text == "" and text:
                text_ended = True  # the bug: an empty delta taken for the end of the text
            text.append(delta.text or "")
        elif event.event_type == "progress" and delta.type == "tool_call":
            if delta.id:
                current = delta.id
                names[current] = delta.function.name or ""
                calls[current] = []
            fragment = delta.function.arguments or ""
            if skip_blanks and not fragment.strip():
                continue  # the bug: a blank fragment taken for a keep-alive
            if current is not None:
                calls[current].append(fragment)
        if event.event_type == "complete":
            out.stop_reason = event.stop_reason
    out.text = "".join(text)
    found = [ToolCallOutcome(names[i], "".join(parts), i) for i, parts in calls.items()]
    out.tool_calls = found if keep is None else found[:keep]


def stops_at_empty_delta(base_url: str, api_key: str, conversation: Conversation) -> ClientOutcome:
    """Takes an empty text delta after some text for the end of the text."""
    return _with_stream(
        base_url, api_key, conversation, lambda c, o: _read(c, o, empty_ends_text=True)
    )


def normalises_unicode(base_url: str, api_key: str, conversation: Conversation) -> ClientOutcome:
    """Cleans up the text it hands on: Unicode NFC."""
    out = llama_api_client(base_url, api_key, conversation)
    if out.text:
        out.text = unicodedata.normalize("NFC", out.text)
    return out


def first_streamed_call_only(
    base_url: str, api_key: str, conversation: Conversation
) -> ClientOutcome:
    """Keeps only the first tool call of a streamed answer."""
    return _with_stream(base_url, api_key, conversation, lambda c, o: _read(c, o, keep=1))


def skips_blank_deltas(base_url: str, api_key: str, conversation: Conversation) -> ClientOutcome:
    """Drops streamed deltas (text or arguments) that are only whitespace, as if keep-alives."""
    return _with_stream(
        base_url, api_key, conversation, lambda c, o: _read(c, o, skip_blanks=True)
    )


def strips_text(base_url: str, api_key: str, conversation: Conversation) -> ClientOutcome:
    """Trims the text it hands on, as if whitespace at the ends never mattered."""
    out = llama_api_client(base_url, api_key, conversation)
    if out.text:
        out.text = out.text.strip()
    return out
