"""An agent loop, as agent frameworks write it, run with the official SDK against the mock: it
must end, and its answer must use what the tools returned."""

from __future__ import annotations

import json
from typing import Any

import openai
import pytest
from llama_api_client import LlamaAPIClient

MODEL = "Llama-4-Maverick-17B-128E-Instruct-FP8"
WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Current weather for a city",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}},
            "required": ["city"],
        },
    },
}
FINAL = {
    "type": "function",
    "function": {
        "name": "final_result",
        "description": "The final response which ends this conversation",
        "parameters": {
            "type": "object",
            "properties": {
                "city": {"type": "string"},
                "temperature": {"type": "integer"},
                "condition": {"type": "string"},
            },
            "required": ["city", "temperature", "condition"],
        },
    },
}
FORECASTS = {"Oslo": {"temperature": 7, "condition": "snow"}}
MAX_REQUESTS = 10  # the loop's own limit, as agent frameworks have one


def get_weather(city: str) -> str:
    return json.dumps(FORECASTS.get(city, {"temperature": 20, "condition": "unknown"}))


def native_loop(
    client: LlamaAPIClient, question: str, tools: list[Any], tool_choice: str
) -> tuple[int, Any]:
    """Run tools until the model answers in text or calls final_result; (requests, outcome)."""
    messages: list[dict[str, Any]] = [{"role": "user", "content": question}]
    for request_count in range(1, MAX_REQUESTS + 1):
        message = client.chat.completions.create(
            model=MODEL, messages=messages, tools=tools, tool_choice=tool_choice
        ).completion_message
        if not message.tool_calls:
            return request_count, message.content.text
        messages.append(message.to_dict())
        for call in message.tool_calls:
            arguments = json.loads(call.function.arguments)
            if call.function.name == "final_result":
                return request_count, arguments
            result = get_weather(**arguments)
            messages.append({"role": "tool", "tool_call_id": call.id, "content": result})
    pytest.fail(f"the agent loop did not end within {MAX_REQUESTS} requests")


def compat_loop(client: openai.OpenAI, question: str, tool_choice: str) -> tuple[int, Any]:
    messages: list[Any] = [{"role": "user", "content": question}]
    for request_count in range(1, MAX_REQUESTS + 1):
        message = (
            client.chat.completions.create(
                model=MODEL, messages=messages, tools=[WEATHER, FINAL], tool_choice=tool_choice
            )
            .choices[0]
            .message
        )
        if not message.tool_calls:
            return request_count, message.content
        messages.append(message.model_dump(exclude_none=True))
        for call in message.tool_calls:
            arguments = json.loads(call.function.arguments)
            if call.function.name == "final_result":
                return request_count, arguments
            messages.append(
                {"role": "tool", "tool_call_id": call.id, "content": get_weather(**arguments)}
            )
    pytest.fail(f"the agent loop did not end within {MAX_REQUESTS} requests")


@pytest.fixture
def native_client(mock: Any) -> LlamaAPIClient:
    return LlamaAPIClient(api_key="k", base_url=mock.native, max_retries=0)


def test_required_with_a_final_answer_tool_ends_in_at_most_three_requests(native_client):
    requests, outcome = native_loop(
        native_client, "What's the weather in Oslo?", [WEATHER, FINAL], "required"
    )
    assert requests <= 3
    assert outcome == {"city": "Oslo", "temperature": 7, "condition": "snow"}


def test_auto_calls_the_tool_then_answers_with_its_result(native_client):
    requests, outcome = native_loop(native_client, "What's the weather in Oslo?", [WEATHER], "auto")
    assert requests == 2
    assert outcome == "The weather in Oslo: temperature 7, condition snow."


def test_auto_answers_an_unrelated_question_in_text_at_once(native_client):
    requests, outcome = native_loop(
        native_client, "Write a haiku about autumn leaves", [WEATHER], "auto"
    )
    assert requests == 1
    assert "autumn leaves" in outcome


@pytest.mark.parametrize(
    ("tool_choice", "expected"),
    [
        ("required", {"city": "Oslo", "temperature": 7, "condition": "snow"}),
        ("auto", "The weather in Oslo: temperature 7, condition snow."),
    ],
)
def test_the_openai_sdk_loop_ends_the_same_way(mock: Any, tool_choice: str, expected: Any):
    client = openai.OpenAI(api_key="k", base_url=mock.compat, max_retries=0)
    requests, outcome = compat_loop(client, "What's the weather in Oslo?", tool_choice)
    assert requests == 2
    assert outcome == expected
