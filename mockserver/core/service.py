"""The mock's HTTP behaviour without a web framework: route, authenticate, journal, answer.

`MockService.handle(MockRequest) -> MockResponse` is the one entry point; the Flask app and the
respx transport are thin adapters over it, so both behave identically.
"""

from __future__ import annotations

import hmac
import random
import time
from collections.abc import Callable, Iterator
from typing import Any

from contract.models import MODELS, find_model
from contract.validate.explain import clip
from mockserver.config import MockConfig
from mockserver.core.chat import ChatCall, ChatHandler
from mockserver.core.errors import json_bytes, simple_error
from mockserver.core.http import MockRequest, MockResponse
from mockserver.core.routes import Route, Router, dialect_of_path
from mockserver.state.journal import JournalEntry, bound_body, mask_headers, next_request_id
from mockserver.state.store import Store, StoreUnavailable, open_store

ADMIN_TOKEN_HEADER = "x-mock-admin-token"


class MockService:
    def __init__(
        self,
        config: MockConfig | None = None,
        *,
        store: Store | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        """`sleep` takes every pause the mock makes (latency faults, stream pacing); an async
        server passes one that records the pause for its event loop to take."""
        self.config = config or MockConfig()
        self.store: Store = store or open_store(
            self.config.store_url,
            journal_size=self.config.journal_size,
            journal_bytes=self.config.journal_bytes,
        )
        # On a shared store, ids carry a tag of this process so workers do not hand out the same one.
        self._id_tag = f"{random.SystemRandom().randrange(10**6):06d}" if getattr(
            self.store, "shared", False) else ""
        self.router = Router()
        self.chat_handler = ChatHandler(self.config, self.store, sleep=sleep)
        from mockserver.scenarios.layer import install_scenarios

        self.scenarios = install_scenarios(self)
        self._openapi_document: bytes | None = None
        # With config.self_check: findings about the mock's own answers, bounded.
        self.answer_problems: list[str] = []

    # Hooks for scenarios and faults: see ChatHandler.responders and ChatHandler.filters.
    @property
    def responders(self) -> list[Callable[[ChatCall], MockResponse | None]]:
        return self.chat_handler.responders

    def handle(self, request: MockRequest) -> MockResponse:
        answering = self.begin(request)
        if answering.pause_s > 0:
            self.chat_handler.sleep(answering.pause_s)
        return answering.finish()

    def begin(self, request: MockRequest) -> Answering:
        """`handle` up to its pause: the request is answered and journaled, and the answer waits
        `pause_s` (a latency or stall fault) before `finish()` gives it. An async adapter awaits
        the pause on its event loop instead of the service's `sleep` blocking it; the journal and
        the answer are the same as `handle`'s."""
        started = time.perf_counter()
        match = self.router.match(request.method, request.path)
        dialect = match.route.dialect if match.route else dialect_of_path(request.path)
        entry = JournalEntry(
            id=next_request_id(self._id_tag),
            started=time.time(),
            method=request.method,
            path=request.path,
            endpoint=match.route.handler if match.route else "unknown",
            dialect=dialect,
            headers=mask_headers(request.headers),
            session=request.header("x-mock-session") or None,
        )
        store_down = False
        if match.route is None:
            if match.allowed:
                response = simple_error(
                    405,
                    "http.method",
                    f"{request.method} is not allowed on {clip(request.path)}; allowed: "
                    + ", ".join(match.allowed),
                    dialect=dialect,
                    headers=[("Allow", ", ".join(match.allowed))],
                )
            else:
                response = simple_error(
                    404, "http.not_found", f"no endpoint at {clip(request.path)}", dialect=dialect
                )
        else:
            try:
                response = self._dispatch(request, match.route, match.model, entry)
            except StoreUnavailable as exc:
                response = simple_error(503, "mock.store_unavailable", str(exc), dialect=dialect)
                store_down = True  # no journal entry: it would wait on the store once more
        response.headers.append(("x-request-id", entry.id))
        bound_body(entry, request.body, self.config.journal_body_bytes)
        self._journal(
            entry, response, record=not (store_down or (match.route and match.route.admin))
        )
        return Answering(self, response, entry, started)

    def _dispatch(
        self, request: MockRequest, route: Route, model: str | None, entry: JournalEntry
    ) -> MockResponse:
        if route.admin:
            refused = self._check_admin(request)
            if refused is not None:
                return refused
        key = ""
        if route.authenticated:
            key_or_error = self._authenticate(request, route)
            if isinstance(key_or_error, MockResponse):
                return key_or_error
            key = key_or_error
        if route.handler == "chat":
            return self.chat_handler.handle(request, route.dialect, key, entry)
        if route.handler == "moderations":
            return self.chat_handler.moderate(request, entry)
        if route.handler == "model":
            return self._model(route, model or "")
        handler: Callable[[MockRequest, Route], MockResponse] = getattr(self, f"_{route.handler}")
        return handler(request, route)

    def _journal(self, entry: JournalEntry, response: MockResponse, *, record: bool) -> None:
        entry.status = response.status
        if record:
            try:  # noqa: SIM105 (suppress() costs a context manager per request)
                self.store.journal_append(entry)
            except StoreUnavailable:
                pass  # the answer stands; the journal misses what happened while the store was down

    def _finished(
        self, response: MockResponse, entry: JournalEntry, started: float
    ) -> MockResponse:
        """The answer once its pause is over: its duration (a stream's when it ends) and the
        self-check go to the journal entry."""
        if not response.streaming:
            entry.duration_ms = (time.perf_counter() - started) * 1000
            if self.config.self_check and isinstance(response.body, bytes):
                from mockserver.core.selfcheck import check_body, record_problems

                result = check_body(entry, response.status, response.body)
                record_problems(entry, result, self.answer_problems)
            return response
        body: Any = self._track_stream(response.body, entry, started)
        if self.config.self_check and response.status == 200:
            from mockserver.core.selfcheck import checked_stream

            body = checked_stream(body, entry, self.answer_problems)
        response.body = body
        return response

    @staticmethod
    def _track_stream(body: Any, entry: JournalEntry, started: float) -> Iterator[bytes]:
        entry.stream = True
        completed = False
        try:
            for record in body:
                entry.stream_events += 1
                yield record
            completed = True
        finally:
            entry.client_disconnected = not completed
            entry.duration_ms = (time.perf_counter() - started) * 1000

    def _authenticate(self, request: MockRequest, route: Route) -> str | MockResponse:
        scheme, _, key = request.header("authorization").strip().partition(" ")
        key = key.strip()
        if scheme.lower() != "bearer" or not key:
            return simple_error(
                401,
                "auth.missing",
                "send 'Authorization: Bearer <key>' with a non-empty key",
                dialect=route.dialect,
            )
        allowed = self.config.api_keys
        if allowed and not any(hmac.compare_digest(key, k) for k in allowed):
            return simple_error(
                401,
                "auth.invalid",
                "the bearer key is not one this server accepts",
                dialect=route.dialect,
            )
        return key

    def _check_admin(self, request: MockRequest) -> MockResponse | None:
        if not self.config.admin_requires_token:
            return None
        token = self.config.admin_token
        given = request.header(ADMIN_TOKEN_HEADER)
        if token is None or not given or not hmac.compare_digest(given, token):
            why = (
                "this server is bound beyond loopback and was started without --admin-token"
                if token is None
                else f"send the admin token in the {ADMIN_TOKEN_HEADER} header"
            )
            return simple_error(403, "admin.unauthorized", why, dialect="native")
        return None

    # Plain endpoints.
    def _models(self, request: MockRequest, route: Route) -> MockResponse:
        data = [_model_document(m.id) for m in MODELS]
        body: dict[str, Any] = (
            {"object": "list", "data": data} if route.dialect == "compat" else {"data": data}
        )
        return MockResponse(200, json_bytes(body))

    def _model(self, route: Route, model_id: str) -> MockResponse:
        if find_model(model_id) is None:
            known = ", ".join(m.id for m in MODELS)
            return simple_error(
                404,
                "model.not_found",
                f"no model {clip(model_id)!r}; known models: {known}",
                dialect=route.dialect,
                path="/model",
            )
        return MockResponse(200, json_bytes(_model_document(model_id)))

    def _health(self, request: MockRequest, route: Route) -> MockResponse:
        self.store.ping()  # a lost shared store: the JSON 503 every request that needs it gets
        return MockResponse(200, json_bytes({"status": "ok"}))

    def _openapi(self, request: MockRequest, route: Route) -> MockResponse:
        if self._openapi_document is None:
            from mockserver.core.openapi import build_openapi

            self._openapi_document = json_bytes(
                build_openapi(self.router.routes, strict=self.config.strict)
            )
        return MockResponse(200, self._openapi_document)

    def _journal_list(self, request: MockRequest, route: Route) -> MockResponse:
        entries = [e.to_dict() for e in self.store.journal_entries()]
        return MockResponse(200, json_bytes({"entries": entries, "count": len(entries)}))

    def _journal_clear(self, request: MockRequest, route: Route) -> MockResponse:
        self.store.journal_clear()
        return MockResponse(204, b"")

    def reset(self) -> None:
        """Forget the journal, conversation and fault state, rate-limit windows and standing admin
        faults (loaded scenarios stay): the one reset of `POST /_mock/reset` and the fixtures."""
        self.store.journal_clear()
        self.store.clear_state()
        self.scenarios.reset()

    def _reset(self, request: MockRequest, route: Route) -> MockResponse:
        self.reset()
        return MockResponse(204, b"")

    def _scenarios_admin(self, request: MockRequest, route: Route) -> MockResponse:
        return self.scenarios.admin_scenarios(request)

    def _faults_admin(self, request: MockRequest, route: Route) -> MockResponse:
        return self.scenarios.admin_faults(request)


def _model_document(model_id: str) -> dict[str, Any]:
    info = find_model(model_id)
    assert info is not None
    return {"id": info.id, "object": "model", "created": info.created, "owned_by": info.owned_by}


class Answering:
    """An answer journaled and waiting its pause (`MockService.begin`): wait `pause_s`, then
    `finish()` gives the answer (once)."""

    __slots__ = ("_entry", "_response", "_service", "_started")

    def __init__(
        self, service: MockService, response: MockResponse, entry: JournalEntry, started: float
    ) -> None:
        self._service = service
        self._response = response
        self._entry = entry
        self._started = started

    @property
    def pause_s(self) -> float:
        return self._response.pause_s

    def finish(self) -> MockResponse:
        return self._service._finished(self._response, self._entry, self._started)
