"""pytest plugin `llama_contract`: fixtures that give a test a working Llama API mock.

`llama_mock` is a live server (one per session and per xdist worker, reset before each test);
`llama_respx` serves `https://api.llama.com` in-process through respx. Both show the test's
requests (`.requests`) and assert on them (`.assert_called`, `.assert_conforms`); a failing test
that sent requests breaking the contract gets a report section listing every violation.

pytest imports this module in every session of everyone who installs the package, so it stays
light: Flask, respx and the response engine are imported inside the fixtures that use them.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from mockserver.adapters.live import LiveServer
    from mockserver.adapters.respx_transport import LlamaRespxRouter
    from mockserver.core.service import MockService
    from mockserver.pytest_plugin.exchanges import ExchangeServer
    from mockserver.pytest_plugin.journal import JournalAssertions, LlamaMock
    from mockserver.pytest_plugin.markers import AdminCall

__all__ = ["llama_exchanges", "llama_mock", "llama_respx"]
# The command-line options and markers, and the --llama-report hooks, in modules of their own.
pytest_plugins = ["mockserver.pytest_plugin.options", "mockserver.pytest_plugin.session_report"]

_FIXTURES = ("llama_mock", "llama_respx")
_SECTION = "llama contract violations"
_NOTHING_SENT = {  # a failing test whose client never reached the mock (its markers did nothing)
    "llama_mock": "the mock received no request from this test: is the client pointed at it "
    "(base_url=llama_mock.native_url or .compat_url, or llama_mock.client())?",
    "llama_respx": "the mock received no request from this test: does the client send to "
    "https://api.llama.com through httpx (llama_respx.client() does)?",
}
_JOURNAL_SIZE = 10_000  # requests one test can send before `.requests` loses the oldest


_OUTCOME = pytest.StashKey[str]()
_MARKERS_APPLIED = pytest.StashKey[bool]()
_MARKERS = ("llama_scenario", "llama_fault")


# Fixtures.


@pytest.fixture(scope="session")
def _llama_live(pytestconfig: pytest.Config) -> Iterator[tuple[LlamaMock, LiveServer | None]]:
    _require_our_contract_package()
    from mockserver.pytest_plugin.journal import LlamaMock

    api_key = pytestconfig.getoption("llama_api_key")
    base_url = pytestconfig.getoption("llama_base_url")
    if base_url:
        mock = LlamaMock(
            base_url=base_url,
            api_key=api_key,
            admin_token=pytestconfig.getoption("llama_admin_token"),
        )
        _fail_on_external_error(mock.check_health)
        yield mock, None
        return
    from mockserver.adapters.live import LiveServer

    service = _new_service(pytestconfig)
    server = LiveServer(service).start()
    try:
        yield LlamaMock(base_url=server.base_url, api_key=api_key, service=service), server
    finally:
        server.stop()


@pytest.fixture
def llama_mock(
    request: pytest.FixtureRequest, _llama_live: tuple[LlamaMock, LiveServer | None]
) -> Iterator[LlamaMock]:
    """A live Llama API mock server: `.base_url` (native API at `+ "/v1"`), `.api_key`,
    `.requests`, `.assert_called(times=...)`, `.assert_conforms()`. Reset before each test."""
    mock, server = _llama_live
    _fail_on_external_error(mock.reset)

    def admin(method: str, path: str, body: bytes, content_type: str) -> None:
        mock.admin(method, path, body=body, content_type=content_type)

    with ExitStack() as markers:
        mock._markers_again = _apply_markers(markers, request.node, admin)
        try:
            yield mock
        finally:
            mock._markers_again = None
        _record(request, "llama_mock", mock)
    if server is not None:
        server.raise_errors()


@pytest.fixture(scope="session")
def llama_exchanges(
    _llama_live: tuple[LlamaMock, LiveServer | None],
) -> Iterator[ExchangeServer]:
    """Serves generated exchanges: `@given(exchange=exchanges(...))`, then
    `served = llama_exchanges.serve(exchange)`, run the client against `served.url` with
    `served.request`, and `served.assert_outcome(...)`. Session-scoped, so hypothesis runs every
    example through it; `serve()` resets the mock for each example."""
    from mockserver.pytest_plugin.exchanges import ExchangeServer

    mock, server = _llama_live
    exchange_server = ExchangeServer(mock)
    yield exchange_server
    exchange_server.stop_serving()
    if server is not None:
        server.raise_errors()


@pytest.fixture(autouse=True)
def _llama_exchanges_stop(request: pytest.FixtureRequest) -> Iterator[None]:
    """After a test that served exchanges, other tests get the plain mock again."""
    yield
    if "llama_exchanges" in request.fixturenames:
        request.getfixturevalue("llama_exchanges").stop_serving()


def _fail_on_external_error(action: Callable[[], None]) -> None:
    """Run an admin call to the --llama-base-url server; a failure is one line, no traceback."""
    from mockserver.pytest_plugin.journal import MockAdminError

    try:
        action()
    except MockAdminError as exc:
        failure = f"--llama-base-url: {exc}"
    else:
        return
    pytest.fail(failure, pytrace=False)


@pytest.fixture(scope="session")
def _llama_respx_service(pytestconfig: pytest.Config) -> MockService:
    _require_our_contract_package()
    return _new_service(pytestconfig)


@pytest.fixture
def llama_respx(
    request: pytest.FixtureRequest, _llama_respx_service: MockService
) -> Iterator[LlamaRespxRouter]:
    """A respx router serving `https://api.llama.com` (`/v1` and `/compat/v1`) in-process, with
    the same `.requests`, `.assert_called(times=...)` and `.assert_conforms()` as `llama_mock`."""
    from mockserver.adapters.respx_transport import LlamaRespxRouter
    from mockserver.pytest_plugin.journal import service_admin

    service = _llama_respx_service
    service.reset()
    router = LlamaRespxRouter(service, api_key=request.config.getoption("llama_api_key"))
    if "llama_mock" in request.fixturenames:  # respx patches every client: let llama_mock through
        live: LlamaMock = request.getfixturevalue("llama_mock")
        router.route(url__startswith=live.base_url).pass_through()

    def admin(method: str, path: str, body: bytes, content_type: str) -> None:
        service_admin(service, method, path, body=body, content_type=content_type)

    with ExitStack() as markers:
        _apply_markers(markers, request.node, admin)
        with router:
            yield router
        _record(request, "llama_respx", router)


def _require_our_contract_package() -> None:
    """Fail with one line when a user's own `contract` module shadows ours: both are top-level
    names, so our fixtures cannot import the package they are built on."""
    import importlib.util

    ours = Path(__file__).resolve().parents[2] / "contract"
    try:
        spec = importlib.util.find_spec("contract")
    except (ImportError, ValueError):  # a module in sys.modules without a spec
        spec = None
    where = [spec.origin] if spec is not None and spec.origin else list(
        spec.submodule_search_locations or []) if spec is not None else []
    if any(Path(place).resolve() in (ours, ours / "__init__.py") for place in where):
        return
    found = ", ".join(where) or "a module without a file"
    pytest.fail(
        f"llama-api-contract: the module name 'contract' is taken by {found}, so llama_mock and "
        "llama_respx cannot import llama-api-contract's own 'contract' package; rename your "
        "module (for example to 'app_contract') to use these fixtures",
        pytrace=False,
    )


def _new_service(config: pytest.Config) -> MockService:
    from mockserver.config import MockConfig
    from mockserver.core.service import MockService

    strict = bool(config.getoption("llama_strict"))
    return MockService(MockConfig(strict=strict, port=0, journal_size=_JOURNAL_SIZE))


def _record(request: pytest.FixtureRequest, fixture: str, target: JournalAssertions) -> None:
    from mockserver.pytest_plugin.session_report import record_test

    record_test(request, fixture, target, outcome=request.node.stash.get(_OUTCOME, "passed"))


# Markers.


def _apply_markers(stack: ExitStack, item: pytest.Item, admin: AdminCall) -> Callable[[], None]:
    """Activate the test's llama_scenario and llama_fault markers until `stack` closes; what sets
    the faults again after a reset within the test."""
    from mockserver.pytest_plugin.markers import MarkerError, markers_applied

    item.stash[_MARKERS_APPLIED] = True
    try:
        return stack.enter_context(markers_applied(item, admin))
    except MarkerError as exc:
        failure = str(exc)
    pytest.fail(failure, pytrace=False)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, None, None]:
    """A test marked llama_scenario or llama_fault that no mock fixture served fails: its marker
    did nothing, so what it tests was never tested. Checked after the call, as a test may ask for
    the fixture inside (`request.getfixturevalue`); a module's or class's marker is not checked,
    as tests beside the mock's may share their module."""
    result = yield
    marked = [name for name in _MARKERS if any(m.name == name for m in item.own_markers)]
    if marked and not item.stash.get(_MARKERS_APPLIED, False):
        pytest.fail(
            f"{' and '.join(marked)}: the marker acts through the llama_mock or llama_respx "
            "fixture, and this test used neither, so the mock never served it; add one of them "
            "to the test's arguments (or to a fixture the test uses)",
            pytrace=False,
        )
    return result


# Reporting.


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if report.when == "call":
        item.stash[_OUTCOME] = report.outcome
        if report.failed:
            _add_violation_section(item, report)
    return report


def _add_violation_section(item: pytest.Item, report: pytest.TestReport) -> None:
    funcargs: dict[str, Any] = getattr(item, "funcargs", {})
    for name in _FIXTURES:
        target = funcargs.get(name)
        if target is None:
            continue
        from mockserver.pytest_plugin.journal import MockAdminError, violation_report

        try:
            entries = target.journal_entries()
        except MockAdminError as exc:
            lines = [f"could not read the journal: {exc}"]
        else:
            lines = violation_report(entries) or ([] if entries else [_NOTHING_SENT[name]])
        if lines:
            report.sections.append((f"{_SECTION} ({name})", "\n".join(lines)))
