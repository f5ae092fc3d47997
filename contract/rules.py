"""The rule catalog: every finding the contract can report, each with a stable id.

Ids are part of the public interface (reports, CI filters and user tests key on them): never rename
one; add a new id and retire the old one instead. `docs/rules.md` is generated from this catalog.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from contract.violations import Severity

Scope = Literal["input", "request", "response", "stream", "server", "client"]


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    severity: Severity
    scope: Scope
    summary: str


_CATALOG: tuple[Rule, ...] = (
    # Reading the document at all.
    Rule(
        "json.invalid",
        "error",
        "input",
        "The body is not JSON text (syntax error, invalid UTF-8, NaN or Infinity).",
    ),
    Rule(
        "json.too_deep",
        "error",
        "input",
        "The JSON nests arrays and objects deeper than the limit.",
    ),
    Rule(
        "json.number_too_large",
        "error",
        "input",
        "A number literal has more digits than the limit.",
    ),
    Rule("body.too_large", "error", "input", "The body is larger than the size limit."),
    Rule("body.not_object", "error", "input", "The top-level JSON value is not an object."),
    Rule("body.unreadable", "error", "input", "The body's framing is broken (chunks, length)."),
    Rule(
        "body.timeout",
        "error",
        "input",
        "The request body did not arrive within the server's read deadline (408; the connection closes).",
    ),
    # Schema rules: what the JSON Schemas say, one violation per wrong field.
    Rule("field.required", "error", "request", "A required field is missing."),
    Rule(
        "field.unknown",
        "warning",
        "request",
        "A field the contract does not define (an error with --strict); names the closest known field.",
    ),
    Rule("field.type", "error", "request", "A field has the wrong JSON type."),
    Rule("field.enum", "error", "request", "A field's value is not one of the allowed values."),
    Rule("field.range", "error", "request", "A number is outside its allowed range."),
    Rule(
        "field.length", "error", "request", "A string or array is shorter or longer than allowed."
    ),
    Rule("field.pattern", "error", "request", "A string does not match its required pattern."),
    Rule(
        "message.role.unknown",
        "error",
        "request",
        "A message's role is not system, user, assistant or tool.",
    ),
    Rule(
        "content.type.unknown",
        "error",
        "request",
        "A content item's type is not one the role accepts.",
    ),
    Rule(
        "delta.type.unknown", "error", "stream", "A stream delta's type is not text or tool_call."
    ),
    # Semantic request rules: what a schema cannot say.
    Rule("messages.empty", "error", "request", "The messages array is empty."),
    Rule(
        "model.unknown",
        "warning",
        "request",
        "The model id is not one the Llama API served (an error with --strict).",
    ),
    Rule(
        "tool_result.unanswered",
        "error",
        "request",
        "A tool message's tool_call_id answers no tool call of an earlier assistant message.",
    ),
    Rule(
        "tool_choice.undeclared",
        "error",
        "request",
        "A named tool_choice names a function that is not among the tools.",
    ),
    Rule(
        "tool_choice.without_tools",
        "error",
        "request",
        "tool_choice is 'auto', 'required' or a named function, but no tools are given.",
    ),
    Rule("tools.duplicate_name", "error", "request", "Two tools share one function name."),
    Rule(
        "tools.parameters.invalid_schema",
        "error",
        "request",
        "A tool's parameters are not a valid JSON Schema.",
    ),
    Rule(
        "response_format.schema.invalid",
        "error",
        "request",
        "response_format.json_schema.schema is not a valid JSON Schema.",
    ),
    Rule(
        "image.data_url.malformed",
        "error",
        "request",
        "An image data URL is not base64 data of an image MIME type.",
    ),
    Rule("image.url.scheme", "error", "request", "An image URL is neither https nor a data URL."),
    Rule(
        "image.unsupported_model",
        "error",
        "request",
        "Images were sent to a model that takes none (Llama-3.3-*).",
    ),
    Rule(
        "tool_call.arguments.not_json",
        "error",
        "request",
        "An assistant tool call's arguments are not JSON text.",
    ),
    Rule(
        "response_format.unsupported",
        "error",
        "request",
        "A response_format type the endpoint does not support (json_object).",
    ),
    Rule(
        "response_format.schema.unsatisfiable",
        "error",
        "request",
        "No JSON document can satisfy response_format's schema (e.g. minimum above maximum); names why.",
    ),
    Rule(
        "response_format.schema.unsupported",
        "error",
        "request",
        "The mock cannot generate a document for response_format's schema (e.g. a lookahead pattern).",
    ),
    Rule(
        "tools.parameters.unsatisfiable",
        "error",
        "request",
        "No arguments can satisfy the called tool's parameters schema; names why.",
    ),
    Rule(
        "tools.parameters.unsupported",
        "error",
        "request",
        "The mock cannot generate arguments for the called tool's parameters schema.",
    ),
    # Responses.
    Rule(
        "metrics.missing",
        "error",
        "response",
        "A metric the response must carry (completion, prompt, total tokens) is missing.",
    ),
    Rule(
        "metrics.inconsistent",
        "error",
        "response",
        "Token metrics do not add up: total must equal prompt plus completion.",
    ),
    Rule(
        "stop_reason.mismatch",
        "error",
        "response",
        "stop_reason disagrees with the content (tool_calls without tool calls, or the reverse).",
    ),
    Rule(
        "tool_call.id.duplicate", "error", "response", "Two tool calls in one message share an id."
    ),
    # Streams.
    Rule("stream.empty", "error", "stream", "The stream has no events."),
    Rule(
        "stream.order",
        "error",
        "stream",
        "Events are out of order: start, progress*, complete, metrics.",
    ),
    Rule(
        "stream.done.native",
        "error",
        "stream",
        "A native stream sent 'data: [DONE]', which the official SDK cannot parse.",
    ),
    Rule(
        "stream.done.missing", "error", "stream", "A compat stream did not end with 'data: [DONE]'."
    ),
    Rule("stream.after_done", "error", "stream", "A compat stream sent data after 'data: [DONE]'."),
    Rule("stream.id.inconsistent", "error", "stream", "Chunks of one stream carry different ids."),
    Rule(
        "stream.tool_call.incomplete",
        "error",
        "stream",
        "A streamed tool call never got its id and name, or its arguments are not JSON.",
    ),
    Rule(
        "stream.framing",
        "error",
        "stream",
        "A record is not a 'data: <json>' line followed by a blank line.",
    ),
    Rule(
        "stream.usage.misplaced",
        "error",
        "stream",
        "A compat usage chunk is not the last chunk before [DONE], or carries choices.",
    ),
    Rule(
        "stream.stop_reason.missing",
        "error",
        "stream",
        "A native stream's complete event carries no stop_reason.",
    ),
    # HTTP: what the mock server answers before the contract is even consulted.
    Rule(
        "auth.missing",
        "error",
        "request",
        "No 'Authorization: Bearer <key>' header, or an empty key.",
    ),
    Rule(
        "auth.invalid", "error", "request", "The bearer key is not one the server was started with."
    ),
    Rule(
        "http.content_type", "error", "request", "The request body is not sent as application/json."
    ),
    Rule("http.method", "error", "request", "The path exists but not for this HTTP method."),
    Rule("http.not_found", "error", "request", "No endpoint at this path."),
    Rule(
        "http.accept",
        "error",
        "request",
        "Quirk of the live service: stream:true without 'Accept: application/json' or 'text/event-stream'.",
    ),
    Rule(
        "http.header",
        "error",
        "request",
        "A header the mock reads (Authorization, Content-Type, Prefer, x-mock-*) is not ASCII text.",
    ),
    Rule("model.not_found", "error", "request", "No model with this id."),
    Rule(
        "rate_limit.requests", "error", "request", "More requests per minute than the key's limit."
    ),
    Rule("rate_limit.tokens", "error", "request", "More tokens per minute than the key's limit."),
    Rule(
        "admin.unauthorized",
        "error",
        "request",
        "An admin endpoint was called without the admin token.",
    ),
    # Scenarios and faults.
    Rule(
        "scenario.no_match",
        "error",
        "request",
        "No step of the selected scenarios matches the request; names the closest step and its first failed condition.",
    ),
    Rule(
        "scenario.unknown",
        "error",
        "request",
        "x-mock-scenario or 'Prefer: example=' names no loaded scenario or step.",
    ),
    Rule(
        "scenario.finished",
        "error",
        "request",
        "The scenario answered all its steps and refuses further requests (when_done: fail).",
    ),
    Rule(
        "scenario.invalid",
        "error",
        "input",
        "A scenario sent to the admin API is not a valid scenario.",
    ),
    Rule(
        "fault.invalid",
        "error",
        "request",
        "An x-mock-fault header or admin fault is not valid: unknown fault, unknown parameter or bad value.",
    ),
    Rule(
        "fault.injected",
        "error",
        "server",
        "An error the mock sent on purpose: a fault from a step, x-mock-fault, the admin API or chaos.",
    ),
    Rule("prefer.code", "error", "server", "An error status asked for with 'Prefer: code=NNN'."),
    Rule(
        "mock.store_unavailable",
        "error",
        "server",
        "The mock's shared store (Redis) did not answer, so the request was not served (503).",
    ),
    Rule(
        "prefer.invalid",
        "error",
        "request",
        "The Prefer header cannot be honoured (malformed, or a status outside 200-599).",
    ),
    # Conformance checks of a server (llama-contract check server).
    Rule(
        "server.status.5xx", "error", "server", "The server answered a request with a 5xx status."
    ),
    Rule(
        "server.valid.rejected",
        "error",
        "server",
        "A request the contract accepts was not answered with 2xx.",
    ),
    Rule(
        "server.invalid.accepted",
        "error",
        "server",
        "A request the contract rejects was not answered with a 4xx.",
    ),
    Rule(
        "server.error.body",
        "error",
        "server",
        "An error answer's body is not JSON or not the contract's error body.",
    ),
    Rule(
        "server.content_type",
        "error",
        "server",
        "An answer's Content-Type is not application/json (or text/event-stream for a stream).",
    ),
    Rule(
        "server.response.schema",
        "error",
        "server",
        "A chat completion answer does not conform to the response schema.",
    ),
    Rule(
        "server.stream.schema",
        "error",
        "server",
        "A streamed answer's chunks, order or end do not conform to the contract.",
    ),
    Rule(
        "server.metrics",
        "error",
        "server",
        "Token metrics (native metrics or compat usage) are missing or do not add up.",
    ),
    Rule(
        "server.unreachable",
        "error",
        "server",
        "A request got no HTTP answer (connection refused, reset or timed out).",
    ),
    # Conformance checks of a client (llama-contract check client).
    Rule(
        "client.request.conforms",
        "error",
        "client",
        "A request the client sent breaks the contract (the violations name the rules).",
    ),
    Rule(
        "client.text.intact",
        "error",
        "client",
        "The text the client returned differs from the text the server sent.",
    ),
    Rule(
        "client.tool_calls.intact",
        "error",
        "client",
        "The tool calls the client returned differ from those the server sent (names, arguments, count).",
    ),
    Rule(
        "client.document.intact",
        "error",
        "client",
        "The structured output the client returned differs from the document the server sent.",
    ),
    Rule(
        "client.stop_reason",
        "error",
        "client",
        "The stop reason the client returned differs from the one the server sent.",
    ),
    Rule(
        "client.error.surfaced",
        "error",
        "client",
        "The server answered with an error (or a broken stream) and the client did not raise it "
        "(or raised a programming error, such as a KeyError, instead of an error of its own).",
    ),
    Rule(
        "client.error.unexpected",
        "error",
        "client",
        "The client raised an error on an answer that conforms.",
    ),
    Rule(
        "client.retry.after",
        "error",
        "client",
        "The client retried sooner than retry-after (or retry-after-ms) allowed.",
    ),
    Rule(
        "client.retry.count",
        "error",
        "client",
        "The client sent more or fewer requests than the retry policy allows (retries must stop).",
    ),
)

RULES: dict[str, Rule] = {rule.id: rule for rule in _CATALOG}


def rule(rule_id: str) -> Rule:
    """The catalog entry for `rule_id`; a KeyError names the unknown id."""
    try:
        return RULES[rule_id]
    except KeyError:
        raise KeyError(f"unknown rule id {rule_id!r}") from None


def catalog() -> list[Rule]:
    return list(_CATALOG)
