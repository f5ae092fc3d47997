"""Chat completions and moderations: read, validate, rate-limit, answer (JSON or a stream)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from contract import validate_request
from contract.reading import ReadError, parse_json
from contract.validate.explain import clip
from contract.validate.nulls import NULL_RULE, without_nulls
from contract.violations import ValidationResult, Violation
from mockserver.config import MockConfig
from mockserver.core.errors import error_response, json_bytes, simple_error
from mockserver.core.http import Dialect, MockRequest, MockResponse
from mockserver.core.sse import DONE, chunk_tokens, frame, paced
from mockserver.engine import (
    Completion,
    Engine,
    EngineError,
    compat_response_bytes,
    compat_stream,
    native_response_bytes,
    native_stream,
    token_limit,
)
from mockserver.engine.provenance import PROVENANCE_HEADER, provenance_asked
from mockserver.engine.schema.budget import budget_chars, oversized_schema
from mockserver.state.journal import JournalEntry
from mockserver.state.memo import Remembered, RequestMemo
from mockserver.state.ratelimit import RateDecision, RateLimiter
from mockserver.state.store import Store

_JSON_TYPES = ("application/json",)
_STREAM_ACCEPTS = ("application/json", "text/event-stream")


@dataclass(slots=True)
class ChatCall:
    """A chat request that passed reading, validation and rate limits, about to be answered."""

    request: MockRequest
    dialect: Dialect
    payload: dict[str, Any]
    key: str
    entry: JournalEntry
    validation: ValidationResult
    admitted: RateDecision
    remembered: Remembered | None = None
    pause_s: float = 0.0  # a fault's wait before the answer (`MockResponse.pause_s`)


class ChatHandler:
    def __init__(
        self, config: MockConfig, store: Store, *, sleep: Callable[[float], None] = time.sleep
    ) -> None:
        self.config = config
        self.sleep = sleep  # stream pacing; an async server passes one that defers the pause
        self.engine = Engine(seed=config.seed)
        self.limiter = RateLimiter(store, rpm=config.rpm, tpm=config.tpm)
        self.memo = RequestMemo()
        # Scenario and fault hooks: the first responder that returns a response answers instead of
        # the engine; filters may rewrite every chat answer (faults).
        self.responders: list[Callable[[ChatCall], MockResponse | None]] = []
        self.filters: list[Callable[[ChatCall, MockResponse], MockResponse]] = []
        # Values a responder reads for every request, read with its rate-limit count (on a
        # shared store, in the same round trip): `ChatCall.admitted.values`.
        self.reads: tuple[str, ...] = ()

    def read_json(self, request: MockRequest, dialect: Dialect) -> Any | MockResponse:
        refused = self.check_body(request, dialect)
        if refused is not None:
            return refused
        try:
            return parse_json(request.body, max_depth=self.config.max_depth)
        except ReadError as exc:
            return error_response(400, [exc.violation], dialect=dialect)

    def check_body(self, request: MockRequest, dialect: Dialect) -> MockResponse | None:
        """Refuse a body over the size limit or not sent as JSON, before reading it."""
        declared = request.content_length
        limit = self.config.max_body_bytes
        if (declared is not None and declared > limit) or len(request.body) > limit:
            size = declared if declared is not None else len(request.body)
            return simple_error(
                413,
                "body.too_large",
                f"the body is {size} bytes; the limit is {limit} bytes",
                dialect=dialect,
            )
        content_type = request.header("content-type").split(";", 1)[0].strip().lower()
        if content_type not in _JSON_TYPES and not content_type.endswith("+json"):
            found = clip(content_type) if content_type else "no Content-Type"
            return simple_error(
                400,
                "http.content_type",
                f"the body was sent as {found}; send it as application/json",
                dialect=dialect,
            )
        return None

    def _remember(self, request: MockRequest, dialect: Dialect) -> Remembered | MockResponse:
        """Parse and validate a body `check_body` let through, or recall both from the memo for
        a body seen before."""
        remembered = self.memo.get(dialect, request.body)
        if remembered is not None:
            return remembered
        try:
            payload = parse_json(request.body, max_depth=self.config.max_depth)
        except ReadError as exc:
            return error_response(400, [exc.violation], dialect=dialect)
        if not isinstance(payload, dict):
            violation = Violation(
                "body.not_object",
                "",
                f"the body is a JSON {type(payload).__name__}; send an object",
            )
            remembered = Remembered(payload, ValidationResult((violation,)))
        else:
            validation = validate_request(payload, endpoint=dialect, strict=self.config.strict)
            remembered = Remembered(payload, validation)
            if validation.ok and any(v.rule == NULL_RULE for v in validation.violations):
                # answered as the request without them; journaled as sent
                remembered.payload, remembered.sent = without_nulls(payload), payload
        remembered.warnings = _warnings_header(remembered.validation)
        self.memo.put(dialect, request.body, remembered)
        return remembered

    def handle(
        self, request: MockRequest, dialect: Dialect, key: str, entry: JournalEntry
    ) -> MockResponse:
        refused = self.check_body(request, dialect)
        if refused is not None:
            return refused
        remembered = self._remember(request, dialect)
        if isinstance(remembered, MockResponse):
            return remembered
        payload, validation, warnings = (
            remembered.payload,
            remembered.validation,
            remembered.warnings,
        )
        entry.body = payload if remembered.sent is None else remembered.sent
        entry.validation = validation
        if not validation.ok:
            return error_response(400, validation.violations, dialect=dialect, headers=warnings)
        stream = payload.get("stream") is True
        if stream and self.config.quirks:
            accept = request.header("accept").lower()
            if not any(kind in accept for kind in _STREAM_ACCEPTS):
                return simple_error(
                    400,
                    "http.accept",
                    "quirks profile: the live service refused stream:true without "
                    "'Accept: application/json' or 'text/event-stream'",
                    dialect=dialect,
                    headers=warnings,
                )
        decision = self.limiter.admit(key, read=self.reads)
        if not decision.allowed:
            headers = [*decision.headers, *warnings, ("retry-after", str(decision.retry_after_s))]
            return simple_error(
                429, decision.rule, decision.message, dialect=dialect, headers=headers
            )
        call = ChatCall(request, dialect, payload, key, entry, validation, decision, remembered)
        response = self._respond(call)
        response.pause_s = call.pause_s
        response.headers.extend(warnings)
        for rewrite in self.filters:
            response = rewrite(call, response)
        return response

    def _respond(self, call: ChatCall) -> MockResponse:
        explain = call.request.headers.get(PROVENANCE_HEADER)  # lower-case names
        if explain is not None and provenance_asked(explain) is None:
            return simple_error(
                400,
                "provenance.invalid",
                f"{PROVENANCE_HEADER} is {clip(explain)!r}; send true or false",
                dialect=call.dialect,
            )
        for responder in self.responders:
            answer = responder(call)
            if answer is not None:
                return answer
        memo = call.remembered or Remembered(call.payload, call.validation)
        if memo.answer is None:
            budget = budget_chars(token_limit(call.payload, call.dialect))
            too_large = oversized_schema(call.payload, budget=budget)
            if too_large is not None:
                return error_response(400, [too_large], dialect=call.dialect)
            try:
                memo.answer = self.engine.complete(call.payload, endpoint=call.dialect)
            except EngineError as exc:
                memo.answer = exc
        if isinstance(memo.answer, EngineError):
            refusal = memo.answer
            return error_response(
                400, [Violation(refusal.rule, refusal.path, refusal.message)], dialect=call.dialect
            )
        response = self.render(call, memo.answer, memo=memo)
        if explain is not None and provenance_asked(explain):
            told = self.engine.explain(call.payload, endpoint=call.dialect)
            response.headers.append((PROVENANCE_HEADER, told))
        return response

    def render(
        self, call: ChatCall, completion: Completion, *, memo: Remembered | None = None
    ) -> MockResponse:
        """Write a completion as the endpoint's JSON answer or stream, with rate-limit headers."""
        headers = list(self.limiter.spend(call.key, completion.total_tokens, call.admitted))
        payload, dialect = call.payload, call.dialect
        model = str(payload.get("model", ""))
        created = _created(completion)
        if payload.get("stream") is True:
            if dialect == "compat":
                options = payload.get("stream_options")
                include_usage = isinstance(options, dict) and options.get("include_usage") is True
                chunks = compat_stream(
                    completion, model=model, created=created, include_usage=include_usage
                )
                records = _compat_records(chunks)
            else:
                records = (
                    (frame(chunk), chunk_tokens(chunk)) for chunk in native_stream(completion)
                )
            body = paced(
                records,
                ttft_ms=self.config.ttft_ms,
                tokens_per_second=self.config.tokens_per_second,
                sleep=self.sleep,
            )
            headers += [("cache-control", "no-cache"), ("x-accel-buffering", "no")]
            return MockResponse(200, body, headers, content_type="text/event-stream")
        if memo is not None and memo.rendered is not None:
            return MockResponse(200, memo.rendered, headers)
        if dialect == "compat":
            rendered = compat_response_bytes(completion, model=model, created=created)
        else:
            rendered = native_response_bytes(completion, content_form=self.config.content_form)
        if memo is not None:
            memo.rendered = rendered
        return MockResponse(200, rendered, headers)

    def moderate(self, request: MockRequest, entry: JournalEntry) -> MockResponse:
        payload = self.read_json(request, "native")
        if isinstance(payload, MockResponse):
            return payload
        entry.body = payload
        from contract import validate_moderation_request

        validation = validate_moderation_request(payload)
        entry.validation = validation
        if not validation.ok:
            return error_response(400, validation.violations, dialect="native")
        return MockResponse(200, json_bytes(self.engine.moderate(payload)))


# Whole warnings up to this many bytes; past it the header says how many were left out (the
# journal keeps them all). HTTP clients refuse long headers: Python's http.client aborts at 64 KiB.
WARNINGS_HEADER_LIMIT = 4096


def _warnings_header(validation: ValidationResult) -> list[tuple[str, str]]:
    warnings = validation.warnings
    if not warnings:
        return []
    if len(warnings) <= _CACHED_WARNINGS:  # a client sends the same unknown field every time
        return list(_cached_warnings_header(tuple(warnings)))
    return list(_header_of(tuple(warnings)))


def _header_of(warnings: tuple[Violation, ...]) -> tuple[tuple[str, str], ...]:
    kept: list[str] = []
    size = 2
    for w in warnings:
        item = _warning_item(w)
        if size + len(item) + 1 > WARNINGS_HEADER_LIMIT:
            break
        kept.append(item)
        size += len(item) + 1
    headers = [("x-contract-warnings", "[" + ",".join(kept) + "]")]
    if len(kept) < len(warnings):
        headers.append(("x-contract-warnings-omitted", str(len(warnings) - len(kept))))
    return tuple(headers)


_CACHED_WARNINGS = 4  # at most this many warnings in a cached header: the cache stays small
_cached_warnings_header = lru_cache(maxsize=512)(_header_of)


def _warning_item(warning: Violation) -> str:
    document = {"rule": warning.rule, "path": warning.path, "message": warning.message}
    return json.dumps(document, ensure_ascii=True, separators=(",", ":"))


def _created(completion: Completion) -> int:
    # Deterministic, so equal requests give equal bytes; a fixed epoch plus a per-id offset.
    code = completion.id
    points = sum(code.encode()) if code.isascii() else sum(map(ord, code))  # the same sum, faster
    return 1_750_000_000 + points % 86_400


def _compat_records(chunks: Iterator[dict[str, Any]]) -> Iterator[tuple[bytes, int]]:
    for chunk in chunks:
        yield frame(chunk), chunk_tokens(chunk)
    yield DONE, 0
