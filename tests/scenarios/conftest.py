"""Fixtures of the scenario tests: a mock with scenarios installed, and a runner that plays a
scenario's steps through the official SDK (native) or the openai SDK (compat) and grades them.

Tests reach everything through fixtures (no imports from here), so any pytest import mode works.
"""

from __future__ import annotations

import inspect
import itertools
import json
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from werkzeug.serving import make_server

from contract.scenarios.loading import Scenario, Step
from mockserver import MockConfig, MockService, create_app
from mockserver.scenarios.layer import ScenarioLayer, install_scenarios

API_KEY = "LLM|1234567890|scenario-tests"


@dataclass
class ScenarioMock:
    base_url: str
    service: MockService
    layer: ScenarioLayer

    def entries(self, session: str) -> list[Any]:
        return [e for e in self.service.store.journal_entries()
                if getattr(e, "session", None) == session]


@pytest.fixture(scope="session")
def scenario_mock() -> Iterator[ScenarioMock]:
    """A mock on a free loopback port (threaded WSGI server) with scenarios and faults installed;
    it checks its own answers against the contract."""
    service = MockService(MockConfig(port=0, self_check=True))
    layer = install_scenarios(service)
    server = make_server("127.0.0.1", 0, create_app(service=service), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield ScenarioMock(f"http://127.0.0.1:{server.server_port}", service, layer)
    server.shutdown()
    thread.join(timeout=10)
    assert not service.answer_problems, "\n".join(service.answer_problems)


@dataclass
class Outcome:
    """What a client produced for one step."""

    status: int | None = None
    text: str = ""
    tools: list[str] = field(default_factory=list)
    stop_reason: str | None = None
    error: BaseException | None = None


def _split(create: Callable[..., Any], request: dict[str, Any]) -> dict[str, Any]:
    """SDK keyword arguments for a request body; fields the SDK does not know go in extra_body."""
    known = set(inspect.signature(create).parameters)
    kwargs = {k: v for k, v in request.items() if k in known}
    extra = {k: v for k, v in request.items() if k not in known}
    if extra:
        kwargs["extra_body"] = extra
    return kwargs


def _native_chat(client: Any, request: dict[str, Any], out: Outcome) -> None:
    create = client.chat.completions.create
    if request.get("stream") is True:
        calls: dict[str, str] = {}
        for chunk in create(**_split(create, request)):
            event = chunk.event
            delta = event.delta
            if event.event_type == "progress" and delta.type == "text":
                out.text += delta.text
            elif event.event_type == "progress" and delta.type == "tool_call" and delta.id:
                calls[delta.id] = delta.function.name or ""
            if event.event_type == "complete":
                out.stop_reason = event.stop_reason
        out.tools = list(calls.values())
        return
    message = create(**_split(create, request)).completion_message
    content = message.content
    out.text = content if isinstance(content, str) else (getattr(content, "text", "") or "")
    out.tools = [call.function.name for call in message.tool_calls or []]
    out.stop_reason = message.stop_reason


def _compat_chat(client: Any, request: dict[str, Any], out: Outcome) -> None:
    create = client.chat.completions.create
    if request.get("stream") is True:
        for chunk in create(**_split(create, request)):
            for choice in chunk.choices:
                out.text += choice.delta.content or ""
                out.tools += [c.function.name for c in choice.delta.tool_calls or []
                              if c.function and c.function.name]
                out.stop_reason = choice.finish_reason or out.stop_reason
        return
    choice = create(**_split(create, request)).choices[0]
    out.text = choice.message.content or ""
    out.tools = [call.function.name for call in choice.message.tool_calls or []]
    out.stop_reason = choice.finish_reason


def play_step(client: Any, step: Step, *, compat: bool) -> Outcome:
    """Make the client call a step describes and record what the client produced."""
    out = Outcome()
    request = dict(step.request or {})
    path = step.match.path or ""
    try:
        if path.endswith("/models"):
            client.models.list()
        elif path.endswith("/moderations"):
            client.moderations.create(**request)
        elif compat:
            _compat_chat(client, request, out)
        else:
            _native_chat(client, request, out)
        out.status = 200
    except Exception as exc:  # the client surfaced an error: that is what some steps expect
        out.error = exc
        out.status = getattr(exc, "status_code", None)
    return out


def grade(step: Step, out: Outcome, entries: list[Any]) -> list[str]:
    """Problems with `out` (and the requests in `entries`) against the step's expectations."""
    expect = step.expect
    if expect is None:
        return []
    problems = []

    def check(ok: bool, what: str) -> None:
        if not ok:
            problems.append(f"{step.label}: {what} (got {out})")

    if expect.status is not None:
        check(out.status == expect.status, f"status {expect.status}")
    if expect.raises is not None:
        check((out.error is not None) == expect.raises, f"raises {expect.raises}")
    elif out.error is not None:
        check(False, "no error")
    if expect.stop_reason is not None:
        check(out.stop_reason == expect.stop_reason, f"stop_reason {expect.stop_reason}")
    if expect.text_contains is not None:
        check(expect.text_contains in out.text, f"text containing {expect.text_contains!r}")
    if expect.text_regex is not None:
        check(bool(expect.text_regex.search(out.text)),
              f"text matching {expect.text_regex.pattern}")
    for name in expect.tools_called:
        check(name in out.tools, f"a call of {name}")
    if expect.tool_calls is not None:
        check(len(out.tools) == expect.tool_calls, f"{expect.tool_calls} tool calls")
    if expect.document is not None:
        try:
            json.loads(out.text)
            parsed = True
        except ValueError:
            parsed = False
        check(parsed == expect.document, f"document {expect.document}")
    if expect.requests is not None:
        check(len(entries) == expect.requests, f"{expect.requests} requests, saw {len(entries)}")
    if expect.min_retry_wait_ms is not None:
        gaps = [b.started - a.started for a, b in itertools.pairwise(entries)]
        check(bool(gaps) and min(gaps) * 1000 >= expect.min_retry_wait_ms,
              f"retries at least {expect.min_retry_wait_ms} ms apart, gaps {gaps}")
    for rule in expect.warnings:
        seen = {w.rule for e in entries if e.validation is not None for w in e.validation.warnings}
        check(rule in seen, f"a {rule} warning")
    return problems


@dataclass
class Played:
    step: Step
    outcome: Outcome
    entries: list[Any]
    problems: list[str]


@pytest.fixture
def play_scenario(scenario_mock: ScenarioMock) -> Callable[..., list[Played]]:
    """Play every step of a scenario that has a request, in a fresh session; grade each."""
    from llama_api_client import LlamaAPIClient
    from openai import OpenAI

    def play(scenario: Scenario, *, session: str | None = None, max_retries: int = 2,
             use_session: bool = True) -> list[Played]:
        session = session or f"{scenario.name}-{uuid.uuid4().hex[:8]}"
        headers = {"x-mock-scenario": scenario.name}
        if use_session:
            headers["x-mock-session"] = session
        native = LlamaAPIClient(api_key=API_KEY, base_url=scenario_mock.base_url + "/v1",
                                max_retries=max_retries, default_headers=headers)
        compat = OpenAI(api_key=API_KEY, base_url=scenario_mock.base_url + "/compat/v1",
                        max_retries=max_retries, default_headers=headers)
        played = []
        for step in scenario.steps:
            if step.request is None and not step.match.path:
                continue
            before = len(scenario_mock.entries(session)) if use_session else 0
            is_compat = step.match.endpoint == "compat"
            outcome = play_step(compat if is_compat else native, step, compat=is_compat)
            entries = scenario_mock.entries(session)[before:] if use_session else []
            played.append(Played(step, outcome, entries, grade(step, outcome, entries)))
        return played

    return play
