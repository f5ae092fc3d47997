"""Server checks: what a conforming Llama API server answers to valid and invalid requests."""

from __future__ import annotations

from dataclasses import replace

from contract.conformance.checks.exchange import Exchange
from contract.conformance.checks.registry import register
from contract.validate.documents import validate_response
from contract.validate.native_stream import validate_stream
from contract.violations import Violation

_METRIC_RULES = frozenset({"metrics.missing", "metrics.inconsistent"})


def _one(rule: str, message: str, path: str = "") -> list[Violation]:
    return [Violation(rule, path, message)]


@register(name="answered", rule="server.unreachable", scope="server")
def answered(exchange: Exchange) -> list[Violation] | None:
    """Every request gets an HTTP answer."""
    if exchange.transport_error is None:
        return []
    return _one("server.unreachable", f"no answer: {exchange.transport_error}")


@register(name="no_server_error", rule="server.status.5xx", scope="server")
def no_server_error(exchange: Exchange) -> list[Violation] | None:
    """No request is answered with a 5xx status."""
    if exchange.status is None:
        return None
    if exchange.status < 500:
        return []
    what = "a request that breaks the contract" if exchange.kind == "invalid" else "a valid request"
    return _one("server.status.5xx", f"{exchange.status} for {what}; a 5xx is never the answer "
                "to what a client sent (a contract violation is a 4xx)")  # fmt: skip


@register(name="valid_request_accepted", rule="server.valid.rejected", scope="server")
def valid_request_accepted(exchange: Exchange) -> list[Violation] | None:
    """A request the contract accepts is answered with 2xx."""
    if exchange.kind != "valid" or exchange.status is None:
        return None
    if 200 <= exchange.status < 300:
        return []
    return _one("server.valid.rejected", f"{exchange.status} for a request the contract accepts; "
                "expected 200")  # fmt: skip


@register(name="invalid_request_rejected", rule="server.invalid.accepted", scope="server")
def invalid_request_rejected(exchange: Exchange) -> list[Violation] | None:
    """A request that breaks the contract is answered with a 4xx."""
    if exchange.kind != "invalid" or exchange.status is None:
        return None
    if 400 <= exchange.status < 500:
        return []
    return _one("server.invalid.accepted", f"{exchange.status} for a request that breaks rule "
                f"{exchange.expected_rule}; expected a 4xx with an error body")  # fmt: skip


@register(name="content_type", rule="server.content_type", scope="server")
def content_type(exchange: Exchange) -> list[Violation] | None:
    """JSON answers are application/json; a streamed answer is text/event-stream."""
    if exchange.status is None:
        return None
    wanted = "text/event-stream" if exchange.is_stream else "application/json"
    if exchange.content_type == wanted:
        return []
    found = exchange.content_type or "no Content-Type"
    return _one("server.content_type", f"{found} for a {exchange.status} answer; expected {wanted}")


@register(name="error_body", rule="server.error.body", scope="server")
def error_body(exchange: Exchange) -> list[Violation] | None:
    """An error answer carries the contract's error body (native or compat shape)."""
    if exchange.status is None or exchange.status < 400:
        return None
    document, problem = exchange.json_body
    if problem is not None:
        return _one("server.error.body", f"the {exchange.status} body is not JSON: "
                    f"{problem.message}")  # fmt: skip
    shape = "an OpenAI-compatible" if exchange.endpoint == "compat" else "a native"
    where = f" (the {exchange.status} answer's body, {shape} error body)"
    found = validate_response(document, endpoint=exchange.endpoint, kind="error").errors
    return [replace(v, message=v.message + where) for v in found]


@register(name="response_schema", rule="server.response.schema", scope="server")
def response_schema(exchange: Exchange) -> list[Violation] | None:
    """A 2xx chat completion conforms to the response schema (metrics: see `metrics`)."""
    if exchange.status is None or not 200 <= exchange.status < 300 or exchange.is_stream:
        return None
    document, problem = exchange.json_body
    if problem is not None:
        return _one("server.response.schema", f"the body is not JSON: {problem.message}")
    found = validate_response(document, endpoint=exchange.endpoint, kind="chat")
    return [v for v in found.errors if v.rule not in _METRIC_RULES]


@register(name="stream_framing", rule="stream.framing", scope="server")
def stream_framing(exchange: Exchange) -> list[Violation] | None:
    """Every stream record is one `data: <json>` line followed by a blank line."""
    return list(exchange.sse.framing) if exchange.is_stream else None


@register(name="stream_events", rule="server.stream.schema", scope="server")
def stream_events(exchange: Exchange) -> list[Violation] | None:
    """Stream chunks conform, in order (start, progress*, complete, metrics), with the right end."""
    if not exchange.is_stream:
        return None
    found = validate_stream(exchange.sse.payloads, endpoint=exchange.endpoint)
    return [v for v in found.errors if v.rule not in _METRIC_RULES]


@register(name="metrics", rule="server.metrics", scope="server")
def metrics(exchange: Exchange) -> list[Violation] | None:
    """Token metrics are all there and add up: total = prompt + completion."""
    if exchange.status is None or not 200 <= exchange.status < 300:
        return None
    if exchange.is_stream:
        found = validate_stream(exchange.sse.payloads, endpoint=exchange.endpoint)
    else:
        document, problem = exchange.json_body
        if problem is not None:
            return None  # response_schema reports it
        found = validate_response(document, endpoint=exchange.endpoint, kind="chat")
    return [v for v in found.errors if v.rule in _METRIC_RULES]
