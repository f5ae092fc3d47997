"""The mock checking itself: every answer validated against the contract it serves."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from functools import cache

import jsonschema

from contract import validate_response, validate_stream
from contract.schemas import load_schema
from contract.violations import ValidationResult, Violation
from mockserver.state.journal import JournalEntry

_KINDS = {"chat": "chat", "models": "models", "model": "model", "moderations": "moderation"}


@cache
def _error_validator(dialect: str) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(load_schema(f"{dialect}-error"))


def check_body(entry: JournalEntry, status: int, body: bytes) -> ValidationResult | None:
    """Validate a whole JSON answer; None when the endpoint has no contract (health, admin...)."""
    kind = _KINDS.get(entry.endpoint)
    if status >= 400:
        try:
            document = json.loads(body)
        except ValueError:
            return ValidationResult((Violation("json.invalid", "", "the error body is not JSON"),))
        return ValidationResult(
            tuple(
                Violation("field.type", "/" + "/".join(map(str, e.absolute_path)), e.message)
                for e in _error_validator(entry.dialect).iter_errors(document)
            )
        )
    if kind is None or not body:
        return None
    try:
        document = json.loads(body)
    except ValueError:
        return ValidationResult((Violation("json.invalid", "", "the answer is not JSON"),))
    return validate_response(document, endpoint=entry.dialect, kind=kind)  # type: ignore[arg-type]


def checked_stream(
    records: Iterable[bytes], entry: JournalEntry, problems: list[str]
) -> Iterator[bytes]:
    """Pass a stream through while collecting its records; validate the whole stream at its end."""
    payloads: list[str] = []
    complete = False
    try:
        for record in records:
            text = record.decode("utf-8", "replace")
            payloads.extend(
                line.removeprefix("data: ")
                for line in text.split("\n")
                if line.startswith("data: ")
            )
            yield record
        complete = True
    finally:
        if complete:
            result = validate_stream(payloads, endpoint=entry.dialect)  # type: ignore[arg-type]
            record_problems(entry, result, problems)


def record_problems(
    entry: JournalEntry, result: ValidationResult | None, problems: list[str]
) -> None:
    if result is None:
        return
    entry.extra["answer_validation"] = result.to_dict()
    # A fault injected on purpose (truncated stream, malformed JSON...) breaks the contract by design.
    if entry.fault is None and len(problems) < 200:
        problems.extend(
            f"{entry.method} {entry.path} -> {entry.status}: {violation}"
            for violation in result
            if violation.severity == "error"
        )
