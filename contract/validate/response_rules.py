"""Rules of responses a JSON Schema cannot say: token counts present and adding up, stop reasons."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from contract.validate.explain import show
from contract.violations import Violation, json_pointer

Parts = Sequence[str | int]

TOKEN_METRICS = ("num_completion_tokens", "num_prompt_tokens", "num_total_tokens")


def token_metrics(metrics: Any) -> dict[str, tuple[int, Any]]:
    """metric name -> (index, value) of a native metrics array; ignores malformed items."""
    found: dict[str, tuple[int, Any]] = {}
    for index, item in enumerate(metrics if isinstance(metrics, list) else []):
        if isinstance(item, dict) and isinstance(item.get("metric"), str):
            found.setdefault(item["metric"], (index, item.get("value")))
    return found


def metrics_findings(metrics: Any, parts: Parts) -> list[Violation]:
    """The three token metrics present, whole and >= 0, and total = prompt + completion."""
    where = json_pointer(parts)
    if metrics is None:
        return [
            Violation("metrics.missing", where, f"no metrics; expected {', '.join(TOKEN_METRICS)}")
        ]
    if not isinstance(metrics, list):
        return []  # the schema reports the type
    found = token_metrics(metrics)
    missing = [name for name in TOKEN_METRICS if name not in found]
    if missing:
        present = ", ".join(found) or "none"
        return [
            Violation(
                "metrics.missing",
                where,
                f"missing {', '.join(missing)}; found {present}; "
                f"every response carries {', '.join(TOKEN_METRICS)}",
            )
        ]
    return _count_findings(
        {name: found[name][1] for name in TOKEN_METRICS},
        {name: [*parts, found[name][0], "value"] for name in TOKEN_METRICS},
        ("num_prompt_tokens", "num_completion_tokens", "num_total_tokens"),
    )


def usage_findings(usage: Any, parts: Parts) -> list[Violation]:
    """OpenAI-style usage: prompt_tokens + completion_tokens = total_tokens."""
    names = ("prompt_tokens", "completion_tokens", "total_tokens")
    if not isinstance(usage, dict) or any(name not in usage for name in names):
        return []  # the schema reports missing or mistyped usage
    return _count_findings(
        {name: usage[name] for name in names}, {name: [*parts, name] for name in names}, names
    )


def _count_findings(
    values: dict[str, Any], paths: dict[str, Parts], names: tuple[str, str, str]
) -> list[Violation]:
    for name in names:
        value = values[name]
        if not isinstance(value, int | float) or isinstance(value, bool):
            return []  # the schema reports the type
        if value < 0 or value != int(value):
            return [
                Violation(
                    "metrics.inconsistent",
                    json_pointer(paths[name]),
                    f"{name} is {show(value)}; token counts are whole numbers >= 0",
                )
            ]
    prompt, completion, total = (values[name] for name in names)
    if total == prompt + completion:
        return []
    return [
        Violation(
            "metrics.inconsistent",
            json_pointer(paths[names[2]]),
            f"{names[2]} is {show(total)} but {names[0]} + {names[1]} is "
            f"{show(prompt)} + {show(completion)} = {show(prompt + completion)}",
        )
    ]


def stop_reason_findings(stop_reason: Any, tool_calls: Any, where: Parts) -> list[Violation]:
    """'tool_calls' exactly when there are tool calls (an absent stop reason is not judged)."""
    has_calls = isinstance(tool_calls, list) and len(tool_calls) > 0
    if stop_reason == "tool_calls" and not has_calls:
        message = "stop reason is 'tool_calls' but the message has no tool calls"
    elif has_calls and isinstance(stop_reason, str) and stop_reason != "tool_calls":
        message = (
            f"stop reason is {show(stop_reason)} but the message has {len(tool_calls)} "
            "tool call(s); expected 'tool_calls'"
        )
    else:
        return []
    return [Violation("stop_reason.mismatch", json_pointer(where), message)]


def duplicate_id_findings(tool_calls: Any, parts: Parts) -> list[Violation]:
    seen: set[str] = set()
    found: list[Violation] = []
    for j, call in enumerate(tool_calls if isinstance(tool_calls, list) else []):
        call_id = call.get("id") if isinstance(call, dict) else None
        if isinstance(call_id, str):
            if call_id in seen:
                found.append(
                    Violation(
                        "tool_call.id.duplicate",
                        json_pointer([*parts, j, "id"]),
                        f"a second tool call with id {show(call_id)}; ids must be unique",
                    )
                )
            seen.add(call_id)
    return found


def response_rule_findings(payload: dict[str, Any], *, endpoint: str, kind: str) -> list[Violation]:
    """The semantic findings of a response of `kind` (chat, chunk; other kinds have none)."""
    if kind == "chat":
        return chat_response_findings(payload, endpoint=endpoint)
    if kind == "chunk":
        return chunk_rule_findings(payload, endpoint=endpoint)
    return []


def chunk_rule_findings(chunk: dict[str, Any], *, endpoint: str) -> list[Violation]:
    """Token counts of one stream chunk: native metrics (on the metrics event), compat usage."""
    if endpoint == "compat":
        usage = chunk.get("usage")
        return usage_findings(usage, ["usage"]) if isinstance(usage, dict) else []
    event = chunk.get("event")
    if isinstance(event, dict) and ("metrics" in event or event.get("event_type") == "metrics"):
        return metrics_findings(event.get("metrics"), ["event", "metrics"])
    return []


def chat_response_findings(payload: dict[str, Any], *, endpoint: str) -> list[Violation]:
    if endpoint == "compat":
        return _compat_findings(payload)
    found = metrics_findings(payload.get("metrics"), ["metrics"])
    message = payload.get("completion_message")
    if isinstance(message, dict):
        calls = message.get("tool_calls")
        where = ["completion_message", "stop_reason"]
        found.extend(stop_reason_findings(message.get("stop_reason"), calls, where))
        found.extend(duplicate_id_findings(calls, ["completion_message", "tool_calls"]))
    return found


def _compat_findings(payload: dict[str, Any]) -> list[Violation]:
    found: list[Violation] = []
    if "usage" not in payload:
        found.append(
            Violation(
                "metrics.missing",
                "/usage",
                "no usage; expected {prompt_tokens, completion_tokens, total_tokens}",
            )
        )
    else:
        found.extend(usage_findings(payload["usage"], ["usage"]))
    choices = payload.get("choices")
    for i, choice in enumerate(choices if isinstance(choices, list) else []):
        message = choice.get("message") if isinstance(choice, dict) else None
        if isinstance(message, dict):
            calls = message.get("tool_calls")
            where: list[str | int] = ["choices", i, "finish_reason"]
            found.extend(stop_reason_findings(choice.get("finish_reason"), calls, where))
            found.extend(duplicate_id_findings(calls, ["choices", i, "message", "tool_calls"]))
    return found
