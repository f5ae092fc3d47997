"""Where the time of one chat request goes inside the mock: `MockService.handle` on the seed
request with every body distinct, profiled, its time split by the part of the mock that spends it.

Run: python benchmarks/bench_profile.py [--requests N] [--markdown]

The unprofiled time per request is measured first (the profiler slows Python calls down); the
shares come from the profile (cumulative time of each part's entry point, so a part includes what
it calls). The rest of a request served over HTTP (reading the socket, granian, the event loop,
sending the answer) is what the server benchmark's rate leaves beyond this.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import time
from collections.abc import Callable

from bench_server import SEED_BODY

from mockserver.core.http import MockRequest
from mockserver.core.service import MockService

HEADERS = {"authorization": "Bearer test", "content-type": "application/json"}
MARK = b"capital of France"
MODEL = "Llama-4-Maverick-17B-128E-Instruct-FP8"
HISTORY_SENTENCE = "The quick brown fox jumps over the lazy dog 123. "
ENDPOINTS = {"native": "/v1/chat/completions", "compat": "/compat/v1/chat/completions"}
# (label, file suffix, function name): each part's entry point, in the order a request meets it.
PARTS = [
    ("routing, API key, journal entry", "core/service.py", "handle"),
    ("parse and validate the body (contract)", "core/chat.py", "_remember"),
    ("rate limits (admit and spend)", "state/ratelimit.py", "admit"),
    ("rate limits (admit and spend)", "state/ratelimit.py", "spend"),
    ("scenarios and faults (none apply)", "scenarios/layer.py", "respond"),
    ("engine: the answer", "engine/engine.py", "complete"),
    ("render the document (JSON)", "core/chat.py", "render"),
    ("journal: append", "state/store.py", "journal_append"),
]


def requests(path: str, start: int, count: int) -> list[MockRequest]:
    made = []
    for n in range(start, start + count):
        body = SEED_BODY.replace(MARK, MARK + b" %d" % n)
        made.append(
            MockRequest(method="POST", path=path, headers=HEADERS, body=body, content_length=len(body))
        )
    return made


def measure(count: int) -> list[tuple[str, float, list[tuple[str, float]]]]:
    """Per endpoint: microseconds per request unprofiled, and (part, share of handle) rows."""
    results = []
    for dialect, path in ENDPOINTS.items():
        service = MockService()
        for request in requests(path, -2_000, 2_000):  # warm up caches and the memo's size
            service.handle(request)
        batch = requests(path, 0, count)
        began = time.perf_counter()
        for request in batch:
            service.handle(request)
        per_request_us = (time.perf_counter() - began) / count * 1e6
        profile = cProfile.Profile()
        batch = requests(path, count, count)
        profile.runcall(_each, service.handle, batch)
        results.append((dialect, per_request_us, _shares(pstats.Stats(profile))))
    return results


def _conversation(history_mark: int, turn: int) -> MockRequest:
    """A 21-message conversation of about 40 kB: 20 earlier messages, then a new user turn."""
    messages = [
        {"role": "user" if n % 2 == 0 else "assistant",
         "content": f"Paragraph {n} of {history_mark}: " + HISTORY_SENTENCE * 40}
        for n in range(20)
    ]  # fmt: skip
    messages.append({"role": "user", "content": f"And what about question {turn}?"})
    body = json.dumps({"model": MODEL, "messages": messages}).encode()
    path = ENDPOINTS["native"]
    return MockRequest(method="POST", path=path, headers=HEADERS, body=body, content_length=len(body))


def conversation(count: int) -> tuple[int, float, float]:
    """Bytes of the conversation, and microseconds per request of `MockService.handle` for its
    first request (every message new to the mock) and for a later turn (the history seen before,
    as a conversation resends it)."""
    service = MockService()
    for n in range(50):  # warm up
        service.handle(_conversation(-1 - n, n))
    first = [_conversation(n, 0) for n in range(count)]
    began = time.perf_counter()
    _each(service.handle, first)
    first_us = (time.perf_counter() - began) / count * 1e6
    later = [_conversation(-1, n) for n in range(count)]
    service.handle(_conversation(-1, -1))
    began = time.perf_counter()
    _each(service.handle, later)
    later_us = (time.perf_counter() - began) / count * 1e6
    return len(later[0].body), first_us, later_us


def conversation_table(figures: tuple[int, float, float]) -> str:
    size, first_us, later_us = figures
    return "\n".join([
        f"| a {size / 1000:.0f} kB conversation of 21 messages, every body distinct | per request |",
        "|---|---:|",
        f"| its first request (every message new to the mock) | {first_us:.0f} us |",
        f"| a later turn (the history resent, as clients do) | {later_us:.0f} us |",
    ])  # fmt: skip


def _each(handle: Callable[[MockRequest], object], batch: list[MockRequest]) -> None:
    for request in batch:
        handle(request)


def _shares(stats: pstats.Stats) -> list[tuple[str, float]]:
    cumulative: dict[tuple[str, str], float] = {}
    for (file, _, name), row in stats.stats.items():  # type: ignore[attr-defined]
        for _, suffix, wanted in PARTS:
            if name == wanted and file.endswith(suffix):
                cumulative[(suffix, wanted)] = cumulative.get((suffix, wanted), 0.0) + row[3]
    total = cumulative.get(("core/service.py", "handle"), 0.0)
    if not total:
        raise RuntimeError("the profile did not see MockService.handle")
    inner = sum(t for key, t in cumulative.items() if key != ("core/service.py", "handle"))
    shares: dict[str, float] = {PARTS[0][0]: (total - inner) / total}
    for label, suffix, name in PARTS[1:]:
        shares[label] = shares.get(label, 0.0) + cumulative.get((suffix, name), 0.0) / total
    return list(shares.items())


def table(results: list[tuple[str, float, list[tuple[str, float]]]]) -> str:
    dialects = [dialect for dialect, _, _ in results]
    lines = [
        "| part of `MockService.handle` | " + " | ".join(dialects) + " |",
        "|---|" + "---:|" * len(dialects),
    ]
    labels = [label for label, _ in results[0][2]]
    for label in labels:
        cells = []
        for _, per_request_us, shares in results:
            share = dict(shares)[label]
            cells.append(f"{share * per_request_us:.1f} us ({share:.0%})")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    lines.append(
        "| **all, unprofiled** | "
        + " | ".join(f"**{per_request_us:.1f} us**" for _, per_request_us, _ in results)
        + " |"
    )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--requests", type=int, default=5_000)
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    args = parser.parse_args()
    results = measure(args.requests)
    print(table(results))
    print()
    print(conversation_table(conversation(max(args.requests // 10, 100))))


if __name__ == "__main__":
    main()
