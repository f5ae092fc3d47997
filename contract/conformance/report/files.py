"""Writing a report's files, reading `report.json` back, and rendering it in any format."""

from __future__ import annotations

import json
import os
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import jsonschema

from contract.conformance.report.html_page import render_html
from contract.conformance.report.junit import render_junit
from contract.conformance.report.markdown import render_markdown
from contract.conformance.report.model import Report
from contract.reading import ReadError, parse_json
from contract.validate.explain import clip

Format = Literal["json", "junit", "html", "md"]
REPORT_FILES: dict[Format, str] = {
    "json": "report.json", "junit": "junit.xml", "html": "report.html", "md": "summary.md",
}  # fmt: skip


class ReportError(Exception):
    """A report file cannot be read: not JSON, or not valid against the report schema."""


@cache
def report_schema() -> dict[str, Any]:
    """The published JSON Schema of report.json (`contract/schemas/report.json`)."""
    text = (resources.files("contract") / "schemas" / "report.json").read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def render_json(report: Report) -> str:
    return json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n"


def render(report: Report, *, format: Format) -> str:
    """The text of one report file."""
    renderers = {"json": render_json, "junit": render_junit, "html": render_html,
                 "md": render_markdown}  # fmt: skip
    try:
        return renderers[format](report)
    except KeyError:
        raise ValueError(f"unknown format {format!r}; use {', '.join(renderers)}") from None


def write_reports(report: Report, directory: str | os.PathLike[str]) -> list[Path]:
    """Write report.json, junit.xml, report.html and summary.md into `directory` (a `str` or a
    path; created with its parents when missing) and return the four paths in that order.
    Raises `OSError` when the folder or a file cannot be written."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for format, name in REPORT_FILES.items():
        path = directory / name
        path.write_text(render(report, format=format), encoding="utf-8")
        paths.append(path)
    return paths


def clear_reports(directory: str | os.PathLike[str]) -> None:
    """Remove the report files `write_reports` writes from `directory`, if there: a run that
    writes none (it could not run) must not leave the last run's verdict to be read as its own.
    Raises `OSError` when one cannot be removed."""
    for name in REPORT_FILES.values():
        (Path(directory) / name).unlink(missing_ok=True)


def schema_errors(document: Any) -> list[str]:
    """Where `document` breaks the report schema, one line each (empty: it is valid)."""
    validator = jsonschema.Draft202012Validator(report_schema())
    return [
        f"{clip('/'.join(str(p) for p in error.absolute_path) or '/')}: {clip(error.message)}"
        for error in sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
    ]


def load_report(path: Path) -> Report:
    """Read a report.json, checked against the report schema; `ReportError` says what is wrong."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ReportError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:  # the rules of request bodies: no lone surrogate (no UTF-8 output could carry it), no
        # nesting past 64 levels (the renderers recurse), no NaN
        document = parse_json(data)
    except ReadError as exc:
        raise ReportError(f"{path} is not a report.json: {exc.violation.message}") from None
    problems = schema_errors(document)
    if problems:
        raise ReportError(f"{path} is not a report.json: {problems[0]}")
    return Report.from_dict(document)
