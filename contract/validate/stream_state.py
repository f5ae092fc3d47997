"""What validating a stream needs of each record and keeps between records."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from contract.reading import ReadError, parse_json
from contract.validate.documents import Endpoint, not_an_object, validate_response
from contract.validate.explain import show
from contract.validate.request_rules import is_json_text
from contract.violations import Violation

DONE = "[DONE]"


def read_record(record: Any) -> Any:
    """A record as a chunk dict, the string "[DONE]", or anything else found; raises ReadError."""
    if isinstance(record, bytes | bytearray):
        try:
            record = bytes(record).decode("utf-8")
        except UnicodeDecodeError:
            return parse_json(bytes(record))  # raises the read error that says where
    if isinstance(record, str):
        text = record.strip()
        if text.startswith("data:"):
            text = text[5:].strip()
        return DONE if text == DONE else parse_json(text)
    return record


def chunk_findings(chunk: dict[str, Any], line: int, *, endpoint: Endpoint) -> list[Violation]:
    """Schema and token-count findings of one chunk, marked with its record number."""
    return [v.at_line(line) for v in validate_response(chunk, endpoint=endpoint, kind="chunk")]


@dataclass
class ToolCallParts:
    """One streamed tool call: where it started, and its argument fragments."""

    line: int
    path: str
    id: str
    arguments: list[str] = field(default_factory=list)


@dataclass
class StreamState(ABC):
    """What both kinds of stream track: findings, ids and streamed tool calls."""

    found: list[Violation] = field(default_factory=list)
    last_line: int = 0
    chunks: int = 0
    first_id: str | None = None
    calls: dict[Any, ToolCallParts] = field(default_factory=dict)
    last_call: Any = None

    def run(self, records: Iterable[Any]) -> None:
        """Read every record in order, hand each chunk to `chunk`, then check the whole in `end`."""
        for line, record in enumerate(records, start=1):
            self.last_line = line
            if self.skip(line):
                continue
            try:
                chunk = read_record(record)
            except ReadError as exc:
                self.found.append(exc.violation.at_line(line))
                continue
            if chunk == DONE:
                self.done(line)
            elif not isinstance(chunk, dict):
                self.found.extend(v.at_line(line) for v in not_an_object(chunk, "stream chunk"))
            else:
                self.chunk(line, chunk)
        self.end()

    def skip(self, line: int) -> bool:
        """True to pass over record `line` unread (what follows a compat stream's [DONE])."""
        return False

    @abstractmethod
    def done(self, line: int) -> None:
        """The end-of-stream record ([DONE]) at `line`."""

    @abstractmethod
    def chunk(self, line: int, chunk: dict[str, Any]) -> None:
        """One parsed chunk object at `line`."""

    @abstractmethod
    def end(self) -> None:
        """Check the stream as a whole once every record was read."""

    def add(self, line: int, rule: str, path: str, message: str) -> None:
        self.found.append(Violation(rule, path, message, line=line))

    def check_id(self, line: int, chunk: dict[str, Any]) -> None:
        chunk_id = chunk.get("id")
        if not isinstance(chunk_id, str):
            return
        if self.first_id is None:
            self.first_id = chunk_id
        elif chunk_id != self.first_id:
            self.add(
                line,
                "stream.id.inconsistent",
                "/id",
                f"id {show(chunk_id)} differs from {show(self.first_id)} of the first chunk",
            )

    def tool_call_delta(
        self, line: int, key: Any, call_id: Any, name: Any, arguments: Any, where: str
    ) -> None:
        """Record one streamed tool call fragment; `key` tells which call a fragment continues."""
        fragment = arguments if isinstance(arguments, str) else ""
        current = self.calls.get(key) if key is not None else None
        if current is not None:
            current.arguments.append(fragment)
            return
        if key is None:
            key = ("line", line)
        if not isinstance(call_id, str) or not isinstance(name, str):
            missing = " and ".join(
                label
                for label, value in (("id", call_id), ("function.name", name))
                if not isinstance(value, str)
            )
            self.add(
                line,
                "stream.tool_call.incomplete",
                where,
                f"the first delta of a tool call has no {missing}; it must carry id and "
                "function.name",
            )
        call_name = call_id if isinstance(call_id, str) else "?"
        self.calls[key] = ToolCallParts(line, f"{where}/function/arguments", call_name, [fragment])
        self.last_call = key

    def check_tool_arguments(self) -> None:
        for call in self.calls.values():
            joined = "".join(call.arguments)
            if not is_json_text(joined):
                self.add(
                    call.line,
                    "stream.tool_call.incomplete",
                    call.path,
                    f"the arguments of tool call {show(call.id)} join to {show(joined)}, "
                    "which is not JSON text",
                )
