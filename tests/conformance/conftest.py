"""Fixtures of the conformance tests: our own mock on a live server, a deliberately broken
server, and reports of checking both (computed once per session; the checks are the slow part)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask, Response, request

from contract import validate_request
from contract.conformance.report import Report
from mockserver import MockConfig, MockService
from mockserver.adapters.live import LiveApp, LiveServer
from mockserver.conformance.server_runner import run_server_checks

EXAMPLES = 40
SEED = 7
BROKEN_EXAMPLES = 30


@pytest.fixture(scope="session")
def live_mock() -> Iterator[LiveServer]:
    live = LiveServer(MockService(MockConfig(port=0, self_check=True))).start()
    yield live
    live.stop()
    live.raise_errors()
    assert not live.service.answer_problems, "\n".join(live.service.answer_problems)


@pytest.fixture(scope="session")
def mock_report(live_mock: LiveServer) -> Report:
    from contract.scenarios.loading import builtin_scenarios

    return run_server_checks(base_url=live_mock.base_url, scenarios=builtin_scenarios(),
                             examples=EXAMPLES, seed=SEED)  # fmt: skip


def _metrics(*, total: bool) -> list[dict[str, Any]]:
    metrics = [{"metric": "num_completion_tokens", "value": 3, "unit": "tokens"},
               {"metric": "num_prompt_tokens", "value": 5, "unit": "tokens"}]  # fmt: skip
    if total:
        metrics.append({"metric": "num_total_tokens", "value": 8, "unit": "tokens"})
    return metrics


def _event(event: dict[str, Any]) -> str:
    return "data: " + json.dumps({"id": "broken-1", "event": event}) + "\n\n"


def broken_app() -> Flask:
    """A native-only server with five defects: `[DONE]` on native streams, no delta on the metrics
    event, 500 for an unknown role, `content` as an array, no `num_total_tokens`."""
    app = Flask("broken")

    @app.get("/v1/models")
    def models() -> Response:
        return Response('{"data": []}', content_type="application/json")

    @app.post("/v1/chat/completions")
    def chat() -> Response:
        body = request.get_json(force=True, silent=True)
        found = validate_request(body, endpoint="native")
        if "message.role.unknown" in found.rules:
            return Response("Internal Server Error", status=500, content_type="text/plain")
        if not found.ok:
            error = {"title": "Bad Request", "detail": found.errors[0].message, "status": 400}
            return Response(json.dumps(error), status=400, content_type="application/json")
        if isinstance(body, dict) and body.get("stream") is True:  # a valid request is a dict
            empty = {"type": "text", "text": ""}
            records = [
                _event({"event_type": "start", "delta": empty}),
                _event({"event_type": "progress", "delta": {"type": "text", "text": "Hi."}}),
                _event({"event_type": "complete", "stop_reason": "stop", "delta": empty}),
                _event({"event_type": "metrics", "metrics": _metrics(total=True)}),
                "data: [DONE]\n\n",
            ]
            return Response("".join(records), content_type="text/event-stream")
        answer = {"id": "broken-1", "metrics": _metrics(total=False),
                  "completion_message": {"role": "assistant", "stop_reason": "stop",
                                         "content": [{"type": "text", "text": "Hi."}],
                                         "tool_calls": []}}  # fmt: skip
        return Response(json.dumps(answer), content_type="application/json")

    return app


@pytest.fixture(scope="session")
def broken_server() -> Iterator[str]:
    with LiveApp(broken_app()) as server:
        yield server.base_url
    server.raise_errors()


@pytest.fixture(scope="session")
def broken_report(broken_server: str) -> Report:
    from contract.scenarios.loading import builtin_scenarios

    return run_server_checks(base_url=broken_server, scenarios=builtin_scenarios(),
                             examples=BROKEN_EXAMPLES, seed=SEED, endpoints=("native",))  # fmt: skip
