"""Conformance reports: the report model, report.json (with a published JSON Schema), JUnit XML,
a self-contained HTML page and a markdown summary, for `llama-contract check` runs and the pytest
plugin's `--llama-report` alike."""

from contract.conformance.report.coverage import request_features
from contract.conformance.report.files import (
    REPORT_FILES,
    ReportError,
    clear_reports,
    load_report,
    render,
    report_schema,
    schema_errors,
    write_reports,
)
from contract.conformance.report.model import (
    CheckRecord,
    Report,
    TestRow,
    record_message,
    records_of,
)

__all__ = [
    "REPORT_FILES",
    "CheckRecord",
    "Report",
    "ReportError",
    "TestRow",
    "clear_reports",
    "load_report",
    "record_message",
    "records_of",
    "render",
    "report_schema",
    "request_features",
    "schema_errors",
    "write_reports",
]
