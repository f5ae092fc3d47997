"""Which document a JSON value is (a request, a response, a stream chunk) and for which endpoint,
from the fields it has; for a request, why it is taken as native or compat, with a note that
says how to choose (what `llama-contract validate` prints when `--endpoint` is not given)."""

from __future__ import annotations

from typing import Any

from contract.validate.documents import Endpoint

__all__ = ["DONE", "detect", "openai_clues", "request_clues", "request_endpoint"]

DONE = "[DONE]"  # a stream's last data line, on the compat endpoint

# What tells the two request dialects apart: fields and values one request schema defines and the
# other does not (contract/schemas/native-chat-request.json, compat-chat-request.json). A tool
# call's "type": "function" is in both, so it tells nothing; nor does `max_tokens`, which the Llama
# API's own native example sends (the seed page): such a request stays native, with the warning
# that names max_completion_tokens.
_COMPAT_FIELDS = ("stream_options",)
# OpenAI request fields that NEITHER schema defines: they suggest an OpenAI client, so the compat
# endpoint, but the compat contract does not take them either (its `x-tolerated` says what the mock
# does with each; they are reported as unknown fields). The note says so.
_OPENAI_FIELDS = ("n", "logprobs", "top_logprobs", "stop", "seed", "frequency_penalty",
                  "presence_penalty", "logit_bias", "parallel_tool_calls", "metadata", "store",
                  "service_tier", "reasoning_effort", "modalities", "prediction", "audio",
                  "functions", "function_call")  # fmt: skip
_NATIVE_FIELDS = ("top_k", "repetition_penalty")


def _message_clues(messages: Any) -> tuple[list[str], list[str]]:
    compat: list[str] = []
    native: list[str] = []
    for index, message in enumerate(messages if isinstance(messages, list) else []):
        if not isinstance(message, dict):
            continue
        where = f"/messages/{index}"
        if "name" in message:
            compat.append(f"{where}/name")
        content = message.get("content", "")
        items = content if isinstance(content, list) else []
        for number, item in enumerate(items):
            image = item.get("image_url") if isinstance(item, dict) else None
            if isinstance(image, dict) and "detail" in image:
                compat.append(f"{where}/content/{number}/image_url/detail")
        if message.get("role") != "assistant":
            continue
        if content is None:
            compat.append(f"{where}/content (null)")
        elif isinstance(content, list):
            compat.append(f"{where}/content (an array)")
        elif isinstance(content, dict):
            native.append(f"{where}/content (an object)")
        if "refusal" in message:
            compat.append(f"{where}/refusal")
        if "stop_reason" in message:
            native.append(f"{where}/stop_reason")
    return compat, native


def openai_clues(document: dict[str, Any]) -> list[str]:
    """JSON Pointers to the OpenAI fields of a request that neither dialect defines."""
    return [f"/{name}" for name in _OPENAI_FIELDS if name in document]


def request_clues(document: dict[str, Any]) -> tuple[list[str], list[str]]:
    """(compat clues, native clues) of a request: JSON Pointers to what only one dialect has,
    then (compat clues) to the OpenAI fields neither has (`openai_clues`)."""
    compat = [f"/{name}" for name in _COMPAT_FIELDS if name in document]
    native = [f"/{name}" for name in _NATIVE_FIELDS if name in document]
    from_messages = _message_clues(document.get("messages"))
    compat += from_messages[0]
    native += from_messages[1]
    response_format = document.get("response_format")
    schema = response_format.get("json_schema") if isinstance(response_format, dict) else None
    if isinstance(schema, dict):
        compat += [f"/response_format/json_schema/{k}" for k in ("description", "strict")
                   if k in schema]  # fmt: skip
    return compat + openai_clues(document), native


def _listed(clues: list[str]) -> str:
    shown = ", ".join(clues[:3])
    return shown + (f" and {len(clues) - 3} more" if len(clues) > 3 else "")


def _compat_why(compat: list[str], openai: list[str], *, taken: bool = True) -> str:
    """Why `compat` (request_clues, `openai` among them) point at the compat endpoint; `taken`
    adds that the compat contract does not take the OpenAI fields either."""
    only_compat = [clue for clue in compat if clue not in openai]
    reasons = [f"{_listed(only_compat)}, which only compat requests have"] if only_compat else []
    if openai:
        one = len(openai) == 1
        what = "an OpenAI field that suggests" if one else "OpenAI fields that suggest"
        reason = f"{_listed(openai)}, {what} an OpenAI client"
        if taken:
            reason += (" (the compat contract does not take it either: it is reported as an "
                       "unknown field)" if one else " (the compat contract does not take them "
                       "either: they are reported as unknown fields)")  # fmt: skip
        reasons.append(reason)
    return ", and ".join(reasons)


def request_endpoint(document: Any) -> tuple[Endpoint, str]:
    """The endpoint a request is checked against when --endpoint is not given, and a note that
    says why and how to choose."""
    compat, native = request_clues(document) if isinstance(document, dict) else ([], [])
    openai = openai_clues(document) if compat else []
    if compat and not native:
        return "compat", (f"checked as compat (the OpenAI-compatible endpoint) because of "
                          f"{_compat_why(compat, openai)}; pass --endpoint native to check it "
                          "as native")  # fmt: skip
    if native and not compat:
        return "native", (f"checked as native because of {_listed(native)}, which only native "
                          "requests have; pass --endpoint compat to check it as compat")  # fmt: skip
    if native:
        why = (f"it has both {_compat_why(compat, openai, taken=False)}, and {_listed(native)}, "
               "which only native ones have")  # fmt: skip
    else:
        why = "nothing in it is only native or only compat"
    return "native", (f"checked as native, assumed ({why}); pass --endpoint compat to check it "
                      "as compat (the OpenAI-compatible endpoint), --endpoint native to "
                      "choose native")  # fmt: skip


def detect(document: Any) -> tuple[str, str | None, str]:
    """(kind, endpoint or None, response kind) of a document, from the fields it has."""
    obj = document.get("object") if isinstance(document, dict) else None
    if not isinstance(document, dict):
        return ("stream", None, "") if document == DONE else ("unknown", None, "")
    if "messages" in document:
        return "request", None, "chat"  # which endpoint: `request_endpoint`, with its note
    if "event" in document:
        return "chunk", "native", "chunk"
    if obj == "chat.completion.chunk":
        return "chunk", "compat", "chunk"
    if "choices" in document:
        return "response", "compat", "chat"
    if "completion_message" in document:
        return "response", "native", "chat"
    if "data" in document:
        return "response", None, "models"
    if obj == "model":
        return "response", None, "model"
    if "results" in document:
        return "response", "native", "moderation"
    if "error" in document:
        return "response", "compat", "error"
    if "title" in document or "status" in document:
        return "response", "native", "error"
    return "unknown", None, ""
