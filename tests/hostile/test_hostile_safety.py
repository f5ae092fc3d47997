"""Safety review: the admin API behind a token off loopback, no file reads by request, regexes
that cannot hang the server."""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest
from flask.testing import FlaskClient

from contract.scenarios.loading import builtin_dir
from contract.scenarios.patterns import MAX_SUBJECT_CHARS, compile_safe, search_bounded
from mockserver import MockConfig, create_app
from mockserver.adapters.flask_app import service_of
from mockserver.core.routes import ROUTES

ADMIN_ROUTES = sorted({(r.method, r.path) for r in ROUTES if r.admin})
CALL_TIMEOUT_S = 30.0  # a bound against a hang, not a claim about speed
AUTH = {"Authorization": "Bearer key"}
CHAT = {
    "model": "Llama-4-Maverick-17B-128E-Instruct-FP8",
    "messages": [{"role": "user", "content": "hello"}],
}


def _client(**settings: Any) -> FlaskClient:
    return create_app(MockConfig(**settings)).test_client()


def _admin_call(client: FlaskClient, method: str, path: str, headers: dict[str, str]) -> Any:
    body = {"scenarios": []} if path.endswith("scenarios") else {"fault": "latency; ms=1"}
    data = json.dumps(body) if method == "POST" and not path.endswith("reset") else None
    return client.open(
        path, method=method, data=data, headers=headers, content_type="application/json"
    )


@pytest.mark.parametrize(("method", "path"), ADMIN_ROUTES)
@pytest.mark.parametrize("given", [None, "", "guess"])
def test_off_loopback_without_a_configured_token_admin_is_refused(
    method: str, path: str, given: str | None
) -> None:
    client = _client(host="0.0.0.0")
    headers = {} if given is None else {"x-mock-admin-token": given}
    answer = _admin_call(client, method, path, headers)
    assert answer.status_code == 403
    assert answer.get_json()["errors"][0]["rule"] == "admin.unauthorized"
    assert "--admin-token" in answer.get_json()["detail"]


@pytest.mark.parametrize(("method", "path"), ADMIN_ROUTES)
def test_off_loopback_admin_needs_the_exact_token(method: str, path: str) -> None:
    client = _client(host="0.0.0.0", admin_token="s3cret-token")
    for wrong in (
        {},
        {"x-mock-admin-token": "s3cret"},
        {"x-mock-admin-token": "S3CRET-TOKEN"},
        {"Authorization": "Bearer s3cret-token"},
    ):
        answer = _admin_call(client, method, path, wrong)
        assert answer.status_code == 403, (wrong, answer.get_data())
        assert answer.get_json()["errors"][0]["rule"] == "admin.unauthorized"
    answer = _admin_call(client, method, path, {"x-mock-admin-token": "s3cret-token"})
    assert answer.status_code in (200, 204), answer.get_data()


def test_refused_admin_calls_change_nothing() -> None:
    client = _client(host="0.0.0.0", admin_token="t")
    client.post("/v1/chat/completions", json=CHAT, headers=AUTH)
    assert client.delete("/_mock/journal").status_code == 403
    assert client.post("/_mock/faults", json={"fault": "http_error; status=500"}).status_code == 403
    assert client.post("/v1/chat/completions", json=CHAT, headers=AUTH).status_code == 200
    journal = client.get("/_mock/journal", headers={"x-mock-admin-token": "t"}).get_json()
    assert journal["count"] == 2


def test_on_loopback_admin_is_open_unless_a_token_is_set() -> None:
    assert _client().get("/_mock/journal").status_code == 200
    guarded = _client(admin_token="t")
    assert guarded.get("/_mock/journal").status_code == 403
    assert guarded.get("/_mock/journal", headers={"x-mock-admin-token": "t"}).status_code == 200


def _real_scenario_file() -> str:
    return str(next(iter(sorted(builtin_dir().glob("*.yaml")))).resolve())


@pytest.mark.parametrize(
    "name",
    [
        "/etc/passwd",
        "../../../../etc/passwd",
        "file:///etc/passwd",
        "~/.ssh/id_rsa",
        "/proc/self/environ",
        "REAL_SCENARIO_FILE",
    ],
)
def test_the_scenario_admin_api_takes_names_not_paths(name: str) -> None:
    if name == "REAL_SCENARIO_FILE":  # a valid scenario file the server was not started with
        name = _real_scenario_file()
    client = _client()
    answer = client.post("/_mock/scenarios", json={"scenarios": [name]})
    assert answer.status_code == 400
    text = answer.get_data(as_text=True)
    assert "root:" not in text
    assert "no loaded or built-in scenario named" in text
    assert client.get("/_mock/scenarios").get_json()["active"] == []


@pytest.mark.parametrize("name", ["/etc/passwd", "REAL_SCENARIO_FILE"])
def test_the_scenario_header_takes_names_not_paths(name: str) -> None:
    if name == "REAL_SCENARIO_FILE":
        name = _real_scenario_file()
    answer = _client().post(
        "/v1/chat/completions", json=CHAT, headers={**AUTH, "x-mock-scenario": name}
    )
    assert answer.status_code == 400
    assert "root:" not in answer.get_data(as_text=True)


@pytest.mark.parametrize(
    "document",
    [
        "name: x\nsteps: !!python/object/apply:os.system ['echo pwned']\n",
        "name: x\nsteps: !include /etc/passwd\n",
        "name: !!python/name:os.getcwd x\nsteps: []\n",
    ],
)
def test_scenario_yaml_cannot_run_code_or_include_files(document: str) -> None:
    answer = _client().post("/_mock/scenarios", data=document, content_type="application/yaml")
    assert answer.status_code == 400
    assert answer.get_json()["errors"][0]["rule"] == "scenario.invalid"


def _scenario_with_regex(pattern: str) -> dict[str, Any]:
    return {
        "name": "regex-probe",
        "steps": [
            {
                "name": "s",
                "match": {"last_user_message": {"regex": pattern}},
                "respond": {"text": "matched"},
            }
        ],
    }


# Patterns that backtrack exponentially in Python's `re`: once loaded, 38 `a`s and a `!` held a
# worker at 100% CPU for minutes, and with it every other client.
CATASTROPHIC = [r"(aa?)+$", r"(a?){25}a{25}", r"(\w\d?)+$", r"((a{0,10}){0,10}){0,10}$",
                r"^(a+)+$", r"(a|a)*b", r"(a|ab)*c", r"(\w|\d)+!", r"((a|A))*x"]


@pytest.mark.parametrize("pattern", CATASTROPHIC)
def test_a_catastrophic_regex_answers_at_once_on_the_subject_that_hangs_re(pattern: str) -> None:
    client = _client()
    loaded = client.post("/_mock/scenarios", json={"scenarios": [_scenario_with_regex(pattern)]})
    assert loaded.status_code == 200, loaded.get_data()
    for text in ("a" * 38 + "!", "a" * 25, "a" * 60_000 + "!"):
        hostile = {**CHAT, "messages": [{"role": "user", "content": text}]}
        answer = _bounded_call(
            lambda body=hostile: client.post("/v1/chat/completions", json=body, headers=AUTH)
        )
        assert answer.status_code in (200, 404), answer.get_data()[:300]


def test_a_pattern_re2_cannot_run_is_refused_when_loaded() -> None:
    scenario = _scenario_with_regex(r"(?<=a)b")
    answer = _client().post("/_mock/scenarios", json={"scenarios": [scenario]})
    assert answer.status_code == 400
    assert "RE2 syntax" in answer.get_json()["detail"]
    assert "last_user_message.regex" in answer.get_json()["detail"]


def _bounded_call(call: Any) -> Any:
    """Run `call` in a thread and fail (not hang) if it does not return within the bound."""
    result: list[Any] = []
    worker = threading.Thread(target=lambda: result.append(call()), daemon=True)
    worker.start()
    worker.join(CALL_TIMEOUT_S)
    assert not worker.is_alive(), f"the call did not return within {CALL_TIMEOUT_S}s"
    return result[0]


def test_an_accepted_regex_on_a_huge_message_returns() -> None:
    client = _client()
    pattern = r"(?i)(yes|no)+ [a-z]*\d{3}$"
    assert (
        client.post(
            "/_mock/scenarios", json={"scenarios": [_scenario_with_regex(pattern)]}
        ).status_code
        == 200
    )
    hostile = {**CHAT, "messages": [{"role": "user", "content": "yes" * 400_000 + "!"}]}
    answer = _bounded_call(lambda: client.post("/v1/chat/completions", json=hostile, headers=AUTH))
    assert answer.status_code in (200, 404)  # matched, or no step matched: it answers


def test_regexes_see_only_a_bounded_prefix_of_the_subject() -> None:
    pattern = compile_safe(r"(ab|cd)+x")
    assert MAX_SUBJECT_CHARS == 64 * 1024  # as docs/scenarios.md and the scenario schema say
    subject = "ab" * MAX_SUBJECT_CHARS + "x"
    assert not _bounded_call(lambda: search_bounded(pattern, subject))
    assert _bounded_call(lambda: search_bounded(pattern, "abcdx"))


WEATHER = {"type": "function", "function": {"name": "get_weather", "parameters": {
    "type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}  # fmt: skip
FINAL = {"type": "function", "function": {"name": "final_result", "parameters": {
    "type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}  # fmt: skip


def _after_a_tool_result(result: str, arguments: str = '{"city": "Paris"}') -> dict[str, Any]:
    call = {"id": "c1", "type": "function",
            "function": {"name": "get_weather", "arguments": arguments}}  # fmt: skip
    return {**CHAT, "messages": [
        {"role": "user", "content": "weather in Paris"},
        {"role": "assistant", "content": "", "tool_calls": [call]},
        {"role": "tool", "tool_call_id": "c1", "content": result}]}  # fmt: skip


# JSON inside a message is the client's too: nested far past the body's 64 levels, or escaping a
# lone surrogate that no UTF-8 answer can carry. Each once made the answer a 500 or cut its stream.
# (The contract already refuses such an escape in a call's arguments: tool_call.arguments.not_json.)
INNER_JSON = {
    "arrays 400 deep": ("[" * 400 + "]" * 400, '{"city": "Paris"}'),
    "objects 600 deep": ('{"a":' * 600 + "1" + "}" * 600, '{"city": "Paris"}'),
    "a lone surrogate in a result": ('{"city": "\\ud800"}', '{"city": "Paris"}'),
}


@pytest.mark.parametrize("inner", sorted(INNER_JSON))
@pytest.mark.parametrize("asked", ["auto", "required", "response_format"])
@pytest.mark.parametrize("path", ["/v1/chat/completions", "/compat/v1/chat/completions"])
@pytest.mark.parametrize("stream", [False, True])
def test_json_inside_messages_is_answered_whatever_it_holds(
    inner: str, asked: str, path: str, stream: bool
) -> None:
    body = _after_a_tool_result(*INNER_JSON[inner])
    if asked == "response_format":
        schema = FINAL["function"]["parameters"]
        body["response_format"] = {"type": "json_schema",
                                   "json_schema": {"name": "place", "schema": schema}}  # fmt: skip
    else:
        body |= {"tools": [WEATHER, FINAL], "tool_choice": asked}
    app = create_app(MockConfig(self_check=True))
    answer = app.test_client().post(path, json={**body, "stream": stream}, headers=AUTH)
    assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
    text = answer.get_data().decode("utf-8")  # every byte is UTF-8
    if stream:  # the stream ran to its end
        assert ("[DONE]" in text) if path.startswith("/compat") else ('"metrics"' in text)
    assert service_of(app).answer_problems == []  # and every answer conforms


LONG = "x" * 10_000


@pytest.mark.parametrize(("path", "headers", "rule"), [
    ("/v1/" + "p" * 60_000, {}, "http.not_found"),
    ("/v1/models/" + "m" * 60_000, {}, "model.not_found"),
    ("/v1/chat/completions", {"x-mock-scenario": LONG}, "scenario.unknown"),
    ("/v1/chat/completions", {"prefer": "example=" + LONG}, "scenario.unknown"),
    ("/v1/chat/completions", {"prefer": "code=" + "9" * 5000}, "prefer.invalid"),
    ("/v1/chat/completions", {"x-mock-fault": LONG}, "fault.invalid"),
    ("/v1/chat/completions", {"x-mock-fault": "latency; " + LONG + "=1"}, "fault.invalid"),
    ("/v1/chat/completions", {"x-mock-fault": "http_error; status=" + LONG}, "fault.invalid"),
    ("/v1/chat/completions", {"content-type": "text/" + LONG}, "http.content_type"),
])  # fmt: skip
def test_a_long_value_is_named_not_echoed_whole(path: str, headers: dict[str, str], rule: str):
    # Each once came back whole in the error, twice (detail and message): 20 kB to 120 kB.
    client = _client()
    method = client.get if "/models/" in path else client.post
    answer = method(path, data=json.dumps(CHAT), headers={**AUTH, "content-type": "application/json",
                                                         **headers})  # fmt: skip
    assert 400 <= answer.status_code < 500
    assert answer.get_json()["errors"][0]["rule"] == rule
    assert len(answer.get_data()) < 2_000, answer.get_data()[:300]


@pytest.mark.parametrize("location", ["/a\nb", "/x\r\nSet-Cookie: a=b", "/caf\u00e9", ""])
def test_a_redirect_location_that_cannot_be_a_header_is_refused_where_it_is_set(location: str):
    # It was accepted, then every matching request got an empty 500 (and a journal saying 307).
    client = _client()
    admin = client.post("/_mock/faults", json={"fault": {"name": "redirect", "location": location}})
    assert admin.status_code == 400
    assert admin.get_json()["errors"][0]["rule"] == "fault.invalid"
    step = {"name": "moved", "steps": [{"fault": {"name": "redirect", "location": location}}]}
    loaded = client.post("/_mock/scenarios", json=step)
    assert loaded.status_code == 400
    assert loaded.get_json()["errors"][0]["rule"] == "scenario.invalid"
    assert client.post("/v1/chat/completions", json=CHAT, headers=AUTH).status_code == 200
