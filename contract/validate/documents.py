"""Validating requests and responses: compiled schemas decide, `jsonschema` explains, rules add.

The accept decision for a valid document is one call into jsonschema-rs. Request schemas forbid
unknown fields, so each is also compiled in a lenient variant without `additionalProperties: false`:
a request whose only problem is unknown fields (the seed request's `max_tokens`) is then settled by
jsonschema-rs too. Only a document with a real schema error pays for the pure-Python explanation.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any, Literal

import jsonschema_rs
from jsonschema.protocols import Validator

from contract.reading import DEFAULT_MAX_DEPTH, ReadError, parse_json
from contract.schemas import shared_schema
from contract.validate.explain import (
    ExplainingValidator,
    compiled_error_violations,
    explain,
    json_type_name,
    unknown_field,
    unknown_fields_compiled,
)
from contract.validate.nulls import tolerated_nulls, without_nulls
from contract.validate.request_rules import request_findings
from contract.validate.response_rules import response_rule_findings
from contract.violations import ValidationResult, Violation

Endpoint = Literal["native", "compat"]
RequestKind = Literal["chat", "moderation"]
ResponseKind = Literal["chat", "models", "model", "moderation", "error", "chunk"]

REQUEST_SCHEMAS: dict[tuple[str, str], str] = {
    ("native", "chat"): "native-chat-request",
    ("compat", "chat"): "compat-chat-request",
    ("native", "moderation"): "moderation-request",
}
RESPONSE_SCHEMAS: dict[tuple[str, str], str] = {
    ("native", "chat"): "native-chat-response",
    ("native", "chunk"): "native-stream-chunk",
    ("native", "error"): "native-error",
    ("native", "models"): "models-list",
    ("native", "model"): "model",
    ("native", "moderation"): "moderation-response",
    ("compat", "chat"): "compat-chat-response",
    ("compat", "chunk"): "compat-stream-chunk",
    ("compat", "error"): "compat-error",
    ("compat", "models"): "models-list",
    ("compat", "model"): "model",
}
# Keywords whose values are data, not subschemas: never rewritten by `lenient_variant`.
_DATA_KEYWORDS = frozenset({"enum", "const", "required", "x-rules", "x-tolerated", "examples"})
_SCHEMA_MAPS = frozenset({"properties", "patternProperties", "$defs", "dependentSchemas"})
_PLAIN_TOP_LEVEL = frozenset(
    {"$defs", "$id", "$schema", "additionalProperties", "description", "properties", "required",
     "title", "type", "x-tolerated"}
)  # fmt: skip


def lenient_variant(node: Any) -> Any:
    """A copy of a schema with every `additionalProperties: false` removed."""
    if isinstance(node, list):
        return [lenient_variant(item) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "additionalProperties" and value is False:
            continue
        if key in _SCHEMA_MAPS and isinstance(value, dict):
            out[key] = {name: lenient_variant(sub) for name, sub in value.items()}
        elif key in _DATA_KEYWORDS:
            out[key] = value
        else:
            out[key] = lenient_variant(value)
    return out


@dataclass(frozen=True)
class CompiledSchema:
    """One contract schema, compiled for deciding and ready for explaining."""

    name: str
    schema: dict[str, Any]
    strict: Any  # a jsonschema_rs validator
    lenient: Any | None  # the same without additionalProperties: false (request schemas)
    explaining: Validator
    # Only `properties`, `required` and `additionalProperties: false` look at the top-level keys,
    # so extra top-level fields on an otherwise valid document are its only mistakes.
    plain_top_level: bool = False

    def is_valid(self, payload: Any) -> bool:
        return bool(self.strict.is_valid(payload))

    def findings(self, payload: Any) -> list[Violation]:
        """Schema violations of `payload`: none for a valid document, each mistake once."""
        try:
            top = self._top_level_unknown(payload) if self.plain_top_level else None
            if top is not None:
                return top
            if self.strict.is_valid(payload):
                return []
            if self.lenient is not None and self.lenient.is_valid(payload):
                unknown = unknown_fields_compiled(self.strict, self.schema, payload)
                if unknown is not None:
                    return unknown
        except (ValueError, TypeError, OverflowError, RecursionError):
            pass  # not plain JSON data (e.g. a Python set): the pure-Python validator says why
        found = explain(self.explaining, payload)
        return found or compiled_error_violations(self.strict, payload)


    def _top_level_unknown(self, payload: Any) -> list[Violation] | None:
        """The fast path for the common case (a client's extra top-level field, such as
        `max_tokens` on the native endpoint): the unknown fields when they are all at the top level,
        else None. (Other schemas find their unknown fields through `unknown_fields_compiled`.)"""
        properties = self.schema.get("properties")
        if not isinstance(payload, dict) or not isinstance(properties, dict):
            return None
        if payload.keys() <= properties.keys():
            return None
        known = {key: value for key, value in payload.items() if key in properties}
        if not self.strict.is_valid(known):
            return None
        return [_top_level_field(self.name, str(key)) for key in payload if key not in properties]


@lru_cache(maxsize=256)
def _top_level_field(schema_name: str, key: str) -> Violation:
    # Cached: a client sends the same extra field with every request.
    return unknown_field([], key, compiled_schema(schema_name).schema)


@cache
def compiled_schema(name: str) -> CompiledSchema:
    schema = shared_schema(name)
    lenient = lenient_variant(schema)
    return CompiledSchema(
        name=name,
        schema=schema,
        strict=jsonschema_rs.validator_for(schema),
        lenient=jsonschema_rs.validator_for(lenient) if lenient != schema else None,
        explaining=ExplainingValidator(schema),
        plain_top_level=schema.get("additionalProperties") is False
        and set(schema) <= _PLAIN_TOP_LEVEL,
    )


def _schema_name(table: dict[tuple[str, str], str], endpoint: str, kind: str) -> str:
    try:
        return table[(endpoint, kind)]
    except KeyError:
        choices = ", ".join(f"{e}/{k}" for e, k in table)
        raise ValueError(
            f"no schema for endpoint {endpoint!r} and kind {kind!r}; known: {choices}"
        ) from None


def _path_key(path: str) -> tuple[tuple[int, int, str], ...]:
    return tuple(
        (0, int(token), "") if token.isascii() and token.isdigit() else (1, 0, token) for token in path.split("/")[1:]
    )


def _covered(path: str, error_paths: set[str]) -> bool:
    return any(path == p or path.startswith(p + "/") for p in error_paths)


_NO_FINDINGS = ValidationResult()


def finish(
    schema_found: Iterable[Violation], rule_found: Iterable[Violation], *, strict: bool = False
) -> ValidationResult:
    """Merge findings: one violation per mistake, warnings made errors when strict, sorted by path.

    A rule finding inside a value the schema already rejected is dropped: it is the same mistake.
    """
    schema_found = list(schema_found)
    rule_found = list(rule_found)
    if not schema_found and not rule_found:
        return _NO_FINDINGS
    if len(schema_found) + len(rule_found) == 1:  # the common case: one unknown field, say
        (only,) = schema_found or rule_found
        return ValidationResult((only.as_error() if strict else only,))
    error_paths = {v.path for v in schema_found if v.severity == "error"}
    merged = schema_found + [v for v in rule_found if not _covered(v.path, error_paths)]
    seen: set[tuple[str, str, int | None]] = set()
    unique: list[Violation] = []
    for violation in merged:
        key = (violation.rule, violation.path, violation.line)
        if key not in seen:
            seen.add(key)
            unique.append(violation.as_error() if strict else violation)
    unique.sort(key=lambda v: (v.line if v.line is not None else -1, _path_key(v.path)))
    return ValidationResult(tuple(unique))


def not_an_object(payload: Any, what: str) -> ValidationResult:
    return ValidationResult(
        (
            Violation(
                "body.not_object", "", f"a {what} is a JSON object; found {json_type_name(payload)}"
            ),
        )
    )


def validate_request(
    payload: Any,
    *,
    endpoint: Endpoint = "native",
    strict: bool = False,
    kind: RequestKind = "chat",
) -> ValidationResult:
    """Check a request body (parsed JSON) against the contract of `endpoint`.

    Unknown fields and unknown models are warnings; `strict=True` makes them errors. On the compat
    endpoint an optional field sent as `null` is read as left out, with a warning (`nulls.py`).
    `kind="moderation"` checks a POST /v1/moderations body (native only).
    """
    name = _schema_name(REQUEST_SCHEMAS, endpoint, kind)
    if not isinstance(payload, dict):
        return not_an_object(payload, "request")
    compiled = compiled_schema(name)
    found = compiled.findings(payload)
    if found and endpoint == "compat" and kind == "chat":
        nulls = tolerated_nulls(payload)
        if nulls:  # judged as the same request without them, which is what the mock answers
            cleaned = without_nulls(payload)
            found = [*compiled.findings(cleaned), *nulls]
            return finish(found, request_findings(cleaned, kind=kind), strict=strict)
    return finish(found, request_findings(payload, kind=kind), strict=strict)


def validate_request_bytes(
    body: bytes | str,
    *,
    endpoint: Endpoint = "native",
    strict: bool = False,
    kind: RequestKind = "chat",
    max_depth: int = DEFAULT_MAX_DEPTH,
) -> ValidationResult:
    """Parse a raw body with `parse_json` and validate it; a read error is the one violation."""
    try:
        payload = parse_json(body, max_depth=max_depth)
    except ReadError as exc:
        return ValidationResult((exc.violation,))
    return validate_request(payload, endpoint=endpoint, strict=strict, kind=kind)


def validate_moderation_request(payload: Any, *, strict: bool = False) -> ValidationResult:
    """Check a POST /v1/moderations body."""
    return validate_request(payload, endpoint="native", strict=strict, kind="moderation")


def validate_response(
    payload: Any, *, endpoint: Endpoint = "native", kind: ResponseKind = "chat"
) -> ValidationResult:
    """Check a response body (parsed JSON) of `kind`: a chat completion, models list, model,
    moderation result, error body, or one stream chunk (see `validate_stream` for a whole stream).
    """
    name = _schema_name(RESPONSE_SCHEMAS, endpoint, kind)
    if not isinstance(payload, dict):
        return not_an_object(payload, "response")
    found = compiled_schema(name).findings(payload)
    return finish(found, response_rule_findings(payload, endpoint=endpoint, kind=kind))
