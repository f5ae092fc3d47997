"""Fault values checked: one fault with typed parameters (`FaultSpec`), built by `make_fault`.

The same checks serve scenario files (`fault:` in a step), the `x-mock-fault` request header, the
admin API (and the pytest marker, which uses it) and chaos mode, against the one table of
`contract.scenarios.fault_kinds`, so a fault means the same thing and has the same bounds wherever
it is written. Its text form and its JSON Schema are in `contract.scenarios.fault_forms`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from contract.scenarios.fault_kinds import (
    FAULT_KINDS,
    MAX_DELAY_MS,
    MAX_HEADER_CHARS,
    MAX_TEXT_CHARS,
    MAX_TIMES,
    MAX_TOKENS_PER_SECOND,
    MIN_TOKENS_PER_SECOND,
    FaultKind,
    FaultRole,
    Param,
    ParamKind,
    ParamValue,
)
from contract.validate.explain import clip, json_type_name, show
from contract.violations import did_you_mean

__all__ = [
    "FAULT_KINDS",
    "MAX_DELAY_MS",
    "MAX_HEADER_CHARS",
    "MAX_TEXT_CHARS",
    "MAX_TIMES",
    "MAX_TOKENS_PER_SECOND",
    "MIN_TOKENS_PER_SECOND",
    "FaultError",
    "FaultKind",
    "FaultRole",
    "FaultSpec",
    "Param",
    "ParamKind",
    "ParamValue",
    "allowed",
    "check_fault_set",
    "check_times",
    "described",
    "make_fault",
    "unknown_fault_message",
]

# What a header value may hold as an integer or a number: plain ASCII decimal, nothing Python's
# int() and float() also take ("1_000", " 7", "nan", "inf", "٣").
_INT_TEXT = re.compile(r"-?[0-9]+")
_MAX_NUMBER_TEXT = 50  # characters, as a number literal in a JSON body (docs/server.md, Limits)
_NUMBER_TEXT = re.compile(r"-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


class FaultError(ValueError):
    """A fault text or parameter is wrong; `key` names the parameter ("" for the fault name)."""

    def __init__(self, message: str, *, fault: str = "", key: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.fault = fault
        self.key = key


@dataclass(frozen=True, slots=True)
class FaultSpec:
    """One fault with validated, typed parameters (defaults filled in; unset optional ones
    absent)."""

    name: str
    params: tuple[tuple[str, ParamValue], ...] = ()

    @property
    def kind(self) -> FaultKind:
        return FAULT_KINDS[self.name]

    def get(self, key: str, default: Any = None) -> Any:
        return next((value for name, value in self.params if name == key), default)

    def __contains__(self, key: object) -> bool:
        return any(name == key for name, _ in self.params)

    def number(self, key: str) -> float | None:
        value = self.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        return None

    def integer(self, key: str, default: int = 0) -> int:
        value = self.get(key)
        return value if isinstance(value, int) and not isinstance(value, bool) else default

    def text(self, key: str) -> str | None:
        value = self.get(key)
        return value if isinstance(value, str) else None

    def __str__(self) -> str:
        parts = [self.name]
        for key, value in self.params:
            parts.append(f"{key}={_format_value(value)}")
        return "; ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, **dict(self.params)}


def _format_value(value: ParamValue) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value)
    # Quoted whenever reading it back unquoted would change it: a separator, a quote or a
    # backslash, or whitespace (the reader strips it from the ends of a bare value).
    if not text or any(ch in ';,"=\\' or ch.isspace() for ch in text):
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return text


def unknown_fault_message(name: str) -> str:
    names = sorted(FAULT_KINDS)
    hint = did_you_mean(name, names)  # ends in "?" when there is one
    return (f"unknown fault {clip(name)!r}{hint}{' ' if hint else '. '}Known faults: "
            + ", ".join(names))


def allowed(param: Param) -> str:
    """What a parameter takes, said the same way wherever it is refused."""
    if param.choices:
        return "one of " + ", ".join(_format_value(choice) for choice in param.choices)
    if param.kind == "bool":
        return "true or false"
    if param.kind == "string":
        if param.header:
            return f"1 to {param.max_chars:,} visible ASCII characters (it is sent as a header)"
        return f"text of 1 to {param.max_chars:,} characters"
    noun = "an integer" if param.kind == "int" else "a number"
    ranges = param.ranges()
    if not ranges:
        return noun
    above = "above" if param.exclusive_minimum else "from"
    to = "and at most" if param.exclusive_minimum else "to"
    spans = [f"{_bound(low)} {to} {_bound(high)}" for low, high in ranges]
    listed = ", ".join(spans[:-1]) + " or " + spans[-1] if len(spans) > 1 else spans[0]
    return f"{noun} {above} {listed}"


def _bound(value: float) -> str:
    """A bound as a person reads it: 1/60 is 0.01667, not 0.016666666666666666."""
    return str(int(value)) if float(value).is_integer() else f"{value:.4g}"


def _refused(param: Param, fault: str, got: str, note: str = "") -> FaultError:
    return FaultError(f"{fault}: {param.name} must be {allowed(param)}, got {got}{note}",
                      fault=fault, key=param.name)


def _coerce_text(param: Param, raw: str, fault: str) -> ParamValue:
    """A header value (always text) to the parameter's type."""
    if param.kind == "int":
        # int() of thousands of digits is slow, then a ValueError; JSON bodies have the same bound.
        if len(raw) > _MAX_NUMBER_TEXT or not _INT_TEXT.fullmatch(raw):
            note = param.note if _NUMBER_TEXT.fullmatch(raw) else ""
            raise _refused(param, fault, repr(clip(raw)), note)
        return int(raw)
    if param.kind == "number":
        if len(raw) > _MAX_NUMBER_TEXT or not _NUMBER_TEXT.fullmatch(raw):
            raise _refused(param, fault, repr(clip(raw)))
        value = float(raw)
        return int(value) if math.isfinite(value) and value.is_integer() else value
    if param.kind == "bool":
        lowered = raw.lower()
        if lowered not in ("true", "false"):
            raise _refused(param, fault, repr(clip(raw)))
        return lowered == "true"
    return raw


def described(value: object) -> str:
    """A value of a JSON document for a message: its JSON type and a cut rendering."""
    return "null" if value is None else f"{json_type_name(value)} {show(value)}"


def _check_type(param: Param, value: object, fault: str) -> ParamValue:
    ok = {
        "int": isinstance(value, int) and not isinstance(value, bool),
        "number": isinstance(value, int | float) and not isinstance(value, bool),
        "string": isinstance(value, str),
        "bool": isinstance(value, bool),
    }[param.kind]
    if not ok:
        raise _refused(param, fault, described(value),
                       param.note if isinstance(value, float) else "")
    if isinstance(value, float) and not math.isfinite(value):
        raise _refused(param, fault, f"{value} (not a finite number)")
    assert isinstance(value, int | float | str | bool)
    return value


def _text_problem(param: Param, text: str) -> str | None:
    if not text:
        return "is empty"
    if len(text) > param.max_chars:
        return f"has {len(text):,} characters"
    if param.header and not all(" " <= char <= "~" for char in text):
        return "holds a character that is not visible ASCII"
    if any("\ud800" <= char <= "\udfff" for char in text):
        return "holds a lone surrogate"
    return None


def _check_bounds(param: Param, value: ParamValue, fault: str) -> None:
    def fail(why: str) -> FaultError:
        return FaultError(f"{fault}: {param.name}={clip(_format_value(value))} {why}",
                          fault=fault, key=param.name)

    if param.choices and value not in param.choices:
        raise fail("is not allowed; choose " + allowed(param))
    if isinstance(value, str):
        problem = _text_problem(param, value)
        if problem is not None:
            raise FaultError(f"{fault}: {param.name}={clip(value, limit=60)!r} {problem}; it must "
                             f"be {allowed(param)}", fault=fault, key=param.name)
        return
    if isinstance(value, bool):
        return
    low, high = param.minimum, param.maximum
    if low is not None and (value < low or (param.exclusive_minimum and value == low)):
        raise fail("is too small; it must be " + (allowed(param) if param.gaps else (
            f"{'above' if param.exclusive_minimum else 'at least'} {_bound(low)}")))
    if high is not None and value > high:
        raise fail("is too large; it must be " + (
            allowed(param) if param.gaps else f"at most {_bound(high)}"))
    for gap in param.gaps:  # the first gap that holds the value says why
        if gap.low <= value <= gap.high:
            raise fail(f"is refused: {gap.why}; it must be {allowed(param)}")


def make_fault(name: str, params: Mapping[str, object], *, textual: bool = False) -> FaultSpec:
    """Validate `params` for the fault `name` and fill in defaults.

    `textual=True` when values come from a header (strings to convert); otherwise values must have
    the parameter's JSON type already (as in a scenario file). Raises `FaultError` naming the key.
    """
    kind = FAULT_KINDS.get(name)
    if kind is None:
        raise FaultError(unknown_fault_message(name), fault=name)
    values: dict[str, ParamValue] = {}
    for key, raw in params.items():
        param = kind.param(key)
        if param is None:
            known = [p.name for p in kind.params]
            takes = ("takes " + ", ".join(known)) if known else "takes no parameters"
            raise FaultError(
                f"{name}: unknown parameter {clip(key)!r}{did_you_mean(key, known)} ({name} {takes})",
                fault=name, key=key,
            )
        value = _check_type(param, _coerce_text(param, str(raw), name) if textual else raw, name)
        _check_bounds(param, value, name)
        values[key] = value
    for param in kind.params:
        if param.name not in values and param.default is not None:
            values[param.name] = param.default
    _check_combination(name, values, given=set(params))
    order = [p.name for p in kind.params]
    return FaultSpec(name, tuple(sorted(values.items(), key=lambda item: order.index(item[0]))))


def _check_combination(name: str, values: dict[str, ParamValue], *, given: set[str]) -> None:
    if name != "latency":
        return
    distribution = values["distribution"]
    wanted = {"fixed": {"ms"}, "uniform": {"min_ms", "max_ms"}, "lognormal": {"median_ms"}}
    needs = wanted[str(distribution)]
    for key in sorted(needs - given):
        raise FaultError(f"latency: distribution {distribution} needs {key}", fault=name, key=key)
    allowed_keys = needs | {"distribution"}
    if distribution == "lognormal":
        allowed_keys |= {"sigma", "cap_ms"}
    for key in sorted(given - allowed_keys):
        raise FaultError(
            f"latency: {key} does not apply to distribution {distribution} (it takes "
            + ", ".join(sorted(needs)) + ")", fault=name, key=key,
        )
    if distribution == "uniform" and float(values["min_ms"]) > float(values["max_ms"]):
        raise FaultError("latency: min_ms is larger than max_ms", fault=name, key="min_ms")
    if distribution != "lognormal":
        values.pop("sigma", None)
        values.pop("cap_ms", None)


def check_fault_set(specs: tuple[FaultSpec, ...]) -> None:
    """Faults applied together: each name once, and at most one that replaces the answer."""
    seen: set[str] = set()
    for spec in specs:
        if spec.name in seen:
            raise FaultError(f"the fault {spec.name} is given twice", fault=spec.name)
        seen.add(spec.name)
    replacing = [spec.name for spec in specs if spec.kind.role == "replace"]
    if len(replacing) > 1:
        raise FaultError(
            "at most one fault may replace the answer; got " + " and ".join(replacing),
            fault=replacing[1],
        )


def check_times(value: object) -> int:
    """How many requests a standing fault applies to (admin API `times`, `llama_fault(times=)`)."""
    if not isinstance(value, int) or isinstance(value, bool):
        got = described(value)
    elif 1 <= value <= MAX_TIMES:
        return value
    else:
        got = f"{value:,}"
    raise FaultError(f"times must be an integer from 1 to {MAX_TIMES:,} (leave it out: until "
                     f"deleted), got {got}", key="times")
