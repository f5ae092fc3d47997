"""One request a server check sent, and what the server answered: the subject of server checks."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Literal

from contract.reading import ReadError, parse_json
from contract.violations import Violation

CaseKind = Literal["valid", "invalid"]
Endpoint = Literal["native", "compat"]


@dataclass
class SseRecords:
    """The `data:` payloads of an event stream, and how its framing broke the contract."""

    payloads: list[str] = field(default_factory=list)
    framing: list[Violation] = field(default_factory=list)


def parse_sse(body: bytes) -> SseRecords:
    """Split an event stream into records. The contract's framing: every record is one
    `data: <json>` line followed by a blank line; no `event:` or `id:` lines. A record of SSE
    comments only (`: keep-alive`, a proxy's heartbeat) is skipped with one warning: every SSE
    client ignores it, though the Llama API sent none."""
    out = SseRecords()
    text = body.decode("utf-8", errors="replace").replace("\r\n", "\n")
    blocks = text.split("\n\n")
    if blocks and blocks[-1].strip():
        out.framing.append(
            Violation(
                "stream.framing",
                "",
                f"the stream ends inside a record ({blocks[-1][:60]!r}); every record ends with "
                "a blank line",
                line=len(blocks),
            )
        )
    comments = 0
    for number, block in enumerate((b for b in blocks if b.strip()), start=1):
        lines = [line for line in block.split("\n") if line != ""]
        if all(line.startswith(":") for line in lines):
            comments += 1
            if comments == 1:
                out.framing.append(Violation(
                    "stream.framing", "", f"record {number} is an SSE comment "
                    f"({lines[0][:40]!r}): clients skip it, but the Llama API sent none",
                    "warning", line=number))  # fmt: skip
            continue
        data = [line for line in lines if line.startswith("data:")]
        others = [line for line in lines if not line.startswith("data:")]
        if others or len(data) != 1:
            found = others[0] if others else f"{len(data)} data lines"
            out.framing.append(
                Violation(
                    "stream.framing",
                    "",
                    f"record {number} holds {found[:80]!r}; a record is one 'data: <json>' line",
                    line=number,
                )
            )
        payload = data[0][5:] if len(data) == 1 else "\n".join(others or lines)
        out.payloads.append(payload[1:] if payload.startswith(" ") else payload)
    return out


@dataclass
class Exchange:
    """A request sent to the server under test and its answer (`status` None: no answer)."""

    case_id: str
    kind: CaseKind
    endpoint: Endpoint
    method: str
    url: str
    request_body: Any
    expected_rule: str | None = None  # the rule an invalid request breaks
    request_headers: dict[str, str] = field(default_factory=dict)
    status: int | None = None
    response_headers: dict[str, str] = field(default_factory=dict)  # lower-case names
    response_body: bytes = b""
    transport_error: str | None = None
    source: str = "generated"  # "generated" or "scenario NAME step STEP"

    @property
    def asked_stream(self) -> bool:
        return isinstance(self.request_body, dict) and self.request_body.get("stream") is True

    @property
    def is_stream(self) -> bool:
        """A successful answer to a streaming request: the body is an event stream."""
        return self.asked_stream and self.status is not None and 200 <= self.status < 300

    @property
    def content_type(self) -> str:
        return self.response_headers.get("content-type", "").split(";")[0].strip().lower()

    @cached_property
    def json_body(self) -> tuple[Any, Violation | None]:
        """The parsed body, or (None, the read error)."""
        try:
            return parse_json(self.response_body), None
        except ReadError as exc:
            return None, exc.violation

    @cached_property
    def sse(self) -> SseRecords:
        return parse_sse(self.response_body)
