"""The fault vocabulary: every fault name, its parameters (type, default, bounds) and their checks.

One vocabulary serves scenario files (`fault:` in a step), the `x-mock-fault` request header, the
admin API and chaos mode, so a fault means the same thing wherever it is written. Its text form
and its JSON Schema are in `contract.scenarios.fault_forms`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from contract.validate.explain import clip
from contract.violations import did_you_mean

ParamValue = int | float | str | bool
ParamKind = Literal["int", "number", "string", "bool"]
# What a fault does to the answer: replaces it, delays it, or rewrites a stream or the content.
FaultRole = Literal["replace", "delay", "stream", "content"]

# One minute: the longest any single wait may be (latency, stall, time to first token). A client
# that asks for more holds a server thread for nothing a test needs.
MAX_DELAY_MS = 60_000.0
# Slowest pace of a stream after its first token; slower paces (1e-9, 1e-300) meant sleeps of
# centuries or an OverflowError.
MIN_TOKENS_PER_SECOND = 1.0
MAX_TOKENS_PER_SECOND = 100_000.0


class FaultError(ValueError):
    """A fault text or parameter is wrong; `key` names the parameter ("" for the fault name)."""

    def __init__(self, message: str, *, fault: str = "", key: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.fault = fault
        self.key = key


@dataclass(frozen=True, slots=True)
class Param:
    name: str
    kind: ParamKind
    summary: str
    default: ParamValue | None = None
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[ParamValue, ...] = ()
    exclusive_minimum: bool = False
    header: bool = False  # a string sent as an HTTP header value: visible ASCII, bounded


@dataclass(frozen=True, slots=True)
class FaultKind:
    name: str
    role: FaultRole
    summary: str
    params: tuple[Param, ...] = ()
    stream_only: bool = False

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)


def _status(default: int, summary: str = "HTTP status of the answer (400-599)") -> Param:
    return Param("status", "int", summary, default, 400, 599)


def _delay(name: str, summary: str, default: float | None = None) -> Param:
    return Param(name, "number", summary, default, 0, MAX_DELAY_MS)


def _retry_after() -> tuple[Param, Param]:
    return (
        Param("retry_after", "number", "seconds, sent as the retry-after header", None, 0, 3600),
        Param("retry_after_ms", "number", "milliseconds, sent as the retry-after-ms header", None,
              0, 3_600_000),
    )


def _after(default: int, summary: str) -> Param:
    return Param("after", "int", summary, default, 0, 100_000)


FAULT_KINDS: dict[str, FaultKind] = {kind.name: kind for kind in (
    FaultKind("latency", "delay", "wait before answering", (
        Param("distribution", "string", "fixed, uniform or lognormal", "fixed",
              choices=("fixed", "uniform", "lognormal")),
        _delay("ms", "fixed: the delay in milliseconds"),
        _delay("min_ms", "uniform: the shortest delay"),
        _delay("max_ms", "uniform: the longest delay"),
        Param("median_ms", "number", "lognormal: the median delay", None, 0, MAX_DELAY_MS, (),
              True),
        Param("sigma", "number", "lognormal: spread (standard deviation of the log)", 0.5, 0, 5),
        _delay("cap_ms", "lognormal: never wait longer than this", 60_000.0),
    )),
    FaultKind("slow_stream", "stream", "pace a stream: time to first token, then tokens/second", (
        _delay("ttft_ms", "time to first token in milliseconds", 0.0),
        Param("tokens_per_second", "number", "pace after the first token", 20.0,
              MIN_TOKENS_PER_SECOND, MAX_TOKENS_PER_SECOND),
    ), stream_only=True),
    FaultKind("http_error", "replace", "answer with an HTTP error", (
        _status(500),
        Param("message", "string", "the error's detail text"),
        Param("body", "string", "a raw body sent verbatim instead of the contract's error body"),
        *_retry_after(),
        Param("should_retry", "bool", "sent as the x-should-retry header"),
    )),
    FaultKind("rate_limit", "replace", "answer 429 with the x-ratelimit-* headers at zero", (
        Param("retry_after", "number", "seconds, sent as the retry-after header", 1, 0, 3600),
        Param("retry_after_ms", "number", "milliseconds, sent as retry-after-ms", None, 0,
              3_600_000),
        Param("limit", "int", "the limit the headers report", 60, 1, 10_000_000),
        Param("kind", "string", "which budget ran out: requests or tokens", "requests",
              choices=("requests", "tokens")),
    )),
    FaultKind("fail_then_succeed", "replace",
              "fail the first N identical requests of a session, then answer normally", (
        Param("times", "int", "how many identical requests fail first", 1, 1, 100),
        _status(503),
        *_retry_after(),
    )),
    FaultKind("reset", "replace", "drop the connection without answering"),
    FaultKind("empty_response", "replace", "answer with an empty body", (
        Param("status", "int", "HTTP status of the empty answer", 200, 200, 599),
    )),
    FaultKind("malformed_json", "content", "send the JSON answer cut in half", (
        Param("status", "int", "HTTP status of the answer", 200, 200, 599),
    )),
    FaultKind("malformed_sse", "stream", "after N events, send a record that is not JSON", (
        _after(1, "good events before the broken record"),
    ), stream_only=True),
    FaultKind("truncate_stream", "stream",
              "after N events, drop the connection without finishing the body", (
        _after(3, "events sent before the connection drops"),
    ), stream_only=True),
    FaultKind("stream_error", "stream", "after N events, write an error line and end the stream", (
        _after(2, "events sent before the error line"),
        _status(500, "status named in the error line"),
        Param("message", "string", "the error's text", "the model failed mid-stream"),
    ), stream_only=True),
    FaultKind("stall", "delay", "go silent for a while (before answering, or after N events)", (
        _delay("ms", "how long to stay silent", 30_000.0),
        Param("after", "int", "stall after this many stream events; -1: before the answer", -1,
              -1, 100_000),
    )),
    FaultKind("redirect", "replace",
              "answer the first N identical requests with a redirect (307 as seen on compat)", (
        Param("status", "int", "redirect status", 307, choices=(301, 302, 303, 307, 308)),
        Param("times", "int", "how many identical requests are redirected", 1, 1, 100),
        Param("location", "string", "where to; default: the same path", header=True),
    )),
    FaultKind("tool_call_as_text", "content",
              "the model writes its tool call into the text instead of calling the tool", (
        Param("style", "string", "json ({\"name\":...,\"parameters\":...}) or pythonic "
              "([get_weather(city=\"Paris\")])", "json", choices=("json", "pythonic")),
    )),
)}


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
    if any(ch in text for ch in ';,"= ') or not text:
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return text


def unknown_fault_message(name: str) -> str:
    names = sorted(FAULT_KINDS)
    return (f"unknown fault {clip(name)!r}{did_you_mean(name, names)} Known faults: "
            + ", ".join(names))


def _coerce_text(param: Param, raw: str, fault: str) -> ParamValue:
    """A header value (always text) to the parameter's type."""
    def bad(expected: str) -> FaultError:
        return FaultError(f"{fault}: {param.name} must be {expected}, got {clip(raw)!r}",
                          fault=fault, key=param.name)

    if param.kind == "int":
        try:
            return int(raw)
        except ValueError:
            raise bad("an integer") from None
    if param.kind == "number":
        try:
            value = float(raw)
        except ValueError:
            raise bad("a number") from None
        return int(value) if math.isfinite(value) and value.is_integer() else value
    if param.kind == "bool":
        lowered = raw.lower()
        if lowered not in ("true", "false"):
            raise bad("true or false")
        return lowered == "true"
    return raw


def _check_type(param: Param, value: object, fault: str) -> ParamValue:
    expected = {"int": "an integer", "number": "a number", "string": "a string",
                "bool": "true or false"}[param.kind]
    ok = {
        "int": isinstance(value, int) and not isinstance(value, bool),
        "number": isinstance(value, int | float) and not isinstance(value, bool),
        "string": isinstance(value, str),
        "bool": isinstance(value, bool),
    }[param.kind]
    if not ok:
        raise FaultError(
            f"{fault}: {param.name} must be {expected}, got {type(value).__name__} {clip(repr(value))}",
            fault=fault, key=param.name,
        )
    if isinstance(value, float) and not math.isfinite(value):
        raise FaultError(f"{fault}: {param.name} must be finite", fault=fault, key=param.name)
    assert isinstance(value, int | float | str | bool)
    return value


def _check_bounds(param: Param, value: ParamValue, fault: str) -> None:
    def fail(why: str) -> FaultError:
        return FaultError(f"{fault}: {param.name}={clip(_format_value(value))} {why}",
                          fault=fault, key=param.name)

    if param.choices and value not in param.choices:
        raise fail("is not allowed; choose one of " + ", ".join(map(str, param.choices)))
    if param.header and isinstance(value, str) and not _header_value(value):
        raise FaultError(
            f"{fault}: {param.name} is sent as a header: it needs 1 to {MAX_HEADER_CHARS} "
            "visible ASCII characters (no line break or control character)",
            fault=fault, key=param.name,
        )
    if isinstance(value, bool) or not isinstance(value, int | float):
        return
    low, high = param.minimum, param.maximum
    if low is not None and (value < low or (param.exclusive_minimum and value == low)):
        raise fail(f"is too small; it must be {'above' if param.exclusive_minimum else 'at least'} "
                   f"{_format_value(low)}")
    if high is not None and value > high:
        raise fail(f"is too large; it must be at most {_format_value(high)}")


MAX_HEADER_CHARS = 2048


def _header_value(text: str) -> bool:
    return 0 < len(text) <= MAX_HEADER_CHARS and all(" " <= char <= "~" for char in text)


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
    allowed = needs | {"distribution"}
    if distribution == "lognormal":
        allowed |= {"sigma", "cap_ms"}
    for key in sorted(given - allowed):
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
