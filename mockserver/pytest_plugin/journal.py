"""What the pytest fixtures share: a test's journal entries and the assertions made over them."""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import fields
from typing import TYPE_CHECKING, Any

from contract.violations import Severity, ValidationResult, Violation
from mockserver.core.errors import first_error_rule
from mockserver.core.http import MockRequest
from mockserver.core.service import ADMIN_TOKEN_HEADER
from mockserver.pytest_plugin.clients import SdkClients
from mockserver.state.journal import JournalEntry

if TYPE_CHECKING:
    from mockserver.core.service import MockService

__all__ = [
    "JournalAssertions",
    "LlamaMock",
    "MockAdminError",
    "describe_entry",
    "entry_from_dict",
    "journal_of",
    "service_admin",
    "validation_from_dict",
    "violation_report",
]

_ENTRY_FIELDS = frozenset(f.name for f in fields(JournalEntry))


def entry_from_dict(document: Mapping[str, Any]) -> JournalEntry:
    """A journal entry read back from `GET /_mock/journal` (inverse of `JournalEntry.to_dict`)."""
    known = {
        k: v for k, v in document.items() if k in _ENTRY_FIELDS and k not in ("validation", "extra")
    }
    extra = {k: v for k, v in document.items() if k not in _ENTRY_FIELDS}
    validation = document.get("validation")
    return JournalEntry(
        id=str(known.pop("id", "")),
        started=float(known.pop("started", 0.0)),
        method=str(known.pop("method", "")),
        path=str(known.pop("path", "")),
        endpoint=str(known.pop("endpoint", "unknown")),
        dialect=str(known.pop("dialect", "native")),
        headers=dict(known.pop("headers", None) or {}),
        validation=validation_from_dict(validation) if isinstance(validation, dict) else None,
        extra=extra,
        **known,
    )


def journal_of(service: MockService) -> list[JournalEntry]:
    """The entries in a service's journal store, oldest first."""
    return [
        e if isinstance(e, JournalEntry) else entry_from_dict(e)
        for e in service.store.journal_entries()
    ]


def validation_from_dict(document: Mapping[str, Any]) -> ValidationResult:
    found = []
    for item in document.get("violations") or []:
        severity: Severity = "warning" if item.get("severity") == "warning" else "error"
        line = item.get("line")
        found.append(
            Violation(
                str(item.get("rule", "")), str(item.get("path", "")), str(item.get("message", "")),
                severity, line if isinstance(line, int) else None,
            )
        )
    return ValidationResult(tuple(found))


def describe_entry(entry: JournalEntry) -> str:
    """`POST /v1/chat/completions -> 400`, and the scenario step that answered when there is one."""
    text = f"{entry.method} {entry.path} -> {entry.status}"
    if entry.scenario:
        text += f" (scenario {entry.scenario}" + (f", step {entry.step})" if entry.step else ")")
    return text


def violation_report(entries: Sequence[JournalEntry], *, warnings: bool = True) -> list[str]:
    """A line per request that broke the contract, then its violations as `path: message [rule]`."""
    lines: list[str] = []
    for entry in entries:
        if entry.validation is None:
            continue
        shown = [
            v for v in entry.validation.violations if warnings or v.severity == "error"
        ]
        if not shown:
            continue
        lines.append(describe_entry(entry))
        for violation in shown:
            tag = " (warning)" if violation.severity == "warning" else ""
            lines.append(f"  {violation}{tag}")
    return lines


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 else "s")


class JournalAssertions(ABC):
    """`.requests` and the assertion helpers of the `llama_mock` and `llama_respx` fixtures."""

    @abstractmethod
    def journal_entries(self) -> list[JournalEntry]:
        """Every request the mock journaled since the current test started, oldest first."""

    @property
    def requests(self) -> list[JournalEntry]:
        """This test's requests: parsed body, headers, validation result, status, scenario step."""
        return self.journal_entries()

    def assert_called(self, *, times: int | None = None, path: str | None = None) -> None:
        """Assert the mock got a request (exactly `times` requests when given).

        `path` keeps only requests whose path ends with it, e.g. `"/chat/completions"`.
        """
        __tracebackhide__ = True  # pytest shows the failure at the test's line, not in here
        entries = self.journal_entries()
        if path is not None:
            entries = [e for e in entries if e.path.rstrip("/").endswith(path.rstrip("/"))]
        where = f" at {path}" if path is not None else ""
        count = len(entries)
        if times is None and count > 0:
            return
        if times is not None and count == times:
            return
        expected = "at least 1 request" if times is None else _plural(times, "request")
        lines = [f"expected {expected}{where} to the llama mock, got {count}"]
        lines += [f"  {describe_entry(e)}" for e in entries]
        raise AssertionError("\n".join(lines))

    def assert_conforms(self) -> None:
        """Assert every request of this test met the contract; the failure lists every violation."""
        __tracebackhide__ = True
        entries = self.journal_entries()
        broken = [e for e in entries if e.validation is not None and not e.validation.ok]
        if not broken:
            return
        count = sum(len(e.validation.errors) for e in broken if e.validation is not None)
        head = (
            f"{_plural(len(broken), 'request')} of {len(entries)} broke the Llama API contract "
            f"({_plural(count, 'violation')}):"
        )
        raise AssertionError("\n".join([head, *violation_report(broken)]))


class LlamaMock(JournalAssertions, SdkClients):
    """The `llama_mock` fixture: a live mock server, ours (with `service`) or an external one.

    `base_url` is the root URL: the native API is at `base_url + "/v1"`, the OpenAI-compatible one
    at `base_url + "/compat/v1"`. An external server is read and reset through its admin API.
    """

    def __init__(
        self,
        *,
        base_url: str,
        api_key: str,
        service: MockService | None = None,
        admin_token: str | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.service = service
        self._admin_headers = {ADMIN_TOKEN_HEADER: admin_token} if admin_token else {}
        # Set by the fixture for the test's duration: sets its llama_fault markers again.
        self._markers_again: Callable[[], None] | None = None

    def __repr__(self) -> str:
        kind = "external" if self.service is None else "live"
        return f"<LlamaMock {kind} {self.base_url}>"

    @property
    def native_url(self) -> str:
        return self.base_url + "/v1"

    @property
    def compat_url(self) -> str:
        return self.base_url + "/compat/v1"

    @property
    def external(self) -> bool:
        return self.service is None

    def journal_entries(self) -> list[JournalEntry]:
        if self.service is not None:
            return journal_of(self.service)
        document = self._admin("GET", "/_mock/journal").json()
        return [entry_from_dict(e) for e in document.get("entries", [])]

    def reset(self) -> None:
        """Forget the journal, conversation and fault state, rate-limit counters and admin faults.
        Within a test, the mock is then as the test found it: its `llama_fault` markers are set
        again, with their full `times` (its `llama_scenario` ones stay loaded, back at their first
        step). Call it at the start of each hypothesis example."""
        if self.service is not None:
            self.service.reset()
        else:
            self._admin("POST", "/_mock/reset")
        if self._markers_again is not None:
            self._markers_again()

    def check_health(self) -> None:
        """Raise `MockAdminError` unless the server answers `GET /health` with 200."""
        self._call("GET", "/health")

    def admin(
        self, method: str, path: str, *, body: bytes = b"", content_type: str = "application/json"
    ) -> None:
        """Send an admin request (`/_mock/...`); `MockAdminError` when it is refused."""
        if self.service is not None:
            service_admin(self.service, method, path, body=body, content_type=content_type)
        else:
            self._admin(method, path, content=body, headers={"content-type": content_type})

    def _admin(self, method: str, path: str, **kwargs: Any) -> Any:
        headers = {**kwargs.pop("headers", {}), **self._admin_headers}
        return self._call(method, path, headers=headers, **kwargs)

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        import httpx

        try:
            response = httpx.request(method, self.base_url + path, timeout=30.0, **kwargs)
        except httpx.HTTPError as exc:
            raise MockAdminError(f"{method} {self.base_url}{path} failed: {exc}") from None
        if response.status_code >= 400:
            detail = _detail_of(response.content)
            if response.status_code == 403 and ADMIN_TOKEN_HEADER in detail:
                detail += " (give it with --llama-admin-token)"
            raise MockAdminError(
                f"{method} {self.base_url}{path} answered {response.status_code}: {detail}",
                rule=_rule_of(response.content),
            )
        return response


def service_admin(
    service: MockService, method: str, path: str, *, body: bytes = b"",
    content_type: str = "application/json",
) -> None:
    """Send an admin request to an in-process service; `MockAdminError` when it is refused."""
    headers = {"content-type": content_type, "content-length": str(len(body))}
    answer = service.handle(MockRequest(method, path, headers, body, len(body)))
    if answer.status >= 400:
        text = b"".join(answer.iter_body())
        raise MockAdminError(
            f"{method} {path} answered {answer.status}: {_detail_of(text)}", rule=_rule_of(text)
        )


def _detail_of(text: bytes) -> str:
    """The `detail` of a native error body (or the compat `error.message`), else the raw text."""
    try:
        document = json.loads(text)
    except ValueError:
        document = None
    if isinstance(document, dict):
        error = document.get("error")
        detail = document.get("detail")
        if detail is None and isinstance(error, dict):
            detail = error.get("message")
        if isinstance(detail, str):
            return detail
    return text[:300].decode("utf-8", "replace")


def _rule_of(text: bytes) -> str:
    """The rule the first error of a refusal names (native body, or inside the compat "error")."""
    try:
        document = json.loads(text)
    except ValueError:
        return ""
    return first_error_rule(document)


class MockAdminError(RuntimeError):
    """The mock cannot be reached (--llama-base-url) or refused an admin request; `rule`: the rule
    its refusal names, if any."""

    def __init__(self, message: str, *, rule: str = "") -> None:
        super().__init__(message)
        self.rule = rule
