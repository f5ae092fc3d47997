"""`--llama-report DIR`: every request the session's tests sent, kept test by test, merged from
pytest-xdist workers by the controller, and written at the end (report.json, junit.xml,
report.html, summary.md). Registered by the plugin (`plugin.py`, `pytest_plugins`); like it, this
module imports nothing of the package until a session asks for the report."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from mockserver.pytest_plugin.journal import JournalAssertions
    from mockserver.pytest_plugin.report import SessionRecord

__all__ = ["record_test"]

_RECORD: pytest.StashKey[SessionRecord] = pytest.StashKey()
_WORKER_OUTPUT = "llama_contract_report"


def pytest_configure(config: pytest.Config) -> None:
    if config.getoption("llama_report"):
        from mockserver.pytest_plugin.report import SessionRecord

        config.stash[_RECORD] = SessionRecord()


def record_test(
    request: pytest.FixtureRequest, fixture: str, target: JournalAssertions, *, outcome: str
) -> None:
    """Keep the requests a test sent through `fixture`, when the session writes the report."""
    record = request.config.stash.get(_RECORD, None)
    if record is not None:
        record.add(request.node.nodeid, fixture=fixture, outcome=outcome,
                   entries=target.journal_entries())  # fmt: skip


def pytest_sessionfinish(session: pytest.Session) -> None:
    config = session.config
    record = config.stash.get(_RECORD, None)
    if record is None:
        return
    worker_output: dict[str, Any] | None = getattr(config, "workeroutput", None)
    if worker_output is not None:  # an xdist worker: the controller writes the one report
        worker_output[_WORKER_OUTPUT] = record.to_json()
        return
    from mockserver.pytest_plugin.report import write_report

    base_url = config.getoption("llama_base_url")
    options = {"strict": config.getoption("llama_strict"), "base_url": base_url}
    write_report(Path(config.getoption("llama_report")), record, options=options,
                 target=base_url or "the plugin's mock")  # fmt: skip


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object) -> None:
    record = node.config.stash.get(_RECORD, None)
    output = getattr(node, "workeroutput", {}).get(_WORKER_OUTPUT)
    if record is not None and output is not None:
        record.merge(output)


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    record = config.stash.get(_RECORD, None)
    if record is None or getattr(config, "workeroutput", None) is not None:
        return
    directory = config.getoption("llama_report")
    broken = sum(1 for r in record.requests if r["violations"])
    terminalreporter.write_line(
        f"llama-contract report: {directory} ({len(record.requests)} requests, "
        f"{broken} breaking the contract, {len(record.tests)} tests)"
    )
