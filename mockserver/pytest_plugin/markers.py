"""The `llama_scenario` and `llama_fault` markers: configure the mock for one test.

Markers act through the mock's admin API (`/_mock/scenarios`, `/_mock/faults`), the same for the
live server, the in-process respx service and an external server given by `--llama-base-url`.
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

__all__ = ["AdminCall", "MarkerError", "ScenarioUpload", "markers_applied", "read_markers"]

# (method, path, body, content type) -> None; raises MockAdminError when the mock refuses.
AdminCall = Callable[[str, str, bytes, str], None]

_SUFFIX_TYPES = {".json": "application/json", ".yaml": "application/yaml",
                 ".yml": "application/yaml"}


class MarkerError(Exception):
    """A marker is written wrong or names a scenario that cannot be loaded."""


@dataclass(frozen=True, slots=True)
class ScenarioUpload:
    """One POST to /_mock/scenarios: a built-in name, or a scenario file's text."""

    body: bytes
    content_type: str
    label: str


def _scenario_uploads(item: pytest.Item, reference: Any) -> list[ScenarioUpload]:
    from contract.scenarios.loading import ScenarioError, load_scenario
    from contract.scenarios.source import iter_scenario_files

    if not isinstance(reference, str | Path) or not str(reference).strip():
        raise MarkerError(
            f"llama_scenario takes scenario names, files or folders; got {reference!r}"
        )
    text = str(reference)
    found = _resolve(item, text)
    if found is None:
        if "/" in text or "\\" in text or Path(text).suffix.lower() in _SUFFIX_TYPES:
            raise MarkerError(f"llama_scenario({text!r}): no such file or folder")
        body = json.dumps({"scenarios": [text], "replace": False}).encode()
        return [ScenarioUpload(body, "application/json", text)]
    files = list(iter_scenario_files(found)) if found.is_dir() else [found]
    if not files:
        raise MarkerError(f"llama_scenario({text!r}): the folder holds no scenario files")
    uploads = []
    for file in files:
        try:
            load_scenario(file)  # errors name the file, the line and the field
        except ScenarioError as exc:
            raise MarkerError(f"llama_scenario({text!r}): {exc}") from None
        content_type = _SUFFIX_TYPES.get(file.suffix.lower(), "application/yaml")
        uploads.append(ScenarioUpload(file.read_bytes(), content_type, str(file)))
    return uploads


def _resolve(item: pytest.Item, text: str) -> Path | None:
    """A path relative to the test file's folder, else to the rootdir, else as given."""
    path = Path(text)
    candidates = [path] if path.is_absolute() else [
        item.path.parent / path, item.config.rootpath / path, path,
    ]
    return next((c for c in candidates if c.exists()), None)


def _fault_body(marker: pytest.Mark) -> bytes:
    if len(marker.args) != 1 or not isinstance(marker.args[0], str):
        raise MarkerError(
            "llama_fault takes one fault text such as 'http_error; status=503'; "
            f"got {marker.args!r}"
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
def markers_applied(item: pytest.Item, admin: AdminCall) -> Iterator[None]:
    """Activate the test's scenarios and faults on the mock for the duration of the test."""
    uploads, faults = read_markers(item)
    if not uploads and not faults:
        yield
        return
    sent: list[str] = []  # the admin paths that hold something of this test
    try:
        for upload in uploads:
            _send(admin, "/_mock/scenarios", upload.body, upload.content_type,
                  f"llama_scenario({upload.label!r})", sent)
        for text, body in faults:
            _send(admin, "/_mock/faults", body, "application/json", f"llama_fault({text!r})",
                  sent)
    except MarkerError:
        _undo(admin, sent, quiet=True)  # the refusal is the error to report
        raise
    try:
        yield
    finally:
        _undo(admin, sent, quiet=False)


def _undo(admin: AdminCall, sent: list[str], *, quiet: bool) -> None:
    from mockserver.pytest_plugin.journal import MockAdminError

    for path in dict.fromkeys(sent):
        try:
            admin("DELETE", path, b"", "application/json")
        except MockAdminError as exc:
            if not quiet:
                raise MarkerError(f"could not undo the test's markers: {exc}") from None


def _send(admin: AdminCall, path: str, body: bytes, content_type: str, label: str,
          sent: list[str]) -> None:
    from mockserver.pytest_plugin.journal import MockAdminError

    try:
        admin("POST", path, body, content_type)
    except MockAdminError as exc:
        raise MarkerError(f"{label}: the mock refused it: {exc}") from None
    sent.append(path)
