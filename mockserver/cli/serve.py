"""Run the Llama API mock on a production server (granian, RSGI) and print its base URLs.

One worker process with many threads, so the journal, scenario progress and rate-limit counters
are shared by every request; `--workers N --store redis://...` runs N processes sharing that state
in Redis (docs/server.md, "Scaling out"). Streams are sent event by event. Stops cleanly on SIGINT
or SIGTERM.
"""

from __future__ import annotations

import argparse
import math
import sys
from functools import partial

from mockserver.cli.arguments import (
    SEED_MAX,
    int_from,
    non_empty_path,
    parse_int,
    positive_int,
    scenario_sources_problem,
    shown,
)
from mockserver.config import MockConfig

_PROG = "llama-contract serve"
MAX_PER_MINUTE = 10**12  # --rpm and --tpm: counters stay far inside a 64-bit integer
MAX_JOURNAL = 1_000_000  # entries; their bodies are bounded in bytes too
MAX_THREADS = 1024
MAX_WORKERS = 256
MAX_HOST_CHARS = 253


def add_arguments(parser: argparse.ArgumentParser) -> None:
    defaults = MockConfig()
    parser.add_argument(
        "--host", type=_host, default=defaults.host,
        help=f"address to bind (default {defaults.host}); on a non-loopback address the admin "
        "endpoints need --admin-token",
    )
    parser.add_argument(
        "--port", type=_port, default=defaults.port,
        help=f"port (default {defaults.port}, where the official SDK's tests look for a mock); "
        "0 picks a free port",
    )
    parser.add_argument(
        "--strict", action="store_true",
        help="unknown fields and unknown model ids are errors (400), not warnings",
    )
    parser.add_argument(
        "--seed", type=int_from(0, SEED_MAX), default=defaults.seed, metavar="N",
        help="seed of the deterministic answers (0 to 2**64 - 1)",
    )
    parser.add_argument(
        "--api-key", dest="api_keys", action="append", type=_non_empty, default=[],
        metavar="KEY",
        help="accept only this bearer token (repeatable); default: any non-empty one",
    )
    parser.add_argument(
        "--admin-token", type=_non_empty, metavar="TOKEN",
        help="token the admin endpoints (/_mock/...) require in the x-mock-admin-token header",
    )
    parser.add_argument(
        "--quirks", action="store_true",
        help="turn on the quirks observed on the live service (400 for stream:true with "
        "Accept: */* or none)",
    )
    parser.add_argument(
        "--rpm", type=positive_int(MAX_PER_MINUTE), metavar="N",
        help=f"requests per minute per key (429 beyond), at most {MAX_PER_MINUTE:,}",
    )
    parser.add_argument(
        "--tpm", type=positive_int(MAX_PER_MINUTE), metavar="N",
        help=f"tokens per minute per key (429 beyond), at most {MAX_PER_MINUTE:,}",
    )
    parser.add_argument(
        "--journal-size", type=positive_int(MAX_JOURNAL), default=defaults.journal_size,
        metavar="N",
        help=f"requests kept in the journal (default {defaults.journal_size}, at most "
        f"{MAX_JOURNAL:,})",
    )
    parser.add_argument(
        "--ttft-ms", type=_wait_ms, default=defaults.ttft_ms, metavar="MS",
        help="stream pacing: time to the first token in milliseconds, at most 60000 "
        "(default: none)",
    )
    parser.add_argument(
        "--tokens-per-second", type=_pace, default=defaults.tokens_per_second,
        metavar="N", help="stream pacing: tokens per second, from one a minute to 100000 (default 0: no "
        "pacing)",
    )
    parser.add_argument(
        "--scenarios", nargs="+", action="extend", default=[], metavar="PATH",
        type=non_empty_path,
        help="scenario files, folders or built-in names to load (repeatable). Loaded scenarios "
        "answer every chat completion: one that matches no step of theirs gets a 404 "
        "scenario.no_match, not the engine's answer (x-mock-scenario: NAME instead uses a "
        "built-in scenario for the requests that name it)",
    )
    parser.add_argument(
        "--chaos", dest="chaos_rate", type=_rate, default=defaults.chaos_rate, metavar="RATE",
        help="fraction of chat requests (0 to 1) that get a random fault",
    )
    parser.add_argument(
        "--threads", type=positive_int(MAX_THREADS), default=defaults.threads, metavar="N",
        help="most threads for work that blocks: requests the Flask app answers, and every "
        f"request on a shared store; streams and pauses need none (default {defaults.threads}, "
        f"at most {MAX_THREADS:,})",
    )
    parser.add_argument(
        "--read-timeout", dest="read_timeout_s", type=_positive_float,
        default=defaults.read_timeout_s, metavar="SECONDS",
        help="time a client has to send its request headers, and then its body; after it the "
        f"connection is closed (a late body gets a JSON 408) (default {defaults.read_timeout_s:g})",
    )
    parser.add_argument(
        "--workers", type=positive_int(MAX_WORKERS), default=defaults.workers, metavar="N",
        help=f"worker processes (default 1, at most {MAX_WORKERS}); more than one needs "
        "--store redis://...",
    )
    parser.add_argument(
        "--store", dest="store_url", metavar="URL",
        help="where the mock keeps its state: 'memory' (default, one process) or "
        "redis://HOST:PORT/DB, shared by every worker and every serve pointed at it",
    )
    parser.add_argument(
        "--access-log", action="store_true", help="print granian's access log to stdout"
    )


def run(args: argparse.Namespace) -> int:
    from contract.scenarios.loading import ScenarioError, load_scenarios
    from mockserver.adapters.serving import ServeError, open_listener, serve

    if args.scenarios:
        problem = scenario_sources_problem(args.scenarios)
        if problem:
            return _fail(problem)
        try:  # files, folders and built-in names; a bad file is named with its line and field
            load_scenarios(args.scenarios)
        except ScenarioError as exc:
            return _fail(str(exc))
    config = config_from_args(args)
    from mockserver.state.store import StoreConfigError, StoreUnavailable

    try:
        _check_store(config)
    except (StoreConfigError, StoreUnavailable) as exc:
        return _fail(str(exc))
    try:
        listener = open_listener(host=config.host, port=config.port)
    except ServeError as exc:
        return _fail(str(exc))
    if not config.loopback and config.admin_token is None:  # said once it listens, not before
        print(
            f"{_PROG}: warning: {config.host} is not a loopback address: the admin endpoints "
            "(/_mock/...) are locked unless you give --admin-token",
            file=sys.stderr,
        )

    from mockserver.adapters.rsgi import mock_app

    return serve(
        partial(
            mock_app, config, threads=config.threads, read_deadline_s=config.read_timeout_s
        ),
        listener=listener,
        header_deadline_s=config.read_timeout_s,
        access_log=config.access_log,
        workers=config.workers,
    )


def _check_store(config: MockConfig) -> None:
    """Refuse a worker count the store cannot serve, and a shared store that does not answer.
    On a shared one, make this serve's --scenarios the active list of every worker and host,
    in place of what an earlier serve left there (a worker started again later keeps what was
    posted since)."""
    from mockserver.scenarios.active import publish_start
    from mockserver.state.store import check_workers, open_store

    store = open_store(config.store_url, journal_size=config.journal_size)
    check_workers(config.workers, store)
    if getattr(store, "shared", False):
        try:
            store.ping()
            publish_start(store, [str(source) for source in config.scenarios])
        finally:
            store.close()  # type: ignore[attr-defined]  # each worker opens its own connections


def config_from_args(args: argparse.Namespace) -> MockConfig:
    """The `MockConfig` the parsed `serve` flags describe."""
    host = args.host.strip()
    if host.startswith("[") and host.endswith("]"):  # an IPv6 address as written in URLs
        host = host[1:-1]
    return MockConfig(
        host=host,
        port=args.port,
        strict=args.strict,
        seed=args.seed,
        api_keys=tuple(args.api_keys),
        admin_token=args.admin_token,
        quirks=args.quirks,
        rpm=args.rpm,
        tpm=args.tpm,
        journal_size=args.journal_size,
        ttft_ms=args.ttft_ms,
        tokens_per_second=args.tokens_per_second,
        scenarios=tuple(args.scenarios),
        chaos_rate=args.chaos_rate,
        threads=args.threads,
        read_timeout_s=args.read_timeout_s,
        access_log=args.access_log,
        store_url=None if args.store_url in (None, "memory") else args.store_url,
        workers=args.workers,
    )


def _fail(message: str) -> int:
    print(f"{_PROG}: error: {message}", file=sys.stderr)
    return 2


def _port(text: str) -> int:
    value = parse_int(text)
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"{shown(text)} is not a port (0 to 65535; 0 picks a "
                                         "free one)")  # fmt: skip
    return value


def _host(text: str) -> str:
    """At most a DNS name's length: the address is repeated in messages and never resolves."""
    if len(text.strip()) > MAX_HOST_CHARS:
        raise argparse.ArgumentTypeError(f"{shown(text)} is not a host name or address (at most "
                                         f"{MAX_HOST_CHARS} characters)")  # fmt: skip
    return text


def _wait_ms(text: str) -> float:
    """A pause as long as a fault's may be (60 s), so a stream never waits longer."""
    from contract.scenarios.faults import MAX_DELAY_MS

    value = _float(text)
    if not 0 <= value <= MAX_DELAY_MS:
        raise argparse.ArgumentTypeError(f"{shown(text)} is not between 0 and {MAX_DELAY_MS:g}")
    return value


def _pace(text: str) -> float:
    """0 (no pacing), or a pace whose wait between tokens is at most a fault's longest (60 s)."""
    from contract.scenarios.faults import MAX_TOKENS_PER_SECOND, MIN_TOKENS_PER_SECOND

    value = _float(text)
    if value != 0 and not MIN_TOKENS_PER_SECOND <= value <= MAX_TOKENS_PER_SECOND:
        raise argparse.ArgumentTypeError(
            f"{shown(text)} is not 0 (no pacing) or between {MIN_TOKENS_PER_SECOND:.4g} (a token a "
            f"minute) and {MAX_TOKENS_PER_SECOND:g}")
    return value


def _positive_float(text: str) -> float:
    value = _float(text)
    if not 0 < value <= 3600:
        raise argparse.ArgumentTypeError(f"{shown(text)} is not between 0 (excluded) and 3600")
    return value


def _rate(text: str) -> float:
    value = _float(text)
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"{shown(text)} is not a rate between 0 and 1")
    return value


def _float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{shown(text)} is not a number") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"{shown(text)} is not a finite number")
    return value


def _non_empty(text: str) -> str:
    if not text.strip():
        raise argparse.ArgumentTypeError("must not be empty")
    return text
