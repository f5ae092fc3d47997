"""Faults as the official SDK (default retries) and the openai SDK experience them, over HTTP."""

from __future__ import annotations

import threading
import uuid

import httpx
import llama_api_client
import openai
import pytest
from llama_api_client import LlamaAPIClient

from contract.scenarios.loading import builtin_scenario

MODEL = "Llama-4-Maverick-17B-128E-Instruct-FP8"
ASK = [{"role": "user", "content": "Tell me about llamas."}]


@pytest.fixture
def session() -> str:
    return f"faults-{uuid.uuid4().hex[:10]}"


def _client(scenario_mock, session: str, fault: str | None = None, **options) -> LlamaAPIClient:
    headers = {"x-mock-session": session}
    if fault:
        headers["x-mock-fault"] = fault
    return LlamaAPIClient(api_key="test", base_url=scenario_mock.base_url + "/v1",
                          default_headers=headers, **options)


def test_fail_then_succeed_503_twice_is_absorbed_by_the_sdk_retries(scenario_mock, session):
    client = _client(scenario_mock, session, "fail_then_succeed; times=2; status=503")
    answer = client.chat.completions.create(model=MODEL, messages=ASK)
    assert answer.completion_message.stop_reason == "stop"
    entries = scenario_mock.entries(session)
    assert [e.status for e in entries] == [503, 503, 200]
    assert [e.headers.get("x-stainless-retry-count") for e in entries] == ["0", "1", "2"]


def test_429_with_retry_after_makes_the_sdk_wait_a_second(scenario_mock, session):
    fault = "fail_then_succeed; times=1; status=429; retry_after=1"
    client = _client(scenario_mock, session, fault)
    client.chat.completions.create(model=MODEL, messages=ASK)
    first, retry = scenario_mock.entries(session)
    assert (first.status, retry.status) == (429, 200)
    assert retry.started - first.started >= 1.0


@pytest.mark.parametrize("fault", ["truncate_stream; after=3", "stream_error; after=2",
                                   "malformed_sse; after=2"])
def test_broken_streams_make_the_sdk_stream_raise(scenario_mock, session, fault):
    client = _client(scenario_mock, session, fault, max_retries=0)
    stream = client.chat.completions.create(model=MODEL, messages=ASK, stream=True)
    received: list[str] = []

    def consume() -> None:
        received.extend(chunk.event.event_type for chunk in stream)

    with pytest.raises((llama_api_client.APIError, httpx.HTTPError, ValueError)):
        consume()
    assert received[:1] == ["start"]
    entry = scenario_mock.entries(session)[-1]
    assert entry.fault.startswith(fault.split(";")[0])


def test_stream_error_line_surfaces_as_an_api_error_with_its_body(scenario_mock, session):
    client = _client(scenario_mock, session, 'stream_error; after=1; message="model crashed"',
                     max_retries=0)
    with pytest.raises(llama_api_client.APIError) as caught:
        list(client.chat.completions.create(model=MODEL, messages=ASK, stream=True))
    assert caught.value.body["detail"] == "model crashed"


def test_rate_limit_raises_rate_limit_error(scenario_mock, session):
    client = _client(scenario_mock, session, "rate_limit", max_retries=0)
    with pytest.raises(llama_api_client.RateLimitError) as caught:
        client.chat.completions.create(model=MODEL, messages=ASK)
    headers = caught.value.response.headers
    assert headers["x-ratelimit-remaining-requests"] == "0"
    assert headers["retry-after"] == "1"


def test_header_fault_errors_are_clear_400s(scenario_mock, session):
    client = _client(scenario_mock, session, "http_error; stauts=503", max_retries=0)
    with pytest.raises(llama_api_client.BadRequestError) as caught:
        client.chat.completions.create(model=MODEL, messages=ASK)
    assert caught.value.body["errors"][0]["rule"] == "fault.invalid"
    assert "did you mean 'status'" in caught.value.body["detail"]


def test_tool_call_as_text_on_an_engine_answer(scenario_mock, session):
    client = _client(scenario_mock, session, "tool_call_as_text; style=pythonic", max_retries=0)
    tool = {"type": "function", "function": {"name": "get_time", "parameters": {
        "type": "object", "properties": {"tz": {"type": "string"}}, "required": ["tz"]}}}
    answer = client.chat.completions.create(
        model=MODEL, messages=ASK, tools=[tool], tool_choice="required"
    )
    message = answer.completion_message
    assert message.tool_calls == []
    assert message.stop_reason == "stop"
    assert message.content.text.startswith("[get_time(tz=")


def test_redirect_is_followed_by_the_openai_sdk(scenario_mock, session):
    client = openai.OpenAI(api_key="test", base_url=scenario_mock.base_url + "/compat/v1",
                           default_headers={"x-mock-session": session,
                                            "x-mock-fault": "redirect; times=1"})
    chunks = list(client.chat.completions.create(model=MODEL, messages=ASK, stream=True))
    assert chunks
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert [e.status for e in scenario_mock.entries(session)] == [307, 200]


def test_prefer_code_answers_that_status_with_the_contract_error_body(scenario_mock, session):
    client = _client(scenario_mock, session, max_retries=0)
    with pytest.raises(llama_api_client.NotFoundError) as caught:
        client.chat.completions.create(model=MODEL, messages=ASK,
                                       extra_headers={"prefer": "code=404"})
    assert caught.value.body["status"] == 404
    assert caught.value.body["errors"][0]["rule"] == "prefer.code"


def test_prefer_example_picks_a_step_answer_by_name(scenario_mock, session):
    client = _client(scenario_mock, session, max_retries=0)
    answer = client.chat.completions.create(
        model=MODEL, messages=ASK,
        extra_headers={"prefer": "example=population", "x-mock-scenario": "multi-turn"})
    assert answer.completion_message.content.text == (
        "About 2.1 million people live in Paris itself.")
    entry = scenario_mock.entries(session)[-1]
    assert (entry.scenario, entry.step) == ("multi-turn", "population")


@pytest.mark.parametrize(("scenario", "says"), [
    ("multi-turnn", "no loaded or built-in scenario named 'multi-turnn'; did you mean 'multi-turn'?"),
    ("multi-turn", "Prefer: example=nope: no step named 'nope' in scenario 'multi-turn'"),
])  # fmt: skip
def test_prefer_example_names_what_is_missing_the_scenario_or_the_step(
    scenario_mock, session, scenario, says
):
    client = _client(scenario_mock, session, max_retries=0)
    with pytest.raises(llama_api_client.BadRequestError) as caught:
        client.chat.completions.create(model=MODEL, messages=ASK, extra_headers={
            "prefer": "example=nope" if scenario == "multi-turn" else "example=population",
            "x-mock-scenario": scenario})  # fmt: skip
    error = caught.value.body["errors"][0]
    assert error["rule"] == "scenario.unknown"
    assert says in error["message"]


def test_two_sessions_step_through_one_scenario_in_parallel(scenario_mock, play_scenario):
    scenario = builtin_scenario("multi-turn")
    results: dict[str, list[str]] = {}
    barrier = threading.Barrier(2)

    def converse(name: str) -> None:
        barrier.wait()
        played = play_scenario(scenario, session=f"{name}-{uuid.uuid4().hex[:6]}")
        results[name] = [item.outcome.text for item in played]
        results[name + ":problems"] = [p for item in played for p in item.problems]

    threads = [threading.Thread(target=converse, args=(name,)) for name in ("left", "right")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    expected = ["The capital of France is Paris.",
                "About 2.1 million people live in Paris itself.",
                "The Seine runs through Paris."]
    assert results["left"] == results["right"] == expected
    assert results["left:problems"] == results["right:problems"] == []


def test_an_unmatched_request_gets_a_404_naming_the_closest_step(scenario_mock, session):
    client = _client(scenario_mock, session, max_retries=0)
    with pytest.raises(llama_api_client.NotFoundError) as caught:
        client.chat.completions.create(model=MODEL, messages=ASK,
                                       extra_headers={"x-mock-scenario": "tool-round-trip-native"})
    body = caught.value.body
    assert body["errors"][0]["rule"] == "scenario.no_match"
    assert body["detail"] == (
        "no scenario step matches this request; closest: scenario 'tool-round-trip-native' "
        "step 1 ('call-tool'), which failed on tools: wanted tools, the request offers none")


def test_malformed_json_with_an_error_status_on_a_stream_is_an_sdk_status_error(
        scenario_mock, session):
    client = _client(scenario_mock, session, "malformed_json; status=500", max_retries=0)
    with pytest.raises(llama_api_client.InternalServerError):
        for _ in client.chat.completions.create(model=MODEL, messages=ASK, stream=True):
            pass
    assert [e.status for e in scenario_mock.entries(session)] == [500]


@pytest.mark.parametrize("fault", ["truncate_stream; after=40", "stream_error; after=40",
                                   "malformed_sse; after=40"])
def test_a_stream_fault_after_more_events_than_a_compat_stream_has_still_reaches_the_sdk(
    scenario_mock, session, fault
):
    """The fault takes the place of `[DONE]`, where the openai SDK stops reading: sent after it,
    the client would never see it (an empty answer is three events)."""
    client = openai.OpenAI(api_key="test", base_url=scenario_mock.base_url + "/compat/v1",
                           max_retries=0, default_headers={"x-mock-session": session,
                                                           "x-mock-fault": fault})  # fmt: skip
    chunks: list[object] = []
    with pytest.raises((openai.APIError, httpx.HTTPError, ValueError)):
        chunks.extend(client.chat.completions.create(model=MODEL, messages=ASK, stream=True))
    assert chunks  # the stream's events came first
    assert scenario_mock.entries(session)[-1].fault.startswith(fault.split(";")[0])
