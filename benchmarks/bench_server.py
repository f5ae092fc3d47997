"""Server benchmark: `llama-contract serve` against a bare Flask endpoint on the same server
(granian, one worker; the bare app in granian's fastest setting for it, WSGI with one thread).

On loopback, in one run:
- requests/s and p50/p99 latency of the seed request (the Llama API docs' curl example, with
  `Authorization: Bearer test`) POSTed to the mock, and to `benchmarks/bare_app.py` answering a
  constant JSON body of the same size; same load generator, side by side, with the ratio;
- time to the first streamed event of the same request with `"stream": true` (native), p50/p99;
- cold start: spawn `llama-contract serve`, read its ready line, then one answer.

Load generator: `wrk` when on PATH (Debian: `apt-get install -y wrk`), else a bounded Python one.
Usage: python benchmarks/bench_server.py [--duration S] [--rounds N] [--connections N] [--write]
"""

from __future__ import annotations

import argparse
import http.client
import os
import platform
import queue
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

HERE = Path(__file__).resolve().parent
README = HERE / "README.md"
PATH = "/v1/chat/completions"
READY_PREFIX = "Llama API mock listening on "
READY_TIMEOUT_S = 60.0
# The body of the seed page's curl example, as curl sends it (Llama API docs, "Chat completion").
SEED_BODY = b"""{
"model": "Llama-4-Maverick-17B-128E-Instruct-FP8",
"messages": [
{
"role": "system",
"content": "You are a helpful assistant that provides concise answers."
},
{
"role": "user",
"content": "What is the capital of France?"
}
],
"max_tokens": 256
}"""
STREAM_BODY = SEED_BODY[:-2] + b',\n"stream": true\n}'
HEADERS = {"Authorization": "Bearer test", "Content-Type": "application/json"}
MOCK_ARGV = [sys.executable, "-m", "mockserver.cli.main", "serve", "--port", "0"]
BARE_ARGV = [sys.executable, str(HERE / "bare_app.py"), "--port", "0"]


class BenchError(Exception):
    pass


@dataclass(frozen=True)
class LoadResult:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int  # non-2xx answers and socket errors


LoadRun = Callable[[str, bytes, int, float], LoadResult]  # url, body, connections, seconds


class Server:
    """A server subprocess whose base URL is read from its ready line."""

    def __init__(self, argv: list[str]) -> None:
        self.started = time.perf_counter()
        self.process = subprocess.Popen(
            argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        lines: queue.Queue[str | None] = queue.Queue()

        def pump() -> None:
            assert self.process.stdout is not None
            for line in self.process.stdout:
                lines.put(line)
            lines.put(None)

        self.stderr: list[str] = []
        threading.Thread(target=pump, daemon=True).start()
        stderr = self.process.stderr
        drain = threading.Thread(target=lambda: self.stderr.extend(stderr or []), daemon=True)
        drain.start()
        try:
            first = lines.get(timeout=READY_TIMEOUT_S)
        except queue.Empty:
            first = None
        if first is None or not first.startswith(READY_PREFIX):
            self.stop()
            drain.join(timeout=10)
            raise BenchError(
                f"{' '.join(argv)} did not become ready (exit {self.process.poll()}): "
                + "".join(self.stderr)[-2000:]
            )
        self.ready_s = time.perf_counter() - self.started
        parts = urlsplit(first[len(READY_PREFIX) :].strip())
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.url = f"http://{parts.netloc}{PATH}"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def post(server: Server, body: bytes) -> bytes:
    connection = http.client.HTTPConnection(server.host, server.port, timeout=30)
    try:
        connection.request("POST", PATH, body=body, headers=HEADERS)
        answer = connection.getresponse()
        data = answer.read()
    finally:
        connection.close()
    if answer.status != 200:
        raise BenchError(f"{server.url} answered {answer.status}: {data[:300]!r}")
    return data


def first_event_times_ms(server: Server, count: int) -> list[float]:
    """Time from sending a streaming request to reading its first `data:` record, per request."""
    connection = http.client.HTTPConnection(server.host, server.port, timeout=30)
    headers = {**HEADERS, "Accept": "application/json"}
    times = []
    try:
        for _ in range(count):
            started = time.perf_counter()
            connection.request("POST", PATH, body=STREAM_BODY, headers=headers)
            answer = connection.getresponse()
            if answer.status != 200:
                raise BenchError(f"stream answered {answer.status}: {answer.read()[:300]!r}")
            line = answer.readline()
            while line and not line.startswith(b"data:"):
                line = answer.readline()
            if not line:
                raise BenchError("a stream ended without a `data:` record")
            times.append((time.perf_counter() - started) * 1000)
            answer.read()
    finally:
        connection.close()
    return times


def cold_starts_ms(runs: int) -> list[tuple[float, float]]:
    """(spawn to ready line, spawn to first answer) of fresh `llama-contract serve` processes."""
    results = []
    for _ in range(runs):
        server = Server(MOCK_ARGV)
        try:
            post(server, SEED_BODY)
            total = time.perf_counter() - server.started
            results.append((server.ready_s * 1000, total * 1000))
        finally:
            server.stop()
    return results


DISTINCT_MARK = "capital of France"


def wrk_load(
    wrk: str, url: str, body: bytes, connections: int, seconds: float, distinct: bool = False
) -> LoadResult:
    """One wrk run; `distinct` numbers each request's question, so no two bodies are the same
    and the mock's memo of seen bodies never answers (its worst case)."""
    level = 0
    while f"]{'=' * level}]" in body.decode():
        level += 1
    script = "\n".join(
        [
            'wrk.method = "POST"',
            f"wrk.body = [{'=' * level}[{body.decode()}]{'=' * level}]",
            *(f'wrk.headers["{name}"] = "{value}"' for name, value in HEADERS.items()),
            *(
                [
                    "counter = 0",
                    "request = function()",
                    "  counter = counter + 1",
                    f'  local body = string.gsub(wrk.body, "{DISTINCT_MARK}", '
                    f'"{DISTINCT_MARK} " .. counter, 1)',
                    "  return wrk.format(nil, nil, nil, body)",
                    "end",
                ]
                if distinct
                else []
            ),
        ]
    )
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as lua:
        lua.write(script)
        lua.flush()
        threads = max(1, min(connections, len(os.sched_getaffinity(0)) // 2))
        argv = [
            wrk,
            f"-t{threads}",
            f"-c{connections}",
            f"-d{seconds:g}s",
            "--latency",
            "-s",
            lua.name,
            url,
        ]
        done = subprocess.run(argv, capture_output=True, text=True, timeout=seconds + 60)
    out = done.stdout
    if done.returncode != 0 or "Requests/sec" not in out:
        raise BenchError(f"wrk failed ({done.returncode}): {out}{done.stderr}")
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return LoadResult(
        requests_per_second=float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        p50_ms=_wrk_ms(re.search(r"50%\s+([\d.]+\w+)", out).group(1)),
        p99_ms=_wrk_ms(re.search(r"99%\s+([\d.]+\w+)", out).group(1)),
        requests=int(re.search(r"(\d+) requests in", out).group(1)),
        errors=errors + (int(non_2xx.group(1)) if non_2xx else 0),
    )


def _wrk_ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def _wrk_version(wrk: str) -> str:
    done = subprocess.run([wrk, "-v"], capture_output=True, text=True, timeout=10)
    found = re.search(r"wrk (\S+)", done.stdout + done.stderr)
    return found.group(1) if found else ""


def python_load(url: str, body: bytes, connections: int, seconds: float) -> LoadResult:
    with ProcessPoolExecutor(connections) as pool:
        runs = list(
            pool.map(
                _one_connection, [url] * connections, [body] * connections, [seconds] * connections
            )
        )
    latencies = [ms for run_latencies, _ in runs for ms in run_latencies]
    if not latencies:
        raise BenchError(f"no request to {url} succeeded")
    return LoadResult(
        requests_per_second=len(latencies) / seconds,
        p50_ms=percentile(latencies, 0.50),
        p99_ms=percentile(latencies, 0.99),
        requests=len(latencies),
        errors=sum(errors for _, errors in runs),
    )


def _one_connection(url: str, body: bytes, seconds: float) -> tuple[list[float], int]:
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    latencies, errors = [], 0
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        started = time.perf_counter()
        try:
            connection.request("POST", parts.path, body=body, headers=HEADERS)
            answer = connection.getresponse()
            answer.read()
        except OSError:
            errors += 1
            connection.close()
            continue
        if answer.status // 100 == 2:
            latencies.append((time.perf_counter() - started) * 1000)
        else:
            errors += 1
    connection.close()
    return latencies, errors


def replace_section(readme: Path, title: str, body: str) -> None:
    """Put `## title` + body in place of that section of the README (or append it)."""
    section = f"## {title}\n\n{body.rstrip()}\n"
    if not readme.exists():
        readme.write_text(
            "# Benchmarks\n\nFigures measured on the machine each section names; every "
            f"section says how to reproduce it.\n\nMachine: {machine()}.\n\n{section}"
        )
        return
    text = readme.read_text()
    found = re.search(rf"^## {re.escape(title)}\n.*?(?=^## |\Z)", text, flags=re.M | re.S)
    if found:
        following = "\n" if found.end() < len(text) else ""
        text = text[: found.start()] + section + following + text[found.end() :]
    else:
        text = text.rstrip() + "\n\n" + section
    readme.write_text(text)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


@dataclass(frozen=True)
class Figures:
    generator: str
    mock: list[LoadResult]  # one per round
    bare: list[LoadResult]
    distinct: list[LoadResult]  # the mock with no body repeated (wrk only)
    body_bytes: int
    first_event_ms: list[float]
    cold_ms: list[tuple[float, float]]
    settings: str
    load_average: float  # of the machine, 1 minute, just before the run: other work skews figures


def measure(args: argparse.Namespace) -> Figures:
    load_average = os.getloadavg()[0]
    wrk = None if args.python_load else shutil.which("wrk")
    run_load: LoadRun = (lambda *a: wrk_load(wrk, *a)) if wrk else python_load
    generator = f"wrk {_wrk_version(wrk)}" if wrk else "Python (one process per connection)"
    mock = Server(MOCK_ARGV)
    bare: Server | None = None
    results: dict[str, list[LoadResult]] = {"mock": [], "bare": [], "distinct": []}
    try:
        body_bytes = len(post(mock, SEED_BODY))
        bare = Server([*BARE_ARGV, "--body-bytes", str(body_bytes)])
        if len(post(bare, SEED_BODY)) != body_bytes:
            raise BenchError("the bare endpoint's body is not the size of the mock's")
        targets = {"mock": mock, "bare": bare}
        for server in targets.values():  # warm both up the same way before measuring
            run_load(server.url, SEED_BODY, args.connections, args.warmup)
        for round_number in range(args.rounds):  # alternate the order: drift hits both alike
            order = ["mock", "bare"] if round_number % 2 == 0 else ["bare", "mock"]
            for name in order:
                results[name].append(
                    run_load(targets[name].url, SEED_BODY, args.connections, args.duration)
                )
            if wrk:
                results["distinct"].append(
                    wrk_load(wrk, mock.url, SEED_BODY, args.connections, args.duration, True)
                )
        first_event = first_event_times_ms(mock, args.streams)
    finally:
        mock.stop()
        if bare is not None:
            bare.stop()
    return Figures(
        generator=generator,
        mock=results["mock"],
        bare=results["bare"],
        distinct=results["distinct"],
        body_bytes=body_bytes,
        first_event_ms=first_event,
        cold_ms=cold_starts_ms(args.cold_runs),
        settings=f"{args.connections} connections; {args.rounds} rounds of {args.duration:g} s "
        f"per target, alternating, after {args.warmup:g} s warm-up; figures are the median "
        f"round",
        load_average=load_average,
    )


def _distinct_share(figures: Figures, bare_rps: float) -> float:
    """The mock with every body distinct, as a share of the bare endpoint (median rounds)."""
    return statistics.median(r.requests_per_second for r in figures.distinct) / bare_rps


def table(figures: Figures) -> str:
    mock_rps = statistics.median(r.requests_per_second for r in figures.mock)
    bare_rps = statistics.median(r.requests_per_second for r in figures.bare)
    ratio = mock_rps / bare_rps if bare_rps else 0.0
    per_round = ", ".join(
        f"{m.requests_per_second / b.requests_per_second:.0%}"
        for m, b in zip(figures.mock, figures.bare, strict=True)
        if b.requests_per_second
    )
    readies = [ready for ready, _ in figures.cold_ms]
    totals = [total for _, total in figures.cold_ms]
    first = figures.first_event_ms
    rows = [
        "| Target | Requests/s | p50 latency | p99 latency | Requests | Errors |",
        "|---|---:|---:|---:|---:|---:|",
        _load_row("`llama-contract serve`, seed request", figures.mock),
        _load_row(
            f"bare Flask endpoint (granian WSGI, 1 thread), constant {figures.body_bytes}-byte body",
            figures.bare,
        ),
        *(
            [
                _load_row(
                    "`llama-contract serve`, every body distinct (no memo hits)", figures.distinct
                )
            ]
            if figures.distinct
            else []
        ),
        "",
        f"Mock / bare requests per second: **{ratio:.0%}** (per round: {per_round}); "
        f"target: at least 70%, {'met' if ratio >= 0.70 else 'NOT met'}.",
        *(
            [
                "",
                "The seed request sent again and again is answered from the memo of bodies seen "
                "before (`mockserver/state/memo.py`: parse, validation and answer are pure functions of "
                "the body), as a test suite's repeated requests and an SDK's retries are. With "
                "every body distinct the mock does all its work on every request: "
                f"**{_distinct_share(figures, bare_rps):.1%}** of the bare endpoint; target: at "
                f"least 50%, {'met' if _distinct_share(figures, bare_rps) >= 0.5 else 'NOT met'}.",
            ]
            if figures.distinct and bare_rps
            else []
        ),
        "",
        "| Other | p50 | p99 |",
        "|---|---:|---:|",
        f"| Time to first streamed event (native `stream: true`, {len(first)} sequential "
        f"requests) | {percentile(first, 0.5):.2f} ms | {percentile(first, 0.99):.2f} ms |",
        "",
        f"Cold start of `llama-contract serve`, median of {len(totals)}: "
        f"{statistics.median(readies):.0f} ms from spawn to the ready line, "
        f"{statistics.median(totals):.0f} ms to the first answer.",
        "",
        f"Load generator: {figures.generator}; {figures.settings}. Machine load average "
        f"(1 min) just before the run: {figures.load_average:.2f} on "
        f"{len(os.sched_getaffinity(0))} CPUs.",
    ]
    return "\n".join(rows)


def _load_row(name: str, rounds: list[LoadResult]) -> str:
    def median(field: str) -> float:
        return statistics.median(getattr(result, field) for result in rounds)

    return (
        f"| {name} | {median('requests_per_second'):,.0f} | {median('p50_ms'):.2f} ms | "
        f"{median('p99_ms'):.2f} ms | {sum(r.requests for r in rounds):,} | "
        f"{sum(r.errors for r in rounds)} |"
    )


def machine() -> str:
    model = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    wrk = shutil.which("wrk")
    return (
        f"{len(os.sched_getaffinity(0))} CPUs (`nproc`), {model}, Python "
        f"{platform.python_version()}, {platform.system()} {platform.release()}"
        + (f", wrk at {wrk}" if wrk else ", no wrk")
    )


def write_readme(figures: Figures, argv: list[str]) -> None:
    body = "\n".join(
        [
            f"Measured {time.strftime('%Y-%m-%d')} on: {machine()}.",
            "",
            "Reproduce from the repository root (without wrk a Python load generator runs; its "
            "figures are not comparable with wrk's). Mock and bare endpoint share the machine "
            "and the run, so the ratio is the figure to compare across machines:",
            "",
            "```",
            "python3 -m venv .venv && . .venv/bin/activate && pip install -e '.[test]'",
            "apt-get install -y wrk",
            " ".join(["python benchmarks/bench_server.py", *argv]),
            "```",
            "",
            table(figures),
        ]
    )
    replace_section(README, "Server", body)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    cores = len(os.sched_getaffinity(0))
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per target and round")
    parser.add_argument("--rounds", type=int, default=3, help="load rounds, alternating targets")
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds of warm-up per target")
    parser.add_argument("--connections", type=int, default=2 * cores, help="default: 2 per core")
    parser.add_argument("--streams", type=int, default=200, help="streaming requests to time")
    parser.add_argument("--cold-runs", type=int, default=3, help="cold starts to time")
    parser.add_argument("--python-load", action="store_true", help="use the Python generator")
    parser.add_argument("--write", action="store_true", help="update benchmarks/README.md")
    args = parser.parse_args(argv)
    try:
        figures = measure(args)
    except (BenchError, OSError) as exc:
        print(f"bench_server: error: {exc}", file=sys.stderr)
        return 1
    print(table(figures))
    if args.write:
        shown = [arg for arg in (argv if argv is not None else sys.argv[1:]) if arg != "--write"]
        write_readme(figures, [*shown, "--write"])
        print(f"\nwrote the Server section of {README}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
