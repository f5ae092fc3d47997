"""`llama-contract validate` on a request with OpenAI fields (`seed`, `n`, `stop`...): they suggest an
OpenAI client, so the compat endpoint, but the compat contract does not take them either. The note
says that, and never that "only compat requests have" them while a warning calls them unknown."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from contract_samples import OPENAI_PARAMETERS

from contract.validate.detect import request_clues, request_endpoint
from mockserver.cli.main import main

MODEL = "Llama-4-Maverick-17B-128E-Instruct-FP8"
USER = {"role": "user", "content": "hi"}


def _request(**fields: Any) -> dict[str, Any]:
    return {"model": MODEL, "messages": [USER], **fields}


def _run(tmp_path: Path, document: Any, capsys: Any, *args: str) -> tuple[int, dict[str, Any]]:
    path = tmp_path / "request.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    status = main(["validate", "--format", "json", *args, str(path)])
    return status, json.loads(capsys.readouterr().out)


def test_the_reported_seed_request_gets_a_note_that_agrees_with_its_warning(tmp_path, capsys):
    status, report = _run(tmp_path, _request(seed=3), capsys)
    assert status == 0
    assert report["kind"] == "compat request"
    (note,) = report["notes"]
    assert note == (
        "checked as compat (the OpenAI-compatible endpoint) because of /seed, an OpenAI field that "
        "suggests an OpenAI client (the compat contract does not take it either: it is reported "
        "as an unknown field); pass --endpoint native to check it as native"
    )
    assert "only compat requests have" not in note
    unknown = [v["path"] for v in report["violations"] if v["rule"] == "field.unknown"]
    assert unknown == ["/seed"]  # what the note says: reported as an unknown field


def test_several_openai_fields_are_named_together(tmp_path, capsys):
    _, report = _run(tmp_path, _request(n=2, stop="x"), capsys)
    (note,) = report["notes"]
    assert "because of /n, /stop, OpenAI fields that suggest an OpenAI client (the compat " in note
    assert "does not take them either: they are reported as unknown fields)" in note


def test_a_compat_only_field_and_an_openai_field_each_get_their_own_reason(tmp_path, capsys):
    document = _request(stream=True, stream_options={"include_usage": True}, seed=1)
    _, report = _run(tmp_path, document, capsys)
    (note,) = report["notes"]
    assert note.startswith(
        "checked as compat (the OpenAI-compatible endpoint) because of /stream_options, which only "
        "compat requests have, and /seed, an OpenAI field that suggests an OpenAI client (the "
        "compat contract does not take it either"
    )


def test_a_strict_check_makes_the_openai_field_an_error_as_the_note_implies(tmp_path, capsys):
    status, report = _run(tmp_path, _request(seed=3), capsys, "--strict")
    assert status == 1
    assert report["kind"] == "compat request"
    found = [(v["rule"], v["path"], v["severity"]) for v in report["violations"]]
    assert found == [("field.unknown", "/seed", "error")]


@pytest.mark.parametrize("field", sorted(OPENAI_PARAMETERS))
def test_every_openai_parameter_points_at_compat_and_is_named_an_openai_field(field):
    document = _request(**{field: OPENAI_PARAMETERS[field]})
    assert request_clues(document) == ([f"/{field}"], [])
    endpoint, note = request_endpoint(document)
    assert endpoint == "compat"
    assert f"/{field}, an OpenAI field that suggests an OpenAI client" in note
    assert "only compat requests have" not in note
