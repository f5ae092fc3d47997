"""Memory: resident memory (RSS) of `llama-contract serve` after 1,000 and after 100,000 requests.

The journal, the request memo and the rate-limit windows are bounded, so memory must level off:
the check is that RSS after 100,000 requests is within 20 MB of RSS after 1,000. The requests
are the soak mix (see soak.py), every body distinct, from a few keep-alive-free client threads.

Usage: python benchmarks/bench_memory.py [--requests 100000] [--baseline 1000] [--threads 4]
Exit status: 0 within the bound and without 5xx, else 1.
"""

from __future__ import annotations

import argparse
import sys
import threading
from dataclasses import dataclass

from bench_server import MOCK_ARGV, Server
from soak import KINDS, Tally, rss_bytes, send_one, worker_pid

BOUND_BYTES = 20 * 1000 * 1000  # 20 MB


@dataclass(frozen=True)
class MemoryFigures:
    baseline_requests: int
    total_requests: int
    start_rss: int
    baseline_rss: int
    final_rss: int
    server_errors: int
    socket_errors: int

    @property
    def growth(self) -> int:
        return self.final_rss - self.baseline_rss

    @property
    def ok(self) -> bool:
        return self.growth <= BOUND_BYTES and self.server_errors == 0 and self.socket_errors == 0


def send_requests(
    host: str, port: int, *, first: int, count: int, threads: int, tally: Tally
) -> None:
    numbers = iter(range(first, first + count))
    lock = threading.Lock()

    def client() -> None:
        while True:
            with lock:
                n = next(numbers, None)
            if n is None:
                return
            send_one(host, port, KINDS[n % len(KINDS)], n, tally)

    workers = [threading.Thread(target=client) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()


def measure(*, requests: int, baseline: int, threads: int, progress: bool = True) -> MemoryFigures:
    server = Server(MOCK_ARGV)
    tally = Tally()
    try:
        pid = worker_pid(server.process.pid)
        start_rss = rss_bytes(pid)
        send_requests(
            server.host, server.port, first=0, count=baseline, threads=threads, tally=tally
        )
        baseline_rss = rss_bytes(pid)
        done = baseline
        while done < requests:
            batch = min(10_000, requests - done)
            send_requests(
                server.host, server.port, first=done, count=batch, threads=threads, tally=tally
            )
            done += batch
            if progress:
                print(f"  {done:>7,} requests: RSS {rss_bytes(pid) / 2**20:.1f} MiB", flush=True)
        final_rss = rss_bytes(pid)
    finally:
        server.stop()
    return MemoryFigures(
        baseline,
        tally.total,
        start_rss,
        baseline_rss,
        final_rss,
        tally.server_errors,
        tally.socket_errors,
    )


def table(figures: MemoryFigures) -> str:
    mib = 2**20
    return "\n".join(
        [
            "| Worker RSS of `llama-contract serve` | MiB |",
            "|---|---:|",
            f"| at start, idle | {figures.start_rss / mib:.1f} |",
            f"| after {figures.baseline_requests:,} requests | {figures.baseline_rss / mib:.1f} |",
            f"| after {figures.total_requests:,} requests | {figures.final_rss / mib:.1f} |",
            "",
            f"Growth from {figures.baseline_requests:,} to {figures.total_requests:,} requests: "
            f"**{figures.growth / 1e6:+.1f} MB** (bound: 20 MB, "
            f"{'met' if figures.growth <= BOUND_BYTES else 'NOT met'}); 5xx answers: "
            f"{figures.server_errors}; socket errors: {figures.socket_errors}.",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument("--baseline", type=int, default=1_000)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args(argv)
    figures = measure(requests=args.requests, baseline=args.baseline, threads=args.threads)
    print(table(figures))
    return 0 if figures.ok else 1


if __name__ == "__main__":
    sys.exit(main())
