"""Validate a request, response, stream chunk or whole stream (JSON, or JSONL one per line).

A file that is not one JSON document is JSONL when it has more than one non-blank line and its
first line, or more than half of its lines, hold a JSON document: then a line that holds none (a
truncated log line) is a finding on that line and the other lines are still checked; otherwise it
is one broken document, unreadable (mockserver/cli/validate_input.py reads the input).

Exit status: 0 conforms (warnings allowed), 1 violations, 2 the input could not be read.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any, cast

from contract.reading import DEFAULT_MAX_BODY_BYTES
from contract.validate.detect import DONE, detect, request_endpoint
from mockserver.cli.arguments import non_empty_path, reader_gone
from mockserver.cli.validate_input import Record, Unreadable, read_bytes, read_records

if TYPE_CHECKING:
    from contract.validate.documents import Endpoint, ResponseKind
    from contract.violations import ValidationResult, Violation

EXIT_OK, EXIT_VIOLATIONS, EXIT_UNREADABLE = 0, 1, 2
_CHUNKS_ALONE = ("stream chunks among other documents, each checked alone: their order and end "
                 "are checked in a file of one stream (only its chunks, or --kind stream)")


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
        records = read_records(read_bytes(name))
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
