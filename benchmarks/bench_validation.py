"""How long deciding a request takes: `validate_request` against a plain `jsonschema` schema walk.

Run: python benchmarks/bench_validation.py [--rounds N]

Prints the median time per call of each case, measured in one run, and the ratio of plain
`jsonschema.Draft202012Validator(strict schema).iter_errors` to `validate_request` on the seed
page's example request (which sends `max_tokens`, so it takes the unknown-field path).
"""

from __future__ import annotations

import argparse
import copy
import json
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema

from contract import load_schema, validate_request, validate_request_bytes

SEED = Path(__file__).resolve().parents[1] / "tests" / "contract" / "data" / "seed_request.json"


def median_ns(call: Callable[[], Any], *, rounds: int, per_round: int) -> float:
    """Median over `rounds` of the mean time of `per_round` back-to-back calls, in nanoseconds."""
    call()  # warm caches (compiled schemas) outside the measurement
    samples = []
    for _ in range(rounds):
        start = time.perf_counter_ns()
        for _ in range(per_round):
            call()
        samples.append((time.perf_counter_ns() - start) / per_round)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rounds", type=int, default=25)
    parser.add_argument("--per-round", type=int, default=200)
    args = parser.parse_args()

    seed = json.loads(SEED.read_text(encoding="utf-8"))
    seed_bytes = SEED.read_bytes()
    without_unknown = copy.deepcopy(seed)
    without_unknown["max_completion_tokens"] = without_unknown.pop("max_tokens")
    plain = jsonschema.Draft202012Validator(load_schema("native-chat-request"))

    cases: list[tuple[str, Callable[[], Any]]] = [
        ("validate_request(seed)", lambda: validate_request(seed)),
        ("validate_request_bytes(seed bytes)", lambda: validate_request_bytes(seed_bytes)),
        (
            "validate_request(seed, max_completion_tokens)",
            lambda: validate_request(without_unknown),
        ),
        ("jsonschema iter_errors(seed), strict schema", lambda: list(plain.iter_errors(seed))),
    ]
    results = {
        name: median_ns(call, rounds=args.rounds, per_round=args.per_round) for name, call in cases
    }
    width = max(len(name) for name in results)
    print(f"{'case':<{width}}  median per call")
    for name, nanoseconds in results.items():
        print(f"{name:<{width}}  {nanoseconds / 1000:10.1f} us")
    ratio = results[cases[3][0]] / results[cases[0][0]]
    print(f"\njsonschema iter_errors / validate_request on the seed request: {ratio:.1f}x")


if __name__ == "__main__":
    main()
