"""Error bodies in the two dialects: native `{title, detail, status, errors}`, compat OpenAI-style."""

from __future__ import annotations

import json
from collections.abc import Sequence
from http import HTTPStatus
from typing import Any

from contract.violations import Violation
from mockserver.core.http import Dialect, MockResponse

_COMPAT_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    405: "invalid_request_error",
    409: "conflict_error",
    413: "invalid_request_error",
    422: "invalid_request_error",
    429: "rate_limit_error",
}


def first_error_rule(document: Any) -> str:
    """The rule the first error of an error body names ("" when none): the native body's
    `errors`, or the same list inside the compat body's `error`."""
    if isinstance(document, dict) and isinstance(document.get("error"), dict):
        document = document["error"]
    errors = document.get("errors") if isinstance(document, dict) else None
    first = errors[0] if isinstance(errors, list) and errors else None
    rule = first.get("rule") if isinstance(first, dict) else None
    return rule if isinstance(rule, str) else ""


def status_title(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def pointer_to_param(pointer: str) -> str | None:
    """`/messages/0/role` -> `messages[0].role`, the way OpenAI names a parameter."""
    if not pointer:
        return None
    out = ""
    for part in pointer.lstrip("/").split("/"):
        token = part.replace("~1", "/").replace("~0", "~")
        out += (
            f"[{token}]" if token.isascii() and token.isdigit() else (f".{token}" if out else token)
        )
    return out


def error_body(
    status: int, violations: Sequence[Violation], *, dialect: Dialect, detail: str | None = None
) -> dict[str, Any]:
    found = [v for v in violations if v.severity == "error"]
    others = [v for v in violations if v.severity != "error"]
    errors = found or others
    if detail is None:
        detail = errors[0].message if errors else status_title(status)
        if len(errors) > 1:  # set apart: a message may end in a list of values ("allowed: ...")
            more, kind = len(errors) - 1, "error" if found else "warning"
            detail += f' ({more} more {kind}{"s" if more > 1 else ""}: see "errors")'
    # Errors first: a client that reads errors[0] gets what refused the request, not a warning.
    listed = [v.to_dict() for v in (*found, *others)]
    if dialect == "compat":
        first = errors[0] if errors else None
        return {
            "error": {
                "message": detail,
                "type": _COMPAT_TYPES.get(status, "server_error" if status >= 500 else "api_error"),
                "param": pointer_to_param(first.path) if first else None,
                "code": first.rule if first else None,
                "errors": listed,
            }
        }
    return {"title": status_title(status), "detail": detail, "status": status, "errors": listed}


# One encoder for every answer: json.dumps with options builds a new one per call.
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def json_bytes(document: Any) -> bytes:
    return _ENCODER.encode(document).encode("utf-8")


def error_response(
    status: int,
    violations: Sequence[Violation],
    *,
    dialect: Dialect,
    detail: str | None = None,
    headers: Sequence[tuple[str, str]] = (),
) -> MockResponse:
    body = error_body(status, violations, dialect=dialect, detail=detail)
    return MockResponse(status, json_bytes(body), list(headers))


def simple_error(
    status: int,
    rule: str,
    message: str,
    *,
    dialect: Dialect,
    path: str = "",
    headers: Sequence[tuple[str, str]] = (),
) -> MockResponse:
    return error_response(
        status, [Violation(rule, path, message)], dialect=dialect, headers=headers
    )


def internal_error(exc: BaseException) -> MockResponse:
    """The JSON 500 for a bug of ours (never an HTML page, never a traceback)."""
    body = {
        "title": "Internal Server Error",
        "detail": f"mock server error: {type(exc).__name__}",
        "status": 500,
        "errors": [],
    }
    return MockResponse(500, json_bytes(body))
