"""Two other forms of the fault vocabulary: the text of headers, and the JSON Schema of files.

The text form is `NAME; key=value; key=value`, several faults separated by commas:
`latency; ms=200, http_error`. Values may be double-quoted to hold `;` or `,`:
`http_error; message="busy, retry"`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from contract.scenarios.faults import (
    FAULT_KINDS,
    FaultError,
    FaultSpec,
    Param,
    check_fault_set,
    make_fault,
)


def _split_top(text: str, separator: str) -> list[str]:
    """Split on `separator` outside double quotes; a backslash escapes inside quotes."""
    parts: list[str] = []
    current: list[str] = []
    quoted = escaped = False
    for ch in text:
        if escaped:
            current.append(ch)
            escaped = False
        elif quoted and ch == "\\":
            current.append(ch)
            escaped = True
        elif ch == '"':
            current.append(ch)
            quoted = not quoted
        elif ch == separator and not quoted:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    if quoted:
        raise FaultError("an opening double quote is never closed")
    parts.append("".join(current))
    return parts


def _unquote(raw: str) -> str:
    raw = raw.strip()
    if len(raw) >= 2 and raw[0] == raw[-1] == '"':
        out: list[str] = []
        escaped = False
        for ch in raw[1:-1]:
            if escaped:
                out.append(ch)
                escaped = False
            elif ch == "\\":
                escaped = True
            else:
                out.append(ch)
        return "".join(out)
    return raw


def parse_fault_text(text: str) -> FaultSpec:
    """Parse one fault written as `NAME; key=value; ...`."""
    pieces = _split_top(text, ";")
    name = pieces[0].strip()
    if not name:
        raise FaultError("no fault name; write NAME; key=value; ... (e.g. http_error; status=503)")
    params: dict[str, str] = {}
    for piece in pieces[1:]:
        if not piece.strip():
            continue
        key, sep, raw = piece.partition("=")
        key = key.strip()
        if not sep or not key:
            raise FaultError(f"{name}: {piece.strip()!r} is not key=value", fault=name,
                             key=key if not sep else "")
        if key in params:
            raise FaultError(f"{name}: {key} is given twice", fault=name, key=key)
        params[key] = _unquote(raw)
    return make_fault(name, params, textual=True)


def parse_fault_list(text: str) -> tuple[FaultSpec, ...]:
    """Parse comma-separated faults (how repeated HTTP headers are joined), checked together."""
    specs = tuple(parse_fault_text(part) for part in _split_top(text, ",") if part.strip())
    if not specs:
        raise FaultError("no fault given")
    check_fault_set(specs)
    return specs


def _param_schema(param: Param) -> dict[str, Any]:
    schema: dict[str, Any] = {
        "type": {"int": "integer", "number": "number", "string": "string", "bool": "boolean"}[
            param.kind
        ],
        "description": param.summary,
    }
    if param.choices:
        schema["enum"] = list(param.choices)
    elif param.kind == "string":
        schema.update(minLength=1, maxLength=param.max_chars)
    if param.minimum is not None:
        schema["exclusiveMinimum" if param.exclusive_minimum else "minimum"] = param.minimum
    if param.maximum is not None:
        schema["maximum"] = param.maximum
    if param.gaps:  # the bounds of what is left, and each piece
        ranges = param.ranges()
        schema.update(minimum=ranges[0][0], maximum=ranges[-1][1])
        schema["anyOf"] = [{"minimum": low, "maximum": high} for low, high in ranges]
    if param.default is not None:
        schema["default"] = param.default
    return schema


def object_param_problem(item: object, key: object) -> FaultError | None:
    """What `make_fault` says of the value of parameter `key` of the fault object `item`, if it
    refuses it: a scenario file gets the words a header or the admin API gets for that value."""
    if not isinstance(item, Mapping) or not isinstance(key, str) or key not in item:
        return None
    name = item.get("name")
    kind = FAULT_KINDS.get(name) if isinstance(name, str) else None
    if kind is None or kind.param(key) is None:
        return None
    try:
        make_fault(kind.name, {key: item[key]})
    except FaultError as exc:
        return exc if exc.key == key else None
    return None


def fault_schema_defs() -> dict[str, Any]:
    """The `$defs` of the scenario schema that describe faults, generated from the vocabulary."""
    names = sorted(FAULT_KINDS)
    defs: dict[str, Any] = {
        "fault_object": {
            "type": "object",
            "description": "A fault as an object: its name and its parameters.",
            "required": ["name"],
            "properties": {"name": {"enum": names}},
            "allOf": [
                {
                    "if": {"required": ["name"], "properties": {"name": {"const": name}}},
                    "then": {"$ref": f"#/$defs/fault_{name}"},
                }
                for name in names
            ],
        }
    }
    for name in names:
        kind = FAULT_KINDS[name]
        properties: dict[str, Any] = {"name": {"const": name}}
        properties.update({param.name: _param_schema(param) for param in kind.params})
        defs[f"fault_{name}"] = {
            "description": kind.summary + (" (streams only)" if kind.stream_only else ""),
            "properties": properties,
            "additionalProperties": False,
        }
    return defs
