"""`check client`: the built-in adapters pass; a broken client fails with the right findings."""

from __future__ import annotations

import json
from collections import Counter

import httpx
import pytest

from contract.conformance.checks import ClientOutcome, Conversation, ToolCallOutcome, Unsupported
from contract.conformance.report import Report
from contract.scenarios.loading import builtin_scenario, parse_scenario
from mockserver.conformance.adapter_spec import AdapterError, resolve_adapter
from mockserver.conformance.client_plays import calls_of
from mockserver.conformance.client_runner import run_client_checks


def _failures(report: Report) -> list[str]:
    return [f"{r.case} {r.check} [{r.rule}]: {r.message}" for r in report.failures]


@pytest.mark.parametrize("name", ["llama-api-client", "llama-api-client-async", "openai"])
def test_builtin_adapter_passes(name: str) -> None:
    report = run_client_checks(resolve_adapter(name), target=name)
    assert report.ok, "\n".join(_failures(report))
    passed = {r.check for r in report.records if r.status == "passed"}
    assert {"requests_conform", "text_intact", "tool_calls_intact", "stop_reason"} <= passed
    if name != "openai":  # the native library: documents, errors and retries are graded too
        assert {"document_intact", "error_surfaced", "retry_after", "retry_count"} <= passed
    skipped = {r.case.split("/")[0] for r in report.records if r.status == "skipped"}
    native_only = {"streaming-text", "structured-output"}
    assert skipped.isdisjoint(native_only) if name != "openai" else native_only <= skipped


@pytest.mark.parametrize(("name", "endpoint"), [("llama-api-client", "native"),
                                                ("openai", "compat")])  # fmt: skip
def test_the_fault_scenarios_are_played_in_the_dialect_the_client_speaks(name, endpoint) -> None:
    """A scenario of both endpoints (the fault scenarios: errors, retries, cut streams) is played
    on the endpoint given, NAME@compat on compat, and graded there."""
    scenarios = [builtin_scenario(n) for n in ("error-429-rate-limited", "truncated-stream",
                                               "unavailable-twice-then-success")]  # fmt: skip
    report = run_client_checks(resolve_adapter(name), target=name, scenarios=scenarios,
                               endpoints=(endpoint,))  # fmt: skip
    assert report.ok, "\n".join(_failures(report))
    suffix = "@compat" if endpoint == "compat" else ""
    played = {r.case.split("/")[0] for r in report.records}
    assert played == {f"{s.name}{suffix}" for s in scenarios}
    passed = {r.check for r in report.records if r.status == "passed"}
    assert {"error_surfaced", "error_status", "retry_count"} <= passed
    assert not [r for r in report.records if r.status == "skipped"]


def broken_client(base_url: str, api_key: str, conversation: Conversation) -> ClientOutcome:
    """A hand-written client with two bugs: it retries a 429 at once, ignoring retry-after, and it
    drops tool calls it receives in a stream."""
    if conversation.endpoint != "native" or conversation.operation != "chat":
        raise Unsupported("native chat only")
    headers = {"Authorization": f"Bearer {api_key}", **conversation.headers}
    url = base_url + "/chat/completions"
    for _ in range(3):
        answer = httpx.post(url, json=conversation.request, headers=headers, timeout=30)
        if answer.status_code != 429:
            break
    if answer.status_code >= 400:
        return ClientOutcome(error=RuntimeError(f"HTTP {answer.status_code}"))
    if not conversation.stream:
        message = answer.json()["completion_message"]
        content = message["content"]
        return ClientOutcome(
            text=content["text"] if isinstance(content, dict) else content,
            tool_calls=[ToolCallOutcome(c["function"]["name"], c["function"]["arguments"], c["id"])
                        for c in message.get("tool_calls", [])],
            stop_reason=message["stop_reason"],
        )  # fmt: skip
    out = ClientOutcome(text="")
    for line in answer.text.splitlines():
        if not line.startswith("data: "):
            continue
        event = json.loads(line[6:])["event"]
        if event["delta"]["type"] == "text":
            out.text = (out.text or "") + event["delta"]["text"]
        if event["event_type"] == "complete":
            out.stop_reason = event["stop_reason"]
    return out


def test_a_broken_client_fails_with_the_right_findings() -> None:
    scenarios = [builtin_scenario(name) for name in
                 ("rate-limit-then-success", "streamed-tool-call", "streaming-text")]  # fmt: skip
    report = run_client_checks(broken_client, target="tests:broken_client", scenarios=scenarios)
    found = Counter((r.case, r.rule) for r in report.failures)
    assert found == {
        ("rate-limit-then-success/limited", "client.retry.after"): 1,
        ("streamed-tool-call/stream-call", "client.tool_calls.intact"): 1,
    }, _failures(report)
    retry = next(r for r in report.failures if r.rule == "client.retry.after")
    assert "retry-after asked for at least 1000 ms" in retry.message
    assert [seen["status"] for seen in retry.evidence["response"]["requests_seen"]] == [429, 200]
    # The streamed text of a stream without tool calls came through: that part of it conforms.
    assert any(r.case == "streaming-text/stream" and r.check == "text_intact"
               and r.status == "passed" for r in report.records)  # fmt: skip


def test_an_error_swallowed_by_the_client_is_found() -> None:
    def swallowing(base_url: str, api_key: str, conversation: Conversation) -> ClientOutcome:
        outcome = resolve_adapter("llama-api-client")(base_url, api_key, conversation)
        return ClientOutcome(text=outcome.text or "")  # pretends every call succeeded

    names = ("error-500-server-error", "truncated-stream", "mid-stream-error")
    report = run_client_checks(swallowing, target="swallowing", endpoints=("native",),
                               scenarios=[builtin_scenario(name) for name in names])  # fmt: skip
    assert {r.rule for r in report.failures} == {"client.error.surfaced"}
    # The message names what the client swallowed: a status, or the stream a 200 broke off.
    said = {r.case: r.message for r in report.failures}
    assert said == {
        "error-500-server-error/fail": "the server's last answer was 500 and the client "
        "returned it as a result instead of raising",
        "truncated-stream/cut-stream": "the server cut the stream after 3 event(s) (step "
        "cut-stream: truncate_stream; a 200 whose body never ends) and the client returned it "
        "as a result instead of raising",
        "mid-stream-error/failing-stream": "the stream failed after 2 event(s) with an error line "
        "of status 500 (step failing-stream: stream_error) and the client returned it as a "
        "result instead of raising",
    }, said


def test_adapter_specs_are_resolved_or_refused_clearly() -> None:
    from mockserver.conformance.adapters import llama_api_client

    resolved = resolve_adapter("mockserver.conformance.adapters:llama_api_client")
    assert resolved.__wrapped__ is llama_api_client  # type: ignore[attr-defined]  # raising_is_misuse
    with pytest.raises(AdapterError, match=r"json.dumps is a callable with the signature \(obj, \*"):
        resolve_adapter("json:dumps")  # a function, but not one that takes an adapter's call
    with pytest.raises(AdapterError, match="MODULE:FUNCTION"):
        resolve_adapter("no-such-adapter")
    with pytest.raises(AdapterError, match="cannot import"):
        resolve_adapter("no_such_module_xyz:run")
    with pytest.raises(AdapterError, match="no function"):
        resolve_adapter("json:no_such_function")


def test_a_wrong_stop_reason_says_which_side_said_what() -> None:
    def always_stop(base_url: str, api_key: str, conversation: Conversation) -> ClientOutcome:
        outcome = resolve_adapter("llama-api-client")(base_url, api_key, conversation)
        outcome.stop_reason = "stop"
        return outcome

    report = run_client_checks(always_stop, target="always_stop",
                               scenarios=[builtin_scenario("length-stop")])  # fmt: skip
    wrong = [r for r in report.failures if r.rule == "client.stop_reason"]
    assert wrong
    assert all("the client returned stop reason 'stop'; the scenario expects 'length'" in r.message
               for r in wrong), [r.message for r in wrong]


def test_a_bug_in_an_adapter_propagates_with_its_traceback(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Reading the SDK's answer is our code: a bug there is not the client raising."""
    from mockserver.conformance import adapters

    def buggy(message: object, out: ClientOutcome) -> None:
        raise AttributeError("the adapter's own bug")

    monkeypatch.setattr(adapters, "_native_message", buggy)
    with pytest.raises(AttributeError, match="the adapter's own bug") as caught:
        run_client_checks(adapters.llama_api_client, target="buggy adapter",
                          scenarios=[builtin_scenario("multi-turn")])  # fmt: skip
    assert any(entry.name == "buggy" for entry in caught.traceback)


def test_a_programming_error_is_not_counted_as_a_surfaced_error() -> None:
    """A client (or an adapter with a catch-all) that crashes on an error answer with a KeyError
    has not surfaced the error; a client error class has."""
    from mockserver.conformance.adapters import llama_api_client

    def crashes_on_errors(base_url: str, api_key: str, conversation: Conversation) -> ClientOutcome:
        out = llama_api_client(base_url, api_key, conversation)
        return ClientOutcome(error=KeyError("completion_message")) if out.error else out

    scenarios = [builtin_scenario("error-404-not-found")]
    report = run_client_checks(crashes_on_errors, target="crashes", scenarios=scenarios)
    surfaced = [r for r in report.records if r.check == "error_surfaced"]
    assert [r.status for r in surfaced] == ["failed"]
    assert "KeyError" in surfaced[0].message
    assert "programming error" in surfaced[0].message
    assert run_client_checks(llama_api_client, target="sdk", scenarios=scenarios).ok


def test_progress_counts_cases_scenario_calls_and_generated_exchanges_alike() -> None:
    """DONE/TOTAL is in cases, as the summary's count: one per call, one per exchange."""
    scenarios = [builtin_scenario("seed-example"), builtin_scenario("agent-loop")]
    calls = sum(len(calls_of(scenario)) for scenario in scenarios)
    shown: list[tuple[int, int]] = []
    report = run_client_checks(resolve_adapter("llama-api-client"), target="sdk",
                               scenarios=scenarios, examples=4, seed=1,
                               progress=lambda done, total: shown.append((done, total)))  # fmt: skip
    assert calls > len(scenarios)  # agent-loop has several calls: counting scenarios would show
    assert report.cases == calls + 4
    assert shown == [(done, report.cases) for done in range(1, report.cases + 1)]


@pytest.mark.parametrize(("endpoint", "adapter"), [("native", "llama-api-client"),
                                                   ("compat", "openai")])  # fmt: skip
@pytest.mark.parametrize("stream", [False, True])
def test_a_bare_204_reaches_the_checks_as_no_message(endpoint: str, adapter: str,
                                                     stream: bool) -> None:  # fmt: skip
    """Both SDKs hand back the empty body's text for a 204: the adapters read that as no
    message (they raised AttributeError), and no check wants a text or a stop reason the step
    never sent. A scenario that expects the client to raise then finds that it did not."""
    step = {"name": "nothing", "match": {"endpoint": endpoint},
            "request": {"model": "Llama-4-Maverick-17B-128E-Instruct-FP8", "stream": stream,
                        "messages": [{"role": "user", "content": "Hello?"}]},
            "respond": {"status": 204}}  # fmt: skip
    quiet = parse_scenario(json.dumps({"name": "bare-204", "steps": [step]}), json_syntax=True)
    report = run_client_checks(resolve_adapter(adapter), target=adapter, scenarios=[quiet])
    assert report.ok, [r.message for r in report.failures]
    assert {r.check for r in report.records if r.status == "passed"} >= {"no_unexpected_error"}
    step["expect"] = {"raises": True}
    strict = parse_scenario(json.dumps({"name": "bare-204", "steps": [step]}), json_syntax=True)
    report = run_client_checks(resolve_adapter(adapter), target=adapter, scenarios=[strict])
    assert [r.rule for r in report.failures] == ["client.error.surfaced"]
    assert "the server's last answer was 204" in report.failures[0].message
