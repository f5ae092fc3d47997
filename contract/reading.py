"""Reading a JSON document safely: strict JSON only, bounded depth and number size, clear errors."""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any

from contract.violations import Violation

DEFAULT_MAX_DEPTH = 64
DEFAULT_MAX_BODY_BYTES = 20 * 1024 * 1024  # the mock refuses larger request bodies (413)
DEFAULT_MAX_NUMBER_DIGITS = 40
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


class ReadError(ValueError):
    """The input could not be read as a JSON document; `violation` says why and where."""

    def __init__(self, violation: Violation) -> None:
        super().__init__(str(violation))
        self.violation = violation


def _fail(rule: str, message: str, path: str = "") -> ReadError:
    return ReadError(Violation(rule, path, message))


def _reject_constant(name: str) -> Any:
    raise _fail("json.invalid", f"{name} is not valid JSON; send a finite number or null")


@cache
def _decoder(max_number_digits: int) -> json.JSONDecoder:
    def parse_int(literal: str) -> int:
        if len(literal.lstrip("-")) > max_number_digits:
            raise _fail(
                "json.number_too_large",
                f"an integer of {len(literal)} digits; at most {max_number_digits} are accepted",
            )
        return int(literal)

    def parse_float(literal: str) -> float:
        if len(literal) > max_number_digits + 10:
            raise _fail(
                "json.number_too_large",
                f"a number literal of {len(literal)} characters; at most {max_number_digits + 10}",
            )
        value = float(literal)
        if value in (float("inf"), float("-inf")):
            raise _fail("json.number_too_large", f"the number {literal[:20]} overflows a double")
        return value

    return json.JSONDecoder(
        parse_int=parse_int, parse_float=parse_float, parse_constant=_reject_constant
    )


def parse_json(
    data: bytes | str,
    *,
    max_depth: int = DEFAULT_MAX_DEPTH,
    max_number_digits: int = DEFAULT_MAX_NUMBER_DIGITS,
) -> Any:
    """Parse strict JSON text; raise `ReadError` for anything else.

    Rejects invalid UTF-8, NaN/Infinity, numbers longer than `max_number_digits`, lone UTF-16
    surrogates (they cannot be written back as UTF-8) and nesting deeper than `max_depth`.
    """
    if isinstance(data, bytes | bytearray):
        try:
            text = bytes(data).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise _fail(
                "json.invalid", f"the body is not valid UTF-8 (byte {exc.start}: {exc.reason})"
            ) from None
    else:
        text = data
    if text.startswith("\ufeff"):
        text = text[1:]

    decoder = _decoder(max_number_digits)
    try:
        value = decoder.decode(text)
    except ReadError:
        raise
    except RecursionError:
        raise _fail("json.too_deep", f"the JSON nests deeper than {max_depth} levels") from None
    except json.JSONDecodeError as exc:
        said = exc.msg[:-3] + " there" if exc.msg.endswith(" at") else exc.msg  # "...starting at"
        raise _fail(
            "json.invalid", f"invalid JSON at line {exc.lineno} column {exc.colno}: {said}"
        ) from None
    except ValueError as exc:  # e.g. Python's own int-digits limit
        raise _fail("json.invalid", f"invalid JSON: {exc}") from None
    # Nesting can be no deeper than the number of opening brackets: most bodies skip the walk.
    if text.count("[") + text.count("{") > max_depth:
        _check_depth(value, max_depth)
    if "\\u" in text and _SURROGATE_ESCAPE.search(text):  # most bodies have no escape at all
        _check_surrogates(value)
    return value


def _check_depth(value: Any, max_depth: int) -> None:
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children: Any = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        if depth > max_depth:
            raise _fail("json.too_deep", f"the JSON nests deeper than {max_depth} levels")
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))


def _check_surrogates(value: Any) -> None:
    stack: list[Any] = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, str):
            try:
                node.encode("utf-8")
            except UnicodeEncodeError:
                raise _fail(
                    "json.invalid",
                    "a string holds a lone UTF-16 surrogate escape (\\ud800-\\udfff)",
                ) from None
        elif isinstance(node, dict):
            stack.extend(node.keys())
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
