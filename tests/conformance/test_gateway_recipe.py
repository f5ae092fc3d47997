"""docs/conformance.md's recipe for a gateway: `check client` with an adapter that puts the
gateway between an SDK and the runner's mock. A pass-through gateway conforms; one that ends a
cut stream cleanly (a real gateway bug, found this way by a user), drops `retry-after` or
rewrites an error's status fails the scenario that shows it."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from contract.conformance.checks import ClientOutcome, Conversation
from contract.scenarios.loading import builtin_scenario
from mockserver.adapters.live import LiveApp
from mockserver.conformance.adapters import llama_api_client, openai_compat
from mockserver.conformance.client_runner import run_client_checks

_NOT_FORWARDED = frozenset(("host", "connection", "keep-alive", "transfer-encoding",
                            "content-length"))  # fmt: skip
SCENARIOS = ("seed-example", "truncated-stream", "rate-limit-then-success", "compat-streaming-text",
             "error-404-not-found")  # fmt: skip


def gateway(upstream: str, *, flaw: str | None) -> Any:
    """A WSGI reverse proxy to `upstream`, streaming answers through as they come."""
    client = httpx.Client(base_url=upstream, timeout=30)

    def app(environ: dict[str, Any], start_response: Any) -> Iterator[bytes]:
        if environ["PATH_INFO"] == "/":  # its own: the readiness probe reaches no upstream
            start_response("200 OK", [("content-type", "text/plain")])
            return iter([b"gateway"])
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        headers = {key[5:].replace("_", "-").lower(): value for key, value in environ.items()
                   if key.startswith("HTTP_")}  # fmt: skip
        headers = {k: v for k, v in headers.items() if k not in _NOT_FORWARDED}
        if environ.get("CONTENT_TYPE"):
            headers["content-type"] = environ["CONTENT_TYPE"]
        request = client.build_request(environ["REQUEST_METHOD"], environ["PATH_INFO"],
                                       headers=headers, content=body)  # fmt: skip
        answer = client.send(request, stream=True)
        dropped = _NOT_FORWARDED | ({"retry-after", "retry-after-ms"} if flaw == "drops retry-after"
                                    else set())  # fmt: skip
        if flaw == "turns 404 into 502" and answer.status_code == 404:
            answer.close()
            start_response("502 Bad Gateway", [("content-type", "application/json")])
            return iter([b'{"gateway_error": "upstream said 404"}'])
        start_response(f"{answer.status_code} {answer.reason_phrase}",
                       [(k, v) for k, v in answer.headers.items() if k not in dropped])

        def relayed() -> Iterator[bytes]:
            try:
                yield from answer.iter_raw()
            except httpx.RemoteProtocolError:
                if flaw != "ends cut streams":  # drop the client's connection too, as it should
                    raise ConnectionResetError("upstream cut the answer") from None
            finally:
                answer.close()

        return relayed()

    return app


def through(flaw: str | None, started: list[LiveApp]) -> Any:
    @functools.cache
    def gateway_for(upstream: str) -> str:
        live = LiveApp(gateway(upstream, flaw=flaw)).start()
        started.append(live)
        return live.base_url

    def adapter(base_url: str, api_key: str, conversation: Conversation) -> ClientOutcome:
        parts = urlsplit(base_url)  # the runner's mock: http://127.0.0.1:PORT/v1 or /compat/v1
        root = gateway_for(f"{parts.scheme}://{parts.netloc}")
        sdk = openai_compat if conversation.endpoint == "compat" else llama_api_client
        return sdk(root + parts.path, api_key, conversation)

    return adapter


@pytest.fixture
def started() -> Iterator[list[LiveApp]]:
    gateways: list[LiveApp] = []
    yield gateways
    for live in gateways:
        live.stop()


def test_a_pass_through_gateway_conforms(started: list[LiveApp]) -> None:
    report = run_client_checks(through(None, started), target="gateway",
                               scenarios=[builtin_scenario(name) for name in SCENARIOS])  # fmt: skip
    assert report.ok, [(r.case, r.message) for r in report.failures]
    assert report.cases >= len(SCENARIOS)


@pytest.mark.parametrize(
    ("flaw", "failed"),
    [
        ("ends cut streams", {("truncated-stream", "client.error.surfaced")}),
        ("drops retry-after", {("rate-limit-then-success", "client.retry.after")}),
        # the SDK retries the 502s it gets: more requests than a 404 allows, and a wrong status
        ("turns 404 into 502", {("error-404-not-found", "client.error.status"),
                                ("error-404-not-found", "client.retry.count")}),
    ],
)
def test_a_flawed_gateway_fails_the_scenario_its_flaw_breaks(
    flaw: str, failed: set[tuple[str, str]], started: list[LiveApp]
) -> None:
    report = run_client_checks(through(flaw, started), target="gateway",
                               scenarios=[builtin_scenario(name) for name in SCENARIOS])  # fmt: skip
    assert {(r.case.split("/")[0], r.rule) for r in report.failures} == failed
