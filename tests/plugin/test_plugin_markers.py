"""The llama_scenario and llama_fault markers: what they send to the mock's admin API."""

from __future__ import annotations

import json

import pytest

from mockserver.pytest_plugin.journal import MockAdminError
from mockserver.pytest_plugin.markers import MarkerError, markers_applied

SCENARIO = """\
name: greeting
description: says hello
steps:
  - name: hello
    match: {endpoint: native}
    respond: {text: Hello from the scenario.}
"""

BROKEN_SCENARIO = """\
name: broken
steps:
  - name: hello
    respond: {text: hi, colour: blue}
"""


class RecordingAdmin:
    def __init__(self, refuse: str | None = None) -> None:
        self.calls: list[tuple[str, str, object, str]] = []
        self.refuse = refuse

    def __call__(self, method: str, path: str, body: bytes, content_type: str) -> None:
        shown = json.loads(body) if content_type == "application/json" and body else body
        self.calls.append((method, path, shown, content_type))
        if self.refuse and path == self.refuse and method == "POST":
            raise MockAdminError(f"POST {path} answered 400: no such fault 'boom'")


def apply(item, admin):
    with markers_applied(item, admin):
        applied = list(admin.calls)
    return applied, admin.calls[len(applied):]


def test_no_markers_no_admin_calls(pytester):
    item = pytester.getitem("def test_func(): pass")
    admin = RecordingAdmin()
    assert apply(item, admin) == ([], [])


def test_faults_are_posted_for_the_test_then_deleted(pytester):
    item = pytester.getitem("""
        import pytest

        @pytest.mark.llama_fault("latency; ms=5", times=2)
        @pytest.mark.llama_fault("http_error; status=503")
        def test_func(): pass
    """)
    admin = RecordingAdmin()
    during, after = apply(item, admin)
    assert during == [  # in the order written
        ("POST", "/_mock/faults", {"fault": "latency; ms=5", "times": 2}, "application/json"),
        ("POST", "/_mock/faults", {"fault": "http_error; status=503"}, "application/json"),
    ]
    assert after == [("DELETE", "/_mock/faults", b"", "application/json")]


def test_scenarios_by_name_and_by_file_next_to_the_test(pytester):
    pytester.mkdir("scn")
    pytester.path.joinpath("scn", "greeting.yaml").write_text(SCENARIO)
    item = pytester.getitem("""
        import pytest

        @pytest.mark.llama_scenario("streaming-text", "scn/greeting.yaml")
        def test_func(): pass
    """)
    admin = RecordingAdmin()
    during, after = apply(item, admin)
    greeting = {"name": "greeting", "description": "says hello", "steps": [
        {"name": "hello", "match": {"endpoint": "native"},
         "respond": {"text": "Hello from the scenario."}}]}  # fmt: skip
    assert during == [  # one POST, in the order written, in front of the mock's own scenarios
        ("POST", "/_mock/scenarios",
         {"scenarios": ["streaming-text", greeting], "replace": False, "first": True},
         "application/json"),
    ]
    assert after == [  # only the test's scenarios are taken away
        ("DELETE", "/_mock/scenarios", {"scenarios": ["streaming-text", "greeting"]},
         "application/json"),
    ]


def test_a_folder_sends_each_scenario_file(pytester):
    folder = pytester.mkdir("library")
    folder.joinpath("a.yaml").write_text(SCENARIO)
    folder.joinpath("b.json").write_text(json.dumps({
        "name": "other", "steps": [{"name": "s", "respond": {"text": "x"}}]}))
    folder.joinpath("notes.txt").write_text("not a scenario")
    item = pytester.getitem("""
        import pytest

        @pytest.mark.llama_scenario("library")
        def test_func(): pass
    """)
    during, after = apply(item, RecordingAdmin())
    [(method, path, body, _)] = during
    assert (method, path) == ("POST", "/_mock/scenarios")
    assert [scenario["name"] for scenario in body["scenarios"]] == ["greeting", "other"]
    assert after[0][2] == {"scenarios": ["greeting", "other"]}


def test_a_broken_scenario_file_names_file_line_and_field(pytester):
    pytester.path.joinpath("broken.yaml").write_text(BROKEN_SCENARIO)
    item = pytester.getitem("""
        import pytest

        @pytest.mark.llama_scenario("broken.yaml")
        def test_func(): pass
    """)
    admin = RecordingAdmin()
    with pytest.raises(MarkerError) as raised, markers_applied(item, admin):
        pass
    message = str(raised.value)
    assert message.startswith("llama_scenario('broken.yaml'): ")
    assert "broken.yaml:4" in message
    assert "colour" in message
    assert admin.calls == []  # nothing was sent


@pytest.mark.parametrize(
    ("marker", "message"),
    [
        ('llama_scenario("missing/file.yaml")',
         "llama_scenario('missing/file.yaml'): no such file or folder"),
        ("llama_scenario()", "llama_scenario needs at least one scenario name, file or folder"),
        ("llama_scenario(3)", "llama_scenario takes scenario names, files or folders; got 3"),
        ('llama_scenario("x", replace=True)', "llama_scenario takes no keyword arguments"),
        ("llama_fault()", "llama_fault takes one fault text such as 'http_error; status=503'"),
        ("llama_fault('reset', 2)", "llama_fault takes one fault text such as 'http_error; "
         "status=503'; got ('reset', 2); give the count as times=2"),
        ('llama_fault("reset", times=0)', "llama_fault(times=...): times must be an integer from 1"),
        ('llama_fault("reset", times=10**7)', "llama_fault(times=...): times must be an integer from 1 to 1,000,000"),
        ('llama_fault("reset", after=2)', "llama_fault takes only times=N besides the fault"),
    ],
)
def test_a_wrong_marker_is_a_clear_error(pytester, marker, message):
    item = pytester.getitem(f"""
        import pytest

        @pytest.mark.{marker}
        def test_func(): pass
    """)
    with pytest.raises(MarkerError, match="^" + message.replace("(", r"\(").replace(
        ")", r"\)").replace("[", r"\[").replace(".", r"\.").replace("*", r"\*")
    ), markers_applied(item, RecordingAdmin()):
        pass


def test_a_missing_scenario_file_names_the_places_looked_in(pytester):
    item = pytester.getitem("""
        import pytest

        @pytest.mark.llama_scenario("scenarios/nope.yaml")
        def test_func(): pass
    """)
    with pytest.raises(MarkerError) as raised, markers_applied(item, RecordingAdmin()):
        pass
    beside_the_test = item.path.parent / "scenarios" / "nope.yaml"
    assert str(raised.value) == ("llama_scenario('scenarios/nope.yaml'): no such file or folder; "
                                 f"looked for {beside_the_test}")  # fmt: skip


def test_a_refused_fault_is_reported_and_what_was_set_is_undone(pytester):
    item = pytester.getitem("""
        import pytest

        @pytest.mark.llama_scenario("streaming-text")
        @pytest.mark.llama_fault("boom")
        def test_func(): pass
    """)
    admin = RecordingAdmin(refuse="/_mock/faults")
    with pytest.raises(MarkerError) as raised, markers_applied(item, admin):
        pass
    assert str(raised.value) == (
        "llama_fault('boom'): the mock refused it: POST /_mock/faults answered 400: "
        "no such fault 'boom'"
    )
    assert [(method, path) for method, path, _, _ in admin.calls] == [
        ("POST", "/_mock/scenarios"), ("POST", "/_mock/faults"), ("DELETE", "/_mock/scenarios"),
    ]


# End to end: the markers change what the official SDK gets, through each kind of mock.

MARKED_TESTS = """
import httpx
import pytest
from llama_api_client import APIConnectionError, InternalServerError, LlamaAPIClient

ASK = dict(model="Llama-4-Maverick-17B-128E-Instruct-FP8",
           messages=[{"role": "user", "content": "Recite the alphabet."}])
STORY = "Once upon a time, a llama learned to stream its thoughts one token at a time."


def client_for(mock):
    return LlamaAPIClient(api_key=mock.api_key, base_url=mock.base_url + "/v1", max_retries=0)


@pytest.mark.llama_fault("http_error; status=503")
def test_http_error({fixture}):
    with pytest.raises(InternalServerError):
        client_for({fixture}).chat.completions.create(**ASK)
    [entry] = {fixture}.requests
    assert entry.status == 503
    assert entry.fault.startswith("http_error")


@pytest.mark.llama_fault("reset")
def test_reset({fixture}):
    with pytest.raises(APIConnectionError):
        client_for({fixture}).chat.completions.create(**ASK)


@pytest.mark.llama_fault("truncate_stream; after=2")
def test_truncated_stream({fixture}):
    events = []
    with pytest.raises(httpx.RemoteProtocolError, match="incomplete chunked read"):
        for event in client_for({fixture}).chat.completions.create(**ASK, stream=True):
            events.append(event)
    assert [e.event.event_type for e in events] == ["start", "progress"]


@pytest.mark.llama_scenario("streaming-text")
def test_scenario({fixture}):
    events = list(client_for({fixture}).chat.completions.create(**ASK, stream=True))
    text = "".join(e.event.delta.text for e in events if e.event.event_type == "progress")
    assert text == STORY
    [entry] = {fixture}.requests
    assert (entry.scenario, entry.step) == ("streaming-text", "stream")


def test_markers_of_earlier_tests_are_undone({fixture}):
    events = list(client_for({fixture}).chat.completions.create(**ASK, stream=True))
    assert events[-1].event.event_type == "metrics"
    [entry] = {fixture}.requests
    assert (entry.scenario, entry.fault, entry.status) == (None, None, 200)
"""


@pytest.mark.parametrize("fixture", ["llama_mock", "llama_respx"])
def test_markers_act_on_either_fixture(pytester, fixture):
    pytester.makepyfile(MARKED_TESTS.replace("{fixture}", fixture))
    result = pytester.runpytest("--strict-markers")
    result.assert_outcomes(passed=5)


def test_markers_act_on_an_external_server(pytester):
    from mockserver import MockConfig, MockService
    from mockserver.adapters.live import LiveServer

    server = LiveServer(MockService(MockConfig(port=0))).start()
    try:
        pytester.makepyfile(MARKED_TESTS.replace("{fixture}", "llama_mock"))
        result = pytester.runpytest("--strict-markers", "--llama-base-url", server.base_url)
    finally:
        server.stop()
    result.assert_outcomes(passed=5)


RESET_BETWEEN_EXAMPLES = """
from hypothesis import given, settings, HealthCheck, strategies as st
import pytest
from llama_api_client import InternalServerError, LlamaAPIClient

ASK = dict(model="Llama-4-Maverick-17B-128E-Instruct-FP8",
           messages=[{"role": "user", "content": "Hello"}])


@pytest.mark.llama_scenario("streaming-text")
@pytest.mark.llama_fault("http_error; status=503", times=1)
@settings(max_examples=5, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(word=st.sampled_from(["a", "b", "c"]))
def test_each_example_starts_from_the_tests_markers(llama_mock, word):
    llama_mock.reset()
    client = LlamaAPIClient(api_key=llama_mock.api_key, base_url=llama_mock.base_url + "/v1",
                            max_retries=0)
    with pytest.raises(InternalServerError):  # the fault's one use, again in every example
        client.chat.completions.create(**ASK)
    client.chat.completions.create(**ASK, stream=True)  # the scenario's first step, again
    assert [(e.status, e.step) for e in llama_mock.requests] == [(503, None), (200, "stream")]


def test_the_next_test_has_neither(llama_mock):
    client = LlamaAPIClient(api_key=llama_mock.api_key, base_url=llama_mock.base_url + "/v1")
    client.chat.completions.create(**ASK)
    assert [(e.status, e.fault, e.scenario) for e in llama_mock.requests] == [(200, None, None)]
"""


@pytest.mark.parametrize("external", [False, True], ids=["live", "external"])
def test_a_reset_within_a_test_sets_its_markers_again(pytester, external):
    from mockserver import MockConfig, MockService
    from mockserver.adapters.live import LiveServer

    pytester.makepyfile(RESET_BETWEEN_EXAMPLES)
    if not external:
        pytester.runpytest("--strict-markers").assert_outcomes(passed=2)
        return
    with LiveServer(MockService(MockConfig(port=0))) as server:
        result = pytester.runpytest("--strict-markers", "--llama-base-url", server.base_url)
    result.assert_outcomes(passed=2)


def test_a_broken_scenario_file_errors_the_test_without_a_traceback(pytester):
    pytester.path.joinpath("broken.yaml").write_text(BROKEN_SCENARIO)
    pytester.makepyfile("""
        import pytest

        @pytest.mark.llama_scenario("broken.yaml")
        def test_uses_it(llama_respx):
            pass
    """)
    result = pytester.runpytest()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["llama_scenario('broken.yaml'): *broken.yaml:4*colour*"])
    result.stdout.no_fnmatch_line("*Traceback*")


SERVER_SCENARIO = """\
name: server-own
steps:
  - name: any
    match: {endpoint: native}
    respond: {text: From the server's own scenario.}
"""

OVER_THE_SERVERS_OWN = """
import pytest
from llama_api_client import LlamaAPIClient

ASK = dict(model="Llama-4-Maverick-17B-128E-Instruct-FP8",
           messages=[{"role": "user", "content": "Recite the alphabet."}])


def client_for(mock):
    return LlamaAPIClient(api_key=mock.api_key, base_url=mock.base_url + "/v1", max_retries=0)


@pytest.mark.llama_scenario("streaming-text")
def test_the_marker_is_served_first(llama_mock):
    events = list(client_for(llama_mock).chat.completions.create(**ASK, stream=True))
    assert events[-1].event.event_type == "metrics"
    [entry] = llama_mock.requests
    assert entry.scenario == "streaming-text"


def test_the_servers_own_scenario_stays(llama_mock):
    answer = client_for(llama_mock).chat.completions.create(**ASK)
    assert answer.completion_message.content.text == "From the server's own scenario."
"""


def test_markers_stand_in_front_of_an_external_servers_scenarios_and_leave_them(pytester):
    from mockserver import MockConfig, MockService
    from mockserver.adapters.live import LiveServer

    own = pytester.path / "server-own.yaml"
    own.write_text(SERVER_SCENARIO)
    server = LiveServer(MockService(MockConfig(port=0, scenarios=(own,)))).start()
    try:
        pytester.makepyfile(OVER_THE_SERVERS_OWN)
        result = pytester.runpytest("--llama-base-url", server.base_url)  # in file order
        active = [s.name for s in server.service.scenarios.router.active]
    finally:
        server.stop()
    result.assert_outcomes(passed=2)
    assert active == ["server-own"]


def test_a_marker_scenario_named_as_one_the_server_serves_is_refused(pytester):
    from mockserver import MockConfig, MockService
    from mockserver.adapters.live import LiveServer

    server = LiveServer(MockService(MockConfig(port=0, scenarios=("streaming-text",)))).start()
    try:
        pytester.makepyfile("""
            import pytest

            @pytest.mark.llama_scenario("streaming-text")
            def test_it(llama_mock):
                pass
        """)
        result = pytester.runpytest("--llama-base-url", server.base_url)
        active = [s.name for s in server.service.scenarios.router.active]
    finally:
        server.stop()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*llama_scenario('streaming-text'): the mock refused it*"
                                 "'streaming-text' is active already*"])
    assert active == ["streaming-text"]  # the server's own is left as it was


RATE_LIMITED_ONCE = """
import pytest
from llama_api_client import NotFoundError

ASK = dict(model="Llama-4-Maverick-17B-128E-Instruct-FP8", messages=[
    {"role": "system", "content": "You are a concise geography tutor."},
    {"role": "user", "content": "What is the capital of France?"}])


@pytest.mark.llama_scenario("multi-turn")
@pytest.mark.llama_fault("rate_limit; retry_after_ms=10", times=1)
def test_a_rate_limit_uses_the_step_up(llama_respx):
    with pytest.raises(NotFoundError, match="scenario.no_match"):
        llama_respx.client(max_retries=1).chat.completions.create(**ASK)
    assert [(e.status, e.step) for e in llama_respx.requests] == [(429, "capital"), (404, None)]


@pytest.mark.llama_scenario("multi-turn")
@pytest.mark.llama_fault("fail_then_succeed; status=429; retry_after_ms=10", times=1)
def test_fail_then_succeed_leaves_the_step_for_the_retry(llama_respx):
    answer = llama_respx.client(max_retries=1).chat.completions.create(**ASK)
    assert "Paris" in answer.completion_message.content.text
    assert [(e.status, e.step) for e in llama_respx.requests] == [(429, "capital"), (200, "capital")]
"""


def test_a_rate_limit_beside_a_scenario_and_the_retry_of_its_429(pytester):
    """docs/pytest.md, Markers: a `rate_limit` with times=1 uses the scenario's step up, so the
    SDK's retry gets 404 scenario.no_match; `fail_then_succeed; status=429` leaves it the step."""
    pytester.makepyfile(RATE_LIMITED_ONCE)
    pytester.runpytest().assert_outcomes(passed=2)


MARKERS_WITHOUT_A_MOCK = """
import httpx
import pytest

@pytest.mark.llama_fault("http_error; status=500")
class TestMarkedClass:
    def test_beside_the_mock_tests(self):  # a class's marker: not every test there uses the mock
        pass


@pytest.mark.llama_fault("http_error; status=503")
def test_fault_without_the_fixture():
    pass


@pytest.mark.llama_scenario("multi-turn")
def test_scenario_without_the_fixture():
    pass


@pytest.mark.llama_fault("http_error; status=503")
def test_fixture_asked_for_inside(request):
    mock = request.getfixturevalue("llama_mock")
    answer = httpx.post(mock.base_url + "/v1/chat/completions", headers={
        "authorization": f"Bearer {mock.api_key}"}, json={"model": "Llama-3.3-8B-Instruct",
        "messages": [{"role": "user", "content": "hi"}]})
    assert answer.status_code == 503
"""


def test_a_marker_no_mock_fixture_served_fails_its_test(pytester):
    pytester.makepyfile(MARKERS_WITHOUT_A_MOCK)
    result = pytester.runpytest("--strict-markers")
    result.assert_outcomes(passed=2, failed=2)
    result.stdout.fnmatch_lines([
        "*_ test_fault_without_the_fixture _*",
        "llama_fault: the marker acts through the llama_mock or llama_respx fixture, and this "
        "test used neither*add one of them to the test's arguments*",
        "*_ test_scenario_without_the_fixture _*",
        "llama_scenario: the marker acts through*",
    ])


def test_an_unknown_scenario_name_gets_the_closest_and_the_places_looked_in(pytester):
    pytester.makepyfile("""
        import pytest

        @pytest.mark.llama_scenario("multi-trun")
        def test_func(llama_mock):
            pass
    """)
    result = pytester.runpytest("--strict-markers")
    result.assert_outcomes(errors=1)
    out = result.stdout.str()
    assert ("llama_scenario('multi-trun'): no scenario of that name: not a built-in one, none the "
            "mock loaded, and no file or folder (looked for ") in out
    assert (f"{pytester.path / 'multi-trun'}); did you mean 'multi-turn'? 'llama-contract "
            "scenarios list' shows the built-in names") in out
    assert "admin API" not in out  # the mock's advice is for admin API users


def test_a_name_an_external_server_serves_already_keeps_its_refusal(pytester, tmp_path):
    """Only a name the mock knows nothing of gets the marker's own message; a scenario the server
    was started with is active there, and the mock's reason is the one shown."""
    from mockserver import MockConfig, MockService
    from mockserver.adapters.live import LiveServer

    loaded = tmp_path / "greeting.yaml"
    loaded.write_text(SCENARIO)
    pytester.makepyfile("""
        import pytest

        @pytest.mark.llama_scenario("greeting")
        def test_func(llama_mock):
            pass
    """)
    server = LiveServer(MockService(MockConfig(port=0, scenarios=(loaded,)))).start()
    try:
        result = pytester.runpytest("--strict-markers", "--llama-base-url", server.base_url)
    finally:
        server.stop()
    result.assert_outcomes(errors=1)
    out = result.stdout.str()
    assert "a scenario named 'greeting' is active already" in out
    assert "no scenario of that name" not in out
