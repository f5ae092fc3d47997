"""The `llama_scenario` and `llama_fault` markers: configure the mock for one test.

Markers act through the mock's admin API (`/_mock/scenarios`, `/_mock/faults`), the same for the
live server, the in-process respx service and an external server given by `--llama-base-url`: a
test's scenarios stand in front of the server's own and only they are taken away afterwards.
Scenario files are checked here first, so a broken file is reported with its path, line and field.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from contract.scenarios.faults import FaultError, check_times
from contract.violations import did_you_mean

__all__ = ["AdminCall", "MarkerError", "ScenarioUpload", "markers_applied", "read_markers"]

# (method, path, body, content type) -> None; raises MockAdminError when the mock refuses.
AdminCall = Callable[[str, str, bytes, str], None]

_SUFFIXES = (".json", ".yaml", ".yml")


class MarkerError(Exception):
    """A marker is written wrong or names a scenario that cannot be loaded."""


@dataclass(frozen=True, slots=True)
class ScenarioUpload:
    """One scenario a marker serves: a built-in name, or a scenario file's document."""

    item: str | dict[str, Any]  # as POST /_mock/scenarios takes it in its "scenarios" list
    name: str  # the scenario's name, to deactivate it after the test
    label: str
    unknown: str = ""  # what to say if the mock knows no scenario of this name (no built-in one)


def _scenario_uploads(item: pytest.Item, reference: Any) -> list[ScenarioUpload]:
    from contract.scenarios.loading import ScenarioError, builtin_names, load_scenario
    from contract.scenarios.source import iter_scenario_files, read_document

    if not isinstance(reference, str | Path) or not str(reference).strip():
        raise MarkerError(
            f"llama_scenario takes scenario names, files or folders; got {reference!r}"
        )
    text = str(reference)
    found = _resolve(item, text)
    if found is None:
        if "/" in text or "\\" in text or Path(text).suffix.lower() in _SUFFIXES:
            looked = ", ".join(str(place) for place in dict.fromkeys(_candidates(item, text)))
            raise MarkerError(f"llama_scenario({text!r}): no such file or folder; looked for "
                              f"{looked}")  # fmt: skip
        known = builtin_names()
        if text in known:
            return [ScenarioUpload(text, text, text)]
        looked = ", ".join(str(place) for place in dict.fromkeys(_candidates(item, text)))
        unknown = (  # unless the mock was started with a scenario file naming it
            f"llama_scenario({text!r}): no scenario of that name: not a built-in one, none the "
            f"mock loaded, and no file or folder (looked for {looked})"
            f"{did_you_mean(text, known, cutoff=0.5) or ';'} 'llama-contract scenarios list' shows the "
            "built-in names"
        )
        return [ScenarioUpload(text, text, text, unknown)]
    files = list(iter_scenario_files(found)) if found.is_dir() else [found]
    if not files:
        raise MarkerError(f"llama_scenario({text!r}): the folder holds no scenario files")
    uploads = []
    for file in files:
        try:  # errors name the file, the line and the field
            scenario = load_scenario(file)
            document, _ = read_document(file.read_text(encoding="utf-8"), file=str(file),
                                        json_syntax=file.suffix.lower() == ".json")
        except ScenarioError as exc:
            raise MarkerError(f"llama_scenario({text!r}): {exc}") from None
        uploads.append(ScenarioUpload(document, scenario.name, str(file)))
    return uploads


def _resolve(item: pytest.Item, text: str) -> Path | None:
    """A path relative to the test file's folder, else to the rootdir, else as given."""
    return next((c for c in _candidates(item, text) if c.exists()), None)


def _candidates(item: pytest.Item, text: str) -> list[Path]:
    path = Path(text)
    if path.is_absolute():
        return [path]
    return [item.path.parent / path, item.config.rootpath / path, path.absolute()]


def _fault_body(marker: pytest.Mark) -> bytes:
    if len(marker.args) != 1 or not isinstance(marker.args[0], str):
        hint = (  # llama_fault("reset", 2): the count goes by name
            f"; give the count as times={marker.args[1]!r}"
            if len(marker.args) == 2 and isinstance(marker.args[0], str) else ""
        )
        raise MarkerError(
            "llama_fault takes one fault text such as 'http_error; status=503'; "
            f"got {marker.args!r}{hint}"
        )
    unknown = set(marker.kwargs) - {"times"}
    if unknown:
        raise MarkerError(f"llama_fault takes only times=N besides the fault text; got {unknown}")
    document: dict[str, Any] = {"fault": marker.args[0]}
    times = marker.kwargs.get("times")
    if times is not None:
        try:
            document["times"] = check_times(times)
        except FaultError as exc:
            raise MarkerError(f"llama_fault(times=...): {exc}") from None
    return json.dumps(document).encode()


def read_markers(item: pytest.Item) -> tuple[list[ScenarioUpload], list[tuple[str, bytes]]]:
    """The scenario uploads and fault bodies a test's markers ask for, in the order written:
    module and class markers first, then the function's from top to bottom."""
    uploads: list[ScenarioUpload] = []
    for marker in reversed(list(item.iter_markers("llama_scenario"))):
        if marker.kwargs:
            raise MarkerError(f"llama_scenario takes no keyword arguments; got {marker.kwargs}")
        if not marker.args:
            raise MarkerError("llama_scenario needs at least one scenario name, file or folder")
        for reference in marker.args:
            uploads += _scenario_uploads(item, reference)
    faults = [
        (str(marker.args[0]) if marker.args else "", _fault_body(marker))
        for marker in reversed(list(item.iter_markers("llama_fault")))
    ]
    return uploads, faults


@contextmanager
def markers_applied(item: pytest.Item, admin: AdminCall) -> Iterator[Callable[[], None]]:
    """Serve the test's scenarios (in front of those the mock serves already) and faults for the
    duration of the test, then take away exactly those. Yields what sets the faults again after
    a reset within the test (a reset keeps the scenarios loaded, and drops standing faults)."""
    uploads, faults = read_markers(item)

    def set_faults_again() -> None:
        for text, fault in faults:
            _send(admin, "/_mock/faults", fault, f"llama_fault({text!r})")

    if not uploads and not faults:
        yield set_faults_again
        return
    undo: list[tuple[str, bytes]] = []  # (admin path, DELETE body) for what this test added
    try:
        if uploads:
            body = {"scenarios": [u.item for u in uploads], "replace": False, "first": True}
            labels = ", ".join(repr(u.label) for u in uploads)
            _send(admin, "/_mock/scenarios", json.dumps(body).encode(),
                  f"llama_scenario({labels})", unknown=[u.unknown for u in uploads if u.unknown])
            names = json.dumps({"scenarios": [u.name for u in uploads]}).encode()
            undo.append(("/_mock/scenarios", names))
        for text, fault in faults:
            _send(admin, "/_mock/faults", fault, f"llama_fault({text!r})")
            undo.append(("/_mock/faults", b""))
    except MarkerError:
        _undo(admin, undo, quiet=True)  # the refusal is the error to report
        raise
    try:
        yield set_faults_again
    finally:
        _undo(admin, undo, quiet=False)


def _undo(admin: AdminCall, undo: list[tuple[str, bytes]], *, quiet: bool) -> None:
    from mockserver.pytest_plugin.journal import MockAdminError

    for path, body in dict.fromkeys(undo):
        try:
            admin("DELETE", path, body, "application/json")
        except MockAdminError as exc:
            if not quiet:
                raise MarkerError(f"could not undo the test's markers: {exc}") from None


def _send(
    admin: AdminCall, path: str, body: bytes, label: str, *, unknown: list[str] | None = None
) -> None:
    """POST to the admin API; `unknown`: what to say of scenario names no built-in one has, when
    the mock knows no scenario of such a name either (its own advice is for admin API users)."""
    from mockserver.pytest_plugin.journal import MockAdminError

    try:
        admin("POST", path, body, "application/json")
    except MockAdminError as exc:
        if unknown and exc.rule == "scenario.unknown":
            raise MarkerError("; ".join(unknown)) from None
        raise MarkerError(f"{label}: the mock refused it: {exc}") from None
