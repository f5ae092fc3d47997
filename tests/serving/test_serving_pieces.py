"""The pieces the async server is built from: its thread pool, its deferred pauses and its read
deadlines."""

from __future__ import annotations

import asyncio
import multiprocessing
import threading

import pytest

from mockserver.adapters.serving import ReadyAnnouncement, ready_lines
from mockserver.adapters.threads import DaemonThreads, DeferredPauses
from mockserver.adapters.wsgi_bridge import ReadDeadlines

BOUND_S = 10.0  # a bound against hangs, not a speed claim


def test_a_task_that_waits_for_the_next_one_gets_a_thread_of_its_own():
    # The gated stream of the serving tests: one request blocks until another one has run.
    pool = DaemonThreads(2)
    gate = threading.Event()
    waiting = pool.submit(gate.wait, BOUND_S)
    opening = pool.submit(gate.set)
    assert opening.result(timeout=BOUND_S) is None
    assert waiting.result(timeout=BOUND_S) is True


def test_the_pool_never_runs_more_threads_than_its_size():
    pool = DaemonThreads(3)
    running = 0
    most = 0
    lock = threading.Lock()
    full = threading.Event()
    release = threading.Event()

    def work() -> None:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
            if running == 3:
                full.set()
        release.wait(BOUND_S)
        with lock:
            running -= 1

    futures = [pool.submit(work) for _ in range(10)]
    assert full.wait(BOUND_S)  # three at once, while seven wait their turn
    release.set()
    for future in futures:
        future.result(timeout=BOUND_S)
    assert most == 3
    assert all(thread.daemon for thread in threading.enumerate() if thread.name == "llama-mock-pool")


def test_an_error_in_the_pool_reaches_whoever_waits_for_it():
    pool = DaemonThreads(1)
    with pytest.raises(ZeroDivisionError):
        pool.submit(lambda: 1 / 0).result(timeout=BOUND_S)
    with pytest.raises(ValueError, match="size must be at least 1"):
        DaemonThreads(0)


def test_deferred_pauses_add_up_per_thread_until_taken():
    pauses = DeferredPauses()
    pauses(0.25)
    pauses(0.5)
    pauses(-1.0)  # never negative
    elsewhere: list[float] = []
    thread = threading.Thread(target=lambda: (pauses(9.0), elsewhere.append(pauses.take())))
    thread.start()
    thread.join(BOUND_S)
    assert elsewhere == [9.0]
    assert pauses.take() == 0.75
    assert pauses.take() == 0.0


def test_a_read_past_its_deadline_raises_timeout_and_the_others_go_on():
    async def scenario() -> bytes:
        deadlines = ReadDeadlines(0.2)
        never: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()

        async def quick() -> bytes:
            await asyncio.sleep(0)
            return b"body"

        late = asyncio.ensure_future(deadlines.read(never))
        on_time = await deadlines.read(quick())
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(late, BOUND_S)
        return on_time

    assert asyncio.run(scenario()) == b"body"


def test_a_read_cancelled_for_another_reason_stays_cancelled():
    async def scenario() -> None:
        deadlines = ReadDeadlines(BOUND_S)
        never: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()
        reading = asyncio.ensure_future(deadlines.read(never))
        await asyncio.sleep(0)
        reading.cancel()
        with pytest.raises(asyncio.CancelledError):
            await reading

    asyncio.run(scenario())


def test_the_ready_lines_are_written_once_whichever_workers_are_ready(capfd):
    # Each worker made its app and wrote the lines: `serve --workers 2` printed them twice.
    announcement = ReadyAnnouncement("http://127.0.0.1:4010")
    workers = [multiprocessing.get_context("fork").Process(target=announcement.write)
               for _ in range(3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=30)
    assert [worker.exitcode for worker in workers] == [0, 0, 0]
    announcement.write()  # the main process, after them: nothing more
    assert capfd.readouterr().out.splitlines() == ready_lines("http://127.0.0.1:4010")
