"""The JSON Schemas of the contract: files shipped in `contract/schemas/`, loadable by name."""

from __future__ import annotations

import copy
import json
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

SCHEMA_NAMES: tuple[str, ...] = (
    "native-chat-request",
    "native-chat-response",
    "native-stream-chunk",
    "native-error",
    "models-list",
    "model",
    "moderation-request",
    "moderation-response",
    "compat-chat-request",
    "compat-chat-response",
    "compat-stream-chunk",
    "compat-error",
)

SCHEMA_BASE_URI = "https://llama-api-contract.dev/schemas/"


class UnknownSchemaError(KeyError):
    """No schema has this name; the message lists the names there are."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name

    def __str__(self) -> str:
        return f"no schema named {self.name!r}; known schemas: {', '.join(SCHEMA_NAMES)}"


def schema_path(name: str) -> Path:
    """Where the schema file `name` lives, e.g. to point another validator at it."""
    if name not in SCHEMA_NAMES:
        raise UnknownSchemaError(name)
    return Path(str(resources.files("contract") / "schemas" / f"{name}.json"))


@cache
def shared_schema(name: str) -> dict[str, Any]:
    """The parsed schema, shared between callers: read it, never change it."""
    with schema_path(name).open(encoding="utf-8") as handle:
        schema: dict[str, Any] = json.load(handle)
    return schema


def load_schema(name: str) -> dict[str, Any]:
    """A fresh copy of the schema `name` (one of `SCHEMA_NAMES`), free to change."""
    return copy.deepcopy(shared_schema(name))
