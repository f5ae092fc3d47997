"""Which function to call, if any: tool_choice, the conversation, and the tool definitions.

Named `tool_choice`: that function, always. `"none"`: never. `"auto"` (the default with tools):
when the last message is the user's, the function the last user turn relates to (shared words
with its name, description or parameter names, or values there that fit its required
parameters), else a text answer. `"required"`: first the related tool (any tool but the
final-answer one when none relates); after tool results, never a call already answered while
another tool is left: a tool not yet called whose inputs the conversation gives, then the
final-answer tool (`final_result`, `respond`, ...).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from mockserver.engine.completion import EngineError
from mockserver.engine.conversation import Turn
from mockserver.engine.listen.answers import MISSING, Answers, descriptions
from mockserver.engine.listen.extract import Candidate, Found, Spot, cut_text
from mockserver.engine.listen.hints import hint_words_of, string_kinds
from mockserver.engine.listen.listener import Listener
from mockserver.engine.schema.collect import Collector
from mockserver.engine.schema.facts import Facts, SchemaProblem, child
from mockserver.engine.schema.plausible import hint_words, singular

_WORD = re.compile(r"[^\W\d_]+")
_STEM = 7  # "multiplication" relates to "multiply"; "currency" does not to "current"
_MAX_REQUIRED = 32  # required parameters looked at when asking whether inputs are known
_MAX_PARALLEL = 8  # calls made from one list the user gave
_MAX_DESCRIPTION = 2000  # characters of a tool description read for its words
_SENTENCE_ENDS = (".", "!", "?", "\n", ";")
_IGNORED = frozenset(
    """the and for with get set you your what that this from into are was were has have can
    how when where which who does will would should could about given current latest value
    result results information info data return returns provide provided specified
    specific using use tool tools function call object string number list based optional
    required input new all any one two name type like want need please tell know let make
    give show find look fetch retrieve some its their them they out than then there here
    just also only each every other more most such very much many may might must shall
    user users""".split()  # noqa: SIM905
)
_FINAL_NAMES = frozenset(
    ("respond", "response", "output", "answer", "finish", "submit", "done", "reply", "return")
)
_WEAK_KINDS = frozenset(("quoted", "name", "word", "code"))


@dataclass(frozen=True, slots=True)
class ChosenFunction:
    index: int  # position in request["tools"]
    name: str
    parameters: Any  # the JSON Schema, or None when the function takes no parameters
    description: str = ""

    @property
    def is_final(self) -> bool:
        """Whether this tool gives the final answer (how agent frameworks do structured output)."""
        words = hint_words(self.name)
        return (
            "final" in words
            or "_".join(words) in _FINAL_NAMES
            or "final" in _stems(self.description)
        )


def functions_of(request: Mapping[str, Any]) -> list[ChosenFunction]:
    tools = request.get("tools")
    found: list[ChosenFunction] = []
    for index, tool in enumerate(tools if isinstance(tools, list) else ()):
        function = tool.get("function") if isinstance(tool, Mapping) else None
        if isinstance(function, Mapping) and isinstance(function.get("name"), str):
            described = function.get("description")
            found.append(
                ChosenFunction(
                    index,
                    function["name"],
                    function.get("parameters"),
                    described if isinstance(described, str) else "",
                )
            )
    return found


@lru_cache(maxsize=256)
def _stems(text: str) -> frozenset[str]:
    return frozenset(
        singular(word)[:_STEM]
        for word in _WORD.findall(text.lower())
        if len(word) > 2 and word not in _IGNORED
    )


def _tool_stems(function: ChosenFunction) -> frozenset[str]:
    properties = (
        function.parameters.get("properties") if isinstance(function.parameters, Mapping) else None
    )
    names = (
        tuple(str(name) for name in list(properties)[:_MAX_REQUIRED])
        if isinstance(properties, Mapping)
        else ()
    )
    return _stems_of_tool(function.name, function.description, names)


@lru_cache(maxsize=1024)
def _stems_of_tool(name: str, description: str, parameters: tuple[str, ...]) -> frozenset[str]:
    words = {singular(word)[:_STEM] for word in hint_words(name) if len(word) > 2}
    words |= _stems(description[:_MAX_DESCRIPTION])
    for parameter in parameters:
        words |= {singular(word)[:_STEM] for word in hint_words(parameter) if len(word) > 2}
    return frozenset(words - _IGNORED)


def _required(function: ChosenFunction) -> list[tuple[str, Facts, str]] | None:
    """(name, facts, description) of each required parameter; None when any is beyond reading."""
    schema = function.parameters
    if not isinstance(schema, Mapping):
        return []
    required, properties = schema.get("required"), schema.get("properties")
    if not isinstance(required, list) or not isinstance(properties, Mapping):
        return []
    collector = Collector(schema)
    out: list[tuple[str, Facts, str]] = []
    for name in required[:_MAX_REQUIRED]:
        subschema = properties.get(name) if isinstance(name, str) else None
        if subschema is None:
            return None
        facts = Facts(child("/properties", name))
        try:
            collector.add(facts, subschema, facts.pointer)
        except SchemaProblem:
            return None
        if facts.choices:
            return None
        out.append((name, facts, descriptions([(subschema, "")])))
    return out


def inputs_known(function: ChosenFunction, found: Found, *, strong: bool = False) -> bool:
    """Whether the conversation gives every required parameter. `strong`: at least one by a value
    that could not fit just any text (a number, date, time, e-mail, URL, enum word, place), and
    the others by such values or by what they ask for first (a code for `currency`, quoted text
    for `title`): "Tell me about AI" gives no stock tool its `ticker`, "250 EUR in JPY" gives a
    currency tool all three."""
    required = _required(function)
    if not required:
        return required is not None and not strong
    answers = Answers(found)
    specific = False
    for name, facts, about in required:
        before = set(answers.used)
        if answers.fill(facts, name, about) is MISSING:
            return False
        if strong and facts.enum is None:
            spots = answers.used - before
            heard = answers.heard(spots)
            if not all(c.kind in _WEAK_KINDS and not c.place for c in heard):
                specific = True
            elif not _asked_for(heard, facts, name, about):
                return False
        elif strong:
            specific = True
    return specific or not strong


def _asked_for(heard: list[Candidate], facts: Facts, name: str, about: str) -> bool:
    """Whether values of weak kinds are the kind the parameter asks for first (a code for
    `from_currency`, quoted text for `title`, a person's name for `recipient`)."""
    kinds, flavour = string_kinds(facts, hint_words_of(name, about))
    wanted = (
        {"code"} if kinds[:1] == ("code",)
        else {"quoted"} if flavour == "text"
        else {"name", "quoted"} if flavour == "person"
        else set()
    )  # fmt: skip
    return bool(heard) and all(c.kind in wanted for c in heard)


def spread(function: ChosenFunction, heard: Found, asked: Found) -> list[frozenset[Spot]]:
    """One call per item when the user lists several values that only one of a function's
    required parameters takes ("the weather in Paris and in Rome", with `city` and an enum `unit`
    required as strict tools have it): for each call, the items it must not use. Values that two
    required parameters take ("add 3 and 5") are two arguments of one call."""
    stems = _tool_stems(function) if asked.lists else frozenset()
    related = [  # lists in a sentence about something else are no requests for several calls
        listed
        for listed in asked.lists
        if _stems(_sentence(asked, listed[0].spot, listed[-1].spot)) & stems
    ]
    required = _required(function) if related else None
    scalars = [
        (name, facts, about)
        for name, facts, about in required or ()
        if facts.types is not None and set(facts.types) & {"string", "integer", "number"}
    ]
    for listed in related:
        takers = [
            exclusions
            for name, facts, about in scalars
            if (exclusions := _one_per_item(listed, heard, name, facts, about)) is not None
        ]
        if len(takers) == 1:
            return takers[0]
    return [frozenset()]


def _one_per_item(
    listed: tuple[Candidate, ...], heard: Found, name: str, facts: Facts, about: str
) -> list[frozenset[Spot]] | None:
    """For each item of a list, the other items, when each item alone fills the parameter."""
    exclusions: list[frozenset[Spot]] = []
    for item in listed[:_MAX_PARALLEL]:
        others = frozenset(other.spot for other in listed if other is not item)
        answers = Answers(heard, exclude=others)
        if answers.fill(facts.copy(), name, about) is MISSING or item.spot not in answers.used:
            return None
        exclusions.append(others)
    return exclusions


def _sentence(found: Found, first: Spot, last: Spot) -> str:
    """The sentence around the text between two spots of one text."""
    text = found.texts[first[0]][1]
    start = max(text.rfind(mark, 0, first[1]) for mark in _SENTENCE_ENDS) + 1
    ends = [at for at in (text.find(mark, last[1]) for mark in _SENTENCE_ENDS) if at >= 0]
    return text[start : min(ends, default=len(text))]


def _undeclared(name: Any) -> EngineError:
    return EngineError(
        rule="tool_choice.undeclared",
        path="/tool_choice/function/name",
        message=f"tool_choice names function {name!r}, which is not among the tools",
    )


def choose_function(
    request: Mapping[str, Any], turn: Turn, listener: Listener
) -> ChosenFunction | None:
    """The function the answer calls, or None for a text answer; the conversation is read only
    when the choice depends on its values."""
    functions = functions_of(request)
    if not functions:
        return None
    choice = request.get("tool_choice", "auto")
    if isinstance(choice, Mapping):
        wanted = choice.get("function")
        name = wanted.get("name") if isinstance(wanted, Mapping) else None
        named = next((function for function in functions if function.name == name), None)
        if named is None:
            raise _undeclared(name)
        return named
    words = _stems(cut_text(turn.user_text or ""))
    relevance = {f.index: len(_tool_stems(f) & words) for f in functions}
    if choice == "auto":
        if turn.last_role != "user":
            return None
        related = [
            f
            for f in functions
            if relevance[f.index] or inputs_known(f, listener.asked, strong=True)
        ]
        return max(related, key=lambda f: (relevance[f.index], -f.index), default=None)
    if choice != "required":
        return None
    finals = [f for f in functions if f.is_final]
    others = [f for f in functions if not f.is_final]

    def best(group: list[ChosenFunction]) -> ChosenFunction:
        return max(group, key=lambda f: (relevance[f.index], -f.index))

    if not turn.answered:
        if not others:
            return finals[0]
        related = [
            f for f in others if relevance[f.index] or inputs_known(f, listener.asked, strong=True)
        ]
        return best(related or others)
    called = turn.called
    # Once a tool the user's words name has answered, only such tools follow: a value that fits
    # (a place for `search(query)`) chose a tool only when none relates.
    by_words = any(relevance[f.index] for f in others)
    pending = [
        f
        for f in others
        if f.name not in called
        and (relevance[f.index] if by_words else inputs_known(f, listener.asked, strong=True))
        and inputs_known(f, listener.heard)
    ]
    if pending:
        return best(pending)
    if finals:
        return finals[0]
    fresh = [f for f in others if f.name not in called]
    return best(fresh or others)
