"""Rules a JSON Schema cannot say: tool calls answered, tools declared, schemas valid, images OK.

Every check reads the payload defensively (the schema may have failed) and skips what is not there,
so a plain text conversation costs one pass over its messages.
"""

from __future__ import annotations

import base64
import binascii
import copy
import json
import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import jsonschema_rs
from jsonschema import Draft4Validator, Draft6Validator, Draft202012Validator, FormatChecker
from jsonschema.exceptions import best_match
from jsonschema.validators import extend, validator_for

from contract.models import MODELS, find_model, takes_images
from contract.reading import ReadError, parse_json
from contract.validate.explain import show
from contract.violations import Violation, json_pointer

Parts = Sequence[str | int]

_DATA_URL = re.compile(r"data:(?P<mime>[^;,]*)(?P<params>(?:;[^;,]*)*),(?P<data>.*)", re.DOTALL)
_IMAGE_MIME = re.compile(r"image/[a-z0-9][a-z0-9.+-]*", re.IGNORECASE)


def request_findings(payload: dict[str, Any], *, kind: str = "chat") -> list[Violation]:
    """Semantic findings of a chat (or moderation) request, native or compat alike."""
    found: list[Violation] = []
    model = payload.get("model")
    if kind == "chat" and isinstance(model, str) and model and find_model(model) is None:
        known = ", ".join(m.id for m in MODELS)
        found.append(
            Violation(
                "model.unknown",
                "/model",
                f"{show(model)} is not a model the Llama API served; known models: {known}",
                "warning",
            )
        )
    messages = payload.get("messages")
    if isinstance(messages, list):
        found.extend(_message_findings(messages, model if isinstance(model, str) else None))
    tools, tool_choice = payload.get("tools"), payload.get("tool_choice")
    if tools is not None or tool_choice is not None:
        found.extend(_tool_findings(tools, tool_choice))
    response_format = payload.get("response_format")
    if isinstance(response_format, dict) and response_format.get("type") == "json_schema":
        json_schema = response_format.get("json_schema")
        if isinstance(json_schema, dict) and isinstance(json_schema.get("schema"), dict):
            where = ["response_format", "json_schema", "schema"]
            found.extend(
                schema_problems(json_schema["schema"], where, "response_format.schema.invalid")
            )
    return found


def _message_findings(messages: list[Any], model: str | None) -> list[Violation]:
    found: list[Violation] = []
    call_ids: list[str | None] = []
    images: list[Parts] = []
    for i, message in enumerate(messages):
        if not isinstance(message, dict):
            continue
        role = message.get("role")
        if role == "assistant":
            calls = message.get("tool_calls")
            if isinstance(calls, list) and calls:
                found.extend(_tool_call_findings(calls, i, call_ids))
        elif role == "tool":
            answered = message.get("tool_call_id")
            # A call without a string id (the schema reports it) may be the one answered here.
            if isinstance(answered, str) and answered not in call_ids and None not in call_ids:
                earlier = (
                    f"earlier calls: {_names(call_ids)}" if call_ids else "no call came before"
                )
                found.append(
                    Violation(
                        "tool_result.unanswered",
                        json_pointer(["messages", i, "tool_call_id"]),
                        f"tool_call_id {show(answered)} answers no tool call of an earlier "
                        f"assistant message; {earlier}",
                    )
                )
        elif role == "user" and isinstance(message.get("content"), list):
            for k, item in enumerate(message["content"]):
                if isinstance(item, dict) and item.get("type") == "image_url":
                    images.append(["messages", i, "content", k])
                    image_url = item.get("image_url")
                    url = image_url.get("url") if isinstance(image_url, dict) else None
                    if isinstance(url, str):
                        found.extend(image_url_findings(url, [*images[-1], "image_url", "url"]))
    if images and model is not None and not takes_images(model):
        found.append(
            Violation(
                "image.unsupported_model",
                json_pointer(images[0]),
                f"{len(images)} image(s) sent to {show(model)}, which takes no images; "
                "use a Llama-4 model or send text only",
            )
        )
    return found


def _tool_call_findings(calls: list[Any], i: int, call_ids: list[str | None]) -> list[Violation]:
    found: list[Violation] = []
    for j, call in enumerate(calls):
        if not isinstance(call, dict):
            call_ids.append(None)
            continue
        call_ids.append(call["id"] if isinstance(call.get("id"), str) else None)
        function = call.get("function")
        arguments = function.get("arguments") if isinstance(function, dict) else None
        if isinstance(arguments, str) and not is_json_text(arguments):
            found.append(
                Violation(
                    "tool_call.arguments.not_json",
                    json_pointer(["messages", i, "tool_calls", j, "function", "arguments"]),
                    f"arguments {show(arguments)} are not JSON text; send the arguments object "
                    'encoded as JSON, e.g. "{\\"city\\": \\"Paris\\"}"',
                )
            )
    return found


def _tool_findings(tools: Any, tool_choice: Any) -> list[Violation]:
    found: list[Violation] = []
    declared: list[str | None] = []  # None: a tool without a readable name (the schema says why)
    for j, tool in enumerate(tools if isinstance(tools, list) else []):
        function = tool.get("function") if isinstance(tool, dict) else None
        name = function.get("name") if isinstance(function, dict) else None
        if not isinstance(name, str):
            declared.append(None)
        else:
            if name in declared:
                found.append(
                    Violation(
                        "tools.duplicate_name",
                        json_pointer(["tools", j, "function", "name"]),
                        f"a second tool named {show(name)}; tool names must be unique",
                    )
                )
            declared.append(name)
        parameters = function.get("parameters") if isinstance(function, dict) else None
        if isinstance(parameters, dict):
            where: list[str | int] = ["tools", j, "function", "parameters"]
            found.extend(schema_problems(parameters, where, "tools.parameters.invalid_schema"))
    if tool_choice is None or tool_choice == "none":
        return found
    if tools is None or tools == []:
        if tool_choice in ("auto", "required") or isinstance(tool_choice, dict):
            found.append(
                Violation(
                    "tool_choice.without_tools",
                    "/tool_choice",
                    f"tool_choice is {show(tool_choice)} but no tools are given; "
                    "declare tools or use 'none'",
                )
            )
        return found
    function = tool_choice.get("function") if isinstance(tool_choice, dict) else None
    named = function.get("name") if isinstance(function, dict) else None
    if isinstance(named, str) and named not in declared and None not in declared:
        found.append(
            Violation(
                "tool_choice.undeclared",
                "/tool_choice/function/name",
                f"tool_choice names {show(named)}, which is not among the tools: "
                f"{_names(declared) or 'none is named'}",
            )
        )
    return found


def schema_problems(schema: dict[str, Any], parts: Parts, rule: str) -> list[Violation]:
    """One violation if `schema` is not a valid JSON Schema (per its `$schema`, else 2020-12)."""
    try:
        key = json.dumps(schema, sort_keys=True)
    except (TypeError, ValueError):
        return []  # not JSON data at all; the request schema reports what is wrong
    except RecursionError:
        key = ""
    problem = _metaschema_problem(key) if key else ((), "it nests too deeply to check")
    if problem is None:
        return []
    where, message = problem
    return [Violation(rule, json_pointer([*parts, *where]), f"not a valid JSON Schema: {message}")]


@lru_cache(maxsize=8)
def _schema_formats(cls: Any) -> FormatChecker:
    """The draft's format checker, but a "regex" is what `ecma_regex` accepts."""
    checker: FormatChecker = copy.copy(cls.FORMAT_CHECKER)
    checker.checkers = {**checker.checkers, "regex": (ecma_regex, ())}
    return checker


def ecma_regex(pattern: object) -> bool:
    """Whether `pattern` is a regular expression the mock's validator (jsonschema-rs, whose
    dialect is ECMA-262's, as JSON Schema says) compiles, as a `pattern` or a `patternProperties`
    key: `\\p{Lu}` and `(?<name>...)` are; RE2's `\\C` and `\\Q...\\E` are not. One definition
    for the contract and the mock, so that a schema the contract calls valid is one the mock
    reads (Python's `re` and RE2 each accept patterns ECMA-262 does not)."""
    return not isinstance(pattern, str) or _compiles(pattern)  # the metaschema's "type" says


@lru_cache(maxsize=1024)
def _compiles(pattern: str) -> bool:
    try:
        jsonschema_rs.validator_for({"pattern": pattern, "patternProperties": {pattern: True}})
    except ValueError:  # its ValidationError, or a lone surrogate (no UTF-8 text)
        return False
    return True


@lru_cache(maxsize=8)
def _metaschema_checker(cls: Any) -> Any:
    """The checker of schemas of `cls`'s draft. Draft 4's metaschema leaves patternProperties
    keys unchecked (draft 6 made them regexes); the mock's validator compiles them whatever the
    draft, so here they are checked too."""
    meta, checker_cls = cls.META_SCHEMA, cls
    if cls is Draft4Validator:
        meta = copy.deepcopy(meta)
        meta["id"] = "https://llama-api-contract.invalid/draft-04"  # so "#" means this copy
        del meta["$schema"]  # which would check the subschemas with the plain draft 4 class
        meta["properties"]["patternProperties"]["propertyNames"] = {"format": "regex"}
        names = Draft6Validator.VALIDATORS["propertyNames"]
        checker_cls = extend(cls, {"propertyNames": names})  # type: ignore[no-untyped-call]
    return checker_cls(meta, format_checker=_schema_formats(cls))


@lru_cache(maxsize=512)
def _metaschema_problem(schema_text: str) -> tuple[tuple[str | int, ...], str] | None:
    # Cached on the canonical text: a conversation sends the same tools with every turn.
    schema = json.loads(schema_text)
    dialect = schema.get("$schema")
    cls: Any = Draft202012Validator
    if isinstance(dialect, str):
        cls = validator_for(schema, default=Draft202012Validator)
    try:
        error = best_match(_metaschema_checker(cls).iter_errors(schema))
    except RecursionError:
        return (), "it nests too deeply to check"
    if error is None:
        return None
    where, message = tuple(error.absolute_path), error.message[:200]
    if error.validator == "format" and error.validator_value == "regex":
        if where[-1:] == ("patternProperties",) and isinstance(error.instance, str):
            where += (error.instance,)  # the key itself, not the whole object
        message = f"{error.message[:160]}: JSON Schema patterns are ECMA-262 regular expressions"
    return where, message


def image_url_findings(url: str, parts: Parts) -> list[Violation]:
    """Problems of one image URL: the scheme, and for data URLs the MIME type and base64 data."""
    scheme = url.split(":", 1)[0].lower() if ":" in url else ""
    where = json_pointer(parts)
    if scheme == "https":
        return []
    if scheme != "data":
        found = f"scheme {show(scheme)}" if scheme else f"{show(url, limit=40)} (no scheme)"
        return [
            Violation(
                "image.url.scheme",
                where,
                f"an image URL with {found}; use an https:// URL or a data:image/...;base64 URL",
            )
        ]
    problem = _data_url_problem(url)
    return [Violation("image.data_url.malformed", where, problem)] if problem else []


def _data_url_problem(url: str) -> str | None:
    match = _DATA_URL.fullmatch("data:" + url[5:])
    if match is None:
        return "a data URL needs the form data:image/<type>;base64,<data> (no ',' found)"
    mime, params, data = match["mime"], match["params"], match["data"]
    if not _IMAGE_MIME.fullmatch(mime):
        return f"the data URL's MIME type is {show(mime)}; an image/* type is required"
    if params.lower().split(";")[-1] != "base64":
        return "the data URL is not base64 encoded; write data:<mime>;base64,<data>"
    if not data:
        return "the data URL carries no data after 'base64,'"
    try:
        base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError) as exc:
        return f"the data URL's data is not valid base64 ({exc})"
    return None


def is_json_text(text: str) -> bool:
    try:
        parse_json(text)
    except ReadError:
        return False
    return True


def _names(names: Sequence[str | None]) -> str:
    return ", ".join(show(name) for name in names)
