"""Argument types shared by the subcommands: a value out of bounds is an argparse usage error (one
line, exit 2), and a long value is cut in the message, never repeated whole."""

from __future__ import annotations

import argparse
import math
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

SEED_MAX = 2**64 - 1  # report.json keeps the seed, and JSON readers take 40 digits at most


def shown(text: str, *, limit: int = 40) -> str:
    """`text` quoted for a message, cut when long."""
    if len(text) <= limit:
        return repr(text)
    return f"{text[: limit // 2]!r}... ({len(text):,} characters)"


def parse_int(text: str) -> int:
    """`text` as an integer, or `ArgumentTypeError`; digits past int()'s own limit (4,300) are
    said to be too large, not to be no integer."""
    try:
        return int(text)
    except ValueError:
        if text.strip().lstrip("+-").isdigit():
            raise argparse.ArgumentTypeError(f"{shown(text)} is too large") from None
        raise argparse.ArgumentTypeError(f"{shown(text)} is not an integer") from None


def int_from(low: int, high: int) -> Callable[[str], int]:
    """An argparse type: an integer from `low` to `high`."""

    def parse(text: str) -> int:
        value = parse_int(text)
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{shown(text)} is not from {low:,} to {high:,}")
        return value

    return parse


def positive_int(high: int) -> Callable[[str], int]:
    """An argparse type: an integer from 1 to `high`."""

    def parse(text: str) -> int:
        value = parse_int(text)
        if value < 1:
            raise argparse.ArgumentTypeError(f"{shown(text)} is not a positive integer")
        if value > high:
            raise argparse.ArgumentTypeError(f"{shown(text)} is more than {high:,}")
        return value

    return parse


def seconds(high: float) -> Callable[[str], float]:
    """An argparse type: a number of seconds more than 0 and at most `high` (decimals allowed;
    not nan or inf)."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{shown(text)} is not a number of seconds") from None
        if not math.isfinite(value) or value <= 0:
            raise argparse.ArgumentTypeError(f"{shown(text)} is not a positive number of seconds")
        if value > high:
            raise argparse.ArgumentTypeError(f"{shown(text)} is more than {high:,g} seconds")
        return value

    return parse


def non_empty_path(text: str) -> str:
    """An argparse type for a path: '' would be the current folder, never what was meant."""
    if not text.strip():
        raise argparse.ArgumentTypeError("an empty path names nothing")
    return text


def file_path(text: str) -> Path:
    """An argparse type for a file to write: not '' (the current folder)."""
    return Path(non_empty_path(text))


def folder(text: str) -> Path:
    """An argparse type for a folder to write into (created later if missing): not '', not a file."""
    path = Path(non_empty_path(text))
    if path.exists() and not path.is_dir():
        raise argparse.ArgumentTypeError(f"{shown(text, limit=100)} is a file, not a folder")
    return path


def scenario_sources_problem(items: Sequence[str]) -> str:
    """Why one of `items` (scenario files, folders or built-in names) names no scenario, before
    their files are read: '' would load the current folder, a folder without a scenario file
    loads nothing (which a check would pass), and a missing file or an unknown name is a usage
    error, not a problem in a scenario file. "" when each names something."""
    from contract.scenarios.loading import ScenarioError, load_scenarios
    from contract.scenarios.source import iter_scenario_files
    from contract.validate.explain import clip

    for item in items:
        path = Path(item)
        if not item.strip():
            return "an empty path names no scenario (give a file, a folder or a built-in name)"
        if path.is_dir():
            try:
                found = next(iter_scenario_files(path), None)
            except OSError as exc:
                return f"{clip(item, limit=100)}: cannot read the folder: {exc.strerror or exc}"
            if found is None:
                return f"{clip(item, limit=100)}: no scenario file (.yaml, .yml, .json) in the folder"
        elif path.exists() and not path.is_file():
            return f"{clip(item, limit=100)}: not a file or a folder"
        elif not path.exists():
            try:  # a built-in name; or the loader says what it names nothing, with a hint
                load_scenarios([item])
            except ScenarioError as exc:
                return str(exc)
    return ""


def reader_gone() -> None:
    """Stdout's reader has closed the pipe (`| head`), or stdout cannot take more (a full
    device): send the rest, and Python's final flush, to /dev/null instead of a traceback."""
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
