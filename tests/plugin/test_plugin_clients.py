"""Both fixtures serve the official SDK (httpx) and `openai` (httpx2 since openai 3) with no
`http_client=` passed, and hand out configured clients so no test builds a base URL."""

from __future__ import annotations

import pytest

OPENAI_IN_PROCESS = """
import asyncio

MODEL = "Llama-4-Scout-17B-16E-Instruct-FP8"
MESSAGES = [{"role": "user", "content": "Tell me about tides."}]

def test_openai_sync_and_stream(llama_respx):
    client = llama_respx.openai_client(max_retries=0)
    answer = client.chat.completions.create(model=MODEL, messages=MESSAGES)
    chunks = list(client.chat.completions.create(model=MODEL, messages=MESSAGES, stream=True))
    streamed = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert streamed == answer.choices[0].message.content
    assert [r.path for r in llama_respx.requests] == ["/compat/v1/chat/completions"] * 2

def test_openai_async_and_stream(llama_respx):
    async def main():
        client = llama_respx.async_openai_client(max_retries=0)
        answer = await client.chat.completions.create(model=MODEL, messages=MESSAGES)
        stream = await client.chat.completions.create(model=MODEL, messages=MESSAGES, stream=True)
        return answer, [chunk async for chunk in stream]

    answer, chunks = asyncio.run(main())
    assert answer.choices[0].finish_reason == "stop"
    assert chunks[-1].choices == [] or chunks[-1].choices[0].finish_reason
    llama_respx.assert_called(times=2)

def test_openai_built_by_hand(llama_respx):
    from openai import OpenAI

    client = OpenAI(api_key=llama_respx.api_key, base_url="https://api.llama.com/compat/v1",
                    max_retries=0)
    assert client.models.list().data
    llama_respx.assert_conforms()

def test_official_sdk_sync_and_async(llama_respx):
    assert llama_respx.client().models.list()
    assert asyncio.run(llama_respx.async_client().models.list())
    llama_respx.assert_called(times=2)
"""


def test_openai_is_served_in_process_sync_async_and_streaming(pytester):
    pytester.makepyfile(OPENAI_IN_PROCESS)
    pytester.runpytest().assert_outcomes(passed=4)


def test_the_httpx2_patch_ends_with_the_router(pytester):
    pytester.makepyfile("""
        import httpx2

        ORIGINAL = (httpx2.HTTPTransport.handle_request,
                    httpx2.AsyncHTTPTransport.handle_async_request)

        def test_uses_respx(llama_respx):
            llama_respx.openai_client(max_retries=0).models.list()
            assert httpx2.HTTPTransport.handle_request is not ORIGINAL[0]

        def test_after():
            assert (httpx2.HTTPTransport.handle_request,
                    httpx2.AsyncHTTPTransport.handle_async_request) == ORIGINAL
    """)
    pytester.runpytest().assert_outcomes(passed=2)


@pytest.mark.parametrize("fixture", ["llama_mock", "llama_respx"])
def test_both_fixtures_hand_out_configured_clients(pytester, fixture):
    pytester.makepyfile(f"""
        import asyncio

        def test_clients({fixture}):
            text = {fixture}.client().chat.completions.create(
                model="Llama-3.3-8B-Instruct", messages=[{{"role": "user", "content": "Hi"}}])
            assert text.completion_message.content.text
            assert asyncio.run({fixture}.async_client().models.list())
            assert {fixture}.openai_client().models.list().data
            paths = [r.path for r in {fixture}.requests]
            assert paths == ["/v1/chat/completions", "/v1/models", "/compat/v1/models"]
    """)
    pytester.runpytest().assert_outcomes(passed=1)


def test_client_helpers_wait_a_minute_not_the_sdks_ten(llama_respx):
    """A stalled answer fails a test after 60 s, not the SDKs' default 600; timeout= overrides."""
    for client in (llama_respx.client(), llama_respx.async_client(),
                   llama_respx.openai_client(), llama_respx.async_openai_client()):  # fmt: skip
        assert client.timeout == 60.0
    assert llama_respx.client(timeout=2.5).timeout == 2.5
    assert llama_respx.openai_client(timeout=None).timeout is None


def test_a_client_helper_without_its_sdk_says_what_to_install(pytester):
    pytester.makepyfile("""
        import sys

        import pytest

        from mockserver.sdks import MissingSDK

        @pytest.mark.parametrize(("helper", "module"), [
            ("client", "llama_api_client"), ("async_client", "llama_api_client"),
            ("openai_client", "openai"), ("async_openai_client", "openai")])
        def test_missing(llama_respx, monkeypatch, helper, module):
            monkeypatch.setitem(sys.modules, module, None)  # as if it were not installed
            with pytest.raises(MissingSDK) as caught:
                getattr(llama_respx, helper)()
            assert str(caught.value).startswith(f"{helper}() needs the {module} package")
            assert "pip install 'llama-api-contract[sdk]'" in str(caught.value)
            assert isinstance(caught.value, ImportError) and caught.value.name == module
    """)
    pytester.runpytest().assert_outcomes(passed=4)
