"""List, show and check scenario files (built-in ones, or your own files and folders).

  llama-contract scenarios list [--from PATH ...]      one scenario a line, name first
  llama-contract scenarios show NAME [--from PATH ...] the scenario file as written
  llama-contract scenarios check PATH ... [--format json]
                                                       load every file strictly; exit 1 if any
                                                       has a problem (each file is reported)

Exit status 2 when a PATH or NAME names nothing (missing, empty, a folder without scenario files,
an unknown built-in name): one line on stderr.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from mockserver.cli.arguments import scenario_sources_problem


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="one scenario a line: name, steps, tags, description")
    listing.add_argument("--from", dest="sources", nargs="+", action="extend", default=[],
                         metavar="PATH", help="also list scenarios from these files or folders")
    showing = actions.add_parser("show", help="print one scenario file")
    showing.add_argument("name", help="a scenario name (or a file path)")
    showing.add_argument("--from", dest="sources", nargs="+", action="extend", default=[],
                         metavar="PATH", help="look in these files or folders too")
    checking = actions.add_parser("check", help="load every file strictly and report each one")
    checking.add_argument("paths", nargs="+", metavar="PATH", help="scenario files or folders")
    checking.add_argument("--format", choices=("text", "json"), default="text",
                          help="json: one document {ok, files: [{file, ok, scenarios, error}]}")


def run(args: argparse.Namespace) -> int:
    from contract.scenarios.loading import (
        Scenario,
        ScenarioError,
        builtin_scenarios,
        load_scenarios,
    )

    problem = scenario_sources_problem(args.paths if args.action == "check" else args.sources)
    if problem:
        print(f"llama-contract scenarios: {problem}", file=sys.stderr)
        return 2
    if args.action == "check":
        return _check(args.paths, as_json=args.format == "json")
    try:
        scenarios: list[Scenario] = list(builtin_scenarios())
        if args.sources:
            extra = load_scenarios(args.sources)
            names = {scenario.name for scenario in extra}
            scenarios = [s for s in scenarios if s.name not in names] + list(extra)
    except ScenarioError as exc:  # a problem in a file makes the scenarios unusable
        print(f"llama-contract scenarios: {exc}", file=sys.stderr)
        return 2
    if args.action == "list":  # stdout's failures, `| head` included, are main's to say
        for scenario in sorted(scenarios, key=lambda s: s.name):
            print(scenario.summary_line())
        return 0
    wanted = next((s for s in scenarios if s.name == args.name), None)
    if wanted is None:  # not a name the library or --from holds: a file path, then
        problem = scenario_sources_problem([args.name])
        if problem:
            print(f"llama-contract scenarios: {problem}", file=sys.stderr)
            return 2
        try:
            wanted = load_scenarios([args.name])[0]
        except ScenarioError as exc:
            print(f"llama-contract scenarios: {exc}", file=sys.stderr)
            return 2
    if wanted.source is None:  # pragma: no cover - loaded scenarios always have a file
        print(wanted.summary_line())
        return 0
    try:
        text = wanted.source.read_text("utf-8")
    except OSError as exc:  # reading only: a failed write is stdout's, said by main
        print(f"llama-contract scenarios: cannot read {wanted.source}: {exc.strerror}",
              file=sys.stderr)
        return 2
    sys.stdout.write(text)
    return 0


def _check(paths: list[str], *, as_json: bool) -> int:
    """Load every scenario file `paths` name (built-in names too), each on its own: one bad file
    does not hide the others. A name used by an earlier file is that later file's problem."""
    from contract.scenarios.loading import (
        Scenario,
        ScenarioError,
        check_name_unused,
        load_source,
        scenario_sources,
    )

    try:
        sources = scenario_sources(paths)
    except ScenarioError as exc:  # named something when checked, gone since
        print(f"llama-contract scenarios: {exc}", file=sys.stderr)
        return 2
    results: list[dict[str, Any]] = []
    first: dict[str, Scenario] = {}  # scenario name: the first scenario loaded with it
    for source in sources:
        scenario: Scenario | None = None
        error = None
        try:
            scenario = load_source(source)
            check_name_unused(scenario, first)
        except ScenarioError as exc:
            error = str(exc)
        # a built-in name is shown as its file, as for a file named
        file = scenario.source if scenario is not None and scenario.source else source
        names = [scenario.name] if scenario is not None and error is None else []
        results.append({"file": str(file), "ok": error is None, "scenarios": names, "error": error})
    ok = all(result["ok"] for result in results)
    if as_json:
        print(json.dumps({"ok": ok, "files": results}, indent=2, ensure_ascii=False))
    else:
        for result in results:
            if result["ok"]:
                print(f"ok  {result['scenarios'][0]}  ({result['file']})")
            else:
                print(f"llama-contract scenarios: {result['error']}", file=sys.stderr)
        if not ok and len(results) > 1:  # one file: its problem line says it all
            bad = sum(not result["ok"] for result in results)
            print(f"llama-contract scenarios: {bad} of {len(results)} file(s) have a problem",
                  file=sys.stderr)  # fmt: skip
    return 0 if ok else 1
