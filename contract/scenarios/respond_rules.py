"""What a step's `respond` may hold beyond its types: the statuses the mock can honour, what a
status HTTP sends without a body leaves out, and how the other keys fit together.

The statuses and the bodiless rule are also in the published schema (`respond_schema_rules`, kept
in step with `contract/schemas/scenario.json` by a test), which a file meets first; a file breaking
one gets these words after its file, line and field all the same (`respond_problem`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any, NoReturn

from contract.scenarios.model import BODILESS_STATUSES, Respond
from contract.scenarios.source import PathParts
from contract.validate.explain import clip

# The keys that make the answer's body (or its stream): a bodiless status takes none of them.
BODY_KEYS = ("text", "tool_calls", "document", "body", "stop_reason", "metrics", "deltas", "pacing")
_NO_BODY_WHY = {
    204: "HTTP forbids a body in a 204 answer (No Content)",
    205: "HTTP forbids a body in a 205 answer (Reset Content)",
}
STATUS_RANGES = ((200, 299), (400, 599))
# A respond's `deltas`: as many sizes, each at most this (contract/schemas/scenario.json).
MAX_DELTAS, MAX_DELTA_SIZE = 64, 100_000
_ALLOWED = "an integer from " + " or ".join(f"{low} to {high}" for low, high in STATUS_RANGES)
assert set(_NO_BODY_WHY) == BODILESS_STATUSES

# Headers that say how the body is framed: a scenario's value would cut or corrupt the answer.
_FRAMING_HEADERS = frozenset({"content-length", "transfer-encoding", "connection", "keep-alive",
                              "upgrade", "te", "trailer", "proxy-connection"})

Fail = Callable[[PathParts, str], NoReturn]


def status_refusal(status: int) -> str | None:
    """Why a step cannot answer with `status` (within 100-599), or None when it can."""
    if 100 <= status <= 199:
        return "a 1xx answer is interim; HTTP always sends a final one after it"
    if status == 304:
        return ("a 304 answer only says a cached copy is fresh (to a conditional GET) and has no "
                "body")
    if 300 <= status <= 399:
        return ("a 3xx answer is a redirect: use the redirect fault, which sends the Location "
                "header and counts the retries")
    return None


def respond_problem(respond: object, key: object) -> str | None:
    """What these rules say against `respond[key]` (a respond as written, not yet checked), or
    None: a status the mock cannot honour, or a key that makes a body under a bodiless status."""
    if not isinstance(respond, Mapping) or not isinstance(key, str) or key not in respond:
        return None
    status = respond.get("status", 200)
    if not isinstance(status, int) or isinstance(status, bool):
        return None
    if key == "status":
        why = status_refusal(status)
        return f"status {status} is refused: {why}; it must be {_ALLOWED}" if why else None
    if status in _NO_BODY_WHY and key in BODY_KEYS:
        return (f"{key} makes a body, and {_NO_BODY_WHY[status]}: the client would never see it; "
                f"leave {key} out (a bare status {status} is answered with no body) or use a status "
                "that carries one")
    if key == "deltas":
        return deltas_problem(respond["deltas"])
    return None


_SIZE = f"each size is a whole number of characters from 0 to {MAX_DELTA_SIZE:,} (0: an empty delta)"


def deltas_problem(deltas: object) -> str | None:
    """What is wrong with a respond's `deltas` as written (the sizes of a stream's deltas in
    characters, repeated to the end), or None (a type its schema names)."""
    if not isinstance(deltas, list):
        return None
    if not deltas:
        return (f"[] gives no size: list 1 to {MAX_DELTAS} delta sizes in characters, repeated to "
                "the end of the text, e.g. [3] (three characters a delta); leave deltas out for "
                "the mock's own cut (a few tokens a delta)")
    if len(deltas) > MAX_DELTAS:
        return (f"{len(deltas)} sizes are too many: at most {MAX_DELTAS} (they repeat to the end "
                "of the text)")
    for index, size in enumerate(deltas):
        if not isinstance(size, int) or isinstance(size, bool) or not 0 <= size <= MAX_DELTA_SIZE:
            return f"deltas[{index}] is {clip(json.dumps(size), limit=30)}: {_SIZE}"
    if not any(deltas):
        return (f"{clip(json.dumps(deltas), limit=60)} has no size above 0: every delta would be "
                "empty and the text would never be sent; give at least one size of 1 or more, "
                "e.g. [1, 0] (one character, an empty delta, one character, ...)")
    return None


def fault_problem(respond: Respond | None, fault: str, role: str) -> str | None:
    """Why fault `fault` (of role `role`) cannot go with a step's `respond`, when its status sends
    no body for the fault to act on."""
    if respond is None or not respond.bodiless or role not in ("content", "stream"):
        return None
    return (f"the fault {fault} acts on the answer's body, and status {respond.status} sends none: "
            f"{_NO_BODY_WHY[respond.status]}")


def respond_schema_rules() -> dict[str, Any]:
    """The published schema's share of these rules: the `status` property of a respond, and the
    `if`/`then` that keeps a bodiless status free of body keys."""
    ranges = [{"minimum": low, "maximum": high} for low, high in STATUS_RANGES]
    return {
        "status": {
            "type": "integer",
            "description": "2xx (204 and 205 without a body) or 4xx-5xx; a redirect is the "
                           "redirect fault",
            "minimum": STATUS_RANGES[0][0],
            "maximum": STATUS_RANGES[-1][1],
            "anyOf": ranges,
        },
        "if": {"required": ["status"],
               "properties": {"status": {"enum": sorted(BODILESS_STATUSES)}}},
        # `not: {}` rather than `false`: jsonschema loses the key's path on a false schema.
        "then": {"properties": {key: {"not": {}} for key in BODY_KEYS}},
    }  # fmt: skip


def check_respond(respond: Respond, data: Mapping[str, Any], at: PathParts, fail: Fail) -> None:
    """The rules a schema cannot say: which keys go together (`fail` is called with the field)."""
    content = [key for key in ("text", "tool_calls", "document") if key in data]
    if "text" in data and "document" in data:
        fail((*at, "document"), "give either text or document, not both")
    if "body" in data and (content or "error" in data or "stop_reason" in data):
        other = (content + [k for k in ("error", "stop_reason") if k in data])[0]
        fail((*at, other), "body is sent verbatim; it cannot be combined with " + other)
    if respond.is_error and (content or "stop_reason" in data or "metrics" in data):
        other = (content + [k for k in ("stop_reason", "metrics") if k in data])[0]
        fail((*at, other), f"status {respond.status} is an error; an error answer carries no "
                           f"{other} (use error: for its detail)")
    if "error" in data and not respond.is_error:
        fail((*at, "error"), f"error needs an error status (400-599); status is {respond.status}")
    if respond.stop_reason == "tool_calls" and not respond.tool_calls:
        fail((*at, "stop_reason"), "stop_reason tool_calls needs tool_calls")
    if respond.tool_calls and respond.stop_reason not in (None, "tool_calls"):
        fail((*at, "stop_reason"), f"an answer with tool_calls has stop_reason tool_calls, not "
                                   f"{respond.stop_reason}")
    for name, _ in respond.headers:
        if name.lower() in _FRAMING_HEADERS:
            fail((*at, "headers", name), f"the server frames the answer itself; a scenario "
                                         f"cannot set {name}")
        if name.lower() == "x-request-id":
            fail((*at, "headers", name), "x-request-id names the answer's journal entry; the "
                                         "mock sets it")
    ids = [call.id for call in respond.tool_calls if call.id is not None]
    if len(ids) != len(set(ids)):
        fail((*at, "tool_calls"), "two tool calls share one id")
