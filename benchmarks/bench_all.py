"""Every benchmark in one command: validation, server, peers, streaming, memory, soak.

Prints the figures; with `--write` rewrites benchmarks/README.md whole: nothing in it is kept by
hand. The server figures (against a bare Flask endpoint on the same server, time to first event,
cold start) come from bench_server.py; the peers (stubllm on the compat endpoint, Prism on the
native one, installed pinned by bench_peers.py) run in alternating rounds with the mock; the
memory figures come from bench_memory.py, the soak from soak.py, the validation figures from
bench_validation.py, each run as it runs alone.

Usage: python benchmarks/bench_all.py [--write] [--quick] [--soak-minutes M]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import bench_engine
import bench_exchanges
import bench_memory
import bench_peers
import bench_profile
import bench_server
import bench_store
from bench_server import HEADERS, MOCK_ARGV, PATH, SEED_BODY, LoadResult, Server, wrk_load

HERE = Path(__file__).resolve().parent
README = HERE / "README.md"
MODEL = "Llama-4-Maverick-17B-128E-Instruct-FP8"
CONNECTIONS = 16  # what a parallel test suite or a gateway under load sends
COMPAT = "/compat/v1/chat/completions"
TARGETS = {  # the ratio each peer row is judged by (issue #12)
    "stubllm": 1.5,
    "prism": 3.0,
}


@dataclass(frozen=True)
class PeerFigures:
    rounds: dict[str, list[LoadResult]]  # mock-compat, stubllm, mock-native, prism
    prism_missing: str  # why Prism is not in the run, or ""
    settings: str

    def rps(self, name: str) -> float:
        runs = self.rounds.get(name) or []
        return statistics.median(r.requests_per_second for r in runs) if runs else 0.0


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


def peer_figures(quick: bool) -> PeerFigures:
    """The mock against stubllm (compat) and Prism (native), every body distinct, alternating."""
    wrk = shutil.which("wrk")
    if wrk is None:
        raise bench_server.BenchError("wrk is not on PATH (apt-get install -y wrk)")
    seconds, rounds = (2.0, 1) if quick else (5.0, 3)
    mock = Server(MOCK_ARGV)
    peers: list[bench_peers.Peer] = []
    prism_missing = ""
    try:
        root = mock.url.removesuffix(PATH)
        with urllib.request.urlopen(root + "/openapi.json") as got:
            spec_document = json.load(got)
        bench_peers.CACHE.mkdir(parents=True, exist_ok=True)
        spec = bench_peers.CACHE / "openapi.json"
        spec.write_text(json.dumps(spec_document))
        stubllm = bench_peers.start_stubllm()
        peers.append(stubllm)
        urls = {"mock-compat": root + COMPAT, "stubllm": stubllm.url, "mock-native": mock.url}
        prism = bench_peers.start_prism(spec)
        if prism is None:
            prism_missing = "npm is not on PATH, so Prism could not be installed"
        else:
            peers.append(prism)
            urls["prism"] = prism.url
        for url in urls.values():
            wrk_load(wrk, url, SEED_BODY, CONNECTIONS, 1.0, True)  # warm-up
        results: dict[str, list[LoadResult]] = {name: [] for name in urls}
        for number in range(rounds):
            names = list(urls) if number % 2 == 0 else list(reversed(urls))
            for name in names:
                results[name].append(
                    wrk_load(wrk, urls[name], SEED_BODY, CONNECTIONS, seconds, True)
                )
    finally:
        mock.stop()
        for peer in peers:
            peer.stop()
    settings = (
        f"wrk, {CONNECTIONS} connections, every body distinct; {rounds} rounds of {seconds:g} s "
        "per target, alternating order, after 1 s warm-up; figures are the median round"
    )
    return PeerFigures(results, prism_missing, settings)


def soak_figures(minutes: float) -> tuple[bool, str]:
    """(passed, report) of soak.py: fails on a 5xx, a socket error, an unexpected status or
    memory growth beyond its bound."""
    done = subprocess.run(
        [sys.executable, str(HERE / "soak.py"), "--minutes", f"{minutes:g}"],
        capture_output=True,
        text=True,
        timeout=minutes * 60 + 600,
    )
    report = done.stdout[done.stdout.find("Soak:") :].strip() if "Soak:" in done.stdout else ""
    return done.returncode == 0, report or done.stdout[-2000:] + done.stderr[-2000:]


def server_args(quick: bool) -> argparse.Namespace:
    """bench_server.py's options at their defaults (`--quick`: shorter rounds)."""
    return argparse.Namespace(
        duration=2.0 if quick else 5.0,
        rounds=1 if quick else 3,
        warmup=1.0 if quick else 2.0,
        connections=CONNECTIONS,
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
    engine: list[tuple[str, float, float, float]],
    turns: list[tuple[int, float, float, float]],
    exchanges: list[tuple[str, int, float]],
    peers: PeerFigures,
    soak: tuple[bool, str, float],
    store: str,
    profile: list[tuple[str, float, list[tuple[str, float]]]],
    conversation: tuple[int, float, float],
) -> str:
    per_stream = streams.per_stream_events_per_s
    lines = [
        "## Peers",
        "",
        *peer_table(peers),
        "",
        "## Where the time goes",
        "",
        "`MockService.handle` on the seed request, every body distinct, in one process "
        "(`bench_profile.py`): the time per request unprofiled, split by the profile's cumulative "
        "time of each part.",
        "",
        bench_profile.table(profile),
        "",
        *profile_notes(profile, peers),
        "",
        "A conversation resends its history with every turn; the token counts of long messages are "
        "kept (bounded), so a later turn pays for what is new (`bench_profile.py`):",
        "",
        bench_profile.conversation_table(conversation),
        "",
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
        "with the extractor and with one that hears nothing (values all generated), both in "
        "each round, back to back in one process; the added cost is the median of the rounds' "
        "ratios (31 rounds of 100 requests), the times the medians. A plain text answer does not "
        "run the extractor; a long user turn is read by its first and last 500 characters. The "
        "3.6 kB turn is one sentence said 60 times, four capitalised words or numbers in every "
        "60 characters; the 3.5 kB prose turn is sentences that differ, with few names and "
        "numbers but many commas and \"and\"s (what the list pattern reads). The "
        "agent step resends its history (a final-answer tool under `tool_choice: \"required\"`, "
        "four steps per conversation): a text read before is not read again.",
        "",
        bench_engine.table(engine),
        "",
        "The same tool call with user turns of growing length, every body distinct "
        f"({bench_engine.TURN_ROUNDS} rounds of {bench_engine.TURN_REQUESTS} requests): the "
        "extractor reads at most the first and last 500 characters of a turn, so what it adds "
        "stops growing past 1,000 characters while the rest of the engine (token counts, the "
        "words that choose the tool) grows with the turn. The text is the 3.6 kB turn's "
        "sentence said again and again.",
        "",
        bench_engine.turns_table(turns),
        "",
        "## Shared store (Redis)",
        "",
        store,
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
        "## Soak",
        "",
        f"`python benchmarks/soak.py --minutes {soak[2]:g}` (mixed traffic: chat, compat, streams, "
        "bad requests, clients hanging up mid-stream). It fails on any 5xx, socket error, "
        "unexpected status or memory growth beyond its bound: "
        f"**{'passed' if soak[0] else 'FAILED'}**.",
        "",
        "```",
        soak[1],
        "```",
    ]
    return "\n".join(lines)


def peer_table(peers: PeerFigures) -> list[str]:
    def row(label: str, name: str) -> str:
        runs = peers.rounds[name]
        med = statistics.median
        return (
            f"| {label} | {med(r.requests_per_second for r in runs):,.0f} | "
            f"{med(r.p50_ms for r in runs):.2f} ms | {med(r.p99_ms for r in runs):.2f} ms | "
            f"{sum(r.errors for r in runs)} |"
        )

    lines = [
        "| Target | Requests/s | p50 latency | p99 latency | Errors |",
        "|---|---:|---:|---:|---:|",
        row("`llama-contract serve`, compat endpoint", "mock-compat"),
        row(f"stubllm {bench_peers.STUBLLM_VERSION} (FastAPI + uvicorn), compat", "stubllm"),
        row("`llama-contract serve`, native endpoint", "mock-native"),
    ]
    if "prism" in peers.rounds:
        lines.append(row(f"Prism {bench_peers.PRISM_VERSION} (`prism mock` of our /openapi.json)",
                         "prism"))  # fmt: skip
    lines.append("")
    ratios = [("stubllm", "mock-compat", "compat endpoint / stubllm")]
    if "prism" in peers.rounds:
        ratios.append(("prism", "mock-native", "native endpoint / Prism"))
    for peer, ours, label in ratios:
        ratio = peers.rps(ours) / peers.rps(peer) if peers.rps(peer) else 0.0
        target = TARGETS[peer]
        lines.append(
            f"- {label}: **{ratio:.2f}x** (target at least {target:g}x, "
            f"{'met' if ratio >= target else 'NOT met'})"
        )
    if peers.prism_missing:
        lines.append(f"- Prism is not in this run: {peers.prism_missing}.")
    lines += [
        "",
        f'Load: {peers.settings}. stubllm answers a constant "no fixture matched" text; '
        "Prism answers placeholder bodies and cannot stream; the mock validates every request "
        "and answers it.",
    ]
    return lines


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
            "`bench_profile.py`, `bench_exchanges.py`, `bench_store.py`, `bench_server.py`, "
            "`bench_memory.py`, `soak.py`. The peers "
            f"(stubllm, Prism) are installed, pinned, into `{bench_peers.CACHE}` by the run itself.",
            "",
            body,
            "",
        ]
    )
    README.write_text(text)


def profile_notes(
    profile: list[tuple[str, float, list[tuple[str, float]]]], peers: PeerFigures
) -> list[str]:
    notes = []
    for dialect, per_request_us, _ in profile:
        rps = peers.rps(f"mock-{dialect}")
        if rps:
            interval = 1e6 / rps
            notes.append(
                f"- {dialect}: over HTTP under wrk (Peers above) the mock answered one request every "
                f"{interval:.0f} us; {per_request_us:.0f} us of that is the service's own work, the "
                f"rest ({interval - per_request_us:.0f} us) is granian, the event loop and the "
                "load generator sharing the 2 cores."
            )
    return notes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--write", action="store_true", help="rewrite benchmarks/README.md")
    parser.add_argument("--quick", action="store_true", help="short runs, for trying it out")
    parser.add_argument("--soak-minutes", type=float, default=5.0, help="length of the soak")
    args = parser.parse_args(argv)
    load_before = os.getloadavg()[0]  # other work on the machine skews every figure
    try:
        print("validation ...", flush=True)
        validation = validation_figures(5 if args.quick else 25)
        print("where the time goes (bench_profile.py) ...", flush=True)
        profile = bench_profile.measure(1_000 if args.quick else 5_000)
        conversation = bench_profile.conversation(100 if args.quick else 500)
        print("engine (bench_engine.py) ...", flush=True)
        engine = bench_engine.measure(5 if args.quick else 31, 100)
        turns = bench_engine.measure_turns(
            3 if args.quick else bench_engine.TURN_ROUNDS, bench_engine.TURN_REQUESTS
        )
        print("shared store (bench_store.py) ...", flush=True)
        store = bench_store.measure(bench_store.parse(["--duration", "3" if args.quick else "8"]))
        print("generated exchanges (bench_exchanges.py) ...", flush=True)
        exchanges = bench_exchanges.measure(50 if args.quick else 300)
        print("server (bench_server.py) ...", flush=True)
        server = bench_server.measure(server_args(args.quick))
        print("peers (stubllm, Prism) ...", flush=True)
        peers = peer_figures(args.quick)
        print("streaming ...", flush=True)
        streams = stream_figures(20 if args.quick else 100)
        print("memory (bench_memory.py) ...", flush=True)
        memory = bench_memory.measure(
            requests=5_000 if args.quick else 100_000, baseline=1_000, threads=4
        )
        soak_minutes = 0.5 if args.quick else args.soak_minutes
        print(f"soak ({soak_minutes:g} min) ...", flush=True)
        soak_ok, soak_text = soak_figures(soak_minutes)
    except (bench_server.BenchError, OSError, subprocess.SubprocessError) as exc:
        print(f"bench_all: error: {exc}", file=sys.stderr)
        return 1
    body = report(
        validation,
        server,
        streams,
        memory,
        engine,
        turns,
        exchanges,
        peers,
        (soak_ok, soak_text, soak_minutes),
        store,
        profile,
        conversation,
    )
    print()
    print(body)
    if args.write:
        shown = [arg for arg in (argv if argv is not None else sys.argv[1:]) if arg != "--write"]
        write_readme(body, [*shown, "--write"], load_before=load_before)
        print(f"\nwrote {README}")
    return 0 if memory.ok and soak_ok else 1


if __name__ == "__main__":
    sys.exit(main())
