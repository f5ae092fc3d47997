"""Soak: minutes of mixed traffic against `llama-contract serve`; zero 5xx and flat memory.

Traffic, from a bounded pool of client threads over loopback: native and compat requests, streams
(some clients hang up after the first event), invalid requests (bad JSON, contract violations,
wrong content type, no key), each body distinct so the request memo cannot hide a leak. Every
10 s the resident memory (RSS) of the server's worker process is sampled.

Usage: python benchmarks/soak.py [--minutes 5] [--threads 8]   (not run in CI)
Exit status: 0 when no answer was a 5xx, no request failed at the socket, every answer had the
status its kind expects and the worker's memory grew less than 20 MB after the first minute;
else 1.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from bench_server import MOCK_ARGV, Server

MODEL = "Llama-4-Maverick-17B-128E-Instruct-FP8"
SAMPLE_EVERY_S = 10.0
MEMORY_BOUND_MIB = 20.0  # growth allowed after the first minute (caches filling up)
KINDS = (
    "native",
    "native",
    "compat",
    "native-stream",
    "compat-stream",
    "stream-hangup",
    "invalid-json",
    "invalid-contract",
    "wrong-content-type",
    "no-key",
)


def worker_pid(master_pid: int) -> int:
    """The granian worker of `llama-contract serve` (the process that holds the app)."""
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    return int(children[0]) if children else master_pid


def rss_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


def _chat(text: str, *, stream: bool = False, compat: bool = False) -> bytes:
    body: dict[str, object] = {"model": MODEL, "messages": [{"role": "user", "content": text}]}
    if stream:
        body["stream"] = True
    if not compat:
        body["max_completion_tokens"] = 64
    return json.dumps(body).encode()


def request_for(kind: str, n: int) -> tuple[str, bytes, dict[str, str]]:
    """(path, body, headers) of request number `n` of a traffic kind; every body differs."""
    headers = {"Authorization": "Bearer soak", "Content-Type": "application/json"}
    text = f"Question {n}: what is the capital of France?"
    if kind == "native":
        return "/v1/chat/completions", _chat(text), headers
    if kind == "compat":
        return "/compat/v1/chat/completions", _chat(text, compat=True), headers
    if kind in ("native-stream", "stream-hangup"):
        return "/v1/chat/completions", _chat(text, stream=True), headers
    if kind == "compat-stream":
        return "/compat/v1/chat/completions", _chat(text, stream=True, compat=True), headers
    if kind == "invalid-json":
        return "/v1/chat/completions", _chat(text)[:-3], headers
    if kind == "invalid-contract":
        bad = {"model": MODEL, "messages": [{"role": "robot", "content": text}], "top_p": 7}
        return "/v1/chat/completions", json.dumps(bad).encode(), headers
    if kind == "wrong-content-type":
        return "/v1/chat/completions", _chat(text), {**headers, "Content-Type": "text/plain"}
    if kind == "no-key":
        return "/v1/chat/completions", _chat(text), {"Content-Type": "application/json"}
    raise ValueError(kind)


EXPECTED = {"invalid-json": 400, "invalid-contract": 400, "wrong-content-type": 400, "no-key": 401}


@dataclass
class Tally:
    statuses: Counter[int] = field(default_factory=Counter)
    unexpected: Counter[str] = field(default_factory=Counter)  # kind: status not as expected
    socket_errors: int = 0
    hangups: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def total(self) -> int:
        return sum(self.statuses.values())

    @property
    def server_errors(self) -> int:
        return sum(count for status, count in self.statuses.items() if status >= 500)


def send_one(host: str, port: int, kind: str, n: int, tally: Tally) -> None:
    path, body, headers = request_for(kind, n)
    connection = http.client.HTTPConnection(host, port, timeout=60)
    try:
        connection.request("POST", path, body=body, headers=headers)
        answer = connection.getresponse()
        if kind == "stream-hangup" and answer.status == 200:
            answer.readline()  # the first event, then hang up mid-stream
            with tally.lock:
                tally.hangups += 1
        else:
            answer.read()
        with tally.lock:
            tally.statuses[answer.status] += 1
            if answer.status != EXPECTED.get(kind, 200):
                tally.unexpected[f"{kind}:{answer.status}"] += 1
    except OSError:
        with tally.lock:
            tally.socket_errors += 1
    finally:
        connection.close()


def drive(host: str, port: int, *, seconds: float, threads: int, tally: Tally) -> None:
    """`threads` clients sending the traffic mix until `seconds` have passed."""
    deadline = time.monotonic() + seconds
    numbers = itertools.count()
    numbers_lock = threading.Lock()

    def client() -> None:
        while time.monotonic() < deadline:
            with numbers_lock:
                n = next(numbers)
            send_one(host, port, KINDS[n % len(KINDS)], n, tally)

    workers = [threading.Thread(target=client, daemon=True) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument("--threads", type=int, default=8, help="concurrent clients")
    args = parser.parse_args(argv)
    server = Server(MOCK_ARGV)
    tally = Tally()
    samples: list[tuple[float, int]] = []
    try:
        pid = worker_pid(server.process.pid)
        started = time.monotonic()
        load = threading.Thread(
            target=drive,
            args=(server.host, server.port),
            kwargs={"seconds": args.minutes * 60, "threads": args.threads, "tally": tally},
        )
        load.start()
        while load.is_alive():
            samples.append((time.monotonic() - started, rss_bytes(pid)))
            print(
                f"{samples[-1][0]:6.0f} s  RSS {samples[-1][1] / 2**20:7.1f} MiB  "
                f"requests {tally.total:,}  5xx {tally.server_errors}",
                flush=True,
            )
            load.join(SAMPLE_EVERY_S)
        samples.append((time.monotonic() - started, rss_bytes(pid)))
        alive = server.process.poll() is None
    finally:
        server.stop()
    print(report(tally, samples, args, alive=alive))
    clean = tally.server_errors == 0 and tally.socket_errors == 0 and not tally.unexpected
    return 0 if clean and alive and growth_mib(samples) <= MEMORY_BOUND_MIB else 1


def growth_mib(samples: list[tuple[float, int]]) -> float:
    """RSS growth from the first sample after the warm-up (the first minute, or the first half
    of a shorter soak) to the last sample."""
    warm = min(60.0, samples[-1][0] / 2) if samples else 0.0
    after = [rss for at, rss in samples if at >= warm] or [rss for _, rss in samples]
    return (after[-1] - after[0]) / 2**20


def report(
    tally: Tally, samples: list[tuple[float, int]], args: argparse.Namespace, *, alive: bool
) -> str:
    mib = [rss / 2**20 for _, rss in samples]
    warm = min(60.0, samples[-1][0] / 2)
    after_first_minute = [rss / 2**20 for at, rss in samples if at >= warm] or mib
    statuses = ", ".join(f"{status}: {count:,}" for status, count in sorted(tally.statuses.items()))
    return "\n".join(
        [
            "",
            f"Soak: {args.minutes:g} min, {args.threads} client threads, "
            f"{tally.total:,} answers ({statuses})",
            f"5xx answers: {tally.server_errors}; socket errors: {tally.socket_errors}; "
            f"clients that hung up mid-stream: {tally.hangups:,}; server alive at the end: {alive}",
            f"unexpected statuses: {dict(tally.unexpected) or 'none'}",
            f"worker RSS every {SAMPLE_EVERY_S:g} s (MiB): " + " ".join(f"{m:.1f}" for m in mib),
            f"RSS after the warm-up ({warm:g} s): min {min(after_first_minute):.1f}, "
            f"max {max(after_first_minute):.1f}, last {mib[-1]:.1f} MiB "
            f"(growth {growth_mib(samples):+.1f} MiB; bound {MEMORY_BOUND_MIB:g} MiB)",
        ]
    )


if __name__ == "__main__":
    sys.exit(main())
