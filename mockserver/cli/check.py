"""Run conformance checks against a server or a client and write reports.

`check server --base-url URL --report-dir DIR`: scenario and generated requests, every answer
checked. `check client --adapter SPEC --report-dir DIR [--examples N --seed S]`: the built-in scenarios
served to a client, then generated exchanges, each failure shrunk to its minimal exchange.
Exit status: 0 conforms, 1 does not, 2 could not run.
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from mockserver.cli.arguments import (
    SEED_MAX,
    folder,
    int_from,
    reader_gone,
    scenario_sources_problem,
    seconds,
)
from mockserver.cli.base_url import base_url_problem, shown_url

if TYPE_CHECKING:
    from types import FrameType

    from contract.conformance.report import Report
    from contract.scenarios.loading import Scenario
    from mockserver.conformance.cases import Endpoint
    from mockserver.conformance.progress import Progress

EXIT_OK, EXIT_FAILED, EXIT_CANNOT_RUN = 0, 1, 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as a shell reports a Ctrl-C
FAILURES_PRINTED = 10
MAX_EXAMPLES = 10_000
# The runners' own defaults (a test holds them equal): restated here, the parser would otherwise
# import the runners, and with them httpx and the mock, for --help.
SERVER_TIMEOUT_S = 60.0
CALL_TIMEOUT_S = 120.0
MAX_TIMEOUT_S = 3600.0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="subject", metavar="server|client", required=True)
    server = sub.add_parser("server", help="check a server that claims to be the Llama API")
    server.add_argument(
        "--base-url",
        required=True,
        help="the server's root URL (native API at /v1, compat at /compat/v1)",
    )
    server.add_argument(
        "--api-key",
        default=None,
        help="bearer key to send (default: $LLAMA_API_KEY, else a dummy key)",
    )
    server.add_argument(
        "--examples", type=int_from(0, MAX_EXAMPLES), default=100,
        help=f"generated requests to send (default 100, at most {MAX_EXAMPLES:,})",
    )
    server.add_argument(
        "--seed",
        type=int_from(0, SEED_MAX),
        default=0,
        help="seed of the generated requests: the same seed sends the same ones",
    )
    server.add_argument(
        "--endpoint",
        choices=("native", "compat", "both"),
        default="both",
        help="which API to check (default both)",
    )
    server.add_argument(
        "--timeout", type=seconds(MAX_TIMEOUT_S), default=SERVER_TIMEOUT_S, metavar="SECONDS",
        help=f"how long each wait on the server may last (connecting, each read of an answer or "
        f"a stream), and a whole answer (default {SERVER_TIMEOUT_S:g}, at most "
        f"{MAX_TIMEOUT_S:,g}); past it, that request fails 'answered'",
    )
    server.add_argument(
        "--faults",
        action="store_true",
        help="also play the built-in fault scenarios with the x-mock-* headers on each --endpoint, "
        "for a gateway in front of `llama-contract serve`: statuses, retry headers, cut and "
        "failing streams, pacing must come through unchanged",
    )
    client = sub.add_parser("client", help="check a client through an adapter function")
    client.add_argument(
        "--adapter",
        required=True,
        metavar="MODULE:FUNCTION|NAME",
        help="llama-api-client, llama-api-client-async, openai, or MODULE:FUNCTION (MODULE "
        "installed, on PYTHONPATH or in the current folder)",
    )
    client.add_argument(
        "--examples",
        type=int_from(0, MAX_EXAMPLES),
        default=0,
        help="generated exchanges to play after the scenarios, failures shrunk (default 0, at "
        f"most {MAX_EXAMPLES:,})",
    )
    client.add_argument(
        "--seed",
        type=int_from(0, SEED_MAX),
        default=0,
        help="seed of the generated exchanges: the same seed plays the same ones",
    )
    client.add_argument(
        "--endpoint",
        choices=("native", "compat", "both"),
        default=None,
        help="which API the client is played on: a scenario of both is played on each (on compat "
        "named NAME@compat); default: the built-in adapter's own (native for llama-api-client, "
        "compat for openai), both for MODULE:FUNCTION",
    )
    client.add_argument(
        "--no-scenarios",
        action="store_true",
        help="play only generated exchanges (with --examples), not the scenarios",
    )
    client.add_argument(
        "--save-failures",
        type=folder,
        default=None,
        metavar="DIR",
        help="write each failure's minimal exchange to DIR as a scenario file",
    )
    client.add_argument(
        "--call-timeout", type=seconds(MAX_TIMEOUT_S), default=CALL_TIMEOUT_S, metavar="SECONDS",
        help=f"how long to wait for each adapter call (default {CALL_TIMEOUT_S:g}, at most "
        f"{MAX_TIMEOUT_S:,g}); past it, a failure of that case, and the run goes on",
    )
    for child in (server, client):
        child.add_argument(
            "--scenarios",
            nargs="+",
            default=None,
            metavar="PATH_OR_NAME",
            help="scenario files, folders or built-in names (default: all built-in)",
        )
        child.add_argument(
            "--report-dir",
            required=True,
            type=folder,
            help="where to write report.json, junit.xml, report.html, summary.md",
        )
        child.add_argument(
            "--quiet",
            action="store_true",
            help="no progress bar and only the summary line (for CI)",
        )


def _fail(message: str) -> int:
    print(f"llama-contract check: {message}", file=sys.stderr)
    return EXIT_CANNOT_RUN


def _summarise(report: Report, paths: list[Path], *, quiet: bool) -> int:
    try:
        _print_summary(report, paths, quiet=quiet)
    except BrokenPipeError:  # `| head` has read what it wants: the verdict is still the status
        reader_gone()
    if "interrupted" in report.options:
        return EXIT_INTERRUPTED
    return EXIT_OK if report.ok and not report.incomplete else EXIT_FAILED


def _replay_note(case: str, seed: int | None) -> str:
    """What a failure's cURL command needs besides itself: a fault scenario's requests, a session
    of their own; a generated request, the run's seed (a scenario example needs nothing)."""
    if case.startswith("fault-"):
        return " (with a new x-mock-session id)"
    if case.startswith("scenario-") or seed is None:
        return ""
    return f" (seed {seed})"


def _print_summary(report: Report, paths: list[Path], *, quiet: bool) -> None:
    summary = report.summary()
    verdict = report.verdict()
    if not quiet:
        for record in report.failures_to_read()[:FAILURES_PRINTED]:
            print(f"FAILED {record.case} {record.check} [{record.rule}]: {record.message[:300]}")
            curl = record.evidence.get("curl")
            if curl:
                print(f"  reproduce{_replay_note(record.case, report.seed)}: {curl[:500]}")
        more = len(report.failures) - FAILURES_PRINTED
        if more > 0:
            print(f"... and {more} more failures in {paths[0]}")
    # Checks are counted apart from cases: a case runs several, and the generated exchanges report
    # one result per check for all of them.
    print(f"{report.kind} {report.target} {verdict}: {summary['cases']} cases; checks: "
          f"{summary['passed']} passed, {summary['failed']} failed, "
          f"{summary['warnings']} warnings, {summary['skipped']} skipped; "
          f"reports in {paths[0].parent}")  # fmt: skip
    sys.stdout.flush()


def run(args: argparse.Namespace) -> int:
    from contract.conformance.report import clear_reports, write_reports
    from contract.scenarios.loading import ScenarioError, load_scenarios
    from mockserver.conformance.progress import Progress

    try:  # a run that writes no reports leaves none: not the last run's, read as its own
        clear_reports(args.report_dir)
    except OSError as exc:
        return _fail(f"cannot remove the last run's reports from {args.report_dir}: "
                     f"{exc.strerror or exc}")  # fmt: skip
    problem = scenario_sources_problem(args.scenarios or ())
    if problem:
        return _fail(problem)
    try:  # without --scenarios, None: the runners' default, the built-in library
        scenarios = load_scenarios(args.scenarios) if args.scenarios else None
    except ScenarioError as exc:
        return _fail(str(exc))
    progress = Progress(f"check {args.subject}", enabled=False if args.quiet else None)

    def on_ctrl_c(signum: int, frame: FrameType | None) -> None:
        progress.interrupt_asked = True  # raised again at the next case, should this one be lost
        raise KeyboardInterrupt

    main_thread = threading.current_thread() is threading.main_thread()  # signals go there only
    previous = signal.signal(signal.SIGINT, on_ctrl_c) if main_thread else None
    try:
        with progress.ticking():
            if args.subject == "server":
                report = _run_server(args, scenarios, progress)
            else:
                # What an adapter (or the client it drives) prints goes to stderr: stdout carries
                # only the run's own lines, the failures and the summary, which CI and `| head`
                # read.
                with contextlib.redirect_stdout(sys.stderr):
                    report = _run_client(args, scenarios, progress)
    except KeyboardInterrupt as stop:  # Ctrl-C: say where, then the reports there are, if any
        progress.clear()
        report = _interrupted(stop, progress)
    finally:
        if main_thread:
            signal.signal(signal.SIGINT, previous)
    if isinstance(report, int):
        return report
    try:
        paths = write_reports(report, args.report_dir)
    except OSError as exc:
        _fail(f"cannot write reports to {args.report_dir}: {exc.strerror or exc}")
        return EXIT_INTERRUPTED if "interrupted" in report.options else EXIT_CANNOT_RUN
    return _summarise(report, paths, quiet=args.quiet)


def _interrupted(stop: KeyboardInterrupt, progress: Progress) -> Report | int:
    """One line naming the case that was running; the report of the cases finished before it
    when the runner gives one, else EXIT_INTERRUPTED (before the first case began)."""
    from mockserver.conformance.progress import RunInterrupted

    running = progress.running_case
    if running is not None:
        case, seconds = running
        where = (f"while {case} was running (for {seconds:.0f} s), " if seconds >= 1
                 else f"while {case} was running, ")  # fmt: skip
    else:
        where = "between two cases, " if progress.done else ""
    count = (f"after {progress.done} of {progress.total} cases" if progress.total
             else "before the first case ended")  # fmt: skip
    if isinstance(stop, RunInterrupted):
        stopped = stop.report.options["interrupted"]
        print(f"llama-contract check: interrupted {where}after {stopped['cases_done']} of "
              f"{stopped['cases_total']} cases; the reports hold those", file=sys.stderr)  # fmt: skip
        return stop.report
    print(f"llama-contract check: interrupted {where}{count}; no reports written",
          file=sys.stderr)  # fmt: skip
    return EXIT_INTERRUPTED


def _run_server(args: argparse.Namespace, scenarios: tuple[Scenario, ...] | None,
                progress: Progress) -> Report | int:  # fmt: skip
    from mockserver.conformance.server_runner import ServerUnreachable, run_server_checks

    endpoints: tuple[Endpoint, ...] = (
        ("native", "compat") if args.endpoint == "both" else (args.endpoint,)
    )
    problem = base_url_problem(args.base_url)
    if problem:
        return _fail(f"--base-url {shown_url(args.base_url)!r}: {problem}")
    try:
        return run_server_checks(base_url=args.base_url, api_key=args.api_key or None,
                                 scenarios=scenarios,
                                 examples=args.examples, seed=args.seed, endpoints=endpoints,
                                 timeout=args.timeout, progress=progress,
                                 running=progress.running, faults=args.faults)  # fmt: skip
    except ServerUnreachable as exc:
        progress.clear()
        return _fail(str(exc))


def _client_endpoints(args: argparse.Namespace) -> tuple[Endpoint, ...]:
    from mockserver.conformance.adapters import BUILTIN_ENDPOINTS

    if args.endpoint is None:
        return BUILTIN_ENDPOINTS.get(args.adapter, ("native", "compat"))
    return ("native", "compat") if args.endpoint == "both" else (args.endpoint,)


def _run_client(args: argparse.Namespace, scenarios: tuple[Scenario, ...] | None,
                progress: Progress) -> Report | int:  # fmt: skip
    from mockserver.conformance.adapter_spec import (
        AdapterError,
        resolve_adapter,
        with_call_timeout,
    )
    from mockserver.conformance.client_runner import run_client_checks
    from mockserver.conformance.exchange_runner import CannotSave

    if args.no_scenarios and args.examples == 0:
        return _fail("--no-scenarios plays nothing without --examples N")
    try:
        adapter = with_call_timeout(resolve_adapter(args.adapter), seconds=args.call_timeout,
                                    watch=progress.running)  # fmt: skip
    except AdapterError as exc:
        return _fail(str(exc))
    try:
        return run_client_checks(adapter, target=args.adapter,
                                 scenarios=() if args.no_scenarios else scenarios,
                                 examples=args.examples, seed=args.seed,
                                 save_failures=args.save_failures,
                                 progress=progress,
                                 endpoints=_client_endpoints(args))  # fmt: skip
    except AdapterError as exc:  # it returned something other than a ClientOutcome, or raised
        progress.clear()
        kept = ""
        if exc.report is not None and exc.report.cases:  # the calls graded before it
            from contract.conformance.report import write_reports

            try:
                write_reports(exc.report, args.report_dir)
                kept = f"; the reports hold the {exc.report.cases} case(s) graded before it"
            except OSError as error:
                kept = f"; the reports could not be written: {error.strerror or error}"
        return _fail(f"--adapter {args.adapter!r}: {exc}{kept}")
    except CannotSave as exc:  # as a --report-dir that cannot be written: no reports
        progress.clear()
        return _fail(f"--save-failures: {exc}")
