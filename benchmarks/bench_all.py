"""Every benchmark in one command: validation, server, streaming, memory and cold start.

Prints one table; with `--write` rewrites benchmarks/README.md whole (machine, commands, figures).
The server figures (requests/s and latency against a bare Flask endpoint, time to first event,
cold start) come from bench_server.py, the memory figures from bench_memory.py and the validation
figures from bench_validation.py, each run as it runs alone.

Usage: python benchmarks/bench_all.py [--write] [--quick]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import bench_engine
import bench_exchanges
import bench_memory
import bench_server
from bench_server import HEADERS, MOCK_ARGV, PATH, Server

HERE = Path(__file__).resolve().parent
README = HERE / "README.md"
MODEL = "Llama-4-Maverick-17B-128E-Instruct-FP8"


@dataclass(frozen=True)
class StreamFigures:
    streams: int
    events: int
    seconds: float
    per_stream_events_per_s: list[float]

    @property
    def events_per_second(self) -> float:
        return self.events / self.seconds if self.seconds else 0.0


def validation_figures(rounds: int) -> list[tuple[str, str]]:
    """(case, time per call) lines printed by bench_validation.py, plus its ratio line."""
    done = subprocess.run(
        [sys.executable, str(HERE / "bench_validation.py"), "--rounds", str(rounds)],
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    )
    rows = []
    for line in done.stdout.splitlines():
        found = re.match(r"(.+?)\s{2,}([\d.]+ us)$", line)
        if found:
            rows.append((found.group(1).strip(), found.group(2)))
        elif line.startswith("jsonschema iter_errors /"):
            rows.append(("ratio", line.split(": ", 1)[1]))
    if not rows:
        raise bench_server.BenchError(f"bench_validation.py printed no figures:\n{done.stdout}")
    return rows


def stream_figures(count: int) -> StreamFigures:
    """Sequential native streams of a long answer: events read per second of reading."""
    body = json.dumps(
        {
            "model": MODEL,
            "stream": True,
            "max_completion_tokens": 2048,
            "messages": [{"role": "user", "content": "Write a long essay about lighthouses."}],
        }
    ).encode()
    server = Server(MOCK_ARGV)
    events = 0
    spent = 0.0
    per_stream = []
    try:
        connection = http.client.HTTPConnection(server.host, server.port, timeout=60)
        for _ in range(count):
            started = time.perf_counter()
            connection.request("POST", PATH, body=body, headers=HEADERS)
            answer = connection.getresponse()
            if answer.status != 200:
                raise bench_server.BenchError(f"stream answered {answer.status}")
            seen = sum(1 for line in answer if line.startswith(b"data:"))
            took = time.perf_counter() - started
            events += seen
            spent += took
            per_stream.append(seen / took)
        connection.close()
    finally:
        server.stop()
    return StreamFigures(count, events, spent, per_stream)


def server_args(quick: bool) -> argparse.Namespace:
    """bench_server.py's options at their defaults (`--quick`: shorter rounds)."""
    return argparse.Namespace(
        duration=2.0 if quick else 5.0,
        rounds=1 if quick else 3,
        warmup=1.0 if quick else 2.0,
        connections=2 * len(os.sched_getaffinity(0)),
        streams=50 if quick else 200,
        cold_runs=1 if quick else 3,
        python_load=False,
    )


def machine() -> str:
    memory = "unknown memory"
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        kib = int(re.search(r"MemTotal:\s+(\d+)", meminfo.read_text()).group(1))  # type: ignore[union-attr]
        memory = f"{kib / 2**20:.1f} GiB memory"
    return f"{bench_server.machine()}, {memory}"


def report(
    validation: list[tuple[str, str]],
    server: bench_server.Figures,
    streams: StreamFigures,
    memory: bench_memory.MemoryFigures,
    engine: list[tuple[str, float, float]],
    exchanges: list[tuple[str, int, float]],
) -> str:
    per_stream = streams.per_stream_events_per_s
    lines = [
        "## Validation",
        "",
        "Median time per call, in one run (`bench_validation.py`):",
        "",
        "| Case | Time per call |",
        "|---|---:|",
        *(f"| {case} | {took} |" for case, took in validation if case != "ratio"),
        "",
        *(
            f"Plain jsonschema / `validate_request` on the seed request: **{took}**."
            for case, took in validation
            if case == "ratio"
        ),
        "",
        "## Engine",
        "",
        "What reading the conversation costs (`bench_engine.py`): `Engine.complete` per request, "
        "with the extractor and with one that hears nothing (values all generated), rounds "
        "alternating in one process; median of per-round means. A plain text answer does not "
        "run the extractor; a long user turn is read by its first and last 500 characters.",
        "",
        bench_engine.table(engine),
        "",
        "## Generated exchanges",
        "",
        "`check client --examples N` without failures (`bench_exchanges.py`): each exchange drawn, "
        "served by a live mock, played through the adapter's real SDK over loopback and graded.",
        "",
        bench_exchanges.table(exchanges),
        "",
        "## Server",
        "",
        bench_server.table(server),
        "",
        "## Streaming",
        "",
        f"{streams.streams} sequential native streams of a long answer "
        f"(`max_completion_tokens: 2048`), read to the end on one keep-alive connection: "
        f"**{streams.events_per_second:,.0f} events/s** overall; per stream, median "
        f"{statistics.median(per_stream):,.0f} and slowest {min(per_stream):,.0f} events/s; "
        f"{streams.events / streams.streams:.0f} events per stream. Time to the first event is "
        "in the Server table.",
        "",
        "## Memory",
        "",
        bench_memory.table(memory),
        "",
        "## Cold start",
        "",
        "Spawn of `llama-contract serve` to its ready line and to its first answer: in the "
        "Server section above (median of the cold starts).",
    ]
    return "\n".join(lines)


def write_readme(body: str, argv: list[str], *, load_before: float) -> None:
    text = "\n".join(
        [
            "# Benchmarks",
            "",
            f"Measured {time.strftime('%Y-%m-%d')} on: {machine()}. "
            f"Machine load average (1 min) before the run: {load_before:.2f}.",
            "",
            "Reproduce from the repository root:",
            "",
            "```",
            "python3 -m venv .venv && . .venv/bin/activate && pip install -e '.[test]'",
            "apt-get install -y wrk   # without wrk a Python load generator runs (not comparable)",
            " ".join(["python benchmarks/bench_all.py", *argv]),
            "```",
            "",
            "Each part also runs alone: `bench_validation.py`, `bench_engine.py`, "
            "`bench_exchanges.py`, `bench_server.py`, "
            "`bench_memory.py`. "
            "Not part of this run: `python benchmarks/soak.py --minutes 5` (five minutes of mixed "
            "traffic with streams and clients hanging up mid-stream; passes with zero 5xx and flat "
            "memory).",
            "",
            body,
            "",
        ]
    )
    README.write_text(text + _kept_sections())


def _kept_sections() -> str:
    """Sections written by hand from runs this command does not make (the soak), kept as they are."""
    if not README.exists():
        return ""
    old = README.read_text()
    start = old.find("\n## Soak")
    return old[start + 1 :] if start >= 0 else ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--write", action="store_true", help="rewrite benchmarks/README.md")
    parser.add_argument("--quick", action="store_true", help="short runs, for trying it out")
    args = parser.parse_args(argv)
    load_before = os.getloadavg()[0]  # other work on the machine skews every figure
    try:
        print("validation ...", flush=True)
        validation = validation_figures(5 if args.quick else 25)
        print("engine (bench_engine.py) ...", flush=True)
        engine = bench_engine.measure(5 if args.quick else 15, 100 if args.quick else 200)
        print("generated exchanges (bench_exchanges.py) ...", flush=True)
        exchanges = bench_exchanges.measure(50 if args.quick else 300)
        print("server (bench_server.py) ...", flush=True)
        server = bench_server.measure(server_args(args.quick))
        print("streaming ...", flush=True)
        streams = stream_figures(20 if args.quick else 100)
        print("memory (bench_memory.py) ...", flush=True)
        memory = bench_memory.measure(
            requests=5_000 if args.quick else 100_000, baseline=1_000, threads=4
        )
    except (bench_server.BenchError, OSError, subprocess.SubprocessError) as exc:
        print(f"bench_all: error: {exc}", file=sys.stderr)
        return 1
    body = report(validation, server, streams, memory, engine, exchanges)
    print()
    print(body)
    if args.write:
        shown = [arg for arg in (argv if argv is not None else sys.argv[1:]) if arg != "--write"]
        write_readme(body, [*shown, "--write"], load_before=load_before)
        print(f"\nwrote {README}")
    return 0 if memory.ok else 1


if __name__ == "__main__":
    sys.exit(main())
