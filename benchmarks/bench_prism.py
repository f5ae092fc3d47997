"""Prism (the mock the official SDK's tests were written for) beside `llama-contract serve`.

Prism serves our own `/openapi.json`, so both answer the same paths; the same wrk load hits both in
one run. Prism is installed from npm when missing (`npm install @stoplight/prism-cli` into a cache
folder); without Node.js or npm the benchmark says so and stops.

Usage: python benchmarks/bench_prism.py [--duration S] [--rounds N]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from bench_server import MOCK_ARGV, SEED_BODY, BenchError, LoadResult, Server, wrk_load

CACHE = Path(tempfile.gettempdir()) / "llama-contract-prism"
PRISM = CACHE / "node_modules" / ".bin" / "prism"
PORT = 4391


def install_prism() -> Path:
    if PRISM.exists():
        return PRISM
    if shutil.which("npm") is None:
        raise BenchError("npm is not on PATH: Prism cannot be installed here")
    CACHE.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["npm", "install", "--silent", "--prefix", str(CACHE), "@stoplight/prism-cli"],
        check=True,
        timeout=600,
    )
    return PRISM


def start_prism(spec: Path) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [str(PRISM), "mock", "-h", "127.0.0.1", "-p", str(PORT), str(spec)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # Prism prints no machine-readable ready line: ask it
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{PORT}/health", timeout=1)
            return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise BenchError("Prism did not answer within 60 s")


def row(name: str, results: list[LoadResult]) -> str:
    med = statistics.median
    return (
        f"| {name} | {med(r.requests_per_second for r in results):,.0f} | "
        f"{med(r.p50_ms for r in results):.2f} ms | {med(r.p99_ms for r in results):.2f} ms | "
        f"{sum(r.errors for r in results)} |"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=5.0)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    wrk = shutil.which("wrk")
    if wrk is None:
        print("wrk is not on PATH (apt-get install -y wrk)", file=sys.stderr)
        return 2
    try:
        install_prism()
    except (BenchError, subprocess.SubprocessError) as exc:
        print(f"Prism unavailable: {exc}", file=sys.stderr)
        return 2
    mock = Server(MOCK_ARGV)
    with urllib.request.urlopen(mock.url.replace("/v1/chat/completions", "/openapi.json")) as got:
        spec_document = json.load(got)
    spec = CACHE / "openapi.json"
    spec.write_text(json.dumps(spec_document))
    prism = start_prism(spec)
    prism_url = f"http://127.0.0.1:{PORT}/v1/chat/completions"
    results: dict[str, list[LoadResult]] = {"mock": [], "prism": []}
    try:
        for url in (mock.url, prism_url):
            wrk_load(wrk, url, SEED_BODY, 4, 1.0)  # warm-up
        for number in range(args.rounds):
            order = [("mock", mock.url), ("prism", prism_url)]
            for name, url in order if number % 2 == 0 else order[::-1]:
                results[name].append(wrk_load(wrk, url, SEED_BODY, 4, args.duration))
    finally:
        prism.terminate()
        prism.wait(timeout=30)
        mock.stop()
    print("| Target | Requests/s | p50 latency | p99 latency | Errors |")
    print("|---|---:|---:|---:|---:|")
    print(row("`llama-contract serve`, seed request", results["mock"]))
    print(row("Prism 5 (`prism mock` of our /openapi.json), seed request", results["prism"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
