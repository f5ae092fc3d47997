"""Reading `llama-contract validate`'s input: one JSON document, or one document per line (JSONL,
or an event stream's `data:` lines).

A file that is not one JSON document is read line by line (lines end at "\n", "\r\n" or "\r") when
it has more than one non-blank line (or one `data:` line) and its first line, or more than half of
its non-blank lines, hold a JSON document (or a stream's [DONE]). Then a line that holds none (a
truncated log line, even the first, even one cut inside a UTF-8 character) is a finding on that
line, `json.invalid` with its column or `body.not_object`, and every other line is still checked.
Otherwise the file is one broken document (a pretty-printed one: few of its lines hold a document
of their own), unreadable with the parser's error.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from contract.validate.detect import DONE

if TYPE_CHECKING:
    from contract.violations import Violation

_SSE_FIELDS = ("event:", "id:", "retry:")
# The bytes are cut into lines before decoding, so a line cut inside a UTF-8 character spoils only
# itself. Not str.splitlines(): it also cuts at U+2028, U+2029 and U+0085, which a JSON string may
# hold raw, and would number the lines unlike an editor.
_LINE_END = re.compile(rb"\r\n|[\r\n]")


class Unreadable(Exception):
    """The input cannot be validated at all; the message says why (and on which line)."""


@dataclass(frozen=True)
class Record:
    line: int | None  # None for a single JSON document
    value: Any  # a dict, or "[DONE]" in a stream; None for a line that is no JSON document
    broken: Violation | None = None  # why a line of a JSONL file could not be read
    size: int = 0  # bytes: the whole file for one document, else the line's


def read_bytes(name: str) -> bytes:
    try:
        return sys.stdin.buffer.read() if name == "-" else Path(name).read_bytes()
    except OSError as exc:
        raise Unreadable(f"cannot read it: {exc.strerror or exc}") from None


def _read_error(exc: Exception) -> Unreadable:
    violation: Violation = exc.violation  # type: ignore[attr-defined]
    return Unreadable(f"{violation.message} [{violation.rule}]")


def _parse_line(raw: bytes, line: int) -> Record:
    """One line of a JSONL file: its document, or why it holds none (`Record.broken`)."""
    from contract.reading import ReadError, parse_json
    from contract.violations import Violation

    try:
        body = raw.decode("utf-8").strip()
    except UnicodeDecodeError as exc:
        message = f"not valid UTF-8 at byte {exc.start + 1} of the line ({exc.reason}): not JSON"
        return Record(line, None, Violation("json.invalid", "", message, line=line))
    if body.startswith(_SSE_FIELDS):
        raise Unreadable(f"line {line}: an SSE {body.split(':', 1)[0]!r} line; the Llama API's "
                         "streams carry only 'data:' lines [stream.framing]")  # fmt: skip
    if body.startswith("data:"):
        body = body[5:].strip()
    if body == DONE:
        return Record(line, DONE, size=len(raw))
    try:
        value = parse_json(body)
    except ReadError as exc:
        # the line's own "line 1" would name another line of the file
        message = exc.violation.message.replace(" at line 1 column ", " at column ", 1)
        return Record(line, None, Violation(exc.violation.rule, "", message, line=line))
    if not isinstance(value, dict):
        message = f"a JSON {_type_name(value)}, not an object"
        return Record(line, None, Violation("body.not_object", "", message, line=line))
    return Record(line, value, size=len(raw))


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
    # SSE comment lines (": keep-alive", a proxy's heartbeat) carry nothing: every client skips them
    lines = [(n, line) for n, line in enumerate(_LINE_END.split(data), 1)
             if line.strip() and not line.lstrip().startswith(b":")]  # fmt: skip
    if not lines or (len(lines) == 1 and not lines[0][1].lstrip().startswith(b"data:")):
        raise _read_error(whole_error)
    records = [_parse_line(line, n) for n, line in lines]  # an event stream's framing raises
    readable = sum(record.broken is None for record in records)
    if records[0].broken is not None and 2 * readable <= len(records):
        raise _read_error(whole_error)  # not JSONL: one broken document
    return records


def _type_name(value: Any) -> str:
    from contract.validate.explain import json_type_name

    return json_type_name(value)
