"""The plugin's command-line options (`--llama-*`), its markers, and the report header line.
Registered by the plugin (`plugin.py`, `pytest_plugins`); imports nothing of the package."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

__all__ = ["DEFAULT_API_KEY"]

DEFAULT_API_KEY = "LLM|1234567890|llama-mock-key"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("llama-contract", "Llama API mock (llama-api-contract)")
    group.addoption(
        "--llama-strict",
        action="store_true",
        default=False,
        help="run the plugin's mock strictly: unknown fields and model ids are 400s, not warnings",
    )
    group.addoption(
        "--llama-base-url",
        metavar="URL",
        default=None,
        help="point llama_mock at this running mock server (root URL, without /v1) instead of "
        "starting one; its journal is read from GET /_mock/journal",
    )
    group.addoption(
        "--llama-api-key",
        metavar="KEY",
        default=DEFAULT_API_KEY,
        help="the API key llama_mock and llama_respx hand to tests (default: %(default)s)",
    )
    group.addoption(
        "--llama-admin-token",
        metavar="TOKEN",
        default=None,
        help="admin token of the server given by --llama-base-url, when it needs one",
    )
    group.addoption(
        "--llama-report",
        metavar="DIR",
        default=None,
        help="write report.json, junit.xml, report.html and summary.md over every request the "
        "session sent",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "llama_scenario(name_or_path, ...): serve these scenarios (built-in names, files or "
        "folders) to this test through llama_mock or llama_respx",
    )
    config.addinivalue_line(
        "markers",
        "llama_fault(text): inject a fault ('name; key=value; ...') into this test's chat "
        "requests through llama_mock or llama_respx",
    )
    base_url = config.getoption("llama_base_url")
    if base_url:
        _check_base_url(base_url)


def _check_base_url(base_url: str) -> None:
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise pytest.UsageError(
            f"--llama-base-url {base_url!r}: give an http(s) URL such as http://127.0.0.1:4010"
        )
    path = parts.path.rstrip("/")
    if path.endswith(("/v1", "/compat/v1")):
        raise pytest.UsageError(
            f"--llama-base-url {base_url!r}: give the server's root URL, without {path}"
        )


def pytest_report_header(config: pytest.Config) -> list[str]:
    lines = []
    if config.getoption("llama_base_url"):
        lines.append(f"llama-contract: llama_mock uses {config.getoption('llama_base_url')}")
    if config.getoption("llama_strict"):
        lines.append("llama-contract: strict contract (unknown fields and models are errors)")
    return lines
