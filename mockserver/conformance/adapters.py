"""Built-in client adapters: the official `llama-api-client` (sync and async, streamed or not as
the conversation asks) on the native API, and the `openai` SDK on the compat API.

Each is a function `(base_url, api_key, conversation) -> ClientOutcome`; see
`contract.conformance.checks.Conversation` for the contract and docs/conformance.md for writing one.
Only the SDK's call (and its reading of a stream) sits in a `try`, catching only what the SDK
raises for an error answer or a broken stream (`llama_errors`, `openai_errors`); reading its
answer is our code and a bug in it propagates with its traceback.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import json
from collections.abc import Callable, Iterable
from typing import Any, Literal

from contract.conformance.checks import (
    Adapter,
    ClientOutcome,
    Conversation,
    ToolCallOutcome,
    Unsupported,
)


def sdk_arguments(create: Callable[..., Any], request: dict[str, Any]) -> dict[str, Any]:
    """Keyword arguments of an SDK's `create` for a request body; unknown fields go in extra_body."""
    known = set(inspect.signature(create).parameters)
    kwargs = {key: value for key, value in request.items() if key in known}
    extra = {key: value for key, value in request.items() if key not in known}
    if extra:
        kwargs["extra_body"] = extra
    return kwargs


def _with_document(out: ClientOutcome, conversation: Conversation) -> ClientOutcome:
    if conversation.wants_document and out.error is None and out.text:
        with contextlib.suppress(ValueError):  # graded as a document that did not come through
            out.document = json.loads(out.text)
    return out


def _native_message(message: Any, out: ClientOutcome) -> None:
    content = message.content
    out.text = content if isinstance(content, str) else (getattr(content, "text", None) or "")
    out.tool_calls = [ToolCallOutcome(c.function.name, c.function.arguments, c.id)
                      for c in message.tool_calls or []]  # fmt: skip
    out.stop_reason = message.stop_reason


def _native_chunks(chunks: Iterable[Any], out: ClientOutcome) -> None:
    text: list[str] = []
    calls: dict[str, list[str]] = {}
    names: dict[str, str] = {}
    current: str | None = None
    for chunk in chunks:
        event = chunk.event
        delta = event.delta
        if delta is not None and delta.type == "text":
            text.append(delta.text or "")
        elif delta is not None and delta.type == "tool_call":
            if delta.id:
                current = delta.id
                names[current] = delta.function.name or ""
                calls[current] = []
            if current is not None and delta.function.arguments:
                calls[current].append(delta.function.arguments)
        if event.event_type == "complete":
            out.stop_reason = event.stop_reason
    out.text = "".join(text)
    out.tool_calls = [ToolCallOutcome(names[i], "".join(parts), i) for i, parts in calls.items()]


def llama_errors() -> tuple[type[BaseException], ...]:
    """What the official SDK raises for a server's error or a broken answer: its own errors, the
    transport's (a connection cut mid-stream) and a stream record that is not JSON. Nothing else
    counts as the client surfacing an error: any other exception is a bug and propagates."""
    import httpx
    from llama_api_client import LlamaAPIClientError

    return (LlamaAPIClientError, httpx.HTTPError, json.JSONDecodeError)


def openai_errors() -> tuple[type[BaseException], ...]:
    """What the openai SDK raises for a server's error or a broken answer (see `llama_errors`)."""
    import httpx
    from openai import OpenAIError

    return (OpenAIError, httpx.HTTPError, json.JSONDecodeError)


def _native_answer(answer: Any, out: ClientOutcome, conversation: Conversation) -> None:
    """Read what the SDK returned (the models, a completion, or the chunks of a stream)."""
    if conversation.operation == "models":
        out.text = " ".join(model.id for model in answer)
    elif conversation.operation == "chat" and conversation.stream:
        _native_chunks(answer, out)
    elif conversation.operation == "chat" and not isinstance(answer, str):
        _native_message(answer.completion_message, out)
    # else the SDK handed back the body's text: no JSON came (a 204), so the user got no message


def _sync_call(
    client: Any, conversation: Conversation, errors: tuple[type[BaseException], ...]
) -> tuple[Any, BaseException | None]:
    """Make the SDK call (reading a stream whole) and close the client: the SDK's answer, or the
    error it raised when that is one of `errors`; any other exception propagates."""
    create = client.chat.completions.create
    arguments = sdk_arguments(create, conversation.request)
    try:
        if conversation.operation == "models":
            return list(client.models.list()), None
        if conversation.operation == "moderation":
            return client.moderations.create(**conversation.request), None
        answer = create(**arguments)
        return (list(answer) if conversation.stream else answer), None
    except errors as exc:  # the SDK surfaced an error: what the grading looks at
        return None, exc
    finally:
        client.close()


def llama_api_client(base_url: str, api_key: str, conversation: Conversation) -> ClientOutcome:
    """The official llama-api-client, synchronous; streams when the request says `stream`."""
    from llama_api_client import LlamaAPIClient

    if conversation.endpoint != "native":
        raise Unsupported("llama-api-client speaks the native API only")
    client = LlamaAPIClient(api_key=api_key, base_url=base_url,
                            default_headers=conversation.headers)  # fmt: skip
    answer, error = _sync_call(client, conversation, llama_errors())
    if error is not None:
        return ClientOutcome(error=error)
    out = ClientOutcome()
    _native_answer(answer, out, conversation)
    return _with_document(out, conversation)


async def _async_call(base_url: str, api_key: str, conversation: Conversation) -> ClientOutcome:
    from llama_api_client import AsyncLlamaAPIClient

    out = ClientOutcome()
    async with AsyncLlamaAPIClient(api_key=api_key, base_url=base_url,
                                   default_headers=conversation.headers) as client:  # fmt: skip
        create = client.chat.completions.create
        arguments = sdk_arguments(create, conversation.request)
        try:
            if conversation.operation == "models":
                answer: Any = list(await client.models.list())
            elif conversation.operation == "moderation":
                answer = await client.moderations.create(**conversation.request)
            else:
                answer = await create(**arguments)
                if conversation.stream:
                    answer = [chunk async for chunk in answer]
        except llama_errors() as exc:
            out.error = exc
            return out
    _native_answer(answer, out, conversation)
    return _with_document(out, conversation)


def llama_api_client_async(
    base_url: str, api_key: str, conversation: Conversation
) -> ClientOutcome:
    """The official llama-api-client's AsyncLlamaAPIClient, one event loop per call."""
    if conversation.endpoint != "native":
        raise Unsupported("llama-api-client speaks the native API only")
    return asyncio.run(_async_call(base_url, api_key, conversation))


def _compat_chunks(chunks: Iterable[Any], out: ClientOutcome) -> None:
    text: list[str] = []
    calls: dict[int, dict[str, Any]] = {}
    for chunk in chunks:
        for choice in chunk.choices:
            delta = choice.delta
            text.append(delta.content or "")
            for call in delta.tool_calls or []:
                slot = calls.setdefault(call.index, {"id": None, "name": "", "arguments": []})
                slot["id"] = call.id or slot["id"]
                if call.function is not None:
                    slot["name"] += call.function.name or ""
                    slot["arguments"].append(call.function.arguments or "")
            out.stop_reason = choice.finish_reason or out.stop_reason
    out.text = "".join(text)
    out.tool_calls = [ToolCallOutcome(c["name"], "".join(c["arguments"]), c["id"])
                      for _, c in sorted(calls.items())]  # fmt: skip


def _compat_answer(answer: Any, out: ClientOutcome, conversation: Conversation) -> None:
    if conversation.operation == "models":
        out.text = " ".join(model.id for model in answer)
    elif conversation.stream:
        _compat_chunks(answer, out)
    elif not isinstance(answer, str):  # a str: no JSON came (a 204), the user got no message
        choice = answer.choices[0]
        out.text = choice.message.content or ""
        out.tool_calls = [ToolCallOutcome(c.function.name, c.function.arguments, c.id)
                          for c in choice.message.tool_calls or []]  # fmt: skip
        out.stop_reason = choice.finish_reason


def openai_compat(base_url: str, api_key: str, conversation: Conversation) -> ClientOutcome:
    """The openai SDK on the OpenAI-compatible endpoint (`/compat/v1`)."""
    from openai import OpenAI

    if conversation.endpoint != "compat":
        raise Unsupported("the openai SDK speaks the OpenAI-compatible API only")
    if conversation.operation not in ("chat", "models"):
        raise Unsupported(f"no {conversation.operation} endpoint on the compat API")
    client = OpenAI(api_key=api_key, base_url=base_url, default_headers=conversation.headers)
    answer, error = _sync_call(client, conversation, openai_errors())
    if error is not None:
        return ClientOutcome(error=error)
    out = ClientOutcome()
    _compat_answer(answer, out, conversation)
    return _with_document(out, conversation)


# Built-in adapter name -> (the adapter, the SDK module it drives: `mockserver.sdks`).
BUILTINS: dict[str, tuple[Adapter, str]] = {
    "llama-api-client": (llama_api_client, "llama_api_client"),
    "llama-api-client-async": (llama_api_client_async, "llama_api_client"),
    "openai": (openai_compat, "openai"),
}
BUILTIN_ADAPTERS: dict[str, Adapter] = {name: entry[0] for name, entry in BUILTINS.items()}
# The endpoints each built-in adapter speaks: what `check client` plays it on by default.
BUILTIN_ENDPOINTS: dict[str, tuple[Literal["native", "compat"], ...]] = {
    "llama-api-client": ("native",),
    "llama-api-client-async": ("native",),
    "openai": ("compat",),
}
