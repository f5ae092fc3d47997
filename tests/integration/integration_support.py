"""Constants shared by the integration tests (imported by file name: tests/ is not a package)."""

from __future__ import annotations

API_KEY = "LLM|1234567890|test-key"
MODEL = "Llama-4-Maverick-17B-128E-Instruct-FP8"
WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Get the current weather in a city",
        "parameters": {
            "type": "object",
            "properties": {
                "city": {"type": "string"},
                "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
            },
            "required": ["city", "unit"],
            "additionalProperties": False,
        },
    },
}
