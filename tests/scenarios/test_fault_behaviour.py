"""What each fault does to an answer, with a recorded sleep instead of waiting."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from contract.scenarios.fault_forms import parse_fault_list
from mockserver.engine import tokenize
from mockserver.scenarios.faults import (
    ConnectionCut,
    FaultContext,
    FaultPlan,
    chaos_faults,
    merge_faults,
    plan_faults,
    tool_calls_as_text,
)
from mockserver.state.store import MemoryStore

RECORDS = [
    b'data: {"event":{"event_type":"progress","delta":{"type":"text","text":"w%d "}}}\n\n' % i
    for i in range(6)
]


def _context(*, stream: bool = False, dialect: str = "native", occurrence: int = 1,
             seed: int = 0) -> FaultContext:
    return FaultContext(dialect, stream, "/v1/chat/completions", "req:abc", "s1", seed,  # type: ignore[arg-type]
                        occurrence)


def _plan(text: str, *, store: MemoryStore | None = None, sleeps: list[float] | None = None,
          **context: object) -> FaultPlan:
    record = sleeps if sleeps is not None else []
    return plan_faults(parse_fault_list(text), _context(**context), store=store or MemoryStore(),  # type: ignore[arg-type]
                       sleep=record.append)


def _run(plan: FaultPlan, records: list[bytes] = RECORDS) -> Iterator[bytes]:
    body: Iterator[bytes] = iter(records)
    for rewrite in plan.stream_rewrites:
        body = rewrite(body)
    return body


def test_http_error_carries_the_contract_error_body_and_retry_headers() -> None:
    plan = _plan("http_error; status=503; retry_after=2; retry_after_ms=150; should_retry=true")
    answer = plan.replacement
    assert answer is not None
    assert answer.status == 503
    assert answer.headers == [("retry-after", "2"), ("retry-after-ms", "150"),
                              ("x-should-retry", "true")]
    body = json.loads(answer.body)  # type: ignore[arg-type]
    assert body["status"] == 503
    assert body["errors"][0]["rule"] == "fault.injected"
    compat = _plan("http_error; status=500", dialect="compat").replacement
    assert compat is not None
    assert "error" in json.loads(compat.body)
    raw = _plan('http_error; status=502; body="<html>bad gateway</html>"').replacement
    assert raw is not None
    assert raw.body == b"<html>bad gateway</html>"


def test_rate_limit_answers_429_with_spent_budget_headers() -> None:
    answer = _plan("rate_limit; limit=10").replacement
    assert answer is not None
    assert answer.status == 429
    headers = dict(answer.headers)
    assert headers["x-ratelimit-remaining-requests"] == "0"
    assert headers["x-ratelimit-limit-requests"] == "10"
    assert headers["retry-after"] == "1"
    assert json.loads(answer.body)["errors"][0]["rule"] == "rate_limit.requests"  # type: ignore[arg-type]


@pytest.mark.parametrize(("text", "status"), [("fail_then_succeed; times=2", 503),
                                              ("redirect; times=2", 307)])
def test_counted_faults_fail_n_identical_requests_then_let_them_through(text: str,
                                                                        status: int) -> None:
    store = MemoryStore()
    statuses = [getattr(_plan(text, store=store).replacement, "status", None) for _ in range(4)]
    assert statuses == [status, status, None, None]
    other_session = plan_faults(parse_fault_list(text), FaultContext(
        "native", False, "/v1/chat/completions", "req:abc", "s2"), store=store)
    assert other_session.replacement is not None


def test_redirect_points_at_the_same_path_by_default() -> None:
    answer = _plan("redirect").replacement
    assert answer is not None
    assert ("location", "/v1/chat/completions") in answer.headers


def test_latency_is_seeded_and_deterministic() -> None:
    text = "latency; distribution=uniform; min_ms=100; max_ms=900"
    first = [_plan(text, occurrence=n).delay_s for n in range(1, 6)]
    again = [_plan(text, occurrence=n).delay_s for n in range(1, 6)]
    other_seed = [_plan(text, occurrence=n, seed=7).delay_s for n in range(1, 6)]
    assert first == again
    assert first != other_seed
    assert all(0.1 <= delay <= 0.9 for delay in first)
    assert len(set(first)) > 1
    assert _plan("latency; ms=250").delay_s == 0.25
    lognormal = _plan("latency; distribution=lognormal; median_ms=100; sigma=3; cap_ms=120")
    assert 0 < lognormal.delay_s <= 0.12


def test_truncate_stream_drops_the_connection_after_n_events() -> None:
    body = _run(_plan("truncate_stream; after=3", stream=True))
    got = [next(body) for _ in range(3)]
    assert got == RECORDS[:3]
    with pytest.raises(ConnectionCut):
        next(body)


def test_stream_error_writes_a_bare_json_line_on_native_and_data_on_compat() -> None:
    native = list(_run(_plan("stream_error; after=2; message=boom", stream=True)))
    assert native[:2] == RECORDS[:2]
    assert len(native) == 3
    assert native[2].endswith(b"\n\n")
    assert json.loads(native[2])["detail"] == "boom"
    compat = list(_run(_plan("stream_error; after=1", stream=True, dialect="compat")))
    assert compat[1].startswith(b'data: {"error":')


def test_malformed_sse_sends_a_record_that_is_not_json() -> None:
    records = list(_run(_plan("malformed_sse; after=1", stream=True)))
    assert len(records) == 2
    with pytest.raises(json.JSONDecodeError):
        json.loads(records[1][len(b"data: "):])


def test_slow_stream_and_stall_sleep_where_they_should() -> None:
    sleeps: list[float] = []
    list(_run(_plan("slow_stream; ttft_ms=300; tokens_per_second=10", stream=True, sleeps=sleeps)))
    assert sleeps[0] == 0.3
    assert len(sleeps) == len(RECORDS)
    tokens = [len(tokenize(f"w{i} ")) for i in range(1, len(RECORDS))]
    assert sleeps[1:] == pytest.approx([count / 10 for count in tokens])
    stalls: list[float] = []
    list(_run(_plan("stall; ms=1500; after=2", stream=True, sleeps=stalls)))
    assert stalls == [1.5]
    assert _plan("stall; ms=1500").delay_s == 1.5


def test_stream_faults_do_nothing_to_answers_that_are_not_streams() -> None:
    plan = _plan("truncate_stream")
    assert not plan.stream_rewrites
    assert not plan.applied


def test_other_replacements() -> None:
    reset = _plan("reset").replacement
    assert reset is not None
    assert reset.reset
    empty = _plan("empty_response; status=502").replacement
    assert empty is not None
    assert (empty.status, empty.body) == (502, b"")
    cut = _plan("malformed_json").body_rewrites[0]
    with pytest.raises(json.JSONDecodeError):
        json.loads(cut(b'{"id": "x", "completion_message": {}}'))


def test_tool_calls_written_as_text() -> None:
    calls = [("get_weather", '{"city":"Paris"}')]
    assert tool_calls_as_text(calls, style="json") == (
        '{"type": "function", "name": "get_weather", "parameters": {"city": "Paris"}}')
    assert tool_calls_as_text(calls, style="pythonic") == '[get_weather(city="Paris")]'


def test_merge_prefers_earlier_sources() -> None:
    header = parse_fault_list("http_error; status=500")
    step = parse_fault_list("latency; ms=5, rate_limit")
    merged = merge_faults(header, step)
    assert [f.name for f in merged] == ["http_error", "latency"]


def test_chaos_is_seeded_and_follows_its_rate() -> None:
    picks = [chaos_faults(0.5, _context(occurrence=n)) for n in range(1, 201)]
    assert picks == [chaos_faults(0.5, _context(occurrence=n)) for n in range(1, 201)]
    hit = sum(bool(p) for p in picks)
    assert 60 < hit < 140
    assert not any(chaos_faults(0.0, _context(occurrence=n)) for n in range(1, 50))
    assert all(p[0].kind.stream_only is False for p in picks if p)
