"""`llama_respx` with the official async SDK client: the pause of a `latency` or `stall` fault is
awaited on the event loop, so other tasks run during it and a timeout around the call fires."""

from __future__ import annotations

COMMON = """
import asyncio
import time

import anyio
import pytest
from llama_api_client import AsyncLlamaAPIClient, LlamaAPIClient

MODEL = "Llama-3.3-8B-Instruct"
MESSAGES = [{"role": "user", "content": "Hi"}]
TICK_S = 0.02


async def ask(client, stream):
    if not stream:
        return await client.chat.completions.create(model=MODEL, messages=MESSAGES)
    events = await client.chat.completions.create(model=MODEL, messages=MESSAGES, stream=True)
    return [event async for event in events]


async def ticks_while(call):
    \"\"\"How often a 20 ms ticker task ticked while `call` ran, and what it returned.\"\"\"
    ticks = 0

    async def ticker():
        nonlocal ticks
        while True:
            await asyncio.sleep(TICK_S)
            ticks += 1

    task = asyncio.create_task(ticker())
    try:
        async with asyncio.timeout(10):  # a wedged loop fails the test, not the run
            result = await call
    finally:
        task.cancel()
    return ticks, result
"""

TICKING = (
    COMMON
    + """

@pytest.mark.parametrize("fault, stream", [
    pytest.param("latency; ms=300", False, marks=pytest.mark.llama_fault("latency; ms=300")),
    pytest.param("stall; ms=300", False, marks=pytest.mark.llama_fault("stall; ms=300")),
    pytest.param("latency; ms=300", True, marks=pytest.mark.llama_fault("latency; ms=300")),
])
def test_the_loop_runs_during_the_pause(llama_respx, fault, stream):
    client = AsyncLlamaAPIClient(api_key=llama_respx.api_key, max_retries=0)
    started = time.perf_counter()
    ticks, result = asyncio.run(ticks_while(ask(client, stream)))
    elapsed = time.perf_counter() - started
    assert elapsed >= 0.3  # the pause was taken
    assert ticks >= 3, f"the event loop was blocked: {ticks} ticks in {elapsed:.3f} s"
    if stream:
        assert [e.event.event_type for e in result][-2:] == ["complete", "metrics"]
    else:
        assert result.completion_message.stop_reason == "stop"
    [entry] = llama_respx.requests
    assert (entry.status, entry.stream) == (200, stream)
    assert entry.fault.startswith(fault.split(";")[0])
    assert entry.duration_ms >= 300
"""
)

TIMING_OUT = (
    COMMON
    + """

async def with_wait_for(call):
    return await asyncio.wait_for(call, timeout=0.1)


async def with_fail_after(call):
    with anyio.fail_after(0.1):
        return await call


@pytest.mark.llama_fault("latency; ms=2000")
@pytest.mark.parametrize("bounded", [with_wait_for, with_fail_after])
@pytest.mark.parametrize("stream", [False, True])
def test_a_timeout_shorter_than_the_latency_fires(llama_respx, bounded, stream):
    client = AsyncLlamaAPIClient(api_key=llama_respx.api_key, max_retries=0)
    started = time.perf_counter()
    with pytest.raises(TimeoutError):
        asyncio.run(bounded(ask(client, stream)))
    elapsed = time.perf_counter() - started
    assert elapsed < 1.0, f"the timeout fired after {elapsed:.3f} s, not 0.1 s"
    [entry] = llama_respx.requests  # journaled while it waited
    assert entry.fault.startswith("latency")


@pytest.mark.llama_fault("latency; ms=2000")
@pytest.mark.parametrize("bounded", [with_wait_for, with_fail_after])
def test_the_openai_client_times_out_too(llama_respx, bounded):
    client = llama_respx.async_openai_client(max_retries=0)  # httpx2, not respx's httpx

    async def warm_then_ask():
        await client.models.list()  # the SDK's one-off work on its first request, not a chat one
        started = time.perf_counter()
        try:
            await bounded(client.chat.completions.create(model=MODEL, messages=MESSAGES))
        except TimeoutError:
            return time.perf_counter() - started
        return None

    elapsed = asyncio.run(warm_then_ask())
    assert elapsed is not None and elapsed < 1.0, f"the timeout fired after {elapsed} s, not 0.1 s"
"""
)

# Already true before the pause was awaited on the loop: kept so that it stays true.
GUARDS = (
    COMMON
    + """

@pytest.mark.llama_fault("stall; after=2; ms=300")
def test_a_stall_between_stream_events_leaves_the_loop_running(llama_respx):
    client = AsyncLlamaAPIClient(api_key=llama_respx.api_key, max_retries=0)
    ticks, events = asyncio.run(ticks_while(ask(client, True)))
    assert ticks >= 3
    assert [e.event.event_type for e in events][-2:] == ["complete", "metrics"]


@pytest.mark.llama_fault("latency; ms=200")
def test_sync_and_async_clients_journal_the_same(llama_respx):
    sync_answer = LlamaAPIClient(api_key=llama_respx.api_key, max_retries=0).chat.completions.create(
        model=MODEL, messages=MESSAGES)
    async_client = AsyncLlamaAPIClient(api_key=llama_respx.api_key, max_retries=0)
    async_answer = asyncio.run(ask(async_client, False))
    assert async_answer.completion_message == sync_answer.completion_message
    sync_entry, async_entry = llama_respx.requests
    for entry in (sync_entry, async_entry):
        assert (entry.status, entry.fault, entry.stream) == (200, sync_entry.fault, False)
        assert entry.duration_ms >= 200
        assert entry.validation.ok
"""
)


def test_other_tasks_run_while_a_request_waits_on_a_fault(pytester):
    pytester.makepyfile(TICKING)
    pytester.runpytest().assert_outcomes(passed=3)


def test_a_timeout_shorter_than_the_latency_fires_on_time(pytester):
    pytester.makepyfile(TIMING_OUT)
    pytester.runpytest().assert_outcomes(passed=6)


def test_stream_stalls_and_the_journal_stay_as_they_were(pytester):
    pytester.makepyfile(GUARDS)
    pytester.runpytest().assert_outcomes(passed=2)
