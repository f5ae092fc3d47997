"""An x-mock-scenario (or admin) name that finds no scenario says how to load one when no loaded or
built-in name is close: the header picks a scenario, it loads no file."""

from __future__ import annotations

import json
from typing import Any

from mockserver import MockConfig, MockRequest, MockService
from mockserver.scenarios.layer import install_scenarios

MODEL = "Llama-4-Maverick-17B-128E-Instruct-FP8"


def _unknown(service: MockService, name: str) -> dict[str, Any]:
    body = {"model": MODEL, "messages": [{"role": "user", "content": "hi"}]}
    response = service.handle(MockRequest(
        "POST", "/v1/chat/completions", {"authorization": "Bearer k", "x-mock-scenario": name,
                                         "content-type": "application/json"},
        json.dumps(body).encode()))
    assert response.status == 400
    error: dict[str, Any] = json.loads(b"".join(response.iter_body()))["errors"][0]
    assert error["rule"] == "scenario.unknown"
    return error


def test_a_name_nothing_resembles_says_how_to_load_the_file() -> None:
    service = MockService(MockConfig())
    install_scenarios(service)
    message = _unknown(service, "weather")["message"]
    assert message.startswith("x-mock-scenario: no loaded or built-in scenario named 'weather'; ")
    assert "loads no file" in message
    assert "--scenarios FILE" in message
    assert "POST the scenario to /_mock/scenarios" in message
    assert "did you mean" not in message


def test_a_close_name_still_gets_the_closest_only() -> None:
    service = MockService(MockConfig())
    install_scenarios(service)
    message = _unknown(service, "multi-turnn")["message"]
    assert message == ("x-mock-scenario: no loaded or built-in scenario named 'multi-turnn'; "
                       "did you mean 'multi-turn'?")


def test_the_admin_api_says_it_reads_no_file() -> None:
    service = MockService(MockConfig())
    layer = install_scenarios(service)
    response = layer.admin_scenarios(MockRequest(
        "POST", "/_mock/scenarios", {"content-type": "application/json"},
        json.dumps({"scenarios": ["weather.yaml"]}).encode()))
    assert response.status == 400
    text = b"".join(response.iter_body()).decode()
    assert "no loaded or built-in scenario named 'weather.yaml'; the admin API reads no file" in text
    assert "x-mock-scenario" not in text
