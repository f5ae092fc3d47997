"""Scenarios, faults and `Prefer` in the chat endpoint: a responder over `chat.ChatHandler`.

`install_scenarios(service)` puts a `ScenarioLayer` first among the chat handler's responders. For
each chat request it decides, in order: `Prefer: code=` / `Prefer: example=`, the scenario step
(`x-mock-scenario` header, else the active scenarios), and the faults (`x-mock-fault` header, admin
faults, the step's faults, chaos). With none of these in play it returns None and the engine answers
as usual, at the cost of a few header lookups.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from contract.scenarios.faults import FaultSpec
from contract.scenarios.loading import Step, load_scenarios
from contract.scenarios.match import MatchRequest, request_key
from mockserver.core.errors import error_response, json_bytes, simple_error
from mockserver.core.http import MockRequest, MockResponse
from mockserver.engine import EngineError, tokenize
from mockserver.scenarios.active import TOKEN_KEY
from mockserver.scenarios.faults import (
    FaultContext,
    FaultPlan,
    chaos_faults,
    merge_faults,
    paced_stream,
    plan_faults,
    tool_calls_as_text,
)
from mockserver.scenarios.prefer import (
    FAULT_HEADER as FAULT_HEADER,
)
from mockserver.scenarios.prefer import (
    example_step,
    header_faults_of,
    parse_prefer,
    prefer_code,
)
from mockserver.scenarios.router import NoMatch, ScenarioRouter, Selection
from mockserver.scenarios.scripted import (
    apply_step_headers,
    assistant_message,
    error_answer,
    scripted_completion,
)
from mockserver.scenarios.standing import StandingFaults

if TYPE_CHECKING:
    from mockserver.config import MockConfig
    from mockserver.core.chat import ChatCall, ChatHandler
    from mockserver.core.service import MockService
    from mockserver.state.store import Store

SCENARIO_HEADER = "x-mock-scenario"
SESSION_HEADER = "x-mock-session"
_NO_MATCH_STATUS = {"scenario.no_match": 404, "scenario.finished": 404, "scenario.unknown": 400}


class ScenarioLayer:
    def __init__(
        self,
        handler: ChatHandler,
        store: Store,
        config: MockConfig,
        *,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.handler = handler
        self.store = store
        self.config = config
        self.sleep = sleep
        scenarios = load_scenarios(config.scenarios) if config.scenarios else ()
        self.router = ScenarioRouter(store, scenarios)
        self.standing_faults = StandingFaults(store)

    # The responder hook (on a shared store, `respond_shared`).
    def respond_shared(self, call: ChatCall) -> MockResponse | None:
        """`respond`, with this worker's list of active scenarios brought up to date first, from
        the standing faults and the list's token read with the request's rate-limit count (the
        handler's `reads`, set by `install_scenarios`)."""
        faults = self.router.refresh(StandingFaults.KEY, call.admitted.values or None)
        return self.respond(call, bool(faults))

    def respond(self, call: ChatCall, faults_set: bool | None = None) -> MockResponse | None:
        headers = call.request.headers
        scenario_name = headers.get(SCENARIO_HEADER, "").strip()
        fault_text = headers.get(FAULT_HEADER, "").strip()
        prefer_text = headers.get("prefer")
        prefer = parse_prefer(prefer_text) if prefer_text else {}
        if not (
            scenario_name
            or fault_text
            or prefer
            or self.router.active
            or (self.standing_faults if faults_set is None else faults_set)
            or self.config.chaos_rate > 0
        ):
            return None
        stream = call.payload.get("stream") is True
        header_faults = header_faults_of(call, fault_text, stream)
        if isinstance(header_faults, MockResponse):
            return header_faults
        if "code" in prefer:
            refused = prefer_code(call, prefer["code"])
            if refused is not None:
                return refused
        session = headers.get(SESSION_HEADER, "").strip() or None
        chosen = self._choose(call, session, scenario_name, prefer.get("example"))
        if isinstance(chosen, NoMatch):
            return self._unmatched(call, chosen, header_faults, session, stream)
        if isinstance(chosen, MockResponse):
            return chosen
        selection, step = chosen
        key = selection.request_key if selection else request_key(call.request.path, call.payload)
        context = self._context(call, stream, key, session)
        step_faults = step.faults if step is not None else ()  # Prefer: example= too
        overridden = any(spec.kind.role == "replace" for spec in header_faults)
        standing = self.standing_faults.take(stream=stream, overridden=overridden, set_=faults_set)
        faults = merge_faults(header_faults, standing.faults, step_faults)
        if not faults:
            faults = chaos_faults(self.config.chaos_rate, context)
        plan = self._plan(call, faults, context)
        if plan.replacement is not None:
            # fail_then_succeed and redirect failures are retried: they do not use up the step.
            retried = any(f.name in ("fail_then_succeed", "redirect") for f in faults)
            if selection is not None and not retried:
                self.router.state.advance(selection, answer=None)
            return plan.replacement
        if step is None and not plan.active:
            return None
        response, answer, idle = self._answer(call, step, plan, key)
        if idle:  # the journal names only the faults that acted; an idle standing one waits
            call.entry.fault = ", ".join(str(f) for f in plan.applied if f.name not in idle) or None
            self.standing_faults.give_back(standing, idle)
        if step is not None and step.respond is not None:
            apply_step_headers(response, step.respond.headers)
        if selection is not None:
            broken = bool(plan.body_rewrites) or any(
                f.kind.role == "stream" and f.name != "slow_stream" for f in faults
            )
            self.router.state.advance(selection, answer=None if broken else answer)
        return response

    def _choose(
        self, call: ChatCall, session: str | None, scenario_name: str, example: str | None
    ) -> tuple[Selection | None, Step | None] | NoMatch | MockResponse:
        """The step that answers (with its selection when the state decided), why none does, or
        an error."""
        if example is not None:
            found = example_step(self.router, call, example, scenario_name)
            if isinstance(found, MockResponse):
                return found
            call.entry.scenario, call.entry.step = found[0].name, found[1].name
            return None, found[1]
        request = MatchRequest(call.dialect, call.request.path, call.request.headers, call.payload)
        chosen = self.router.select(request, session=session, scenario_name=scenario_name)
        if isinstance(chosen, NoMatch):
            call.entry.scenario = chosen.scenario
            call.entry.extra["scenario_miss"] = chosen.rule
            call.entry.extra["scenario_miss_message"] = chosen.message  # which matcher failed
            return chosen
        if chosen is None:
            return None, None
        call.entry.scenario, call.entry.step = chosen.scenario.name, chosen.step.name
        return chosen, chosen.step

    def _unmatched(self, call: ChatCall, miss: NoMatch, header_faults: tuple[FaultSpec, ...],
                   session: str | None, stream: bool) -> MockResponse:
        """No step answers. A fault that replaces the answer (header or standing) still does, as
        it answers every chat request so; one that acts on an answer has none, and is neither
        applied nor counted: the 404 stands (always the 400 of an unknown x-mock-scenario)."""
        refusal = simple_error(_NO_MATCH_STATUS[miss.rule], miss.rule, miss.message,
                               dialect=call.dialect)
        if miss.rule == "scenario.unknown":
            return refusal
        replacing = any(spec.kind.role == "replace" for spec in header_faults)
        standing = self.standing_faults.take(
            stream=stream, replacing=not replacing, overridden=replacing
        )
        faults = merge_faults(header_faults, standing.faults)
        if not any(spec.kind.role == "replace" for spec in faults):
            return refusal
        key = request_key(call.request.path, call.payload)
        plan = self._plan(call, faults, self._context(call, stream, key, session))
        return plan.replacement or refusal  # fail_then_succeed done: the "normal" answer

    def _context(self, call: ChatCall, stream: bool, key: str,
                 session: str | None) -> FaultContext:
        return FaultContext(call.dialect, stream, call.request.path, key, session or "",
                            self.config.seed, self._occurrence(session, key))

    def _plan(self, call: ChatCall, faults: tuple[FaultSpec, ...],
              context: FaultContext) -> FaultPlan:
        """Plan `faults`, name them in the journal and ask for the wait they want."""
        plan = plan_faults(faults, context, store=self.store, sleep=self.sleep)
        if plan.applied:
            call.entry.fault = ", ".join(map(str, plan.applied))
        call.pause_s = plan.delay_s  # taken by the service once the request is journaled
        return plan

    # Admin API (routes /_mock/scenarios and /_mock/faults).
    def admin_scenarios(self, request: MockRequest) -> MockResponse:
        from mockserver.scenarios.admin import admin_scenarios

        return admin_scenarios(self, request)

    def admin_faults(self, request: MockRequest) -> MockResponse:
        from mockserver.scenarios.admin import admin_faults

        return admin_faults(self, request)

    def reset(self) -> None:
        """Forget admin faults and scenario progress (the active scenarios stay)."""
        self.standing_faults.clear()
        self.router.state.clear()

    def _occurrence(self, session: str | None, key: str) -> int:
        counted: int = self.store.update(
            f"fault:seen:{session or ''}:{key}", lambda old: (old or 0) + 1
        )
        return counted

    # Answers.
    def _answer(
        self, call: ChatCall, step: Step | None, plan: FaultPlan, key: str
    ) -> tuple[MockResponse, dict[str, Any] | None, frozenset[str]]:
        """The answer, the assistant message it holds, and the faults of `plan` that found nothing
        to act on: a step's literal answer has no tool calls to write as text and no stream, and
        a bare 204 or 205 no body to cut."""
        respond = step.respond if step is not None else None
        if respond is not None and (respond.is_error or respond.has_body or respond.bodiless):
            if respond.is_error:
                literal = error_answer(call, respond)
            else:
                said = json_bytes(respond.body) if respond.has_body else b""
                literal = MockResponse(respond.status, said)
            acted = {"malformed_json"} if plan.body_rewrites and literal.body else set()
            return plan.cut(literal) if acted else literal, None, plan.idle(acted)
        if respond is not None and respond.scripted:
            completion = scripted_completion(call, respond, key)
        else:
            try:
                completion = self.handler.engine.complete(call.payload, endpoint=call.dialect)
            except EngineError as exc:
                return error_response(400, [exc.violation], dialect=call.dialect), None, frozenset()
        idle: frozenset[str] = frozenset()
        if plan.tool_call_style and completion.tool_calls:
            text = tool_calls_as_text(
                [(c.name, c.arguments) for c in completion.tool_calls], style=plan.tool_call_style
            )
            completion = dataclasses.replace(
                completion,
                text=text,
                tool_calls=(),
                stop_reason="stop",
                completion_tokens=len(tokenize(text)),
            )
        elif plan.tool_call_style:
            idle = frozenset(("tool_call_as_text",))
        response = self.handler.render(call, completion)
        if response.streaming:
            body: Any = iter(response.body)
            if respond is not None and respond.pacing is not None:
                body = paced_stream(
                    body,
                    ttft_ms=respond.pacing.ttft_ms,
                    tokens_per_second=respond.pacing.tokens_per_second,
                    sleep=self.sleep,
                )
            for rewrite in plan.stream_rewrites:
                body = rewrite(body)
            response.cut = plan.cuts_stream
            if plan.body_rewrites:  # malformed_json on a stream: its first record, cut
                body = iter([plan.body_rewrites[0](next(body, b""))])
            response.body = body
        else:
            response = plan.cut(response)
        # malformed_json's status, stream or not; else the step's (a 201 with its text)
        response.status = plan.rewritten_status or (respond.status if respond else response.status)
        return response, assistant_message(completion), idle


def install_scenarios(service: MockService) -> ScenarioLayer:
    """Put scenarios, faults and `Prefer` handling in front of `service`'s chat engine (once: a
    second call returns the layer already installed)."""
    for responder in service.chat_handler.responders:
        installed = getattr(responder, "__self__", None)
        if isinstance(installed, ScenarioLayer):
            return installed
    layer = ScenarioLayer(
        service.chat_handler, service.store, service.config, sleep=service.chat_handler.sleep
    )
    responder = layer.respond_shared if layer.router.shared else layer.respond
    if layer.router.shared:
        service.chat_handler.reads = (StandingFaults.KEY, TOKEN_KEY)
    service.chat_handler.responders.insert(0, responder)
    return layer

