"""What a tool result written as JSON says: its values, keyed by their JSON keys."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from mockserver.engine.conversation import json_document
from mockserver.engine.listen.said import MAX_CANDIDATES, MAX_DIGITS, Said

_JSON_DEPTH = 3
_JSON_ITEMS = 32


def said_in_json(text: str) -> list[Said] | None:
    """Values keyed by their JSON keys, when a tool result is a JSON document."""
    stripped = text.lstrip()
    if stripped[:1] not in ("{", "["):
        return None
    document = json_document(text)
    if document is None:  # not JSON, cut short, nested too deep or not writable: read as text
        return None
    out: list[Said] = []
    _walk(document, "", 0, out)
    return out


def _walk(value: Any, key: str, depth: int, out: list[Said]) -> None:
    if len(out) >= MAX_CANDIDATES or depth > _JSON_DEPTH:
        return
    at = len(out)  # a JSON value's place is its position among the values
    if isinstance(value, bool):
        out.append(("boolean", value, json.dumps(value), at, "", key, False, False, ""))
    elif isinstance(value, int) and abs(value) < 10**MAX_DIGITS:
        out.append(("integer", value, str(value), at, "", key, False, False, ""))
    elif isinstance(value, float) and value == value and abs(value) < 1e15:
        out.append(("number", value, repr(value), at, "", key, False, False, ""))
    elif isinstance(value, str):
        out.append(("quoted", value[:400], value[:400], at, "", key, False, False, ""))
    elif isinstance(value, Mapping):
        for name, item in list(value.items())[:_JSON_ITEMS]:
            _walk(item, str(name).lower(), depth + 1, out)
    elif isinstance(value, list):
        for item in value[:_JSON_ITEMS]:
            _walk(item, key, depth + 1, out)
