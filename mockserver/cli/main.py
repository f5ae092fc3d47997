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


# Commands whose one unguarded output is stdout: they read files (an OSError names the file),
# and check's sockets are behind httpx and the SDKs (which raise their own errors), so an OSError
# out of them that names no file is stdout's. Not serve: granian, its sockets and its workers
# (its ready lines are written by its worker, which `serve` raises as `StdoutUnwritable`).
PRINTING = frozenset({"rules", "scenarios", "report", "validate", "check"})
EXIT_CANNOT_WRITE = 2  # as every command's other output (report --output, check --report-dir)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if sys.stdout is None:  # started with stdout closed (`>&-`): Python made it None
        return _cannot_write(args.command, "it is closed")
    code: int | None = None
    try:
        code = args._run(args)
        sys.stdout.flush()  # a failed write is said here, not by Python at exit (status 120)
    except KeyboardInterrupt:
        return 130
    except OSError as exc:
        if code is None and not _written_to_stdout(args.command, exc):
            raise  # not a write to stdout: a bug of ours, with its traceback
        from mockserver.cli.arguments import reader_gone

        reader_gone()  # the rest, and Python's final flush, go nowhere
        if isinstance(exc, BrokenPipeError):  # `| head` has what it wants; the verdict stands
            return 0 if code is None else code
        return _cannot_write(args.command, exc.strerror or str(exc))
    return code


def _written_to_stdout(command: str, exc: OSError) -> bool:
    """Whether `exc` is a write to stdout that failed (not a file, not a socket)."""
    if command == "serve":  # only the ready lines its worker says it could not write
        from mockserver.adapters.serving import StdoutUnwritable

        return isinstance(exc, StdoutUnwritable)
    return command in PRINTING and exc.filename is None


def _cannot_write(command: str, why: str) -> int:
    print(f"llama-contract {command}: cannot write the output to stdout: {why}", file=sys.stderr)
    return EXIT_CANNOT_WRITE


if __name__ == "__main__":
    sys.exit(main())
