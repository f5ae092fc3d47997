"""`null` for "not set" on the OpenAI-compatible endpoint.

OpenAI's clients write an optional parameter they were given as None as `null`
(`max_tokens=cfg.max_tokens`), and `message.model_dump()` sends an answer back with
`"tool_calls": null`. OpenAI reads such a `null` as the field left out. Whether the Llama API's
compat endpoint did is unknown, so the mock tolerates it as the contract tolerates unknown fields:
the field is read as absent and reported as a `field.null` warning (an error with `--strict`).

Only optional fields whose own schema refuses `null` are tolerated: at the top level of the
request and on each message (by its role). A `null` where the contract requires a value (`model`,
a user message's `content`) stays a `field.type` error.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from contract.schemas import shared_schema
from contract.violations import Violation

__all__ = ["NULL_RULE", "nullable_variant", "tolerated_nulls", "without_nulls"]

NULL_RULE = "field.null"
_SCHEMA = "compat-chat-request"


def tolerated_nulls(payload: dict[str, Any]) -> list[Violation]:
    """A `field.null` warning for each optional field of a compat chat request that is `null`."""
    top, by_role = _optional_fields()
    found = [_warning(f"/{k}", k) for k, value in payload.items() if value is None and k in top]
    messages = payload.get("messages")
    if isinstance(messages, list):
        for index, message in enumerate(messages):
            if isinstance(message, dict) and None in message.values():
                optional = by_role.get(str(message.get("role")), frozenset())
                found += [
                    _warning(f"/messages/{index}/{key}", key)
                    for key, value in message.items()
                    if value is None and key in optional
                ]
    return found


def without_nulls(payload: dict[str, Any]) -> dict[str, Any]:
    """`payload` with the tolerated `null` fields left out (a copy; `payload` is not changed)."""
    top, by_role = _optional_fields()
    out = {key: value for key, value in payload.items() if not (value is None and key in top)}
    messages = out.get("messages")
    if isinstance(messages, list):
        out["messages"] = [_message_without_nulls(message, by_role) for message in messages]
    return out


def nullable_variant(schema: dict[str, Any]) -> dict[str, Any]:
    """A copy of the compat chat request schema that takes `null` wherever it is tolerated (for
    the OpenAPI document of a mock that is not strict)."""
    top, by_role = _optional_fields()
    out = dict(schema)
    out["properties"] = _nullable(schema.get("properties", {}), top)
    definitions = dict(schema.get("$defs", {}))
    for name, definition in definitions.items():
        role = _role(definition)
        if role in by_role:
            definitions[name] = {
                **definition, "properties": _nullable(definition["properties"], by_role[role])
            }
    out["$defs"] = definitions
    return out


def _nullable(properties: dict[str, Any], names: frozenset[str]) -> dict[str, Any]:
    return {
        name: {"anyOf": [subschema, {"type": "null"}]} if name in names else subschema
        for name, subschema in properties.items()
    }


def _message_without_nulls(message: Any, by_role: dict[str, frozenset[str]]) -> Any:
    if not isinstance(message, dict) or None not in message.values():
        return message
    optional = by_role.get(str(message.get("role")), frozenset())
    return {key: value for key, value in message.items() if not (value is None and key in optional)}


def _warning(path: str, key: str) -> Violation:
    message = (
        f"'{key}' is null: OpenAI reads null as the field left out, and so does the mock (the "
        "Llama API's own reading is unknown); leave the field out to be sure (--strict refuses null)"
    )
    return Violation(NULL_RULE, path, message, "warning")


@cache
def _optional_fields() -> tuple[frozenset[str], dict[str, frozenset[str]]]:
    """The optional fields that refuse `null`: the request's, and each message role's."""
    schema = shared_schema(_SCHEMA)
    top = _optional(schema)
    by_role: dict[str, frozenset[str]] = {}
    for definition in schema.get("$defs", {}).values():
        role = _role(definition)
        if role is not None:
            by_role[role] = _optional(definition)
    return top, by_role


def _role(definition: dict[str, Any]) -> str | None:
    """The role a message definition is for (its `role` const), None for other definitions."""
    role = definition.get("properties", {}).get("role", {}).get("const")
    return role if isinstance(role, str) else None


def _optional(schema: dict[str, Any]) -> frozenset[str]:
    required = set(schema.get("required", ()))
    return frozenset(
        name
        for name, subschema in schema.get("properties", {}).items()
        if name not in required and not _takes_null(subschema)
    )


def _takes_null(subschema: Any) -> bool:
    kind = subschema.get("type") if isinstance(subschema, dict) else None
    return kind == "null" or (isinstance(kind, list) and "null" in kind)
