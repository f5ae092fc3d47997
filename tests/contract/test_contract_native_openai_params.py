"""OpenAI parameters sent to the native endpoint get the same plain notes as on compat, not a
misleading "did you mean" (`stop` is no `top_p`, `store` no `stream`)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from contract import validate_request

SCHEMAS = Path(__file__).resolve().parents[2] / "contract" / "schemas"
MODEL = "Llama-4-Maverick-17B-128E-Instruct-FP8"
NATIVE = json.loads((SCHEMAS / "native-chat-request.json").read_text())
COMPAT = json.loads((SCHEMAS / "compat-chat-request.json").read_text())
OPENAI_ONLY = sorted(set(COMPAT["x-tolerated"]) - set(NATIVE["properties"]))


def test_every_openai_parameter_noted_on_compat_is_noted_on_native_too() -> None:
    assert set(OPENAI_ONLY) <= set(NATIVE["x-tolerated"])


@pytest.mark.parametrize("field", OPENAI_ONLY)
def test_an_openai_parameter_on_native_is_a_warning_with_its_note(field: str) -> None:
    request = {"model": MODEL, "messages": [{"role": "user", "content": "hi"}], field: 1}
    result = validate_request(request, endpoint="native")
    assert result.ok
    (warning,) = result.violations
    assert (warning.rule, warning.path) == ("field.unknown", f"/{field}")
    assert "did you mean" not in warning.message
    assert "not part of the Llama API" in warning.message
    assert not validate_request(request, endpoint="native", strict=True).ok
