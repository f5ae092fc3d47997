"""Messages, tool definitions and coherent conversations, for both endpoints."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from contract.strategies._common import (
    JSON,
    Endpoint,
    call_id,
    check_endpoint,
    check_flag,
    check_sizes,
    image_item,
    image_urls,
    text_item,
    texts,
    tool_names,
)
from contract.strategies._schemas import arguments_for, object_schemas

ROLES = ("system", "user", "assistant", "tool")
MAX_TOOLS = 128
MAX_TURNS = 64


_TEXT_LISTS = st.lists(texts(), min_size=1, max_size=3)
_CAPTIONS = st.lists(texts(), max_size=2)
_IMAGE_URL_LISTS = st.lists(image_urls(), min_size=1, max_size=2)


def _text_items(draw: st.DrawFn) -> list[JSON]:
    return [text_item(text) for text in draw(_TEXT_LISTS)]


def _text_content(draw: st.DrawFn) -> str | list[JSON]:
    """A string or an array of text items: what system and tool messages take on both endpoints."""
    return draw(texts()) if draw(st.booleans()) else _text_items(draw)


def system_message(draw: st.DrawFn) -> JSON:
    return {"role": "system", "content": _text_content(draw)}


def user_message(
    draw: st.DrawFn, *, images: bool, endpoint: Endpoint, require_image: bool = False
) -> JSON:
    with_image = require_image or (images and draw(st.booleans()))
    if not with_image:
        return {"role": "user", "content": _text_content(draw)}
    texts_first = draw(_CAPTIONS)
    urls = draw(_IMAGE_URL_LISTS)
    pictures = [image_item(url) for url in urls]
    if endpoint == "compat":
        for picture in pictures:
            if draw(st.booleans()):
                picture["image_url"]["detail"] = draw(st.sampled_from(("auto", "low", "high")))
    items = [text_item(text) for text in texts_first] + pictures
    return {"role": "user", "content": draw(st.permutations(items))}


def tool_message(draw: st.DrawFn, *, tool_call_id: str) -> JSON:
    return {"role": "tool", "tool_call_id": tool_call_id, "content": _text_content(draw)}


def assistant_text_message(draw: st.DrawFn, *, endpoint: Endpoint) -> JSON:
    if endpoint == "compat":
        return {"role": "assistant", "content": _text_content(draw)}
    text = draw(texts())
    # Clients often send the previous completion_message back unchanged: object content,
    # stop_reason and an empty tool_calls list.
    message: JSON = {
        "role": "assistant",
        "content": text_item(text) if draw(st.booleans()) else text,
    }
    if draw(st.booleans()):
        message["stop_reason"] = draw(st.sampled_from(("stop", "length")))
    if draw(st.booleans()):
        message["tool_calls"] = []
    return message


def assistant_tool_call_message(
    draw: st.DrawFn, *, endpoint: Endpoint, calls: Sequence[tuple[str, str, str]]
) -> JSON:
    """An assistant message calling `calls`, each `(id, function name, arguments JSON text)`."""
    tool_calls: list[JSON] = []
    for ident, name, arguments in calls:
        call: JSON = {"id": ident, "function": {"name": name, "arguments": arguments}}
        if endpoint == "compat" or draw(st.booleans()):  # "type" is optional on native
            call = {"id": ident, "type": "function", "function": call["function"]}
        tool_calls.append(call)
    message: JSON = {"role": "assistant", "tool_calls": tool_calls}
    if endpoint == "native":
        content = draw(st.sampled_from(("absent", "object", "string")))
        if content == "object":
            message["content"] = text_item("")
        elif content == "string":
            message["content"] = ""
        if draw(st.booleans()):
            message["stop_reason"] = "tool_calls"
    else:  # OpenAI clients send back choices[0].message, whose content is null with tool calls
        content = draw(st.sampled_from(("absent", "null", "string")))
        if content != "absent":
            message["content"] = None if content == "null" else ""
    return message


def draw_calls(
    draw: st.DrawFn, declared: Sequence[Mapping[str, Any]], *, first_index: int
) -> list[tuple[str, str, str]]:
    """One or two calls of declared functions, with arguments valid for their parameters."""
    chosen = draw(st.lists(st.sampled_from(list(declared)), min_size=1, max_size=2))
    calls = []
    for offset, tool in enumerate(chosen):
        function = tool["function"]
        arguments = arguments_for(draw, function.get("parameters"))
        calls.append((call_id(draw, first_index + offset), function["name"], arguments))
    return calls


@st.composite
def _tool(draw: st.DrawFn, name: str) -> JSON:
    function: JSON = {"name": name}
    if draw(st.booleans()):
        function["description"] = draw(texts())
    if draw(st.integers(0, 3)):
        function["parameters"] = draw(object_schemas())
    if draw(st.integers(0, 3)) == 0:
        function["strict"] = draw(st.booleans())
    return {"type": "function", "function": function}


def tools(*, min_size: int = 1, max_size: int = 3) -> st.SearchStrategy[list[JSON]]:
    """Tool definitions with unique function names and small valid `parameters` schemas."""
    low, high = check_sizes("min_size", min_size, "max_size", max_size, lowest=0, highest=MAX_TOOLS)
    names = st.lists(tool_names(), min_size=low, max_size=high, unique=True)
    return names.flatmap(lambda drawn: st.tuples(*(_tool(name) for name in drawn)).map(list))


def _message_of_role(draw: st.DrawFn, role: str, *, images: bool, endpoint: Endpoint) -> JSON:
    if role == "system":
        return system_message(draw)
    if role == "user":
        return user_message(draw, images=images, endpoint=endpoint)
    if role == "tool":
        return tool_message(draw, tool_call_id=call_id(draw, 0))
    if draw(st.booleans()):
        return assistant_text_message(draw, endpoint=endpoint)
    declared = draw(tools(min_size=1, max_size=2))
    return assistant_tool_call_message(
        draw, endpoint=endpoint, calls=draw_calls(draw, declared, first_index=0)
    )


def messages(
    *, role: str | None = None, images: bool = False, endpoint: str = "native"
) -> st.SearchStrategy[JSON]:
    """One message, valid on its own (a tool message answers an id of its own making)."""
    if role is not None and role not in ROLES:
        raise InvalidArgument(f"role={role!r}; expected None or one of {', '.join(ROLES)}")
    check_flag("images", images, optional=False)
    where = check_endpoint(endpoint)

    @st.composite
    def one(draw: st.DrawFn) -> JSON:
        chosen = role if role is not None else draw(st.sampled_from(ROLES))
        return _message_of_role(draw, chosen, images=images, endpoint=where)

    return one()


def build_conversation(
    draw: st.DrawFn,
    *,
    min_turns: int,
    max_turns: int,
    declared: Sequence[Mapping[str, Any]],
    images: bool,
    require_image: bool,
    endpoint: Endpoint,
) -> list[JSON]:
    """Optional system message, then turns of user -> (tool round) -> assistant; the last turn
    ends with the user message or with the tool results, where the model speaks next."""
    conversation: list[JSON] = [system_message(draw)] if draw(st.booleans()) else []
    turns = draw(st.integers(min_turns, max_turns))
    calls_made = 0
    for turn in range(turns):
        last = turn == turns - 1
        conversation.append(
            user_message(
                draw, images=images, endpoint=endpoint, require_image=require_image and last
            )
        )
        if len(declared) > 0 and draw(st.booleans()):
            calls = draw_calls(draw, declared, first_index=calls_made)
            calls_made += len(calls)
            conversation.append(assistant_tool_call_message(draw, endpoint=endpoint, calls=calls))
            conversation.extend(tool_message(draw, tool_call_id=ident) for ident, _, _ in calls)
        if not last:
            conversation.append(assistant_text_message(draw, endpoint=endpoint))
    return conversation


def _check_declared(value: object) -> list[Mapping[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, Sequence) or isinstance(value, str):
        raise InvalidArgument(f"tools={value!r}; expected None or a list of tool definitions")
    for index, tool in enumerate(value):
        function = tool.get("function") if isinstance(tool, Mapping) else None
        if not isinstance(function, Mapping) or not isinstance(function.get("name"), str):
            raise InvalidArgument(
                f"tools[{index}]={tool!r}; expected "
                "{'type': 'function', 'function': {'name': ...}}"
            )
    return list(value)


def conversations(
    *,
    min_turns: int = 1,
    max_turns: int = 4,
    tools: Sequence[Mapping[str, Any]] | None = None,
    images: bool = False,
    endpoint: str = "native",
) -> st.SearchStrategy[list[JSON]]:
    """Coherent message lists. With `tools` (definitions, e.g. drawn from `tools()`), assistant
    messages may call those functions and tool messages answer exactly those call ids."""
    low, high = check_sizes(
        "min_turns", min_turns, "max_turns", max_turns, lowest=1, highest=MAX_TURNS
    )
    declared = _check_declared(tools)
    check_flag("images", images, optional=False)
    where = check_endpoint(endpoint)

    @st.composite
    def conversation(draw: st.DrawFn) -> list[JSON]:
        return build_conversation(
            draw,
            min_turns=low,
            max_turns=high,
            declared=declared,
            images=images,
            require_image=False,
            endpoint=where,
        )

    return conversation()
