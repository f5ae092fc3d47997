"""`check client --examples N`: generated exchanges find client bugs the scenario library does
not, shrink each to its minimal exchange, and save it as a scenario that replays the failure."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import buggy_clients
import pytest
from hypothesis import given, settings
from hypothesis.errors import InvalidArgument

from contract.conformance.checks import Adapter, ClientOutcome, Conversation
from contract.scenarios.fault_forms import parse_fault_text
from contract.scenarios.loading import load_scenarios
from contract.scenarios.model import Respond, cut_by_sizes
from contract.strategies import ClientExchange, exchanges
from mockserver import MockConfig
from mockserver.conformance.adapters import llama_api_client, openai_compat
from mockserver.conformance.client_runner import ConformanceMock, run_client_checks

HERE = Path(__file__).parent


def _text(respond: dict[str, Any]) -> str:
    return str(respond.get("text", ""))


# bug -> (rule it breaks, what the minimal exchange looks like)
BUGS: dict[str, tuple[str, Callable[[dict[str, Any]], bool]]] = {
    "stops_at_empty_delta": (
        "client.text.intact",
        # two characters and an empty delta between them: "é" as "", "e", "", "\u0301"
        lambda r: len(_text(r)) == 2 and "" in cut_by_sizes(_text(r), tuple(r["deltas"]))[1:],
    ),
    "normalises_unicode": ("client.text.intact", lambda r: _text(r) == "e\u0301"),
    "first_streamed_call_only": (
        "client.tool_calls.intact",
        lambda r: (
            len(r["tool_calls"]) == 2 and all(c["arguments"] == "{}" for c in r["tool_calls"])
        ),
    ),
    "skips_blank_deltas": (
        "client.text.intact",
        lambda r: len(_text(r)) == 1 and not _text(r).strip(),
    ),
    "strips_text": ("client.text.intact", lambda r: len(_text(r)) == 1 and not _text(r).strip()),
}


def check_client(adapter: str, tmp_path: Path, *options: str) -> tuple[int, dict[str, Any]]:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")]),
    }
    done = subprocess.run(
        [sys.executable, "-m", "mockserver.cli.main", "check", "client", "--adapter", adapter,
         "--report-dir", str(tmp_path / "report"), "--quiet", *options],
        capture_output=True, text=True, env=env, timeout=600, check=False,
    )  # fmt: skip
    assert done.returncode in (0, 1), done.stderr
    return done.returncode, json.loads((tmp_path / "report" / "report.json").read_text())


@pytest.mark.parametrize("bug", sorted(BUGS))
def test_a_client_bug_the_scenarios_miss_is_found_and_shrunk(bug: str, tmp_path: Path) -> None:
    rule, minimal = BUGS[bug]
    status, report = check_client(
        f"buggy_clients:{bug}", tmp_path, "--examples", "200", "--seed", "1",
        "--save-failures", str(tmp_path / "failures"),
    )  # fmt: skip
    failed = [r for r in report["records"] if r["status"] == "failed"]
    assert status == 1
    assert [r for r in failed if not r["case"].startswith("generated/")] == []  # scenarios pass
    found = [r for r in failed if r["rule"] == rule]
    assert len(found) == 1, failed
    message = found[0]["message"]  # where and what, as in every record: the record names the rule
    assert f"[{rule}]" not in message, message
    assert not message.startswith("/: "), message
    evidence = found[0]["evidence"]
    assert evidence["seed"] == 1
    respond = evidence["exchange"]["steps"][0]["respond"]
    assert minimal(respond), respond
    [sent] = evidence["request"]["sent_by_the_client"]  # what the mock received, as for a scenario
    assert sent["status"] == 200
    assert sent["body"]["messages"] == evidence["exchange"]["steps"][0]["request"]["messages"]
    # The saved scenario replays the failure: a regression test to keep.
    saved = load_scenarios([tmp_path / "failures"])
    replayed = run_client_checks(getattr(buggy_clients, bug), target=bug, scenarios=saved)
    assert rule in {r.rule for r in replayed.failures}


@pytest.mark.parametrize("adapter", [llama_api_client, openai_compat], ids=["llama", "openai"])
def test_the_sdks_take_every_generated_answer_and_every_answer_conforms(adapter: Adapter) -> None:
    mock = ConformanceMock(MockConfig(port=0, self_check=True))
    report = run_client_checks(adapter, target="sdk", scenarios=(), examples=60, seed=5,
                               conformance_mock=mock)  # fmt: skip
    assert report.ok, [r.message for r in report.failures]
    assert report.summary()["cases"] == 60
    assert not mock.service.answer_problems, mock.service.answer_problems


def test_the_same_seed_gives_the_same_report() -> None:
    def records(seed: int) -> list[dict[str, Any]]:
        report = run_client_checks(
            buggy_clients.normalises_unicode, target="x", scenarios=(), examples=30, seed=seed
        )
        return [record.to_dict() for record in report.records]

    first = records(3)
    assert any(record["status"] == "failed" for record in first)
    assert records(3) == first


@pytest.mark.parametrize(
    ("options", "word"),
    [
        ({"endpoint": "natve"}, "endpoint"),
        ({"stream": "yes"}, "stream"),
        ({"faults": None}, "faults"),
    ],
)
def test_strategy_arguments_are_checked_and_named(options: dict[str, Any], word: str) -> None:
    with pytest.raises(InvalidArgument, match=word):
        exchanges(**options)


@settings(max_examples=60, deadline=None)
@given(exchanges(endpoint="native", stream=True))
def test_a_stream_cut_by_deltas_joins_back_to_the_answer(exchange: ClientExchange) -> None:
    respond = exchange.respond
    assert exchange.stream
    if respond.deltas:
        assert "".join(cut_by_sizes(respond.content_text, respond.deltas)) == respond.content_text
    assert exchange.scenario().steps[0].respond == respond


def test_an_adapter_for_neither_api_is_reported_not_crashed() -> None:
    def neither(base_url: str, api_key: str, conversation: Conversation) -> ClientOutcome:
        from contract.conformance.checks import Unsupported

        raise Unsupported("no API at all")

    report = run_client_checks(neither, target="none", scenarios=(), examples=5, seed=1)
    assert [r.status for r in report.records] == ["skipped"]


@settings(max_examples=300, deadline=None)
@given(exchanges(faults=True))
def test_a_saved_exchange_loads_back_as_the_same_answer(exchange: ClientExchange) -> None:
    from contract.scenarios.loading import parse_scenario

    text = json.dumps(exchange.to_data(), ensure_ascii=False)
    step = parse_scenario(text, json_syntax=True).steps[0]
    assert step.respond == (None if exchange.replaced else exchange.respond)
    assert step.request == exchange.request
    assert step.faults == exchange.faults


@pytest.mark.parametrize("fault", ["truncate_stream", "stream_error", "malformed_sse"])
@pytest.mark.parametrize("after", [3, 6])
def test_a_stream_fault_after_a_short_streams_end_is_surfaced_by_a_correct_client(
    fault: str, after: int
) -> None:
    """An empty compat answer streams three events; the strategy draws `after` up to 6, and a
    correct client must still be graded as surfacing the fault (it once read [DONE] and ended)."""
    request = {"model": "Llama-4-Maverick-17B-128E-Instruct-FP8", "stream": True,
               "messages": [{"role": "user", "content": "hi"}]}  # fmt: skip
    exchange = ClientExchange("compat", request, Respond(text="", stop_reason="stop"),
                              (parse_fault_text(f"{fault}; after={after}"),))  # fmt: skip
    assert exchange.breaks
    report = run_client_checks(openai_compat, target="openai", scenarios=[exchange.scenario()])
    assert report.ok, [record.message for record in report.failures]
