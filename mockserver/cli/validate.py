"""Validate a request, response, stream chunk or whole stream (JSON, or JSONL one per line).

A file is JSONL when it is not one JSON document and its first line is one: then a later line
that holds no document (a truncated log line) is a finding on that line, not the end of the
check.

Exit status: 0 conforms (warnings allowed), 1 violations, 2 the input could not be read.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from contract.reading import DEFAULT_MAX_BODY_BYTES
from contract.validate.detect import DONE, detect, request_endpoint
from mockserver.cli.arguments import non_empty_path, reader_gone

if TYPE_CHECKING:
    from contract.validate.documents import Endpoint, ResponseKind
    from contract.violations import ValidationResult, Violation

EXIT_OK, EXIT_VIOLATIONS, EXIT_UNREADABLE = 0, 1, 2
_CHUNKS_ALONE = ("stream chunks among other documents, each checked alone: their order and end "
                 "are checked in a file of one stream (only its chunks, or --kind stream)")
_SSE_FIELDS = ("event:", "id:", "retry:")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", metavar="FILE", type=non_empty_path, nargs="+",
                        help="the documents to check; '-' reads stdin; with several files, each "
                        "line says its file and the status is the worst")  # fmt: skip
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
    value: Any  # a dict, or "[DONE]" in a stream; None for a line that is no JSON document
    broken: Violation | None = None  # why a line of a JSONL file could not be read
    size: int = 0  # bytes: the whole file for one document, else the line's


def _read_bytes(name: str) -> bytes:
    try:
        return sys.stdin.buffer.read() if name == "-" else Path(name).read_bytes()
    except OSError as exc:
        raise Unreadable(f"cannot read it: {exc.strerror or exc}") from None


def _read_error(exc: Exception) -> Unreadable:
    violation: Violation = exc.violation  # type: ignore[attr-defined]
    return Unreadable(f"{violation.message} [{violation.rule}]")


def _parse_line(text: str, line: int) -> Record:
    """One line of a JSONL file: its document, or why it holds none (`Record.broken`)."""
    from contract.reading import ReadError, parse_json
    from contract.violations import Violation

    body = text.strip()
    if body.startswith(_SSE_FIELDS):
        raise Unreadable(f"line {line}: an SSE {body.split(':', 1)[0]!r} line; the Llama API's "
                         "streams carry only 'data:' lines [stream.framing]")  # fmt: skip
    if body.startswith("data:"):
        body = body[5:].strip()
    if body == DONE:
        return Record(line, DONE, size=len(text.encode("utf-8", "surrogatepass")))
    try:
        value = parse_json(body)
    except ReadError as exc:
        # the line's own "line 1" would name another line of the file
        message = exc.violation.message.replace(" at line 1 column ", " at column ", 1)
        return Record(line, None, Violation(exc.violation.rule, "", message, line=line))
    if not isinstance(value, dict):
        message = f"a JSON {_type_name(value)}, not an object"
        return Record(line, None, Violation("body.not_object", "", message, line=line))
    return Record(line, value, size=len(text.encode("utf-8", "surrogatepass")))


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
        return [Record(None, value, size=len(data))]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise _read_error(whole_error) from None
    # SSE comment lines (": keep-alive", a proxy's heartbeat) carry nothing: every client skips them
    lines = [(n, line) for n, line in enumerate(text.splitlines(), 1)
             if line.strip() and not line.lstrip().startswith(":")]  # fmt: skip
    if not lines or (len(lines) == 1 and not lines[0][1].lstrip().startswith("data:")):
        raise _read_error(whole_error)
    records = [_parse_line(line, n) for n, line in lines]  # an event stream's framing raises
    if records[0].broken is not None:  # JSONL starts with a document: else one broken document
        raise _read_error(whole_error)
    return records


def _type_name(value: Any) -> str:
    from contract.validate.explain import json_type_name

    return json_type_name(value)


def _validate_one(
    record: Record, args: argparse.Namespace
) -> tuple[str, ValidationResult, str | None]:
    """(label, result, the note that says which endpoint a request was assumed to be for)."""
    from contract import validate_request, validate_response
    from contract.violations import ValidationResult

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
    if record.value == DONE:
        raise Unreadable(f"line {record.line}: [DONE] outside a stream: a stream file holds only "
                         "a stream's chunks and its [DONE]; pass --kind stream to check the file "
                         "as one stream")  # fmt: skip
    if kind == "request":
        result = validate_request(record.value, endpoint=endpoint, strict=args.strict)
        if record.size > DEFAULT_MAX_BODY_BYTES:
            result = ValidationResult.of([_too_large(record.size), *result.violations])
        return f"{endpoint} request", result, note
    result = validate_response(
        record.value, endpoint=endpoint, kind=cast("ResponseKind", response_kind)
    )
    label = f"{endpoint} {response_kind} {'' if kind == 'chunk' else 'response'}".strip()
    return label, result, None


def _too_large(size: int) -> Violation:
    from contract.violations import Violation

    return Violation("body.too_large", "", (
        f"the request is {size:,} bytes; the mock refuses bodies over {DEFAULT_MAX_BODY_BYTES:,} "
        "bytes with a 413 (serve's default)"))  # fmt: skip


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
    """(label, findings, notes: which endpoint requests were checked against, and why). A line
    of a JSONL file that holds no document is a finding on that line; the others are checked."""
    broken = [record.broken for record in records if record.broken is not None]
    if broken:
        label, read, said = validate([r for r in records if r.broken is None], args)
        return label, sorted([*broken, *read], key=lambda v: v.line or 0), said
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
    mixed = len(set(labels)) > 1
    if mixed:
        for record, label in zip(records, labels, strict=True):
            if label.endswith(" chunk"):
                notes.setdefault(_CHUNKS_ALONE, []).append(record.line)
    return ("documents" if mixed else labels[0]), found, _grouped_notes(notes)


def run(args: argparse.Namespace) -> int:
    if len(args.files) == 1:
        return _run_one(args.files[0], args, prefix="", reports=None)
    reports: list[dict[str, Any]] = []
    status = max(_run_one(name, args, prefix=f"{_shown(name)}: ", reports=reports)
                 for name in args.files)  # fmt: skip
    if args.format == "json":
        try:
            print(json.dumps({"ok": status == EXIT_OK, "files": reports}, indent=2,
                             ensure_ascii=False))  # fmt: skip
        except BrokenPipeError:
            reader_gone()
    return status


def _shown(name: str) -> str:
    from contract.validate.explain import clip

    return "stdin" if name == "-" else clip(name, limit=100)


def _run_one(
    name: str, args: argparse.Namespace, *, prefix: str, reports: list[dict[str, Any]] | None
) -> int:
    """Check one file; its lines start with `prefix`. With `reports` (several files), its JSON
    report is added there instead of printed."""
    try:
        records = read_records(_read_bytes(name))
        label, found, notes = validate(records, args)
    except Unreadable as exc:
        problem = f"{_shown(name)}: {exc}"
        unreadable = {"ok": False, "readable": False, "error": problem}
        if args.format == "json" and reports is None:
            print(json.dumps(unreadable))
        elif reports is not None:
            reports.append({"file": name, **unreadable})
        print(f"llama-contract validate: {problem}", file=sys.stderr)
        return EXIT_UNREADABLE
    errors = sum(1 for v in found if v.severity == "error")
    if reports is not None and args.format == "json":
        reports.append({"file": name, **_json_report(found, label, errors, notes)})
        return EXIT_VIOLATIONS if errors else EXIT_OK
    try:
        _print(found, label, errors, args, notes, prefix)
    except BrokenPipeError:  # `| head` has read what it wants: the verdict is still the status
        reader_gone()
    return EXIT_VIOLATIONS if errors else EXIT_OK


def _json_report(
    found: list[Violation], label: str, errors: int, notes: list[str]
) -> dict[str, Any]:
    return {"ok": not errors, "readable": True, "kind": label, "notes": notes,
            "violations": [v.to_dict() for v in found]}  # fmt: skip


def _print(
    found: list[Violation], label: str, errors: int, args: argparse.Namespace, notes: list[str],
    prefix: str,
) -> None:  # fmt: skip
    if args.format == "json":
        print(json.dumps(_json_report(found, label, errors, notes), indent=2, ensure_ascii=False))
    else:
        for violation in found:  # a warning says so; a line without a prefix is an error
            said = f"warning: {violation}" if violation.severity == "warning" else str(violation)
            print(prefix + said)
        sys.stdout.flush()  # the findings first: a stdout that fails is then said alone
        warnings = len(found) - errors
        for note in notes:  # which endpoint a request was checked against, and why
            print(f"note: {prefix}{note}", file=sys.stderr)
        verdict = f"{errors} error(s)" if errors else "conforms"
        print(f"{prefix}{label}: {verdict}, {warnings} warning(s)", file=sys.stderr)
    sys.stdout.flush()
