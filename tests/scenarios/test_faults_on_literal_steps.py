"""Header faults on a step that answers literally (a `body`, an `error`, a bare 204) or with text
only: `malformed_json` cuts any JSON body the step sends; a fault with nothing to act on (no body
to cut, no tool call to write as text, no stream) leaves the answer alone, and the journal names
only the faults that acted."""

from __future__ import annotations

import json
from typing import Any

import pytest

from mockserver import MockConfig, MockRequest, MockResponse, MockService
from mockserver.scenarios.layer import install_scenarios

MODEL = "Llama-4-Maverick-17B-128E-Instruct-FP8"
BODY = {"id": "literal", "note": "a step's own JSON body, sent as is"}


def _service(respond: dict[str, Any]) -> MockService:
    service = MockService(MockConfig())
    layer = install_scenarios(service)
    scenario = {"name": "literal", "steps": [{"respond": respond, "times": 5}]}
    request = MockRequest("POST", "/_mock/scenarios", {"content-type": "application/json"},
                          json.dumps(scenario).encode())  # fmt: skip
    assert layer.admin_scenarios(request).status == 200
    return service


def _chat(service: MockService, fault: str, *, stream: bool = False) -> tuple[MockResponse, bytes]:
    body = {"model": MODEL, "messages": [{"role": "user", "content": "hi"}], "stream": stream}
    headers = {"authorization": "Bearer k", "content-type": "application/json",
               "x-mock-fault": fault}  # fmt: skip
    response = service.handle(
        MockRequest("POST", "/v1/chat/completions", headers, json.dumps(body).encode())
    )
    return response, b"".join(response.iter_body())


def _journaled_fault(service: MockService) -> str | None:
    return service.store.journal_entries()[-1].fault


@pytest.mark.parametrize(
    ("respond", "sent"),
    [
        ({"body": BODY}, json.dumps(BODY, separators=(",", ":")).encode()),
        ({"status": 201, "body": BODY}, json.dumps(BODY, separators=(",", ":")).encode()),
    ],
)
def test_malformed_json_cuts_a_literal_body_and_is_journaled(
    respond: dict[str, Any], sent: bytes
) -> None:
    service = _service(respond)
    plain, plain_body = _chat(service, "latency; ms=0")
    assert (plain.status, json.loads(plain_body)) == (respond.get("status", 200), BODY)
    cut, cut_body = _chat(service, "malformed_json; status=502")
    assert cut.status == 502
    assert cut_body == plain_body[: len(plain_body) // 2]
    assert _journaled_fault(service) == "malformed_json; status=502"


def test_malformed_json_cuts_an_error_step_body() -> None:
    service = _service({"status": 503, "error": "the model is overloaded"})
    plain, plain_body = _chat(service, "latency; ms=0")
    assert plain.status == 503
    cut, cut_body = _chat(service, "malformed_json")
    assert (cut.status, cut_body) == (200, plain_body[: len(plain_body) // 2])
    with pytest.raises(json.JSONDecodeError):
        json.loads(cut_body)
    assert _journaled_fault(service) == "malformed_json; status=200"


@pytest.mark.parametrize("stream", [False, True])
def test_a_bare_204_step_has_no_body_to_cut_and_the_journal_says_so(stream: bool) -> None:
    service = _service({"status": 204})
    answer, body = _chat(service, "malformed_json, latency; ms=0", stream=stream)
    assert (answer.status, body) == (204, b"")
    assert _journaled_fault(service) == "latency; distribution=fixed; ms=0"  # the cut: no body


def test_alone_a_fault_with_nothing_to_act_on_leaves_no_fault_in_the_journal() -> None:
    service = _service({"status": 204})
    answer, body = _chat(service, "malformed_json")
    assert (answer.status, body) == (204, b"")
    assert _journaled_fault(service) is None


@pytest.mark.parametrize("respond", [{"text": "Sunny."}, {"body": BODY}])
def test_tool_call_as_text_without_a_tool_call_is_not_journaled(respond: dict[str, Any]) -> None:
    service = _service(respond)
    answer, body = _chat(service, "tool_call_as_text")
    assert answer.status == 200
    assert ("Sunny." in body.decode()) if "text" in respond else (json.loads(body) == BODY)
    assert _journaled_fault(service) is None


def test_stream_faults_on_a_literal_body_for_a_stream_request_are_not_journaled() -> None:
    service = _service({"body": BODY})
    answer, body = _chat(service, "truncate_stream; after=1, stream_error", stream=True)
    assert (answer.status, json.loads(body)) == (200, BODY)
    assert _journaled_fault(service) is None


def test_a_stall_after_n_events_has_no_events_to_wait_between_on_a_literal_body() -> None:
    service = _service({"body": BODY})
    answer, body = _chat(service, "stall; after=1; ms=1500", stream=True)
    assert (answer.status, json.loads(body)) == (200, BODY)
    assert _journaled_fault(service) is None


def test_tool_call_as_text_with_a_tool_call_is_applied_and_journaled() -> None:
    call = {"name": "get_weather", "arguments": {"city": "Paris"}}
    service = _service({"tool_calls": [call]})
    answer, body = _chat(service, "tool_call_as_text")
    assert answer.status == 200
    message = json.loads(body)["completion_message"]
    assert "tool_calls" not in message or not message["tool_calls"]
    assert "get_weather" in message["content"]["text"]
    assert _journaled_fault(service) == "tool_call_as_text; style=json"


def _stand(service: MockService, fault: str, times: int) -> list[Any]:
    layer = install_scenarios(service)
    body = json.dumps({"fault": fault, "times": times}).encode()
    request = MockRequest("POST", "/_mock/faults", {"content-type": "application/json"}, body)
    assert layer.admin_faults(request).status in (200, 201)
    return _remaining(service)


def _remaining(service: MockService) -> list[Any]:
    layer = install_scenarios(service)
    listed = layer.admin_faults(MockRequest("GET", "/_mock/faults", {}, b""))
    return [entry["remaining"] for entry in json.loads(b"".join(listed.iter_body()))["faults"]]


def _plain_chat(
    service: MockService, text: str = "hi", *, stream: bool = False
) -> tuple[MockResponse, bytes]:
    body = {"model": MODEL, "messages": [{"role": "user", "content": text}], "stream": stream}
    headers = {"authorization": "Bearer k", "content-type": "application/json",
               "x-mock-session": "one"}  # fmt: skip
    response = service.handle(
        MockRequest("POST", "/v1/chat/completions", headers, json.dumps(body).encode())
    )
    return response, b"".join(response.iter_body())


@pytest.mark.parametrize(
    ("respond", "fault", "stream"),
    [
        ({"status": 204}, "malformed_json", False),
        ({"text": "Sunny."}, "tool_call_as_text", False),
        ({"body": BODY}, "truncate_stream; after=1", True),
        ({"body": BODY}, "stall; after=1; ms=1500", True),
    ],
)
def test_a_standing_fault_with_nothing_to_act_on_keeps_its_uses(
    respond: dict[str, Any], fault: str, stream: bool
) -> None:
    service = _service(respond)
    assert _stand(service, fault, 1) == [1]
    _plain_chat(service, stream=stream)
    _plain_chat(service, stream=stream)
    assert _remaining(service) == [1]  # it waits for an answer it can change
    assert _journaled_fault(service) is None


def test_a_standing_fault_with_nothing_to_act_on_waits_for_an_answer_it_can_change() -> None:
    call = {"name": "get_weather", "arguments": {"city": "Paris"}}
    service = MockService(MockConfig())
    layer = install_scenarios(service)
    steps = [
        {"match": {"last_user_message": {"contains": "joke"}}, "respond": {"text": "Ha."}},
        {"match": {"last_user_message": {"contains": "weather"}},
         "respond": {"tool_calls": [call]}},
    ]  # fmt: skip
    request = MockRequest("POST", "/_mock/scenarios", {"content-type": "application/json"},
                          json.dumps({"name": "two", "steps": steps}).encode())  # fmt: skip
    assert layer.admin_scenarios(request).status == 200
    _stand(service, "tool_call_as_text", 1)
    _stand(service, "latency; ms=0", 2)
    first, _ = _plain_chat(service, "a joke")
    assert first.status == 200
    assert _remaining(service) == [1, 1]  # the text answer used the latency only
    _, body = _plain_chat(service, "the weather")
    assert "get_weather" in json.loads(body)["completion_message"]["content"]["text"]
    assert _remaining(service) == []
    assert _journaled_fault(service) == "tool_call_as_text; style=json, latency; distribution=fixed; ms=0"


def test_a_set_with_one_fault_that_acted_is_counted() -> None:
    service = _service({"status": 204})
    _stand(service, "malformed_json, latency; ms=0", 1)
    _plain_chat(service)
    assert _remaining(service) == []
