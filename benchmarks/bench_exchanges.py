"""Generated exchanges per second through a client adapter (`check client --examples`).

Run: python benchmarks/bench_exchanges.py [--examples N] [--markdown]

Each exchange is drawn by `contract.strategies.exchanges`, served by a live mock as a one-step
scenario, played through the adapter (a real SDK over loopback HTTP) and graded by the client
checks: the whole per-example cost of `check client --examples N`, shrinking aside (the SDKs
pass, so nothing shrinks).
"""

from __future__ import annotations

import argparse
import time

from mockserver.conformance.adapters import BUILTIN_ADAPTERS
from mockserver.conformance.client_runner import ConformanceMock
from mockserver.conformance.exchange_runner import ExchangePlayer, find_failures


def measure(examples: int) -> list[tuple[str, int, float]]:
    """(adapter, exchanges played, seconds) for each built-in adapter."""
    rows = []
    for name, adapter in BUILTIN_ADAPTERS.items():
        mock = ConformanceMock()
        mock.live.start()
        try:
            player = ExchangePlayer(mock, adapter)
            endpoints = player.endpoints()
            played = 0

            def count(_checked: object) -> None:
                nonlocal played
                played += 1

            began = time.perf_counter()
            found = find_failures(
                player, examples=examples, seed=1, endpoints=endpoints, on_example=count
            )
            took = time.perf_counter() - began
        finally:
            mock.live.stop()
        if found:
            raise SystemExit(f"{name}: a check failed on a generated exchange: {found[0]}")
        rows.append((name, played, took))
    return rows


def table(rows: list[tuple[str, int, float]]) -> str:
    lines = ["| adapter | exchanges | seconds | exchanges/s |", "|---|---:|---:|---:|"]
    for name, played, took in rows:
        lines.append(f"| {name} | {played} | {took:.1f} | {played / took:.0f} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--examples", type=int, default=300)
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args()
    rows = measure(args.examples)
    if args.markdown:
        print(table(rows))
        return
    for name, played, took in rows:
        print(f"{name:<24} {played:5d} exchanges in {took:6.1f} s: {played / took:6.0f}/s")


if __name__ == "__main__":
    main()
