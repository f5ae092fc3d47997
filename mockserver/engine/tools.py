"""Which function to call, if any: tool_choice, the conversation, and the tool definitions."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from mockserver.engine.completion import EngineError
from mockserver.engine.conversation import Turn
from mockserver.engine.plausible import hint_words, singular

_WORD = re.compile(r"[a-z0-9]+")
_IGNORED = frozenset(
    (
        "the", "and", "for", "with", "get", "set", "you", "your", "what", "that", "this", "from",
        "into", "are", "was", "were", "has", "have", "can", "how", "when", "where", "which", "who",
        "does", "will", "would", "should", "could", "about",
    )
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class ChosenFunction:
    index: int  # position in request["tools"]
    name: str
    parameters: Any  # the JSON Schema, or None when the function takes no parameters


def _functions(request: Mapping[str, Any]) -> list[ChosenFunction]:
    tools = request.get("tools")
    found: list[ChosenFunction] = []
    for index, tool in enumerate(tools if isinstance(tools, list) else ()):
        function = tool.get("function") if isinstance(tool, Mapping) else None
        if isinstance(function, Mapping) and isinstance(function.get("name"), str):
            found.append(ChosenFunction(index, function["name"], function.get("parameters")))
    return found


def _words(text: str) -> set[str]:
    return {singular(word) for word in _WORD.findall(text.lower()) if len(word) > 2} - _IGNORED


def _relevance(request: Mapping[str, Any], function: ChosenFunction, asked: set[str]) -> int:
    definition = request["tools"][function.index]["function"]
    description = definition.get("description")
    words = {singular(word) for word in hint_words(function.name)}
    if isinstance(description, str):
        words |= _words(description)
    return len(words & asked)


def choose_function(request: Mapping[str, Any], turn: Turn) -> ChosenFunction | None:
    """The function the answer calls, or None for a text answer.

    Named tool_choice: that function. "required": the function whose name and description share
    most words with the last user turn (the first on ties). "auto" (the default with tools): the
    same, but only when the last message is a user turn. "none": never.
    """
    functions = _functions(request)
    if not functions:
        return None
    choice = request.get("tool_choice", "auto")
    if isinstance(choice, Mapping):
        wanted = choice.get("function")
        name = wanted.get("name") if isinstance(wanted, Mapping) else None
        for function in functions:
            if function.name == name:
                return function
        raise EngineError(
            rule="tool_choice.undeclared",
            path="/tool_choice/function/name",
            message=f"tool_choice names function {name!r}, which is not among the tools",
        )
    if choice == "required" or (choice == "auto" and turn.last_role == "user"):
        asked = _words(turn.user_text or "")
        return max(functions, key=lambda f: (_relevance(request, f, asked), -f.index))
    return None
