"""`check client` grades a compat client (the openai SDK on /compat/v1) on the fault scenarios in
its own dialect, `NAME@compat`: two flawed clients given as MODULE:FUNCTION fail the check their
flaw breaks, over real HTTP on loopback."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest

from contract.conformance.checks import ClientOutcome, Conversation, Unsupported
from contract.scenarios.loading import builtin_scenarios
from mockserver.cli.main import main
from mockserver.conformance.adapter_spec import resolve_adapter
from mockserver.conformance.client_runner import run_client_checks
from mockserver.conformance.faults import fault_scenarios

MODULE = __name__


def _client(base_url: str, api_key: str, conversation: Conversation) -> openai.OpenAI:
    if conversation.endpoint != "compat" or conversation.operation != "chat":
        raise Unsupported("compat chat only")
    return openai.OpenAI(api_key=api_key, base_url=base_url, max_retries=0,
                         default_headers=conversation.headers)  # fmt: skip


def swallows_429(base_url: str, api_key: str, conversation: Conversation) -> ClientOutcome:
    """Answers a rate-limited call with an empty text instead of raising."""
    client = _client(base_url, api_key, conversation)
    try:
        answer = client.chat.completions.create(**{**conversation.request, "stream": False})
    except openai.RateLimitError:
        return ClientOutcome(text="")  # the flaw: the user never learns the call failed
    except openai.APIError as exc:
        return ClientOutcome(error=exc)
    return ClientOutcome(text=answer.choices[0].message.content or "")


def keeps_a_cut_stream(base_url: str, api_key: str, conversation: Conversation) -> ClientOutcome:
    """Returns the text a stream gave before it was cut instead of raising."""
    client = _client(base_url, api_key, conversation)
    text = ""
    try:
        for chunk in client.chat.completions.create(**{**conversation.request, "stream": True}):
            if chunk.choices and chunk.choices[0].delta.content:
                text += chunk.choices[0].delta.content
    except (openai.APIError, httpx.HTTPError):
        return ClientOutcome(text=text, stop_reason="stop")  # the flaw: a partial answer
    return ClientOutcome(text=text, stop_reason="stop")


def _failed(tmp_path: Path, adapter: str, scenario: str) -> list[dict[str, Any]]:
    code = main(["check", "client", "--adapter", f"{MODULE}:{adapter}", "--scenarios", scenario,
                 "--report-dir", str(tmp_path), "--quiet"])  # fmt: skip
    document = json.loads((tmp_path / "report.json").read_text())
    assert code == 1
    assert document["options"]["endpoints"] == ["native", "compat"]
    failed: list[dict[str, Any]] = [r for r in document["records"] if r["status"] == "failed"]
    return failed


@pytest.mark.parametrize(
    ("adapter", "scenario", "case", "message"),
    [
        ("swallows_429", "error-429-rate-limited", "error-429-rate-limited@compat/limited",
         "the server's last answer was 429"),
        ("keeps_a_cut_stream", "truncated-stream", "truncated-stream@compat/cut-stream",
         "the server cut the stream after 3 event(s) (step cut-stream: truncate_stream"),
    ],
)  # fmt: skip
def test_a_flawed_compat_client_fails_the_fault_scenario_its_flaw_breaks(
    adapter: str, scenario: str, case: str, message: str, tmp_path: Path
) -> None:
    failed = _failed(tmp_path, adapter, scenario)
    assert [(r["case"], r["rule"]) for r in failed] == [(case, "client.error.surfaced")], failed
    assert message in failed[0]["message"], failed[0]["message"]
    assert "returned it as a result instead of raising" in failed[0]["message"]


def test_the_openai_adapter_is_graded_on_every_fault_scenario_on_compat_and_passes() -> None:
    """The fault scenarios `check server --faults` plays on compat are the ones `check client`
    plays the openai adapter, each as NAME@compat, graded and passed, none skipped."""
    faults = fault_scenarios(builtin_scenarios(), endpoints=("compat",))
    report = run_client_checks(resolve_adapter("openai"), target="openai", scenarios=faults,
                               endpoints=("compat",))  # fmt: skip
    failures = [f"{r.case} {r.rule}: {r.message}" for r in report.failures]
    assert report.ok, "\n".join(failures)
    played = {r.case.split("/")[0] for r in report.records}
    assert played == {f"{s.name}@compat" for s in faults}
    assert len(played) == 13
    assert not [r.case for r in report.records if r.status == "skipped"]
    passed = {r.check for r in report.records if r.status == "passed"}
    assert {"error_surfaced", "error_status", "retry_after", "retry_count"} <= passed
