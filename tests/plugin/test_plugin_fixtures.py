"""The plugin's fixtures as a user meets them: test files run by pytester."""

from __future__ import annotations

import pytest


def tag(rule: str) -> str:
    """` [rule]` as an fnmatch pattern (a bare `[` opens a character class)."""
    return "[[]" + rule + "]"


# The ten-line user test of docs/pytest.md, for either fixture.
USER_TEST = """
from llama_api_client import LlamaAPIClient

def test_capital({fixture}):
    client = LlamaAPIClient(api_key={fixture}.api_key, base_url={fixture}.base_url + "/v1")
    response = client.chat.completions.create(
        model="Llama-4-Maverick-17B-128E-Instruct-FP8",
        messages=[{{"role": "user", "content": "What is the capital of France?"}}],
    )
    assert response.completion_message.content.text
    {fixture}.assert_called(times=1)
    {fixture}.assert_conforms()
"""

INVALID_REQUEST_TEST = """
from llama_api_client import LlamaAPIClient

def test_bad_role({fixture}):
    client = LlamaAPIClient(api_key={fixture}.api_key, base_url={fixture}.base_url + "/v1",
                            max_retries=0)
    client.chat.completions.create(
        model="Llama-4-Maverick-17B-128E-Instruct-FP8",
        messages=[{{"role": "wizard", "content": "hi"}}],
    )
"""


@pytest.mark.parametrize("fixture", ["llama_mock", "llama_respx"])
def test_the_official_sdk_passes_with_either_fixture(pytester, fixture):
    pytester.makepyfile(USER_TEST.format(fixture=fixture))
    result = pytester.runpytest("-v")
    result.stdout.fnmatch_lines(["*::test_capital PASSED*"])
    result.assert_outcomes(passed=1)


@pytest.mark.parametrize("fixture", ["llama_mock", "llama_respx"])
def test_an_invalid_request_fails_showing_path_and_rule(pytester, fixture):
    pytester.makepyfile(INVALID_REQUEST_TEST.format(fixture=fixture))
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([
        f"*- llama contract violations ({fixture}) -*",
        "POST /v1/chat/completions -> 400",
        "  /messages/0/role: \"wizard\" is not allowed for 'role'; allowed: * "
        + tag("message.role.unknown"),
    ])


@pytest.mark.parametrize(("fixture", "hint"), [
    ("llama_mock", "is the client pointed at it (base_url=llama_mock.native_url or .compat_url, "
     "or llama_mock.client())?"),
    ("llama_respx", "does the client send to https://api.llama.com through httpx "
     "(llama_respx.client() does)?"),
])  # fmt: skip
def test_a_failing_test_that_sent_the_mock_nothing_is_told_so(pytester, fixture, hint):
    """A client pointed elsewhere: its test fails on what it got, and the mock says it got nothing
    (a fault marker on such a test never acted)."""
    pytester.makepyfile(f"""
        import pytest

        @pytest.mark.llama_fault("http_error; status=503")
        def test_app({fixture}):
            assert "unavailable" == "connection"  # what the app saw, from somewhere else
    """)
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([
        f"*- llama contract violations ({fixture}) -*",
        f"the mock received no request from this test: {hint}",
    ])


def test_a_passing_test_gets_no_violation_section(pytester):
    pytester.makepyfile(USER_TEST.format(fixture="llama_mock"))
    result = pytester.runpytest("-rA")
    result.assert_outcomes(passed=1)
    result.stdout.no_fnmatch_line("*llama contract violations*")


def test_assert_conforms_lists_every_violation_of_the_test(pytester):
    pytester.makepyfile("""
        import httpx

        def test_client_that_swallows_errors(llama_mock):
            headers = {"Authorization": "Bearer " + llama_mock.api_key}
            url = llama_mock.base_url + "/v1/chat/completions"
            httpx.post(url, headers=headers, json={"model": "Llama-3.3-8B-Instruct",
                       "messages": [{"role": "user", "content": "hi"}]})
            httpx.post(url, headers=headers, json={"model": "Llama-3.3-8B-Instruct",
                       "messages": [{"role": "user", "content": "hi"}], "temperature": 7,
                       "tool_choice": "required"})
            llama_mock.assert_conforms()
    """)
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([
        "E   *AssertionError: 1 request of 2 broke the Llama API contract (2 violations):",
        "E   *POST /v1/chat/completions -> 400",
        "E   *  /temperature: 'temperature' is 7; * " + tag("field.range"),
        "E   *  /tool_choice: * " + tag("tool_choice.without_tools"),
    ])


def test_assert_called_shows_the_requests_received(pytester):
    pytester.makepyfile("""
        import httpx

        def test_expects_two(llama_mock):
            headers = {"Authorization": "Bearer " + llama_mock.api_key}
            httpx.get(llama_mock.base_url + "/v1/models", headers=headers)
            llama_mock.assert_called(times=2)
    """)
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([
        "E   *AssertionError: expected 2 requests to the llama mock, got 1",
        "E   *  GET /v1/models -> 200",
    ])


def test_each_test_sees_only_its_own_requests(pytester):
    pytester.makepyfile("""
        import httpx
        import pytest

        @pytest.mark.parametrize("run", range(3))
        def test_one_request_each(llama_mock, run):
            headers = {"Authorization": "Bearer " + llama_mock.api_key}
            httpx.get(llama_mock.base_url + "/v1/models", headers=headers)
            assert [(r.method, r.path, r.status) for r in llama_mock.requests] == [
                ("GET", "/v1/models", 200)
            ]
            assert llama_mock.requests[0].headers["authorization"].startswith("Bearer ***")
    """)
    pytester.runpytest().assert_outcomes(passed=3)


def test_the_sdk_works_through_respx_sync_async_and_streaming(pytester):
    pytester.makepyfile("""
        import asyncio
        from llama_api_client import AsyncLlamaAPIClient, LlamaAPIClient

        MODEL = "Llama-4-Scout-17B-16E-Instruct-FP8"
        MESSAGES = [{"role": "user", "content": "Tell me about tides."}]

        def test_sync_and_stream(llama_respx):
            client = LlamaAPIClient(api_key=llama_respx.api_key)
            text = client.chat.completions.create(model=MODEL, messages=MESSAGES)
            events = list(client.chat.completions.create(
                model=MODEL, messages=MESSAGES, stream=True))
            streamed = "".join(e.event.delta.text for e in events
                               if e.event.event_type == "progress")
            assert streamed == text.completion_message.content.text
            assert [e.event.event_type for e in events][-2:] == ["complete", "metrics"]

        def test_async_and_stream(llama_respx):
            async def main():
                client = AsyncLlamaAPIClient(api_key=llama_respx.api_key)
                answer = await client.chat.completions.create(model=MODEL, messages=MESSAGES)
                stream = await client.chat.completions.create(
                    model=MODEL, messages=MESSAGES, stream=True)
                events = [event async for event in stream]
                return answer, events

            answer, events = asyncio.run(main())
            assert answer.completion_message.stop_reason == "stop"
            assert events[0].event.event_type == "start"
            assert events[-1].event.metrics
            llama_respx.assert_called(times=2)
            assert llama_respx.requests[1].stream
    """)
    pytester.runpytest().assert_outcomes(passed=2)


def test_a_stream_through_respx_has_the_same_events_as_through_the_live_server(pytester):
    pytester.makepyfile("""
        import asyncio
        from llama_api_client import AsyncLlamaAPIClient, LlamaAPIClient

        ARGS = dict(
            model="Llama-4-Maverick-17B-128E-Instruct-FP8",
            messages=[{"role": "user", "content": "What is the weather in Paris?"}],
            tools=[{"type": "function", "function": {"name": "get_weather", "parameters": {
                "type": "object", "properties": {"city": {"type": "string"}},
                "required": ["city"]}}}],
            stream=True,
        )

        def test_same_events(llama_mock, llama_respx):
            live = LlamaAPIClient(api_key="k", base_url=llama_mock.base_url + "/v1")
            in_process = LlamaAPIClient(api_key="k")
            over_http = [e.model_dump() for e in live.chat.completions.create(**ARGS)]
            through_respx = [e.model_dump() for e in in_process.chat.completions.create(**ARGS)]

            async def read_async():
                client = AsyncLlamaAPIClient(api_key="k")
                return [e.model_dump() async for e in await client.chat.completions.create(**ARGS)]

            assert len(over_http) >= 4
            assert any(e["event"]["delta"]["type"] == "tool_call" for e in over_http)
            assert through_respx == over_http
            assert asyncio.run(read_async()) == over_http
            llama_mock.assert_called(times=1)
            llama_respx.assert_called(times=2)
    """)
    pytester.runpytest().assert_outcomes(passed=1)


def test_an_error_in_the_server_thread_is_raised_in_the_test(pytester):
    pytester.makepyfile("""
        import httpx

        def test_hits_a_bug(llama_mock):
            def broken(call):
                raise ZeroDivisionError("engine bug")

            llama_mock.service.responders.append(broken)
            try:
                response = httpx.post(
                    llama_mock.base_url + "/v1/chat/completions",
                    headers={"Authorization": "Bearer k"},
                    json={"model": "Llama-3.3-8B-Instruct",
                          "messages": [{"role": "user", "content": "hi"}]},
                )
                assert response.status_code == 500
            finally:
                llama_mock.service.responders.remove(broken)
    """)
    result = pytester.runpytest()
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines([
        "*ERROR at teardown of test_hits_a_bug*",
        "E*ZeroDivisionError: engine bug",
    ])


def test_the_examples_of_docs_pytest_md_pass(pytester, request):
    docs = request.config.rootpath / "docs" / "pytest.md"
    blocks = docs.read_text().split("```python\n")[1:]
    # the three-line test; sync/async; reset per hypothesis example
    runnable = [block.split("```", 1)[0] for block in blocks[:3]]
    pytester.makepyfile(test_three_lines=runnable[0], test_sync_async=runnable[1],
                        test_reset_per_example=runnable[2])  # fmt: skip
    pytester.runpytest("--strict-markers").assert_outcomes(passed=4)


def test_loading_the_plugin_imports_no_web_framework_or_engine():
    import subprocess
    import sys

    heavy = ["flask", "werkzeug", "respx", "httpx", "jsonschema", "mockserver.engine",
             "mockserver.core.service", "contract.validate.documents"]
    code = (
        "import sys, mockserver.pytest_plugin.plugin\n"
        f"print([name for name in {heavy!r} if name in sys.modules])\n"
    )
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert loaded.stdout.strip() == "[]"


@pytest.mark.parametrize("fixture", ["llama_mock", "llama_respx"])
def test_an_admin_fault_set_by_one_test_is_gone_in_the_next(pytester, fixture):
    pytester.makepyfile(f"""
        import httpx

        def test_sets_a_standing_fault({fixture}):
            answer = httpx.post({fixture}.base_url + "/_mock/faults",
                                json={{"fault": "http_error; status=503"}})
            assert answer.status_code < 300

        def test_next({fixture}):
            answer = {fixture}.client(max_retries=0).chat.completions.create(
                model="Llama-3.3-8B-Instruct", messages=[{{"role": "user", "content": "Hi"}}])
            assert answer.completion_message.content.text
    """)
    pytester.runpytest().assert_outcomes(passed=2)

