"""Scenarios: files that script requests to the mock, step by step, with faults and expectations.

Load them with `load_scenario(path)`, `load_scenarios(paths_or_names)` (files, folders and the
names of built-in scenarios) or `builtin_scenarios()`; one at a time, each of
`scenario_sources(paths_or_names)` with `load_source` (and `check_name_unused` for the names, as
`load_scenarios` does). Loading is strict: any problem raises a
`ScenarioError` whose message names the file, the line and the field. The format is described by
`contract/schemas/scenario.json` and docs/scenarios.md.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from pathlib import Path

from contract.scenarios.build import build_scenario, scenario_schema
from contract.scenarios.fault_forms import parse_fault_list, parse_fault_text
from contract.scenarios.faults import FaultError, FaultSpec
from contract.scenarios.model import (
    Expect,
    Match,
    Pacing,
    Respond,
    Scenario,
    Step,
    ToolCallSpec,
)
from contract.scenarios.source import ScenarioError, iter_scenario_files, read_document, read_file
from contract.violations import did_you_mean

__all__ = [
    "Expect",
    "FaultError",
    "FaultSpec",
    "Match",
    "Pacing",
    "Respond",
    "Scenario",
    "ScenarioError",
    "Step",
    "ToolCallSpec",
    "builtin_dir",
    "builtin_names",
    "builtin_scenario",
    "builtin_scenarios",
    "check_name_unused",
    "load_scenario",
    "load_scenarios",
    "load_source",
    "parse_fault_list",
    "parse_fault_text",
    "parse_scenario",
    "scenario_schema",
    "scenario_sources",
]

# The built-in library is the `scenarios` folder installed beside this package. It is found by
# path, not by import name: a user's own `scenarios/` folder would shadow the import name.
_BUILTIN_DIR = Path(__file__).resolve().parents[2] / "scenarios"


def load_scenario(path: str | Path) -> Scenario:
    """Load one scenario file (YAML, or JSON by its `.json` suffix)."""
    path = Path(path)
    data, lines = read_file(path)
    return build_scenario(data, file=str(path), lines=lines, source=path)


def parse_scenario(text: str, *, file: str = "<scenario>", json_syntax: bool = False) -> Scenario:
    """Load a scenario from text (as sent to the admin API); `file` names it in errors."""
    data, lines = read_document(text, file=file, json_syntax=json_syntax)
    return build_scenario(data, file=file, lines=lines)


def builtin_dir() -> Path:
    """The folder of the built-in scenario library, installed beside the `contract` package."""
    if not (_BUILTIN_DIR / "__init__.py").is_file():
        raise ScenarioError(f"the built-in scenario library is missing: no {_BUILTIN_DIR}")
    return _BUILTIN_DIR


@functools.cache
def builtin_scenarios() -> tuple[Scenario, ...]:
    """Every built-in scenario, in name order."""
    loaded = [load_scenario(path) for path in iter_scenario_files(builtin_dir())]
    _check_unique(loaded)
    return tuple(sorted(loaded, key=lambda scenario: scenario.name))


def builtin_names() -> list[str]:
    return [scenario.name for scenario in builtin_scenarios()]


def builtin_scenario(name: str) -> Scenario:
    """The built-in scenario `name`; a `ScenarioError` names the closest one when unknown."""
    for scenario in builtin_scenarios():
        if scenario.name == name:
            return scenario
    hint = did_you_mean(name, builtin_names(), cutoff=0.5)
    raise ScenarioError(
        f"no file, folder or built-in scenario named {name!r}{hint} "
        "('llama-contract scenarios list' shows the built-in ones)"
    )


def _looks_like_path(text: str) -> bool:
    return "/" in text or "\\" in text or Path(text).suffix.lower() in (".yaml", ".yml", ".json")


def scenario_sources(paths_or_names: Iterable[str | Path]) -> list[Path | str]:
    """What `paths_or_names` name, in order: scenario files (a folder's `.yaml`, `.yml`, `.json`
    files; a file named twice, by itself and by its folder, once) and built-in scenario names.
    A path that names nothing raises `ScenarioError`."""
    sources: list[Path | str] = []
    seen: set[Path] = set()
    for item in paths_or_names:
        path = Path(item)
        if path.is_dir():
            files = list(iter_scenario_files(path))
        elif path.is_file():
            files = [path]
        elif isinstance(item, Path) or _looks_like_path(item):
            raise ScenarioError("no such file or folder", file=str(item))
        else:
            sources.append(item)
            continue
        for file in files:
            if file.resolve() not in seen:
                seen.add(file.resolve())
                sources.append(file)
    return sources


def load_source(source: Path | str) -> Scenario:
    """The scenario of one of `scenario_sources`: a file's, or the built-in one named."""
    return load_scenario(source) if isinstance(source, Path) else builtin_scenario(source)


def load_scenarios(paths_or_names: Iterable[str | Path]) -> tuple[Scenario, ...]:
    """Load scenarios from files, folders (their `.yaml`, `.yml`, `.json` files) and built-in names.

    Scenario names must be unique across everything loaded. A file named twice (by itself and by
    its folder: overlapping globs) is loaded once.
    """
    loaded = [load_source(source) for source in scenario_sources(paths_or_names)]
    _check_unique(loaded)
    return tuple(loaded)


def _check_unique(scenarios: list[Scenario]) -> None:
    first: dict[str, Scenario] = {}
    for scenario in scenarios:
        check_name_unused(scenario, first)


def check_name_unused(scenario: Scenario, first: dict[str, Scenario]) -> None:
    """Raise `ScenarioError` when a scenario in `first` (name: the first scenario loaded with it)
    has `scenario`'s name; else add it there."""
    earlier = first.setdefault(scenario.name, scenario)
    if earlier is not scenario:
        where = str(earlier.source) if earlier.source else "another scenario"
        raise ScenarioError(
            f"the scenario name {scenario.name!r} is already used by {where}",
            file=str(scenario.source or ""), field=("name",),
        )
