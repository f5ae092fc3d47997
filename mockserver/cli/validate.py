"""Validate a request, response, stream chunk or whole stream (JSON, or JSONL one per line).

Exit status: 0 conforms (warnings allowed), 1 violations, 2 the input could not be read.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from mockserver.cli.arguments import non_empty_path, reader_gone

if TYPE_CHECKING:
    from contract.validate.documents import Endpoint, ResponseKind
    from contract.violations import ValidationResult, Violation

EXIT_OK, EXIT_VIOLATIONS, EXIT_UNREADABLE = 0, 1, 2
DONE = "[DONE]"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE", type=non_empty_path,
                        help="the document to check; '-' reads stdin")  # fmt: skip
    parser.add_argument(
        "--kind",
        choices=("auto", "request", "response", "chunk", "stream"),
        default="auto",
        help="what the input is (default: detected from its fields; JSONL of chunks is a stream)",
    )
    parser.add_argument(
        "--endpoint",
        choices=("native", "compat"),
        default=None,
        help="the API the document belongs to (default: compat for OpenAI-shaped documents, "
        "else native)",
    )
    parser.add_argument(
        "--strict", action="store_true", help="unknown fields and models are errors"
    )
    parser.add_argument("--format", choices=("text", "json"), default="text")


class Unreadable(Exception):
    """The input cannot be validated at all; the message says why (and on which line)."""


@dataclass(frozen=True)
class Record:
    line: int | None  # None for a single JSON document
    value: Any  # a dict, or "[DONE]" in a stream


def _read_bytes(name: str) -> bytes:
    try:
        return sys.stdin.buffer.read() if name == "-" else Path(name).read_bytes()
    except OSError as exc:
        raise Unreadable(f"cannot read it: {exc.strerror or exc}") from None


def _read_error(exc: Exception, line: int | None = None) -> Unreadable:
    violation: Violation = exc.violation  # type: ignore[attr-defined]
    where = f"line {line}: " if line is not None else ""
    return Unreadable(f"{where}{violation.message} [{violation.rule}]")


def _parse_line(text: str, line: int) -> Any:
    from contract.reading import ReadError, parse_json

    body = text.strip()
    if body.startswith("data:"):
        body = body[5:].strip()
    if body == DONE:
        return DONE
    try:
        value = parse_json(body)
    except ReadError as exc:
        raise _read_error(exc, line) from None
    if not isinstance(value, dict):
        found = _type_name(value)
        raise Unreadable(f"line {line}: a JSON {found}, not an object [body.not_object]")
    return value


def read_records(data: bytes) -> list[Record]:
    """One record for a JSON document; one per non-blank line for JSONL (or `data:` lines)."""
    from contract.reading import ReadError, parse_json

    if not data.strip():
        raise Unreadable("empty: no JSON document in it (invalid JSON) [json.invalid]")
    try:
        value = parse_json(data)
    except ReadError as exc:
        whole_error = exc
    else:
        if not isinstance(value, dict):
            raise Unreadable(f"the document is a JSON {_type_name(value)}, not an object "
                             "[body.not_object]")  # fmt: skip
        return [Record(None, value)]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise _read_error(whole_error) from None
    lines = [(n, line) for n, line in enumerate(text.splitlines(), 1) if line.strip()]
    if not lines or (len(lines) == 1 and not lines[0][1].lstrip().startswith("data:")):
        raise _read_error(whole_error)
    try:
        first = _parse_line(lines[0][1], lines[0][0])
    except Unreadable:
        raise _read_error(whole_error) from None
    return [Record(lines[0][0], first)] + [Record(n, _parse_line(line, n)) for n, line in lines[1:]]


def _type_name(value: Any) -> str:
    from contract.validate.explain import json_type_name

    return json_type_name(value)


# What tells the two request dialects apart: fields and values one request schema defines and the
# other does not (contract/schemas/native-chat-request.json, compat-chat-request.json). A tool
# call's "type": "function" is in both, so it tells nothing; nor does `max_tokens`, which the Llama
# API's own native example sends (the seed page): such a request stays native, with the warning
# that names max_completion_tokens.
_COMPAT_FIELDS = ("stream_options",)
# OpenAI request fields that NEITHER schema defines: they suggest an OpenAI client, so the compat
# endpoint, but the compat contract does not take them either (its `x-tolerated` says what the mock
# does with each; they are reported as unknown fields). The note says so.
_OPENAI_FIELDS = ("n", "logprobs", "top_logprobs", "stop", "seed", "frequency_penalty",
                  "presence_penalty", "logit_bias", "parallel_tool_calls", "metadata", "store",
                  "service_tier", "reasoning_effort", "modalities", "prediction", "audio",
                  "functions", "function_call")  # fmt: skip
_NATIVE_FIELDS = ("top_k", "repetition_penalty")


def _message_clues(messages: Any) -> tuple[list[str], list[str]]:
    compat: list[str] = []
    native: list[str] = []
    for index, message in enumerate(messages if isinstance(messages, list) else []):
        if not isinstance(message, dict):
            continue
        where = f"/messages/{index}"
        if "name" in message:
            compat.append(f"{where}/name")
        content = message.get("content", "")
        items = content if isinstance(content, list) else []
        for number, item in enumerate(items):
            image = item.get("image_url") if isinstance(item, dict) else None
            if isinstance(image, dict) and "detail" in image:
                compat.append(f"{where}/content/{number}/image_url/detail")
        if message.get("role") != "assistant":
            continue
        if content is None:
            compat.append(f"{where}/content (null)")
        elif isinstance(content, list):
            compat.append(f"{where}/content (an array)")
        elif isinstance(content, dict):
            native.append(f"{where}/content (an object)")
        if "refusal" in message:
            compat.append(f"{where}/refusal")
        if "stop_reason" in message:
            native.append(f"{where}/stop_reason")
    return compat, native


def openai_clues(document: dict[str, Any]) -> list[str]:
    """JSON Pointers to the OpenAI fields of a request that neither dialect defines."""
    return [f"/{name}" for name in _OPENAI_FIELDS if name in document]


def request_clues(document: dict[str, Any]) -> tuple[list[str], list[str]]:
    """(compat clues, native clues) of a request: JSON Pointers to what only one dialect has,
    then (compat clues) to the OpenAI fields neither has (`openai_clues`)."""
    compat = [f"/{name}" for name in _COMPAT_FIELDS if name in document]
    native = [f"/{name}" for name in _NATIVE_FIELDS if name in document]
    from_messages = _message_clues(document.get("messages"))
    compat += from_messages[0]
    native += from_messages[1]
    response_format = document.get("response_format")
    schema = response_format.get("json_schema") if isinstance(response_format, dict) else None
    if isinstance(schema, dict):
        compat += [f"/response_format/json_schema/{k}" for k in ("description", "strict")
                   if k in schema]  # fmt: skip
    return compat + openai_clues(document), native


def _listed(clues: list[str]) -> str:
    shown = ", ".join(clues[:3])
    return shown + (f" and {len(clues) - 3} more" if len(clues) > 3 else "")


def _compat_why(compat: list[str], openai: list[str], *, taken: bool = True) -> str:
    """Why `compat` (request_clues, `openai` among them) point at the compat endpoint; `taken`
    adds that the compat contract does not take the OpenAI fields either."""
    only_compat = [clue for clue in compat if clue not in openai]
    reasons = [f"{_listed(only_compat)}, which only compat requests have"] if only_compat else []
    if openai:
        one = len(openai) == 1
        what = "an OpenAI field that suggests" if one else "OpenAI fields that suggest"
        reason = f"{_listed(openai)}, {what} an OpenAI client"
        if taken:
            reason += (" (the compat contract does not take it either: it is reported as an "
                       "unknown field)" if one else " (the compat contract does not take them "
                       "either: they are reported as unknown fields)")  # fmt: skip
        reasons.append(reason)
    return ", and ".join(reasons)


def request_endpoint(document: Any) -> tuple[Endpoint, str]:
    """The endpoint a request is checked against when --endpoint is not given, and a note that
    says why and how to choose."""
    compat, native = request_clues(document) if isinstance(document, dict) else ([], [])
    openai = openai_clues(document) if compat else []
    if compat and not native:
        return "compat", (f"checked as compat (the OpenAI-compatible endpoint) because of "
                          f"{_compat_why(compat, openai)}; pass --endpoint native to check it "
                          "as native")  # fmt: skip
    if native and not compat:
        return "native", (f"checked as native because of {_listed(native)}, which only native "
                          "requests have; pass --endpoint compat to check it as compat")  # fmt: skip
    if native:
        why = (f"it has both {_compat_why(compat, openai, taken=False)}, and {_listed(native)}, "
               "which only native ones have")  # fmt: skip
    else:
        why = "nothing in it is only native or only compat"
    return "native", (f"checked as native, assumed ({why}); pass --endpoint compat to check it "
                      "as compat (the OpenAI-compatible endpoint), --endpoint native to "
                      "choose native")  # fmt: skip


def detect(document: Any) -> tuple[str, str | None, str]:
    """(kind, endpoint or None, response kind) of a document, from the fields it has."""
    obj = document.get("object") if isinstance(document, dict) else None
    if not isinstance(document, dict):
        return ("stream", None, "") if document == DONE else ("unknown", None, "")
    if "messages" in document:
        return "request", None, "chat"  # which endpoint: `request_endpoint`, with its note
    if "event" in document:
        return "chunk", "native", "chunk"
    if obj == "chat.completion.chunk":
        return "chunk", "compat", "chunk"
    if "choices" in document:
        return "response", "compat", "chat"
    if "completion_message" in document:
        return "response", "native", "chat"
    if "data" in document:
        return "response", None, "models"
    if obj == "model":
        return "response", None, "model"
    if "results" in document:
        return "response", "native", "moderation"
    if "error" in document:
        return "response", "compat", "error"
    if "title" in document or "status" in document:
        return "response", "native", "error"
    return "unknown", None, ""


def _validate_one(
    record: Record, args: argparse.Namespace
) -> tuple[str, ValidationResult, str | None]:
    """(label, result, the note that says which endpoint a request was assumed to be for)."""
    from contract import validate_request, validate_response

    kind, endpoint, response_kind = detect(record.value)
    if args.kind in ("request", "response", "chunk"):
        kind = args.kind
        response_kind = "chunk" if kind == "chunk" else (response_kind or "chat")
    if kind == "unknown":
        where = f"line {record.line}: " if record.line is not None else ""
        raise Unreadable(f"{where}cannot tell whether this is a request, a response or a stream "
                         "chunk; pass --kind")  # fmt: skip
    note = None
    if kind == "request" and args.endpoint is None:
        endpoint, note = request_endpoint(record.value)
    endpoint = cast("Endpoint", args.endpoint or endpoint or "native")
    if response_kind == "chunk" and record.value == DONE:
        raise Unreadable(f"line {record.line}: [DONE] outside a stream; pass --kind stream")
    if kind == "request":
        result = validate_request(record.value, endpoint=endpoint, strict=args.strict)
        return f"{endpoint} request", result, note
    result = validate_response(
        record.value, endpoint=endpoint, kind=cast("ResponseKind", response_kind)
    )
    label = f"{endpoint} {response_kind} {'' if kind == 'chunk' else 'response'}".strip()
    return label, result, None


def _validate_stream(
    records: list[Record], args: argparse.Namespace
) -> tuple[str, list[Violation]]:
    from contract import validate_stream

    first = next((r.value for r in records if isinstance(r.value, dict)), None)
    endpoint = cast("Endpoint", args.endpoint or detect(first)[1] or "native")
    result = validate_stream([r.value for r in records], endpoint=endpoint)
    lines = [r.line for r in records]
    found = [v.at_line(lines[v.line - 1] or v.line) if v.line else v for v in result.violations]
    return f"{endpoint} stream", found


def _grouped_notes(notes: dict[str, list[int | None]]) -> list[str]:
    """One line per note; the lines of a JSONL file it is about first (five at most)."""
    found = []
    for note, lines in notes.items():
        numbers = [str(line) for line in lines if line is not None]
        if not numbers:
            found.append(note)
            continue
        more = f" and {len(numbers) - 5} more" if len(numbers) > 5 else ""
        shown = ", ".join(numbers[:5]) + more
        found.append(f"line{'s' if len(numbers) > 1 else ''} {shown}: {note}")
    return found


def validate(
    records: list[Record], args: argparse.Namespace
) -> tuple[str, list[Violation], list[str]]:
    """(label, findings, notes: which endpoint requests were checked against, and why)."""
    is_stream = args.kind == "stream" or (
        args.kind == "auto"
        and records[0].line is not None
        and all(detect(r.value)[0] in ("chunk", "stream") for r in records)
    )
    if is_stream:
        return (*_validate_stream(records, args), [])
    labels: list[str] = []
    found: list[Violation] = []
    notes: dict[str, list[int | None]] = {}
    for record in records:
        label, result, note = _validate_one(record, args)
        labels.append(label)
        found.extend(v.at_line(record.line) if record.line else v for v in result.violations)
        if note is not None:
            notes.setdefault(note, []).append(record.line)
    return (labels[0] if len(set(labels)) == 1 else "documents"), found, _grouped_notes(notes)


def run(args: argparse.Namespace) -> int:
    try:
        records = read_records(_read_bytes(args.file))
        label, found, notes = validate(records, args)
    except Unreadable as exc:
        from contract.validate.explain import clip

        problem = f"{'stdin' if args.file == '-' else clip(args.file, limit=100)}: {exc}"
        if args.format == "json":
            print(json.dumps({"ok": False, "readable": False, "error": problem}))
        print(f"llama-contract validate: {problem}", file=sys.stderr)
        return EXIT_UNREADABLE
    errors = sum(1 for v in found if v.severity == "error")
    try:
        _print(found, label, errors, args, notes)
    except BrokenPipeError:  # `| head` has read what it wants: the verdict is still the status
        reader_gone()
    return EXIT_VIOLATIONS if errors else EXIT_OK


def _print(
    found: list[Violation], label: str, errors: int, args: argparse.Namespace, notes: list[str]
) -> None:
    if args.format == "json":
        report = {"ok": not errors, "readable": True, "kind": label, "notes": notes,
                  "violations": [v.to_dict() for v in found]}  # fmt: skip
        print(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        for violation in found:  # a warning says so; a line without a prefix is an error
            print(f"warning: {violation}" if violation.severity == "warning" else violation)
        sys.stdout.flush()  # the findings first: a stdout that fails is then said alone
        warnings = len(found) - errors
        for note in notes:  # which endpoint a request was checked against, and why
            print(f"note: {note}", file=sys.stderr)
        verdict = f"{errors} error(s)" if errors else "conforms"
        print(f"{label}: {verdict}, {warnings} warning(s)", file=sys.stderr)
    sys.stdout.flush()
