"""Re-render a conformance report.json as HTML, JUnit XML, markdown or JSON.

`report render report.json --format html|junit|md|json [--output FILE]`. Exit status: 0 written,
2 the report could not be read (not JSON, or not valid against the report schema).
"""

from __future__ import annotations

import argparse
import sys

from mockserver.cli.arguments import file_path

EXIT_OK, EXIT_CANNOT_READ = 0, 2


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", metavar="render", required=True)
    render = sub.add_parser("render", help="render a report.json in another format")
    render.add_argument("report", type=file_path, metavar="REPORT_JSON")
    render.add_argument("--format", choices=("html", "junit", "md", "json"), required=True)
    render.add_argument("--output", "-o", type=file_path, default=None,
                        help="file to write (default: stdout)")  # fmt: skip


def run(args: argparse.Namespace) -> int:
    from contract.conformance.report import ReportError, load_report, render

    try:
        report = load_report(args.report)
    except ReportError as exc:
        print(f"llama-contract report: {exc}", file=sys.stderr)
        return EXIT_CANNOT_READ
    text = render(report, format=args.format)
    if args.output is None:
        sys.stdout.write(text)
        return EXIT_OK
    try:
        args.output.write_text(text, encoding="utf-8")
    except OSError as exc:
        print(f"llama-contract report: cannot write {args.output}: {exc.strerror or exc}",
              file=sys.stderr)  # fmt: skip
        return EXIT_CANNOT_READ
    return EXIT_OK
