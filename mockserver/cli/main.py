"""`llama-contract`: the command line. Each subcommand lives in its own module under `commands/`."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from typing import NoReturn

# Subcommand name -> module under mockserver.cli. Each module defines
# `add_arguments(parser)` and `run(args) -> int`, and a module docstring used as the help line.
SUBCOMMANDS: dict[str, str] = {
    "serve": "serve",
    "validate": "validate",
    "rules": "rules",
    "scenarios": "scenarios",
    "check": "check",
    "report": "report",
}


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("llama-api-contract")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown (not installed)"


class _Parser(argparse.ArgumentParser):
    """argparse's parser with a usage error in one line (exit 2): the usage is for --help."""

    def error(self, message: str) -> NoReturn:
        from contract.validate.explain import clip

        self.exit(2, f"{self.prog}: error: {clip(message, limit=300)} (see --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="llama-contract",
        description="Contract, mock server and conformance checks for the Llama API.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, module_name in SUBCOMMANDS.items():
        module = importlib.import_module(f"mockserver.cli.{module_name}")
        doc = (module.__doc__ or "").strip().splitlines()
        child = sub.add_parser(name, help=doc[0] if doc else None, description=module.__doc__)
        module.add_arguments(child)
        child.set_defaults(_run=module.run)
    return parser


# Commands that only read files and print: a BrokenPipeError there is stdout's reader gone.
PRINTING = frozenset({"rules", "scenarios", "report", "validate"})


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code: int = args._run(args)
        if args.command in PRINTING:
            sys.stdout.flush()
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        if args.command not in PRINTING:
            raise
        from mockserver.cli.arguments import reader_gone

        reader_gone()  # `| head` has what it wants, as `scenarios list` has always said
        return 0
    return code


if __name__ == "__main__":
    sys.exit(main())
