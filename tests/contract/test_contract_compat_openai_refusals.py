"""What an OpenAI app may send that the compat endpoint refuses (temperature above 1, the developer
role, input_audio parts), and docs/server.md saying so with the contract's own bounds."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from contract import validate_request
from contract.schemas import load_schema

MODEL = "Llama-4-Maverick-17B-128E-Instruct-FP8"
USER = {"role": "user", "content": "hi"}
DOC = Path(__file__).resolve().parents[2] / "docs" / "server.md"
TITLE = "### What the compat endpoint refuses that OpenAI takes\n"


def _section() -> str:
    doc = DOC.read_text(encoding="utf-8")
    assert TITLE in doc, "docs/server.md has no section on what compat refuses"
    return " ".join(doc.split(TITLE, 1)[1].split("\n#", 1)[0].split())


def _errors(**fields: Any) -> list[tuple[str, str, str]]:
    payload = {"model": MODEL, "messages": [USER], **fields}
    result = validate_request(payload, endpoint="compat")
    return [(v.rule, v.path, v.message) for v in result.errors]


@pytest.mark.parametrize("strict", [False, True])
def test_compat_temperature_is_the_native_documented_range(strict):
    compat = load_schema("compat-chat-request")["properties"]["temperature"]
    native = load_schema("native-chat-request")["properties"]["temperature"]
    assert (compat["minimum"], compat["maximum"]) == (0, 1)
    assert (native["minimum"], native["maximum"]) == (0, 1)  # reference section 2: documented
    payload = {"model": MODEL, "messages": [USER], "temperature": 1.5}
    result = validate_request(payload, endpoint="compat", strict=strict)
    assert [(v.rule, v.path) for v in result.errors] == [("field.range", "/temperature")]


def test_the_developer_role_and_input_audio_are_refused_on_compat():
    developer = _errors(messages=[{"role": "developer", "content": "be brief"}, USER])
    assert [e[:2] for e in developer] == [("message.role.unknown", "/messages/0/role")]
    audio = {"type": "input_audio", "input_audio": {"data": "AAAA", "format": "wav"}}
    refused = _errors(messages=[{"role": "user", "content": [audio]}])
    assert [e[:2] for e in refused] == [("content.type.unknown", "/messages/0/content/0/type")]


def test_docs_server_md_says_what_compat_refuses_with_the_contracts_values():
    section = _section()
    (_, _, message) = _errors(temperature=1.5)[0]
    assert message in section  # the message an app gets, word for word
    assert "compat as on native" in section
    assert "documented range" in section
    roles = load_schema("compat-chat-request")["$defs"]["message"]["properties"]["role"]["enum"]
    assert roles == ["system", "user", "assistant", "tool"]
    assert all(f"`{role}`" in section for role in roles)
    for words in ("`developer`", "message.role.unknown", "`input_audio`", "content.type.unknown"):
        assert words in section
