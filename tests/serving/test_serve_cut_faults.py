"""The `reset` fault through `llama-contract serve`: clients see a broken connection, as they
would from a real reset, never an answer they could read as one."""

from __future__ import annotations

import sys

import httpx
import openai
import pytest
from llama_api_client import APIConnectionError, LlamaAPIClient

MODEL = "Llama-4-Maverick-17B-128E-Instruct-FP8"
CLI = [sys.executable, "-m", "mockserver.cli.main"]
BOUND_S = 30.0  # a bound against hangs, not a speed claim
ASK = [{"role": "user", "content": "Say hello."}]
RESET = {"x-mock-fault": "reset"}


def test_reset_is_a_broken_connection_to_httpx_and_both_sdks(launch):
    server = launch([*CLI, "serve", "--port", "0"])
    url = server.wait_ready()
    body = {"model": MODEL, "messages": ASK}
    with pytest.raises(httpx.RemoteProtocolError):
        httpx.post(
            f"{url}/v1/chat/completions",
            json=body,
            headers={"Authorization": "Bearer t", **RESET},
            timeout=BOUND_S,
        )
    llama = LlamaAPIClient(api_key="t", base_url=f"{url}/v1", max_retries=0, timeout=BOUND_S)
    with pytest.raises(APIConnectionError):
        llama.chat.completions.create(model=MODEL, messages=ASK, extra_headers=RESET)
    compat = openai.OpenAI(
        api_key="t", base_url=f"{url}/compat/v1", max_retries=0, timeout=BOUND_S
    )
    with pytest.raises(openai.APIConnectionError):
        compat.chat.completions.create(model=MODEL, messages=ASK, extra_headers=RESET)
    # The server goes on answering, and the journal says what was done.
    assert llama.chat.completions.create(model=MODEL, messages=ASK).completion_message
    faults = [e.get("fault") for e in httpx.get(f"{url}/_mock/journal").json()["entries"]]
    assert faults.count("reset") == 3
    assert server.stop() == 0
    server.clean_stderr()


def _events_before_the_break(events) -> tuple[int, BaseException | None]:
    seen = 0
    try:
        for _ in events:
            seen += 1
    except (httpx.HTTPError, APIConnectionError, openai.APIConnectionError) as exc:
        return seen, exc
    return seen, None


def test_truncate_stream_breaks_the_connection_after_n_events(launch):
    server = launch([*CLI, "serve", "--port", "0"])
    url = server.wait_ready()
    cut = {"x-mock-fault": "truncate_stream; after=3"}
    llama = LlamaAPIClient(api_key="t", base_url=f"{url}/v1", max_retries=0, timeout=BOUND_S)
    events = llama.chat.completions.create(
        model=MODEL, messages=ASK, stream=True, extra_headers=cut
    )
    seen, error = _events_before_the_break(events)
    assert (seen, type(error)) == (3, httpx.RemoteProtocolError), error
    compat = openai.OpenAI(
        api_key="t", base_url=f"{url}/compat/v1", max_retries=0, timeout=BOUND_S
    )
    chunks = compat.chat.completions.create(
        model=MODEL, messages=ASK, stream=True, extra_headers=cut
    )
    seen, error = _events_before_the_break(chunks)
    assert seen == 3
    assert error is not None
    # On a stream shorter than `after`, the cut takes the place of [DONE], where the SDK stops.
    long_cut = {"x-mock-fault": "truncate_stream; after=400"}
    chunks = compat.chat.completions.create(
        model=MODEL, messages=ASK, stream=True, extra_headers=long_cut
    )
    seen, error = _events_before_the_break(chunks)
    assert seen > 0
    assert error is not None
    # Without the fault the same stream ends as a stream should.
    whole = llama.chat.completions.create(model=MODEL, messages=ASK, stream=True)
    assert _events_before_the_break(whole)[1] is None
    assert server.stop() == 0
    server.clean_stderr()
